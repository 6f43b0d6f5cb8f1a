"""qemu-server's automatic Hyper-V set, case by case, against the rules read in its source.

Each case cites the line of logic it checks: ``CPUConfig.pm get_hyperv_enlightenments``
(G), ``get_cpu_options`` (O), ``resolve_cpu_flags`` (R), ``PCI.pm print_hostpci_devices``
(P), ``Machine.pm get_vm_machine`` (M), ``QemuServer.pm config_to_command`` (C).
The resulting ``-cpu`` lines go through the real QEMU 7.2 where that means something.
"""

from __future__ import annotations

import pytest
from export.tools import run_qemu

from hvtui.formats.proxmox import (
    machine_kind,
    machine_version,
    parse_cpu_models,
    proxmox_cpu,
    split_args,
)
from hvtui.importers.proxmox import parse_proxmox_config
from hvtui.importers.qemu_cmdline import parse_cpu_option
from hvtui.versions import Version

FULL = {"relaxed", "vapic", "spinlocks", "vpindex", "runtime", "time", "synic", "stimer"}
FULL |= {"reset", "ipi"}


def conf(**options: str) -> str:
    base = {"cores": "2", "memory": "4096", "ostype": "win10", "machine": "pc-q35-9.2+pve1"}
    base.update(options)
    return "".join(f"{k}: {v}\n" for k, v in base.items() if v)


def on(text: str, models: str = "", *, intel: bool | None = None) -> dict[str, object]:
    cpu_models = parse_cpu_models(models) if models else None
    imported = parse_proxmox_config(text, cpu_models=cpu_models, host_intel=intel)
    return {n: v for n, v in imported.config if imported.config.is_on(n)}


# (case id, VMID.conf options, the options on, the source line of logic)
CASES = [
    ("xp-none", dict(ostype="wxp"), set(), "G: return if $winversion < 6"),
    ("linux-none", dict(ostype="l26"), set(), "G: windows_version('l26') == 0"),
    ("other-none", dict(ostype=""), set(), "G: no ostype is version 0"),
    (
        "vista-machine-2.3",
        dict(ostype="wvista", machine="pc-i440fx-2.3"),
        {"spinlocks", "vapic", "time"},
        "G: >= 2.3 spinlocks 0x1fff, vapic, time; < 7 no relaxed",
    ),
    (
        "vista-machine-2.6",
        dict(ostype="w2k8", machine="pc-2.6"),
        {"spinlocks", "vapic", "time", "reset", "vpindex", "runtime"},
        "G: >= 2.6 reset vpindex runtime",
    ),
    (
        "win7-machine-2.2",
        dict(ostype="win7", machine="pc-i440fx-2.2"),
        {"spinlocks", "relaxed"},
        "G: < 2.3 only spinlocks 0xffff; win7 relaxed",
    ),
    (
        "win7-machine-2.11",
        dict(ostype="win7", machine="pc-i440fx-2.11"),
        {"spinlocks", "vapic", "time", "reset", "vpindex", "runtime", "relaxed"},
        "G: synic/stimer from 2.12",
    ),
    (
        "win7-machine-2.12",
        dict(ostype="win7", machine="pc-i440fx-2.12"),
        FULL - {"ipi"},
        "G: >= 2.12 synic stimer; ipi from 3.1",
    ),
    ("win7-machine-3.1", dict(ostype="win7", machine="pc-q35-3.1"), FULL, "G: >= 3.1 ipi"),
    ("win7-ovmf-none", dict(ostype="win7", bios="ovmf"), set(), "G: ovmf and winversion < 8"),
    ("win8-ovmf", dict(ostype="win8", bios="ovmf"), FULL, "G: ovmf from Windows 8"),
    ("win11-seabios", dict(ostype="win11", bios="seabios"), FULL, "G"),
    ("no-machine-pinned-5.1", dict(ostype="win10", machine=""), FULL, "M: pinned to 5.1 (>= 3.1)"),
    ("kvm-off", dict(ostype="win11", kvm="0"), set(), "O: hv flags only if $kvm"),
    (
        "gpu-x-vga",
        dict(ostype="win11", hostpci0="0000:01:00,pcie=1,x-vga=1"),
        FULL | {"vendor-id"},
        "P: x-vga sets gpu_passthrough; G: hv_vendor_id 'proxmox'",
    ),
    ("gpu-no-x-vga", dict(ostype="win11", hostpci0="0000:01:00,pcie=1"), FULL, "P: only x-vga"),
    (
        "vendor-in-cpu",
        dict(ostype="win11", cpu="host,hv-vendor-id=abc123"),
        FULL | {"vendor-id"},
        "G: a set hv-vendor-id is added",
    ),
    (
        "vendor-but-xp",
        dict(ostype="wxp", cpu="host,hv-vendor-id=abc123"),
        set(),
        "G: nothing below 6, the vendor id neither",
    ),
    (
        "vm-flags-add",
        dict(ostype="win11", cpu="host,flags=+hv-tlbflush;+hv-evmcs"),
        FULL | {"tlbflush", "evmcs"},
        "O: vm flags after hv flags",
    ),
    (
        "vm-flags-linux",
        dict(ostype="l26", cpu="host,flags=+hv-tlbflush"),
        {"tlbflush"},
        "O: vm flags whatever the ostype",
    ),
    (
        "args-cpu-replaces",
        dict(ostype="win11", args="-cpu host,hv_relaxed"),
        {"relaxed"},
        "C: args appended last; QEMU keeps the last -cpu",
    ),
    (
        "args-without-cpu",
        dict(ostype="win11", args="-global kvm-pit.lost_tick_policy=discard"),
        FULL,
        "C: other args leave the -cpu alone",
    ),
    (
        "args-unbalanced",
        dict(ostype="win11", args='-cpu "host,hv_relaxed'),
        FULL,
        "C: split_args gives nothing for an unbalanced quote",
    ),
]


