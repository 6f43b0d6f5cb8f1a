"""The ``-global`` options verify's VM takes from a command line: those QEMU reads for
an x86 CPU type, as QEMU splits them (:mod:`hvtui.formats.qemu_global`)."""

from __future__ import annotations

from hvtui.model import Config
from hvtui.verify.spec import from_qemu_args

CPU = "host-x86_64-cpu"


def test_verify_vm_keeps_the_cpu_globals_qemu_reads_and_drops_the_rest() -> None:
    kept = [
        f"property=hv-relaxed,value=on,driver={CPU}",  # the long form, in any order
        f"{CPU}.hv-vendor-id=ab,,cd",  # the short form: ",," is two commas
        f"driver={CPU},property=hv-vapic,value=on,id=g",
    ]
    dropped = [
        f"a.{CPU}.hv-time=on",  # the driver is "a": no CPU
        f"x.y=1,driver={CPU},property=hv-vapic,value=on",  # the driver is "x"
        f"driver={CPU},property=hv-vapic,value=on,foo=1",  # QEMU refuses it
        f"driver={CPU},property=hv-vapic",  # no value: QEMU refuses it
        f"driver={CPU},property=hv-time,value=on,id=g",  # QEMU refuses a second id=g
    ]
    args = ["-cpu", "host"]
    for value in [*kept, *dropped]:
        args += ["-global", value]
    spec = from_qemu_args(args, source="command line")
    assert spec.globals == tuple(kept)
    assert spec.asked == Config.of(relaxed=True, vapic=True, vendor_id="ab,,cd")
    refused = [note for note in spec.notes if "QEMU refuses it" in note]
    assert refused == [
        f"-global {dropped[2]}: not DRIVER.PROPERTY=VALUE; QEMU refuses it: "
        "Invalid parameter 'foo'",
        f"-global {dropped[3]}: not DRIVER.PROPERTY=VALUE; QEMU refuses it: "
        "options 'driver', 'property', and 'value' are required",
        f"-global {dropped[4]}: not read; QEMU refuses it: Duplicate ID 'g' for global",
    ]
