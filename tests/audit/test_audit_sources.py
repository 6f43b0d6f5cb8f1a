"""Reading what VMs run: every spelling QEMU accepts, real-world input shapes, round trips.

The fixtures in ``data/`` are written from each tool's documented flags and
formats (libvirt's formatdomain and its test-suite shapes, ``virsh dumpxml``,
Proxmox ``qm config``/``qm showcmd``, quickemu's generated script, RHEL's
``qemu-kvm``, virt-install), not copied from those projects.
"""

from __future__ import annotations

import pytest
from export.strategies import libvirt_versions, valid_configs
from export.tools import minimal_domain, virt_install_expressed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.support import DATA
from hvtui.audit import (
    LIBVIRT,
    PROXMOX,
    QEMU,
    VIRT_INSTALL,
    SourceError,
    load_file,
    load_text,
    load_vm_source,
)
from hvtui.export import (
    ExportError,
    ExportTarget,
    merge_into,
    plan_libvirt,
    render_libvirt,
    render_qemu,
)
from hvtui.export.virtinstall import render_virt_install
from hvtui.importers import parse_qemu_args, parse_qemu_command
from hvtui.importers.qemu_cmdline import smp_vcpus
from hvtui.model import Config
from hvtui.versions import V, Version

# -- every spelling QEMU accepts ---------------------------------------------------------


@pytest.mark.parametrize(
    ("item", "value"),
    [
        ("hv-relaxed", True),
        ("hv_relaxed", True),
        ("+hv-relaxed", True),
        ("-hv-relaxed", False),
        ("hv-relaxed=on", True),
        ("hv-relaxed=yes", True),
        ("hv-relaxed=true", True),
        ("hv-relaxed=y", True),
        ("hv-relaxed=off", False),
        ("hv-relaxed=no", False),
        ("hv-relaxed=false", False),
        ("hv-relaxed=n", False),
        ("hv_relaxed=off", False),
    ],
)
def test_boolean_spellings_qemu_accepts(item: str, value: bool) -> None:
    found = parse_qemu_args(["-cpu", f"host,{item}"])
    assert found.config == Config.of(relaxed=value)
    assert found.problems == () and found.warnings == ()


@pytest.mark.parametrize(
    ("item", "value"),
    [("hv-relaxed=1", True), ("hv-relaxed=0", False), ("hv-relaxed=ON", True),
     ("HV-RELAXED=on", True), ("hv-relaxed=False", False)],
)  # fmt: skip
def test_spellings_qemu_refuses_are_read_with_a_warning(item: str, value: bool) -> None:
    """QEMU 7.2 answers "Parameter 'hv-relaxed' expects 'on' or 'off'" (checked by hand)."""
    found = parse_qemu_args(["-cpu", f"host,{item}"])
    assert found.config == Config.of(relaxed=value)
    assert len(found.warnings) == 1 and item in found.warnings[0]
    assert found.problems == ()


@pytest.mark.parametrize("text", ["0x1fff", "0X1FFF", "8191", "017777"])
def test_spinlocks_hex_decimal_and_octal(text: str) -> None:
    assert parse_qemu_args(["-cpu", f"host,hv-spinlocks={text}"]).config == Config.of(
        spinlocks=0x1FFF
    )
    assert parse_qemu_args(["-cpu", f"host,hv_spinlocks={text}"]).config.get("spinlocks") == 8191


def test_bare_tristate_and_string_mean_what_qemu_makes_of_them() -> None:
    found = parse_qemu_args(["-cpu", "host,hv-no-nonarch-coresharing,hv-vendor-id"])
    assert found.config == Config.of(no_nonarch_coresharing="on", vendor_id="on")
    assert any("'on'" in w for w in found.warnings)  # the vendor ID "on" is surprising


def test_both_global_forms_and_the_legacy_name_trap() -> None:
    found = parse_qemu_args(
        [
            "-global",
            "host-x86_64-cpu.hv-relaxed=on",
            "-global",
            "driver=host-x86_64-cpu,property=hv-vapic,value=yes",
            "-global",
            "host-x86_64-cpu.hv_time=on",
            "-cpu",
            "host",
        ]
    )
    assert found.config == Config.of(relaxed=True, vapic=True, time=True)
    # QEMU: "Property 'host-x86_64-cpu.hv_time' not found": only -cpu translates hv_x.
    assert len(found.warnings) == 1 and "hv_time" in found.warnings[0]