@pytest.mark.parametrize(
    ("options", "expected", "why"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_automatic_set(options: dict[str, str], expected: set[str], why: str) -> None:
    assert set(on(conf(**options))) == expected, why


def test_values_of_the_automatic_set() -> None:
    got = on(conf(ostype="win11", hostpci0="0000:01:00,x-vga=1"))
    assert got["spinlocks"] == 0x1FFF and got["vendor-id"] == "proxmox"  # G
    old = on(conf(ostype="win7", machine="pc-i440fx-2.2"))
    assert old["spinlocks"] == 0xFFFF  # G: else branch below 2.3
    custom = on(
        conf(ostype="win11", cpu="host,hv-vendor-id=VM1"),
    )
    assert custom["vendor-id"] == "VM1"


def test_custom_model_and_vm_precedence() -> None:
    models = (
        "cpu-model: m\n    flags -hv-reset;+hv-frequencies;-hv-tlbflush\n"
        "    reported-model host\n    hv-vendor-id=x\n"
    )
    models = models.replace("hv-vendor-id=x", "hv-vendor-id modelid")
    got = on(conf(ostype="win11", cpu="custom-m,flags=+hv-tlbflush"), models)
    # R: the VM's +hv-tlbflush replaces the model's -hv-tlbflush (same key, later source);
    # QEMU applies -hv-reset after the automatic hv_reset.
    assert set(got) == (FULL - {"reset"}) | {"frequencies", "tlbflush", "vendor-id"}
    assert got["vendor-id"] == "modelid"  # O: custom model hv-vendor-id
    vm_wins = on(conf(ostype="win11", cpu="custom-m,hv-vendor-id=vmid"), models)
    assert vm_wins["vendor-id"] == "vmid"  # O: VM settings override the custom model


def test_hidden_and_gpu() -> None:
    text = conf(ostype="win11", hostpci0="01:00.0,x-vga=1")
    assert "kvm=off" in proxmox_cpu(_opts(text)).text  # P: x-vga sets kvm_off
    shown = conf(ostype="win11", hostpci0="01:00.0,x-vga=1", cpu="host,hidden=0")
    assert "kvm=off" not in proxmox_cpu(_opts(shown)).text  # O: hidden=0 overrides


def test_intel_only_rule_depends_on_the_host() -> None:
    new = conf(ostype="win11", machine="pc-q35-11.0+pve2")
    assert "evmcs" in on(new, intel=True)
    assert "evmcs" not in on(new, intel=False)
    imported = parse_proxmox_config(new)
    assert any("hv-evmcs: also on if the host is Intel" in n for n in imported.notes)
    assert "evmcs" not in on(conf(ostype="win11", machine="pc-q35-11.0+pve1"), intel=True)
    assert "evmcs" not in on(conf(ostype="win10", machine="pc-q35-11.0+pve2"), intel=True)


def test_refused_vm_flags_and_missing_models_are_reported() -> None:
    bad = parse_proxmox_config(conf(cpu="host,flags=+hv-frequencies"))
    assert any("Proxmox refuses this VM" in p for p in bad.problems)
    unknown = parse_proxmox_config(conf(cpu="custom-nope"))
    assert any("no cpu-models.conf given" in p for p in unknown.problems)


def test_origins_name_each_source() -> None:
    imported = parse_proxmox_config(conf(ostype="win11", cpu="host,flags=+hv-tlbflush"))
    origins = dict(imported.origins)
    assert origins["tlbflush"] == "cpu: flags= of this VM"
    assert origins["ipi"].startswith("automatic: ostype win11, machine 3.1")
    args = parse_proxmox_config(conf(ostype="win11", args="-cpu host,hv_relaxed"))
    assert dict(args.origins)["relaxed"].startswith("args: -cpu")


def test_missing_machine_says_the_assumption() -> None:
    imported = parse_proxmox_config(conf(ostype="win11", machine=""))
    assert any("pinned to 5.1" in n for n in imported.notes)
    made = parse_proxmox_config(
        conf(ostype="win11", machine="", meta="creation-qemu=10.1.2,ctime=1")
    )
    assert any("creation-qemu=10.1" in n for n in made.notes)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("-cpu host", ["-cpu", "host"]),
        ("  a   b ", ["a", "b"]),
        ('"a b" c', ["a b", "c"]),
        ("'a\\'b'", ["a\\'b"]),  # Text::ParseWords: \\' does not end a single-quoted string
        ('"a\\"b"', ['a"b']),
        ("a\\ b", ["a b"]),
        ('x"y z"w', ["xy zw"]),
        ('"open', None),
        ("trail\\", None),
    ],
)
def test_split_args_as_text_parsewords(text: str, words: list[str] | None) -> None:
    assert split_args(text) == words


