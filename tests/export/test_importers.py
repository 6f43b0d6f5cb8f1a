"""The importers on spellings hvtui does not write but QEMU and libvirt accept."""

from __future__ import annotations

import subprocess

import pytest

from export.tools import QEMU, require
from hvtui.formats.qemu_opts import opts_items
from hvtui.importers import (
    CommandLineError,
    parse_libvirt_xml,
    parse_qemu_args,
    parse_qemu_command,
    parse_virt_install_command,
)
from hvtui.importers.qemu_cmdline import (
    parse_cpu_option,
    signed_item_refused,
    split_cpu_option,
)
from hvtui.model import Config


def test_qemu_spellings_bare_legacy_and_aliases() -> None:
    found = parse_qemu_command(
        "qemu-system-x86_64 -m 4G -cpu 'host,migratable=no,hv_relaxed,+hv-vapic,-hv-reset,"
        "hv-spinlocks=8191,hv-apicv=yes,hv_vendor_id=a b,hv-no-nonarch-coresharing=AUTO'"
    )
    assert found.config == Config.of(
        relaxed=True,
        vapic=True,
        reset=False,
        spinlocks=8191,
        avic=True,
        vendor_id="a b",
        no_nonarch_coresharing="auto",
    )
    assert found.cpu_model == "host"
    assert found.other_properties == ("migratable=no",)
    assert found.problems == ()


def test_cpu_doubled_commas_are_two_separators_not_an_escape() -> None:
    """``-cpu`` is split by ``strtok`` (QEMU's ``x86_cpu_parse_featurestr``), not QemuOpts:
    ``,,`` separates like ``,`` and an empty item is skipped, the model's comma too."""
    assert split_cpu_option("host,,hv-relaxed") == ("host", ["hv-relaxed"], None)
    assert split_cpu_option("host,hv-relaxed,,,hv-vapic,") == (
        "host",
        ["hv-relaxed", "hv-vapic"],
        None,
    )
    assert split_cpu_option("host") == ("host", [], None)
    assert split_cpu_option("host,") == ("host", [], None)
    found = parse_qemu_args(["-cpu", "host,hv-vendor-id=ab,,cd,,,hv-relaxed"])
    assert found.cpu_model == "host"
    assert found.config == Config.of(vendor_id="ab", relaxed=True)
    assert found.other_properties == ("cd",)
    assert found.problems == ()
    (warning,) = found.warnings
    assert warning.startswith("-cpu: hv-vendor-id=ab,,cd: ,, is no escaped comma in -cpu")
    assert warning.endswith("so this is hv-vendor-id=ab and then an item cd")
    # After a bare name or the model, ,, misleads nobody: no warning.
    assert parse_qemu_args(["-cpu", "host,,hv-relaxed,,hv-vapic"]).warnings == ()
    # The other options are QemuOpts, where ,, stays an escaped comma.
    assert parse_qemu_args(["-smp", "cpus=4,,x"]).vcpus is None
    assert parse_qemu_args(["-name", "guest=a,,b"]).name == "a,b"


def test_cpu_doubled_comma_search_is_bounded() -> None:
    """A hostile ``-cpu`` gives one warning, quoted short, whatever its size."""
    found = parse_cpu_option("host," + "a=b=" * 50_000 + ",," + "x" * 100_000)
    (warning,) = found.warnings
    assert len(warning) < 400
    assert len(found.items) == 2


#: +/- items QEMU 7.2 refuses (the end of its message), and the spelling the importer
#: suggests instead.
REFUSED_SIGNED = {
    "+hv_relaxed": ("-x86_64-cpu.hv_relaxed' not found", "write +hv-relaxed or hv_relaxed=on"),
    "-hv_reset": ("-x86_64-cpu.hv_reset' not found", "write -hv-reset or hv_reset=off"),
    "+HV_Vapic": ("-x86_64-cpu.HV_Vapic' not found", "write +hv-vapic or hv_vapic=on"),
    "-hv_stimer-direct": (
        "-x86_64-cpu.hv_stimer-direct' not found",
        "write -hv-stimer-direct or hv_stimer-direct=off",
    ),
    "+hv-relaxed=on": (
        "-x86_64-cpu.hv-relaxed=on' not found",
        "write +hv-relaxed or hv-relaxed=on",
    ),
    "+": ("-x86_64-cpu.' not found", "a + item needs a property name"),
    "+hv-spinlocks": ("'hv-spinlocks' expects uint64", "write hv-spinlocks=VALUE"),
    "-hv-vendor-id": ("'hv-vendor-id', expected: string", "write hv-vendor-id=VALUE"),
    "+hv-no-nonarch-coresharing": (
        "'hv-no-nonarch-coresharing', expected: string",
        "write hv-no-nonarch-coresharing=VALUE",
    ),
}