def test_several_cpu_options_the_last_wins() -> None:
    found = parse_qemu_command(
        "qemu-system-x86_64 -cpu host,hv-evmcs,hv-relaxed -m 1G -cpu Skylake-Client,hv-vapic"
    )
    assert found.config == Config.of(vapic=True)
    assert found.cpu_model == "Skylake-Client"


@pytest.mark.parametrize(
    "prefix",
    [
        "/usr/libexec/qemu-kvm",
        "kvm",
        "/usr/bin/kvm -id 100",
        "qemu-system-x86_64",
        "sudo taskset -c 2-5 /usr/bin/qemu-system-x86_64",
        "",
    ],
)
def test_binaries_and_wrappers(prefix: str) -> None:
    text = f"{prefix} -enable-kvm -S -nodefaults -name guest=w,debug-threads=on -cpu host,hv_vapic"
    found = load_text(text)
    assert found.kind == QEMU
    assert found.config == Config.of(vapic=True)
    assert found.name == "w"


def test_options_without_a_value_do_not_swallow_the_next_option() -> None:
    # Before the audit work, "-enable-kvm -cpu X" read "-cpu" as -enable-kvm's value.
    assert parse_qemu_args(["-enable-kvm", "-cpu", "host,hv-relaxed"]).config == Config.of(
        relaxed=True
    )
    # An unknown flag followed by an option is a flag too; "-accel kvm" is not the binary.
    found = parse_qemu_args(["-some-new-flag", "-cpu", "host,hv-ipi", "-accel", "kvm"])
    assert found.config == Config.of(ipi=True)
    assert parse_qemu_args(["-cpu", "host,hv-ipi", "-accel", "kvm", "-m", "1G"]).config == (
        Config.of(ipi=True)
    )


def test_backslash_continuations_and_comments() -> None:
    text = "# my VM\nqemu-system-x86_64 \\\n  -smp 4 \\\n  -cpu host,hv-time  # clock\n"
    found = load_text(text)
    assert found.config == Config.of(time=True) and found.vcpus == 4


@pytest.mark.parametrize(
    ("text", "count"),
    [("4", 4), ("cpus=6,maxcpus=8", 6), ("sockets=2,cores=4,threads=2", 16),
     ("4,sockets=1,cores=4", 4), ("x", None), ("maxcpus=4", 4), ("cpus=0", 1),
     ("sockets=2,cores=0", 2), ("-1", None)],
)  # fmt: skip
def test_smp_counts(text: str, count: int | None) -> None:
    assert smp_vcpus(text) == count


# -- real-world shapes -----------------------------------------------------------------


ALL_HYPERV = Config.of(
    relaxed=True, vapic=True, spinlocks=4096, vpindex=True, runtime=True, synic=True,
    stimer=True, stimer_direct=True, reset=True, vendor_id="KVM Hv", frequencies=True,
    reenlightenment=True, tlbflush=True, tlbflush_direct=True, tlbflush_ext=True, ipi=True,
    evmcs=True, avic=True, emsr_bitmap=True, xmm_input=True,
)  # fmt: skip


def test_libvirt_every_hyperv_child() -> None:
    found = load_file(DATA / "libvirt-hyperv-all.xml")
    assert found.kind == LIBVIRT
    assert found.config == ALL_HYPERV
    assert found.imported.problems == ()
    assert (found.name, found.vcpus, found.pinned) == ("QEMUGuest1", 6, False)
    assert found.document is not None and found.imported.hyperv_mode == "custom"


def test_libvirt_everything_off() -> None:
    found = load_file(DATA / "libvirt-hyperv-off.xml")
    assert found.config.enabled() == ()
    assert found.config.get("relaxed") is False and found.config.get("evmcs") is False


