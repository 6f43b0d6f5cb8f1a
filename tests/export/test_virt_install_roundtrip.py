"""``--format virt-install`` through the real virt-install and libvirt's QEMU driver.

virt-install adds Hyper-V defaults of its own for Windows guests (the
virt-install peer in :mod:`hvtui.catalog.peers`), so the arguments alone do not
say what the VM gets.  For every shipped preset, with ``--osinfo win11`` (the
defaults apply) and ``generic`` (they do not): the installed ``virt-install
--print-xml`` (against ``test:///default``) writes the domain, libvirt's real
QEMU driver (``domxml-to-native qemu-argv``) turns it into a QEMU command line,
and the ``hv-*`` properties of its ``-cpu`` and ``-global`` arguments are
exactly what the preset turns on.  Two cases beyond the presets: a spinlocks
value below libvirt's minimum, which only a ``-global`` can carry, must survive
virt-install's ``retries=8191``, and hv-passthrough alone must stay alone.

The domain is exported for a CPU model TCG can run (the embedded driver has no
KVM); the arguments are checked to be the preset's own but for ``--cpu`` and the
``-global`` CPU type.  Only what a TCG domain needs is rewritten in virt-install's
XML: the test driver's domain type, architecture and devices.

virt-install 5.0+ turns on more (what libvirt's domain capabilities list); it is
not installed here, so its defaults are modelled on the arguments instead
(:func:`with_virt_install_5_defaults`).
"""

from __future__ import annotations

import shlex
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace

import pytest

from export.tools import VIRT_INSTALL, EmbeddedQemuDriver, require
from hvtui import catalog, presets
from hvtui.catalog import LibvirtKind
from hvtui.catalog.peers import get_peer
from hvtui.export import build_virt_install, probe_features, resolve_target
from hvtui.formats import libvirt_layout as layout
from hvtui.formats.safexml import parse as parse_xml
from hvtui.importers import parse_qemu_args, parse_virt_install_args
from hvtui.importers.virtinstall_args import domain_from_args
from hvtui.model import Config
from hvtui.versions import V

SHIPPED = [presets.load(p) for p in sorted(presets.shipped_dir().glob("*.toml"))]
#: A model TCG can run, for libvirt's QEMU driver (no KVM, so no host-passthrough).
TCG_MODEL = "qemu64"
#: ``--osinfo`` values: a Windows one (virt-install adds its Hyper-V defaults) and not.
OSINFO = ("win11", "generic")
#: Below libvirt's minimum retries (4095): only a ``-global`` can carry it.
LOW_SPINLOCKS = 0x800


def _low_spinlocks() -> presets.Preset:
    base = presets.find("windows-server-migratable")
    return replace(
        base,
        name="low-spinlocks",
        config=base.config.with_value("spinlocks", LOW_SPINLOCKS),
    )


def _passthrough() -> presets.Preset:
    """hv-passthrough alone: libvirt before 11.0.0 passes <hyperv> children on in
    passthrough mode, so virt-install's defaults there would reach QEMU too."""
    return presets.Preset(
        "passthrough-only",
        Config.of(passthrough=True),
        target=presets.Target(cpu_model="host", libvirt=V("9.0.0")),
    )


CASES = [*SHIPPED, _low_spinlocks(), _passthrough()]


@pytest.fixture(scope="module")
def embedded() -> Iterator[EmbeddedQemuDriver]:
    driver = EmbeddedQemuDriver()
    yield driver
    driver.close()


@pytest.fixture(scope="module")
def known_features() -> frozenset[str] | None:
    require(VIRT_INSTALL, "virtinst")
    return probe_features()


def on_values(config: Config) -> Config:
    """What the guest gets: the options that are on, with their values."""
    return Config.of({name: value for name, value in config if config.is_on(name)})


def tcg_args(preset: presets.Preset, known: frozenset[str] | None) -> list[str]:
    """The preset's virt-install arguments for a TCG CPU model, checked to be the preset's
    own export except for ``--cpu`` and the CPU type of its ``-global`` lines."""
    target, _ = resolve_target(preset.target, detect=False)
    tcg = replace(target, cpu_model=TCG_MODEL)
    own = build_virt_install(preset.config, target, known_features=known)
    built = build_virt_install(preset.config, tcg, known_features=known)
    assert [
        tuple(w.replace(target.cpu_type, tcg.cpu_type) for w in group) for group in own.groups[1:]
    ] == list(built.groups[1:])
    return list(built.args)


