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

The same run also proves virt-install's own reading of the export: ``virt-install
--print-xml`` writes exactly the plan's configuration (plus the offs that keep its
Windows defaults out), read back from the XML it printed, with either ``--osinfo``.
One virt-install run per preset and OS makes both checks (each run costs about half a
second of CPU, so running it again for the second check only doubled that).  CI
installs virt-install (Debian package ``virtinst``), so there a missing one fails
(:func:`export.tools.require`); elsewhere it skips.
"""

from __future__ import annotations

import shlex

import pytest
from stacks.helpers import on_values

from export.cases import TCG_MODEL, real_tool_cases
from export.tools import EmbeddedQemuDriver, for_tcg, virt_install_expressed, virt_install_xml
from hvtui import catalog, presets
from hvtui.catalog import LibvirtKind
from hvtui.catalog.peers import get_peer
from hvtui.export import build_virt_install, render_virt_install, resolve_target
from hvtui.formats import libvirt_layout as layout
from hvtui.formats.safexml import parse as parse_xml
from hvtui.importers import parse_domain, parse_qemu_args, parse_virt_install_args, split_command
from hvtui.importers.virtinstall_args import domain_from_args
from hvtui.records import replace
from hvtui.versions import V

#: ``--osinfo`` values: a Windows one (virt-install adds its Hyper-V defaults) and not.
OSINFO = ("win11", "generic")
CASES = real_tool_cases(V("9.0.0"))


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
    # What runs is the rendered text (``--format virt-install``), split as a shell would.
    assert split_command(render_virt_install(preset.config, tcg, known_features=known)) == list(
        built.args
    )
    return list(built.args)


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
    xml = virt_install_xml(args, osinfo)
    target, _ = resolve_target(preset.target, detect=False)
    # virt-install's own reading: the plan's configuration, plus offs that keep its
    # Windows defaults out (the same for the TCG model as for the preset's own CPU).
    written = parse_domain(parse_xml(xml, source="virt-install").root)
    tcg = replace(target, cpu_model=TCG_MODEL)
    expressed = virt_install_expressed(preset.config, tcg, known_features)
    assert expressed == virt_install_expressed(preset.config, target, known_features)
    assert written.config == expressed, f"virt-install {shlex.join(args)} --osinfo {osinfo}"
    native = embedded.native(for_tcg(xml))
    assert native.code == 0, native.err
    argv = shlex.split(native.out)
    imported = parse_qemu_args(argv)
    assert imported.problems == (), imported.problems
    assert imported.cpu_model == TCG_MODEL
    assert imported.config == on_values(preset.config), (
        f"virt-install {shlex.join(args)} --osinfo {osinfo} made QEMU run with {native.out}"
    )
    for _entry, group in build_virt_install(preset.config, target).plan.extra:
        assert any(tuple(argv[i : i + len(group)]) == group for i in range(len(argv)))


@pytest.mark.realtools
def test_virt_install_takes_the_presets_own_cpu(known_features: frozenset[str] | None) -> None:
    """The runs above give virt-install a CPU model TCG can run; the presets' own ``--cpu``
    values (the arguments are otherwise the same, :func:`tcg_args`) go through it here,
    once each, with the whole export of the first preset that has it."""
    first: dict[str, presets.Preset] = {}
    for preset in CASES:
        target, _ = resolve_target(preset.target, detect=False)
        built = build_virt_install(preset.config, target, known_features=known_features)
        (cpu,) = [group[1] for group in built.groups if group[0] == "--cpu"]
        first.setdefault(cpu, preset)
    assert first, "no preset exports a --cpu"
    for cpu, preset in first.items():
        target, _ = resolve_target(preset.target, detect=False)
        text = render_virt_install(preset.config, target, known_features=known_features)
        xml = virt_install_xml(split_command(text))
        written = parse_domain(parse_xml(xml, source="virt-install").root)
        expressed = virt_install_expressed(preset.config, target, known_features)
        assert written.config == expressed, f"{preset.name}: --cpu {cpu}"
        if cpu.startswith("mode=host-passthrough"):
            assert '<cpu mode="host-passthrough"' in xml, xml


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