def _opts(text: str) -> dict[str, str]:
    from hvtui.importers.proxmox import proxmox_options

    options = proxmox_options(text)
    assert options is not None
    return options


@pytest.mark.parametrize(
    "options",
    [
        dict(ostype="win11"),
        dict(ostype="win11", hostpci0="01:00.0,x-vga=1", cpu="host,flags=+hv-tlbflush"),
        dict(ostype="win7", machine="pc-i440fx-2.2"),
    ],
    ids=["win11", "gpu-tlbflush", "old-machine"],
)
def test_the_cpu_qemu_server_builds_starts_qemu_7_2(options: dict[str, str]) -> None:
    built = proxmox_cpu(_opts(conf(**options)))
    _model, _, rest = built.text.partition(",")
    verdict = run_qemu(["-cpu", f"qemu64,{rest}"]).verdict()
    assert verdict is None, built.text


def test_a_custom_model_minus_turns_off_in_qemu_7_2() -> None:
    models = parse_cpu_models("cpu-model: m\n    flags -hv-reset\n    reported-model qemu64\n")
    built = proxmox_cpu(_opts(conf(ostype="win11", cpu="custom-m")), models)
    assert "-hv-reset" in built.text and "hv_reset" in built.text
    cpu = parse_cpu_option(built.text)
    assert cpu.items[-1] == ("hv-reset", "off") and cpu.warnings
    assert run_qemu(["-cpu", built.text]).verdict() is None


@pytest.mark.parametrize(
    "machine",
    ["pc-q35-8.1", "type=pc-q35-8.1", "pc-q35-8.1,viommu=intel", "viommu=intel,type=pc-q35-8.1"],
)
def test_the_machine_type_is_read_wherever_machine_names_it(machine: str) -> None:
    """``machine:`` is ``[[type=]<type>][,viommu=...]`` in any order: the version it names
    is the one qemu-server starts the VM with, and the type ``-machine`` gets."""
    options = {"machine": machine}
    assert machine_kind(options) == "pc-q35-8.1"
    assert machine_version(options, windows=0)[0] == Version(8, 1, 0)