def print_xml(args: list[str], osinfo: str) -> str:
    """``virt-install --print-xml`` for a domain with these arguments."""
    done = subprocess.run(
        [
            require(VIRT_INSTALL, "virtinst"),
            "--connect",
            "test:///default",
            "--name",
            "hv",
            "--memory",
            "256",
            "--import",
            "--disk",
            "none",
            "--osinfo",
            osinfo,
            "--print-xml",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def for_tcg(xml: str) -> str:
    """The test driver's domain as a TCG domain for the QEMU driver; everything that
    makes ``hv-*`` properties (<features>, <clock>, <cpu>, <panic>, <qemu:commandline>)
    is left as it is."""
    domain = parse_xml(xml, source="virt-install").root
    assert domain.get("type") == "test"
    domain.set("type", "qemu")
    os_type = domain.find("os/type")
    assert os_type is not None
    os_type.set("arch", "x86_64")
    os_type.set("machine", "pc")
    devices = domain.find(layout.DEVICES)
    if devices is not None:
        for device in list(devices):
            if device.tag != layout.panic_tag():
                devices.remove(device)
    return ET.tostring(domain, encoding="unicode")


@pytest.mark.realtools
@pytest.mark.parametrize("osinfo", OSINFO)
@pytest.mark.parametrize("preset", CASES, ids=lambda p: p.name)
def test_the_vm_virt_install_builds_has_the_presets_flags(
    preset: presets.Preset,
    osinfo: str,
    known_features: frozenset[str] | None,
    embedded: EmbeddedQemuDriver,
) -> None:
    args = tcg_args(preset, known_features)
    xml = print_xml(args, osinfo)
    native = embedded.native(for_tcg(xml))
    assert native.code == 0, native.err
    argv = shlex.split(native.out)
    imported = parse_qemu_args(argv)
    assert imported.problems == (), imported.problems
    assert imported.cpu_model == TCG_MODEL
    assert imported.config == on_values(preset.config), (
        f"virt-install {shlex.join(args)} --osinfo {osinfo} made QEMU run with {native.out}"
    )
    target, _ = resolve_target(preset.target, detect=False)
    for _entry, group in build_virt_install(preset.config, target).plan.extra:
        assert any(tuple(argv[i : i + len(group)]) == group for i in range(len(argv)))


# -- virt-install 5.0+, modelled ----------------------------------------------------


def with_virt_install_5_defaults(args: list[str]) -> list[str]:
    """``args`` with what virt-install 5.0's ``_set_hyperv_defaults`` and clock defaults
    add for ``--osinfo win*``, assuming libvirt's domain capabilities list everything.

    It fills in each option it may turn on that ``--features`` / ``--clock`` left unset
    (children only under a parent that is on), before the ``--xml`` edits, which
    virt-install applies last.
    """
    xml_edits = [w for i, w in enumerate(args) if i > 0 and args[i - 1] == "--xml"]
    rest = [w for i, w in enumerate(args) if w != "--xml" and (i == 0 or args[i - 1] != "--xml")]
    domain = domain_from_args(rest)
    hyperv = domain.find(f"{layout.FEATURES}/{layout.HYPERV}")
    states = {
        path: element.get(layout.STATE)
        for path in {e.libvirt.element for e in catalog.ENTRIES}
        if hyperv is not None and (element := hyperv.find(path)) is not None
    }
    added: list[str] = []
    for name in get_peer("virt-install").may_turn_on():
        lv = catalog.get(name).libvirt
        if lv.kind is LibvirtKind.CLOCK_TIMER:
            if domain.find(f"{layout.CLOCK}/{layout.TIMER}") is None:
                added += ["--clock", f"{lv.element}_{layout.TIMER_PRESENT}=yes"]
            continue
        if lv.kind is LibvirtKind.HYPERV_CHILD and states.get(lv.element.split("/")[0]) != "on":
            continue
        if lv.element in states:
            continue
        states[lv.element] = "on"
        path = lv.element.replace("/", ".")
        added += ["--features", f"{layout.HYPERV}.{path}.{layout.STATE}=on"]
        if lv.attribute is not None:
            added += ["--features", f"{layout.HYPERV}.{path}.{lv.attribute}=8191"]
    return [*rest, *added, *[w for edit in xml_edits for w in ("--xml", edit)]]


@pytest.mark.parametrize("preset", CASES, ids=lambda p: p.name)
def test_virt_install_5_defaults_cannot_change_the_preset(preset: presets.Preset) -> None:
    """With every sub-option known (5.1) and the preset's own libvirt target, whose
    older elements the export deletes instead of writing off."""
    target, _ = resolve_target(preset.target, detect=False)
    built = build_virt_install(preset.config, target, known_features=None)
    args = with_virt_install_5_defaults(list(built.args))
    assert on_values(parse_virt_install_args(args).config) == on_values(preset.config)


def test_the_model_of_virt_install_5_turns_options_on() -> None:
    """Without the export's offs the modelled defaults change a preset (the model works)."""
    minimal = presets.find("minimal")
    target, _ = resolve_target(minimal.target, detect=False)
    args = ["--features", "hyperv.relaxed.state=on"]
    got = on_values(parse_virt_install_args(with_virt_install_5_defaults(args)).config)
    assert {"vapic", "spinlocks", "vpindex", "stimer", "stimer-direct", "time"} <= set(dict(got))
    assert got.get("spinlocks") == 8191
    built = build_virt_install(minimal.config, target, known_features=None)
    assert "vpindex" in built.deleted and built.pinned == ()