def test_libvirt_modes_clock_and_panic() -> None:
    assert load_file(DATA / "libvirt-hyperv-passthrough.xml").config == Config.of(passthrough=True)
    host_model = load_file(DATA / "libvirt-hyperv-host-model.xml")
    assert host_model.imported.hyperv_mode == "host-model"
    assert host_model.config == Config()
    panic = load_file(DATA / "libvirt-hyperv-panic-clock.xml")
    assert panic.config == Config.of(
        relaxed=True, vpindex=True, synic=True, stimer=True, crash=True, time=True
    )
    assert panic.imported.cpu_model == "Skylake-Client-IBRS"


def test_libvirt_host_model_children_are_read() -> None:
    text = (
        "<domain><features><hyperv mode='host-model'><relaxed state='off'/>"
        "<vapic state='on'/></hyperv></features></domain>"
    )
    found = load_text(text)
    assert found.config == Config.of(relaxed=False, vapic=True)
    assert "host-model" in found.imported.problems[0]


def test_libvirt_qemu_commandline_global_and_cpu() -> None:
    found = load_file(DATA / "libvirt-commandline.xml")
    assert found.config == Config.of(
        relaxed=True, vapic=True, spinlocks=8191, syndbg=True, no_nonarch_coresharing="auto"
    )
    assert found.imported.extra_args == ("-device", "vmbus-bridge,irq=15")
    replaced = load_file(DATA / "libvirt-commandline-cpu.xml")
    assert replaced.config == Config.of(time=True, spinlocks=8191)
    assert replaced.name == "commandline-cpu" and replaced.vcpus == 2
    assert any("replaces" in p for p in replaced.imported.problems)


def test_libvirt_pinning_from_cputune() -> None:
    pinned = load_file(DATA / "libvirt-pinned.xml")
    assert (pinned.vcpus, pinned.pinned) == (4, True)
    shared = (DATA / "libvirt-pinned.xml").read_text().replace("cpuset='5'", "cpuset='4'")
    assert load_text(shared).pinned is False
    ranged = (DATA / "libvirt-pinned.xml").read_text().replace("cpuset='5'", "cpuset='5-6'")
    assert load_text(ranged).pinned is False
    excluded = (DATA / "libvirt-pinned.xml").read_text().replace("cpuset='5'", "cpuset='5-6,^6'")
    assert load_text(excluded).pinned is True
    bad = (DATA / "libvirt-pinned.xml").read_text().replace("cpuset='5'", "cpuset='x'")
    found = load_text(bad)
    assert found.pinned is None and any("cpuset" in p for p in found.imported.problems)
    one = "<domain><vcpu cpuset='3'>1</vcpu></domain>"
    assert load_text(one).pinned is True


def test_virsh_dumpxml_with_unknown_elements() -> None:
    found = load_file(DATA / "virsh-dumpxml-win11.xml")
    assert found.name == "win11" and found.vcpus == 4  # current='4' of 8
    assert found.config.get("stimer-direct") is True and found.config.get("reset") is False
    assert found.config.get("time") is True
    assert found.imported.problems == (
        "<hyperv><future_feature>: not an element hvtui knows; ignored",
    )


def test_proxmox_conf_args_and_cpu_lines() -> None:
    found = load_file(DATA / "proxmox-100.conf")
    assert found.kind == PROXMOX
    # args: -cpu comes last on Proxmox's command line, so it replaces the cpu: line's flags.
    assert found.config == Config.of(
        relaxed=True, vapic=True, spinlocks=0x1FFF, time=True, vpindex=True, synic=True,
        stimer=True, frequencies=True,
    )  # fmt: skip
    assert (found.name, found.vcpus) == ("win11-ws", 4)
    assert "kvm_pv_unhalt=on" in found.imported.other_properties
    assert found.imported.problems == ()  # the snapshot section is not read


def test_proxmox_conf_cpu_line_alone() -> None:
    found = load_file(DATA / "proxmox-101.conf")
    # qemu-server's automatic set for win10 (no machine: pinned to 5.1) plus flags=.
    assert found.config == Config.of(
        relaxed=True, vapic=True, spinlocks=0x1FFF, vpindex=True, runtime=True, time=True,
        synic=True, stimer=True, tlbflush=True, ipi=True, reset=True,
    )  # fmt: skip
    assert found.imported.cpu_model == "qemu64"  # x86-64-v2-AES is qemu64 plus flags
    assert found.vcpus == 3  # vcpus: wins over sockets x cores
    assert any("pinned to 5.1" in note for note in found.imported.notes)
    assert dict(found.imported.origins)["tlbflush"] == "cpu: flags= of this VM"


