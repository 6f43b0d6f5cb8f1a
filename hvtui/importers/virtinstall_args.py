"""Reading Hyper-V options back from virt-install arguments.

virt-install only writes libvirt XML, so its arguments are replayed onto an
empty ``<domain>`` the way virt-install applies them (``--features``
sub-options for ``<hyperv>`` and ``<kvm>``, ``--xml`` XPath edits and deletions,
``--clock`` with its ``timerN`` list, ``--panic``, ``--cpu`` with its feature
policies, ``--qemu-commandline``) and the result goes through the libvirt importer.
Each option string is split like virt-install does: ``shlex`` with commas as
the only separators, ``key=value`` on the first ``=``.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from hvtui.formats import libvirt_layout as layout
from hvtui.importers.libvirt_xml import parse_domain
from hvtui.importers.qemu_cmdline import CommandLineError, shell_words, split_command
from hvtui.importers.result import Imported


def optstr_items(optstr: str) -> list[tuple[str, str | None]]:
    """``a=1,b='x,y'`` -> ``[("a", "1"), ("b", "x,y")]`` as virt-install splits it."""
    words = shell_words(optstr, what=repr(optstr), separators=",")
    items: list[tuple[str, str | None]] = []
    for word in words:
        key, sep, value = word.partition("=")
        items.append((key, value if sep else None))
    return items


def _options(argv: Sequence[str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if not word.startswith("--"):
            continue
        name, sep, value = word[2:].partition("=")
        if not sep:
            if i >= len(argv):
                break
            value = argv[i]
            i += 1
        found.append((name, value))
    return found


_STEP = re.compile(r"@?[A-Za-z_][A-Za-z0-9_.-]*")


def xpath_steps(path: str) -> list[str]:
    """``./a/b/@c`` -> ``["a", "b", "@c"]``; refuses anything but plain element steps.

    The steps go to ElementTree's ``find()``, whose own path language fails on
    ``[`` or ``(`` with errors that are not ValueError; hvtui only replays the
    plain paths its exports write, so anything else is a CommandLineError here.
    """
    steps = [s for s in path.removeprefix("./").split("/") if s]
    for i, step in enumerate(steps):
        if not _STEP.fullmatch(step) or (step.startswith("@") and i != len(steps) - 1):
            raise CommandLineError(f"--xml {path!r}: only plain paths like ./a/b/@c are read")
    return steps


def _set_path(root: ET.Element, path: str, value: str) -> None:
    """Apply ``./a/b/@c=value`` (or ``./a/b=text``), creating elements as needed."""
    steps = xpath_steps(path)
    attribute = steps.pop()[1:] if steps and steps[-1].startswith("@") else None
    node = root
    for step in steps:
        child = node.find(step)
        if child is None:
            child = ET.SubElement(node, step)
        node = child
    if attribute is None:
        node.text = value
    else:
        node.set(attribute, value)


def _delete_path(root: ET.Element, path: str) -> None:
    """Apply ``xpath.delete=./a/b`` (or ``./a/@c``); nothing when it is absent, as in
    virt-install."""
    steps = xpath_steps(path)
    if not steps:
        return
    last = steps.pop()
    parent = root.find("/".join(steps)) if steps else root
    if parent is None:
        return
    if last.startswith("@"):
        parent.attrib.pop(last[1:], None)
        return
    child = parent.find(last)
    if child is not None:
        parent.remove(child)


def _apply_xml(root: ET.Element, optstr: str) -> None:
    if optstr.startswith("xpath."):
        fields = dict(optstr_items(optstr))
        xpath, value = fields.get("xpath.set"), fields.get("xpath.value")
        if xpath is not None and value is not None:
            _set_path(root, xpath, value)
        delete = fields.get("xpath.delete")
        if delete is not None:
            _delete_path(root, delete)
        return
    xpath, _, value = optstr.rpartition("=")
    if xpath:
        _set_path(root, xpath, value)


def _timer(root: ET.Element, name: str) -> ET.Element:
    clock = root.find(layout.CLOCK)
    if clock is None:
        clock = ET.SubElement(root, layout.CLOCK)
    for timer in clock.findall(layout.TIMER):
        if timer.get(layout.TIMER_NAME) == name:
            return timer
    return ET.SubElement(clock, layout.TIMER, {layout.TIMER_NAME: name})


#: ``--cpu`` feature sub-options (``require=vmx``): libvirt ``<feature policy>`` values.
_FEATURE_POLICIES = frozenset({"force", "require", "optional", "disable", "forbid"})


def _cpu(root: ET.Element, optstr: str) -> None:
    cpu = ET.SubElement(root, layout.CPU)
    features: list[tuple[str, str]] = []
    for i, (key, value) in enumerate(optstr_items(optstr)):
        if value is None and i == 0:
            if key in layout.MODE_FOR_MODEL.values() or key == layout.HOST_MODEL:
                cpu.set(layout.CPU_MODE, key)
            else:
                cpu.set(layout.CPU_MODE, layout.CUSTOM_CPU)
                ET.SubElement(cpu, layout.CPU_MODEL).text = key
        elif key == layout.CPU_MODE and value is not None:
            cpu.set(layout.CPU_MODE, value)
        elif key == layout.CPU_MODEL and value is not None:
            cpu.set(layout.CPU_MODE, layout.CUSTOM_CPU)
            ET.SubElement(cpu, layout.CPU_MODEL).text = value
        elif key in _FEATURE_POLICIES and value:
            features.append((key, value))
        elif value is None and len(key) > 1 and key[0] in "+-":
            # virt-install's shorthand: +vmx is policy='force', -vmx 'disable'.
            features.append(("force" if key[0] == "+" else "disable", key[1:]))
    # One <feature> per name, the last policy given (virt-install edits the one it has).
    for name, policy in {name: policy for policy, name in features}.items():
        ET.SubElement(
            cpu, layout.CPU_FEATURE, {layout.FEATURE_POLICY: policy, layout.FEATURE_NAME: name}
        )


def _clock(root: ET.Element, optstr: str) -> None:
    """``--clock hypervclock_present=no,timer1.name=tsc,timer1.frequency=HZ``.

    As virt-install applies them: the ``NAME_present`` sub-options first, each
    adding a timer (or editing the one of that name), then ``timerN.ATTR``, which
    edits the N-th timer of ``<clock>``, adding empty ones up to it.
    """
    indexed: list[tuple[int, str, str]] = []
    for key, item in optstr_items(optstr):
        if item is None:
            continue
        head, dot, attribute = key.partition(".")
        number = head.removeprefix(layout.TIMER)
        if dot and head.startswith(layout.TIMER) and number.isdigit() and len(number) <= 3:
            if attribute in (layout.TIMER_NAME, layout.TIMER_PRESENT, layout.TIMER_FREQUENCY):
                indexed.append((int(number), attribute, item))
            continue
        timer_name, _, prop = key.rpartition("_")
        if prop == layout.TIMER_PRESENT and timer_name:
            _timer(root, timer_name).set(layout.TIMER_PRESENT, item)
    if not indexed:
        return
    clock = root.find(layout.CLOCK)
    if clock is None:
        clock = ET.SubElement(root, layout.CLOCK)
    for index, attribute, item in indexed:
        timers = clock.findall(layout.TIMER)
        for _ in range(index + 1 - len(timers)):
            timers.append(ET.SubElement(clock, layout.TIMER))
        timers[index].set(attribute, item)


def _vcpus(root: ET.Element, optstr: str) -> None:
    """``--vcpus 4[,vcpus=4][,cpuset=1-4]`` as ``<vcpu cpuset=...>4</vcpu>``."""
    vcpu = ET.SubElement(root, layout.VCPU)
    for i, (key, value) in enumerate(optstr_items(optstr)):
        if value is None and i == 0:
            vcpu.text = key
        elif key == layout.VCPU and value is not None:
            vcpu.text = value
        elif key == layout.VCPU_CPUSET and value is not None:
            vcpu.set(layout.VCPU_CPUSET, value)


def _cputune(root: ET.Element, optstr: str) -> None:
    """``--cputune vcpupin0.vcpu=0,vcpupin0.cpuset=2`` as ``<cputune><vcpupin .../>``."""
    cputune = root.find(layout.CPUTUNE)
    if cputune is None:
        cputune = ET.SubElement(root, layout.CPUTUNE)
    pins: dict[str, ET.Element] = {}
    for key, value in optstr_items(optstr):
        group, _, attribute = key.partition(".")
        if value is None or not group.startswith(layout.VCPUPIN):
            continue
        if group not in pins:
            pins[group] = ET.SubElement(cputune, layout.VCPUPIN)
        pins[group].set(attribute, value)


def domain_from_args(argv: Sequence[str]) -> ET.Element:
    """The ``<domain>`` fragment virt-install would write for these arguments."""
    root = ET.Element(layout.DOMAIN)
    commandline: ET.Element | None = None
    for name, value in _options(argv):
        if name == layout.NAME:
            ET.SubElement(root, layout.NAME).text = value
        elif name == "vcpus":
            _vcpus(root, value)
        elif name == "cputune":
            _cputune(root, value)
        elif name == "features":
            for key, item in optstr_items(value):
                if item is not None and key.startswith((f"{layout.HYPERV}.", f"{layout.KVM}.")):
                    *steps, attribute = key.split(".")
                    _set_path(root, "/".join([layout.FEATURES, *steps, f"@{attribute}"]), item)
        elif name == "xml":
            _apply_xml(root, value)
        elif name == "clock":
            _clock(root, value)
        elif name == "panic":
            for i, (key, item) in enumerate(optstr_items(value)):
                model = (
                    item if key == layout.PANIC_MODEL else key if i == 0 and item is None else None
                )
                if model is not None:
                    devices = root.find(layout.DEVICES)
                    if devices is None:
                        devices = ET.SubElement(root, layout.DEVICES)
                    ET.SubElement(devices, layout.panic_tag(), {layout.PANIC_MODEL: model})
        elif name == "cpu":
            _cpu(root, value)
        elif name == "qemu-commandline":
            if commandline is None:
                commandline = ET.SubElement(root, layout.COMMANDLINE)
            words = shell_words(value.removeprefix("args="), what=f"--qemu-commandline {value!r}")
            for word in words:
                ET.SubElement(commandline, layout.ARG, {layout.ARG_VALUE: word})
    return root


#: virt-install options QEMU does not have: one of them (``--features hyperv.*`` in
#: hvtui's own ``--format virt-install`` output) tells virt-install arguments from QEMU's.
VIRT_INSTALL_ONLY = frozenset(
    {"features", "xml", "panic", "qemu-commandline", "vcpus", "cputune", "clock",
     "os-variant", "osinfo", "memory", "network", "graphics", "import", "location"}
)  # fmt: skip


#: ``--cpu`` sub-options that are libvirt ``<cpu>`` attributes, never QEMU properties.
_LIBVIRT_CPU_KEYS = frozenset(
    {layout.CPU_MODE, layout.CPU_MODEL, layout.CPU_MATCH, layout.CPU_FALLBACK, "check"}
)


def looks_like_virt_install(argv: Sequence[str]) -> bool:
    """True when the words run ``virt-install``, use a ``--option`` only it has, or give
    ``--cpu`` a libvirt CPU mode or attribute (``host-passthrough``, ``match=exact``),
    which no QEMU ``-cpu`` has."""
    first_option = next((i for i, w in enumerate(argv) if w.startswith("-")), len(argv))
    if any(os.path.basename(w) == "virt-install" for w in argv[:first_option]):
        return True
    modes = {*layout.MODE_FOR_MODEL.values(), layout.HOST_MODEL}
    for name, value in _options(argv):
        if name in VIRT_INSTALL_ONLY:
            return True
        if name == layout.CPU:
            items = optstr_items(value)
            if items and (items[0][1] is not None or items[0][0] in modes):
                return True
            if any(key in _LIBVIRT_CPU_KEYS for key, _ in items):
                return True
    return False


def parse_virt_install_args(argv: Sequence[str]) -> Imported:
    """The Hyper-V configuration these virt-install arguments give the guest."""
    return parse_domain(domain_from_args(argv))


def parse_virt_install_command(text: str) -> Imported:
    """Parse pasted virt-install arguments (hvtui's ``--format virt-install`` output)."""
    return parse_virt_install_args(split_command(text))


__all__ = [
    "VIRT_INSTALL_ONLY",
    "domain_from_args",
    "looks_like_virt_install",
    "optstr_items",
    "parse_virt_install_args",
    "parse_virt_install_command",
]