@pytest.mark.parametrize("item", REFUSED_SIGNED)
def test_cpu_signed_items_qemu_refuses_are_reported_not_read(item: str) -> None:
    """QEMU sets a +/- item's name exactly as written, as an on/off property; what it
    refuses gives the guest nothing, and the problem names the item and what QEMU takes."""
    found = parse_qemu_args(["-cpu", f"host,hv-crash,{item},hv-time=on"])
    assert found.config == Config.of(crash=True, time=True)
    assert found.other_properties == ()
    (problem,) = found.problems
    assert problem.startswith(f"-cpu: {item}: not read; QEMU refuses it: ")
    assert problem.endswith(REFUSED_SIGNED[item][1]), problem
    assert "\n" not in problem


def _qemu_stderr(cpus: list[str]) -> list[tuple[int, str]]:
    """Exit status and stderr of a QEMU started with each ``-cpu`` value (TCG, frozen,
    quit through the monitor).  QEMU stops at the first item it refuses, so each value
    needs its own process; they all run at once."""
    qemu = require(QEMU, "qemu-system-x86")
    base = [qemu, "-machine", "pc", "-accel", "tcg", "-S", "-display", "none", "-nodefaults"]
    runs = [
        subprocess.Popen(
            [*base, "-monitor", "stdio", "-cpu", cpu],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for cpu in cpus
    ]
    answers: list[tuple[int, str]] = []
    for run in runs:
        _out, err = run.communicate("quit\n", timeout=60)
        answers.append((run.returncode, err))
    return answers


@pytest.mark.realtools
def test_real_qemu_refuses_what_the_importer_reports() -> None:
    """Every refused +/- item and a ``,,`` in a value: QEMU stops with the error the
    importer expects, and the importer reports the item (the ``,,``: reads the item
    after it, which QEMU then refuses)."""
    cpus = [f"qemu64,hv-crash,{item}" for item in REFUSED_SIGNED]
    doubled = "qemu64,hv-vendor-id=ab,,cd"
    answers = _qemu_stderr([*cpus, doubled])
    for (code, err), item, cpu in zip(answers, REFUSED_SIGNED, cpus, strict=False):
        assert code != 0 and REFUSED_SIGNED[item][0] in err, (item, code, err)
        problems = parse_qemu_args(["-cpu", cpu]).problems
        assert [p for p in problems if p.startswith(f"-cpu: {item}: not read")], problems
    code, err = answers[-1]
    found = parse_qemu_args(["-cpu", doubled])
    assert found.config == Config.of(vendor_id="ab") and found.other_properties == ("cd",)
    assert code != 0 and "can't apply global qemu64-x86_64-cpu.cd=on" in err, err


def test_cpu_signed_items_qemu_takes_are_read() -> None:
    """Exact ``hv-*`` names (aliases too) and other features' ``_`` aliases, which QEMU
    has (``kvm_pv_eoi``, ``sse4_1``); an ``hv_`` name only in a ``name=value`` item."""
    found = parse_qemu_args(
        ["-cpu", "host,+hv-apicv,-hv-reset,+kvm_pv_eoi,-sse4_1,hv_ipi=on,hv_synic"]
    )
    assert found.config == Config.of(avic=True, reset=False, ipi=True, synic=True)
    assert found.other_properties == ("kvm_pv_eoi=on", "sse4_1=off")
    assert found.problems == found.warnings == ()
    assert signed_item_refused("+hv-relaxed") is None
    assert signed_item_refused("+hv_relaxed") is not None


def test_qemu_numbers_as_qemu_reads_them() -> None:
    for text, number in (("0x1fff", 0x1FFF), ("8191", 8191), ("017777", 0o17777)):
        assert (
            parse_qemu_args(["-cpu", f"host,hv-spinlocks={text}"]).config.get("spinlocks") == number
        )


def test_qemu_last_cpu_wins_and_beats_globals() -> None:
    found = parse_qemu_args(
        [
            "-cpu",
            "host,hv-evmcs=on",
            "-global",
            "host-x86_64-cpu.hv-relaxed=off",
            "-global",
            "driver=host-x86_64-cpu,property=hv-vapic,value=on",
            "--cpu=host,hv-relaxed=on",
        ]
    )
    assert found.config == Config.of(relaxed=True, vapic=True)


def test_qemu_reports_what_it_cannot_use() -> None:
    found = parse_qemu_args(
        [
            "-cpu",
            "host,hv-bogus=on,hv-relaxed=maybe,hv-spinlocks=-1",
            "-global",
            "qemu64-x86_64-cpu.hv-vapic=on",
        ]
    )
    assert found.config == Config()
    assert len(found.problems) == 4
    assert any("'qemu64'" in p and "'host'" in p for p in found.problems)


def test_unbalanced_quotes_are_a_one_line_error() -> None:
    with pytest.raises(CommandLineError, match="cannot split"):
        parse_qemu_command("-cpu 'host,hv-relaxed=on")


def test_qemu_opts_keep_doubled_commas_in_values() -> None:
    assert opts_items("a,b=c,,d,,,e") == [("a", "on", "a"), ("b", "c,d,", ""), ("e", "on", "e")]


DOMAIN = """<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <features>
    <hyperv mode='custom'>
      <relaxed state='on'/>
      <spinlocks state='on' retries='4096'/>
      <stimer state='off'><direct state='on'/></stimer>
      <vendor_id state='on' value='x y'/>
      <bogus state='on'/>
    </hyperv>
  </features>
  <cpu mode='host-passthrough'/>
  <clock offset='utc'><timer name='hypervclock' present='yes'/></clock>
  <devices><panic model='hyperv'/></devices>
  <qemu:commandline>
    <qemu:arg value='-global'/>
    <qemu:arg value='host-x86_64-cpu.hv-relaxed=off'/>
    <qemu:arg value='-global'/>
    <qemu:arg value='host-x86_64-cpu.hv-xmm-input=on'/>
  </qemu:commandline>
</domain>"""


def test_libvirt_reads_every_place_and_applies_qemus_precedence() -> None:
    found = parse_libvirt_xml(DOMAIN)
    assert found.config == Config.of(
        relaxed=True,
        spinlocks=4096,
        stimer=False,
        vendor_id="x y",
        time=True,
        crash=True,
        xmm_input=True,
    )
    assert found.cpu_model == "host"
    assert any("<bogus>" in p for p in found.problems)
    assert any("parent is not on" in p for p in found.problems)


def test_libvirt_commandline_cpu_replaces_libvirts_own() -> None:
    text = DOMAIN.replace(
        "<qemu:arg value='-global'/>\n    <qemu:arg value='host-x86_64-cpu.hv-relaxed=off'/>",
        "<qemu:arg value='-cpu'/>\n    <qemu:arg value='host,hv-vapic=on'/>",
    )
    found = parse_libvirt_xml(text)
    assert found.config == Config.of(vapic=True, xmm_input=True)
    assert any("replaces" in p for p in found.problems)


def test_libvirt_modes_hvtui_cannot_express_are_reported() -> None:
    found = parse_libvirt_xml("<domain><features><hyperv mode='host-model'/></features></domain>")
    assert found.config == Config()
    assert found.problems and "host-model" in found.problems[0]


def test_virt_install_arguments_replay_onto_a_domain() -> None:
    found = parse_virt_install_command(
        "virt-install --cpu host-passthrough --features hyperv.relaxed.state=on,"
        "hyperv.spinlocks.state=on,hyperv.spinlocks.retries=8191 "
        "--xml xpath.set=./features/hyperv/vendor_id/@value,xpath.value='a=b' "
        "--xml ./features/hyperv/vendor_id/@state=on --clock hypervclock_present=yes "
        "--panic hyperv --qemu-commandline='-global host-x86_64-cpu.hv-syndbg=on'"
    )
    assert found.config == Config.of(
        relaxed=True, spinlocks=8191, vendor_id="a=b", time=True, crash=True, syndbg=True
    )
    assert found.cpu_model == "host"