def test_proxmox_qm_showcmd() -> None:
    found = load_file(DATA / "proxmox-showcmd.txt")
    assert found.kind == QEMU
    assert found.config == Config.of(
        ipi=True, relaxed=True, reset=True, runtime=True, spinlocks=0x1FFF, stimer=True,
        synic=True, time=True, vapic=True, vendor_id="proxmox", vpindex=True,
    )  # fmt: skip
    assert (found.name, found.vcpus) == ("win11-ws", 4)
    assert found.imported.warnings == ()


def test_quickemu_script() -> None:
    found = load_file(DATA / "quickemu-windows-11.sh")
    assert found.config == Config.of(passthrough=True)
    assert (found.name, found.vcpus) == ("windows-11", 8)
    assert "migratable=no" in found.imported.other_properties


def test_rhel_qemu_kvm() -> None:
    found = load_file(DATA / "rhel-qemu-kvm.cmd")
    assert found.config == Config.of(
        relaxed=True, vapic=True, spinlocks=4095, runtime=False, stimer=True, tlbflush=True,
        reset=False, avic=True, vpindex=True, synic=True, time=True,
    )  # fmt: skip
    assert (found.name, found.vcpus) == ("legacy-win", 2)


def test_virt_install_command() -> None:
    found = load_file(DATA / "virt-install-win.sh")
    assert found.kind == VIRT_INSTALL
    assert found.config == Config.of(
        relaxed=True, vapic=True, spinlocks=8191, vpindex=True, synic=True, stimer=True,
        stimer_direct=True, time=True,
    )  # fmt: skip
    assert (found.name, found.vcpus, found.pinned) == ("win-server", 4, True)


def test_load_vm_source_takes_a_path_or_the_text() -> None:
    path = DATA / "libvirt-pinned.xml"
    assert load_vm_source(path).label == str(path)
    assert load_vm_source(str(path)).label == str(path)
    pasted = load_vm_source(path.read_text())
    assert pasted.label == "<pasted text>" and pasted.config == load_file(path).config
    with pytest.raises(SourceError, match="no QEMU binary or option"):
        load_vm_source("no-such-file.xml")


# -- round trips with the exporters ----------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=valid_configs(), libvirt=libvirt_versions(), model=st.sampled_from(["host", "EPYC"]))
def test_every_export_reads_back_through_the_audit(
    config: Config, libvirt: Version, model: str
) -> None:
    target = ExportTarget(model, None, libvirt)
    qemu = load_text(render_qemu(config, target))
    assert qemu.kind == QEMU and qemu.config == config and qemu.imported.cpu_model == model
    plan = plan_libvirt(config, target)
    snippet = load_text(render_libvirt(config, target))
    assert snippet.kind == LIBVIRT and snippet.config == plan.expressed()
    cpu = (
        "<cpu mode='host-passthrough'/>"
        if model == "host"
        else (f"<cpu mode='custom'><model>{model}</model></cpu>")
    )
    merged = merge_into(minimal_domain("", cpu=cpu), config, target).text
    whole = load_text(merged)
    assert whole.config == plan.expressed() and whole.document == merged
    try:
        arguments = render_virt_install(config, target, known_features=None)
    except ExportError:
        return  # a value virt-install would mangle: the exporter refuses it, as it should
    virt_install = load_text(arguments)
    # The plan's configuration plus offs that keep virt-install's Windows defaults out.
    expressed = virt_install_expressed(config, target)
    assert virt_install.kind == VIRT_INSTALL and virt_install.config == expressed


def test_round_trip_of_a_fixture_through_merge() -> None:
    """An audited domain, fixed and merged back, reads as the fixed configuration."""
    source = load_file(DATA / "virsh-dumpxml-win11.xml")
    fixed = source.config.with_values([("reset", None), ("ipi", None)])
    assert source.document is not None
    merged = merge_into(source.document, fixed, ExportTarget("host", None, V("9.0.0"))).text
    again = load_text(merged)
    assert again.config == fixed.with_value("stimer-direct", True)
    assert "<seclabel" in merged and "libosinfo" in merged and "WARNING" in merged
