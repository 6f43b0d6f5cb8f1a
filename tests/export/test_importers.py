"""The importers on spellings hvtui does not write but QEMU and libvirt accept."""

from __future__ import annotations

import pytest

from hvtui.importers import (
    CommandLineError,
    parse_libvirt_xml,
    parse_qemu_args,
    parse_qemu_command,
    parse_virt_install_command,
)
from hvtui.importers.qemu_cmdline import split_opts
from hvtui.model import Config


def test_qemu_spellings_bare_legacy_aliases_and_escaped_commas() -> None:
    found = parse_qemu_command(
        "qemu-system-x86_64 -m 4G -cpu 'host,migratable=no,hv_relaxed,+hv-vapic,-hv-reset,"
        "hv-spinlocks=8191,hv-apicv=yes,hv-vendor-id=a,,b,hv-no-nonarch-coresharing=AUTO'"
    )
    assert found.config == Config.of(
        relaxed=True,
        vapic=True,
        reset=False,
        spinlocks=8191,
        avic=True,
        vendor_id="a,b",
        no_nonarch_coresharing="auto",
    )
    assert found.cpu_model == "host"
    assert found.other_properties == ("migratable=no",)
    assert found.problems == ()


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


def test_split_opts_keeps_doubled_commas() -> None:
    assert split_opts("a,b=c,,d,,,e") == ["a", "b=c,d,", "e"]


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
