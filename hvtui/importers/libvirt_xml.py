"""Reading Hyper-V options back from libvirt domain XML.

Reads everything libvirt turns into ``hv-*`` properties: ``<features><hyperv>``
(custom and passthrough modes, nested children such as ``<stimer><direct>``),
the ``hypervclock`` timer, ``<panic model='hyperv'/>``, and the
``<qemu:commandline>`` arguments hvtui uses for what libvirt cannot express.
Each element is located through the catalog's mapping and
:mod:`hvtui.formats.libvirt_layout`, never by name here.

The result says what QEMU would get, so precedence follows libvirt and QEMU:
libvirt only emits switches that are on and children of a parent that is on;
its ``-cpu`` properties win over a ``-global`` of the same property; a
``-cpu`` inside ``<qemu:commandline>`` replaces libvirt's whole ``-cpu``; and a
``-smp`` or ``-machine`` there is merged with libvirt's own, which come first
(:func:`qemu_machine_args`), as QEMU merges them.

``<hyperv mode='host-model'>`` is read like ``custom`` (the live definition of
a running domain lists what libvirt expanded it to) and reported, since what
it turns on depends on the host; the audit expands it with the host's facts.
For the audit the domain's name, vCPU count and pinning (``<cputune>``) are
read too: the advice about spinlocks and core sharing needs them; and the CPU
settings around the options (:mod:`hvtui.importers.cpu_settings`), which all
end up on libvirt's ``-cpu``, so a ``-cpu`` in ``<qemu:commandline>`` replaces
them as well.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET

from hvtui.catalog import Enlightenment, LibvirtKind, Value, ValueKind
from hvtui.formats import libvirt_layout as layout
from hvtui.formats import safexml
from hvtui.formats.cpulist import parse_cpulist
from hvtui.formats.libvirt_layout import cpu_model_of
from hvtui.formats.spelling import (
    ValueSpellingError,
    parse_libvirt_state,
    parse_libvirt_value,
)
from hvtui.importers.cpu_settings import from_domain
from hvtui.importers.result import CMDLINE_PINNING, Imported
from hvtui.model import Config
from hvtui.records import replace
from hvtui.untrusted import parse_int


def commandline_args(domain: ET.Element) -> list[str]:
    """The ``<qemu:arg value=...>`` values of every ``<qemu:commandline>``, in order.

    The children are compared by tag, which is what ``findall`` does for these names:
    a name with a ``{namespace}`` leaves C for :mod:`xml.etree.ElementPath`'s selectors
    in Python (loaded and compiled for this alone, then run for every domain)."""
    args: list[str] = []
    for commandline in domain:
        if commandline.tag == layout.COMMANDLINE:
            args.extend(
                arg.get(layout.ARG_VALUE, "") for arg in commandline if arg.tag == layout.ARG
            )
    return args


#: ``state`` values as libvirt writes them, answered without a call of
#: :func:`parse_libvirt_state` (which takes every other spelling and words the refusals).
_PLAIN_STATES: dict[str | None, bool | None] = {"on": True, "off": False, None: None}


def _state(element: ET.Element, where: str, problems: list[str]) -> bool | None:
    text = element.get(layout.STATE)
    if text in _PLAIN_STATES:
        return _PLAIN_STATES[text]
    try:
        return parse_libvirt_state(text)
    except ValueSpellingError as exc:
        problems.append(f"{where}: state {exc}")
        return None


def _read_element(
    entry: Enlightenment,
    element: ET.Element,
    on: dict[str, Value],
    off: set[str],
    problems: list[str],
    where: str,
) -> bool:
    """Read one hyperv element; returns whether it is on (so children may count)."""
    text = element.get(layout.STATE)  # as libvirt writes it, without a call of _state
    state = _PLAIN_STATES[text] if text in _PLAIN_STATES else _state(element, where, problems)
    if state is None:
        problems.append(f"{where}: no state='on|off'; libvirt ignores it")
        return False
    if not state:
        if entry.kind is ValueKind.SWITCH:
            off.add(entry.name)
        return False
    attribute = entry.libvirt.attribute
    if attribute is None:
        if entry.kind is ValueKind.SWITCH:
            on[entry.name] = True
        return True
    text = element.get(attribute)
    if text is None:
        problems.append(f"{where}: state='on' without {attribute}=; libvirt refuses it")
        return False
    try:
        on[entry.name] = parse_libvirt_value(entry, text)
    except ValueSpellingError as exc:
        problems.append(f"{where}: {exc}")
        return False
    return True


#: One ``<hyperv>`` element: its option, tag, how messages name it (``<tag>``), its
#: children (option, tag and how messages name it: ``<tag><child>``) and the children's tags.
_HypervElement = tuple[
    Enlightenment, str, str, tuple[tuple[Enlightenment, str, str], ...], frozenset[str]
]


@functools.cache  # the catalog is fixed; every domain's <hyperv> is read with it
def _hyperv_elements() -> tuple[_HypervElement, ...]:
    """The ``<hyperv>`` children hvtui reads, in catalog order, with their own children
    (and the names messages give them, made once, not for every domain read)."""
    found: list[_HypervElement] = []
    for entry in layout.entries_of(LibvirtKind.HYPERV):
        tag = entry.libvirt.element
        children = tuple(
            (c, name, f"<{tag}><{name}>")
            for c in layout.children_of(entry)
            for name in (layout.split_child(c)[1],)
        )
        names = frozenset(name for _, name, _where in children)
        found.append((entry, tag, f"<{tag}>", children, names))
    return tuple(found)


@functools.cache  # the catalog is fixed
def _hyperv_rows() -> dict[str, tuple[int, ...]]:
    """The rows of :func:`_hyperv_elements` that read each tag."""
    rows: dict[str, tuple[int, ...]] = {}
    for row, (_entry, tag, _where, _children, _names) in enumerate(_hyperv_elements()):
        rows[tag] = (*rows.get(tag, ()), row)
    return rows


#: The options of each kind read from every domain (the catalog is fixed): named once,
#: not looked up by kind per domain (an enum member's hash is a Python call).
_MODE_ENTRIES = layout.entries_of(LibvirtKind.MODE)
_TIMER_ENTRIES = layout.entries_of(LibvirtKind.CLOCK_TIMER)
_PANIC_ENTRIES = layout.entries_of(LibvirtKind.PANIC)


def _read_hyperv(
    hyperv: ET.Element, on: dict[str, Value], off: set[str], problems: list[str]
) -> None:
    mode = hyperv.get(layout.MODE, layout.CUSTOM_MODE)
    for entry in _MODE_ENTRIES:
        if mode == entry.libvirt.element:
            on[entry.name] = True
            if len(hyperv):
                problems.append(
                    f"<hyperv mode='{mode}'>: child elements are ignored in this mode "
                    f"({entry.libvirt.note or 'libvirt does not read them'})"
                )
            return
    if mode == layout.HYPERV_HOST_MODEL:
        listed = sum(1 for child in hyperv if isinstance(child.tag, str))
        problems.append(
            f"<hyperv mode='{mode}'>: libvirt turns on, when the domain starts, what its "
            f"domain capabilities report for the host; hvtui reads the {listed} listed "
            "element(s) and the audit counts the host's supported ones"
        )
    elif mode != layout.CUSTOM_MODE:
        problems.append(f"<hyperv mode='{mode}'>: not a mode hvtui can express; ignored")
        return
    # Each known element's first occurrence (what ``find`` gives), read in catalog order;
    # one pass over the children instead of a ``find`` per catalog element.
    rows = _hyperv_rows()
    found: dict[int, ET.Element] = {}
    unknown: list[str] = []
    for element in hyperv:
        tag = element.tag
        mine = rows.get(tag)  # a comment's tag is a function: never a row
        if mine is not None:
            for row in mine:
                found.setdefault(row, element)
        elif isinstance(tag, str):
            unknown.append(tag)
    elements = _hyperv_elements()
    for row in sorted(found):
        entry, tag, where, children, child_names = elements[row]
        element = found[row]
        parent_on = _read_element(entry, element, on, off, problems, where)
        if not len(element):
            continue
        for child_entry, child_name, child_where in children:
            child = element.find(child_name)
            if child is None:
                continue
            if parent_on:
                _read_element(child_entry, child, on, off, problems, child_where)
            elif _state(child, child_where, problems):
                problems.append(f"{child_where}: libvirt ignores it while the parent is not on")
        for child in element:
            if isinstance(child.tag, str) and child.tag not in child_names:
                problems.append(f"{where}<{child.tag}>: unknown element; ignored")
    for tag in unknown:
        problems.append(f"<hyperv><{tag}>: not an element hvtui knows; ignored")


def _read_outside_hyperv(
    domain: ET.Element, on: dict[str, Value], off: set[str], problems: list[str]
) -> None:
    for entry in _TIMER_ENTRIES:
        for timer in layout.find_all(domain, layout.CLOCK, layout.TIMER):
            if timer.get(layout.TIMER_NAME) != entry.libvirt.element:
                continue
            where = f"<timer name='{entry.libvirt.element}'>"
            try:
                present = parse_libvirt_state(timer.get(layout.TIMER_PRESENT))
            except ValueSpellingError as exc:
                problems.append(f"{where}: present {exc}")
                continue
            if present is True:
                on[entry.name] = True
            elif present is False:
                off.add(entry.name)
    for entry in _PANIC_ENTRIES:
        for panic in layout.find_all(domain, layout.DEVICES, entry.libvirt.element):
            if panic.get(layout.PANIC_MODEL) == layout.PANIC_HYPERV:
                on[entry.name] = True


def _cpuset(text: str) -> frozenset[int]:
    """libvirt's cpuset (``1-4,^3,6``: ranges with ``^`` exclusions).

    Raises :class:`~hvtui.formats.cpulist.CpuListError` for anything else.
    """
    include: set[int] = set()
    exclude: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if part.startswith("^"):
            exclude |= parse_cpulist(part[1:])
        else:
            include |= parse_cpulist(part)
    return frozenset(include - exclude)


def _online(vcpu: ET.Element) -> int:
    """The vCPUs online at start: ``<vcpu current='N'>``, else all of ``<vcpu>M</vcpu>``.

    Raises :class:`ValueError` for what is not a number."""
    return parse_int(vcpu.get(layout.VCPU_CURRENT) or vcpu.text or "")


def vcpu_facts(domain: ET.Element, problems: list[str]) -> tuple[int | None, bool | None, str]:
    """The vCPUs a domain starts with, whether each is pinned to its own host CPU, and how
    that was found.

    Pinned means what it means for a running VM (:mod:`hvtui.detect.vms`): every
    vCPU may run on exactly one host CPU, and no two share one.  A vCPU without a
    ``<vcpupin>`` runs where ``<vcpu cpuset>`` says, else anywhere.
    """
    vcpu = domain.find(layout.VCPU)
    if vcpu is None:
        return None, None, f"no <{layout.VCPU}> element"
    try:
        count = _online(vcpu)
    except ValueError:
        problems.append(f"<{layout.VCPU}>: not a number of vCPUs")
        return None, None, f"<{layout.VCPU}> is not a number"
    if count < 1:
        problems.append(f"<{layout.VCPU}>: {count} vCPUs")
        return None, None, f"<{layout.VCPU}> is not a positive number"
    pins: dict[int, str] = {}
    for pin in layout.find_all(domain, layout.CPUTUNE, layout.VCPUPIN):
        try:
            pins[parse_int(pin.get(layout.VCPUPIN_VCPU, ""))] = pin.get(layout.VCPUPIN_CPUSET, "")
        except ValueError:
            problems.append(f"<{layout.VCPUPIN}>: vcpu is not a number; ignored")
    default = vcpu.get(layout.VCPU_CPUSET)
    used: set[frozenset[int]] = set()
    for index in range(count):
        text = pins.get(index, default)
        if text is None:
            return count, False, f"vCPU {index} has no <{layout.VCPUPIN}> and may run anywhere"
        try:
            cpus = _cpuset(text)
        except ValueError as exc:  # CpuListError
            problems.append(f"cpuset {text!r}: {exc}")
            return count, None, f"cpuset {text!r} is not a CPU list"
        if len(cpus) != 1:
            return count, False, f"vCPU {index} may run on {len(cpus)} host CPUs ({text})"
        if cpus in used:
            # Checked here, not after the loop: <vcpu cpuset='1'>100000000</vcpu> would
            # otherwise walk a hundred million vCPUs before finding the answer.
            return count, False, "two vCPUs are pinned to the same host CPU"
        used.add(cpus)
    return count, True, f"<{layout.VCPUPIN}>: each vCPU on its own host CPU"


def qemu_machine_args(domain: ET.Element) -> list[str]:
    """The ``-machine`` and ``-smp`` libvirt itself puts on QEMU's command line, before
    every ``<qemu:commandline>`` argument: what those arguments' own ``-machine`` and
    ``-smp`` merge with (QEMU keeps every key of every ``-smp``).

    As libvirt's ``qemuBuildMachineCommandLine`` and ``qemuBuildSmpCommandLine``
    (src/qemu/qemu_command.c) write them, checked against libvirt 9.0's ``virsh
    domxml-to-native qemu-argv`` (``tests/importers/test_libvirt_smp.py``):
    ``-machine TYPE`` from ``<os><type machine=...>`` (the properties libvirt adds
    after the type, ``usb=off`` and so on, do not touch ``-smp``; none when the
    domain names no type, so QEMU's default stands, as libvirt's own default is);
    ``-smp CURRENT[,maxcpus=MAX]`` from ``<vcpu current=...>MAX</vcpu>`` (1 without
    ``<vcpu>``), then ``,sockets=S,dies=D,cores=C,threads=T`` from ``<cpu><topology>``
    (``dies`` 1 when not given), else ``,sockets=MAX,cores=1,threads=1``.  Online
    vCPUs that ``<vcpus>`` marks hotpluggable, which libvirt starts as ``-device``
    instead, are counted in ``CURRENT``.  A count that is not a number (libvirt
    refuses the domain) leaves ``-smp`` out.
    """
    args: list[str] = []
    for os_type in layout.find_all(domain, layout.OS, layout.OS_TYPE)[:1]:
        machine = os_type.get(layout.OS_MACHINE)
        if machine:
            args += ["-machine", machine]
    vcpu = domain.find(layout.VCPU)
    topology = layout.find_all(domain, layout.CPU, layout.TOPOLOGY)[:1]
    try:
        maximum = 1 if vcpu is None else parse_int(vcpu.text or "")
        current = maximum if vcpu is None else _online(vcpu)
        if topology:
            parts = {key: topology[0].get(key) for key in layout.TOPOLOGY_COUNTS}
            parts["dies"] = parts["dies"] or "1"
            counts = {key: parse_int(text or "") for key, text in parts.items()}
        else:
            counts = {"sockets": maximum, "cores": 1, "threads": 1}
    except ValueError:
        return args
    smp = str(current) if current == maximum else f"{current},maxcpus={maximum}"
    smp += "".join(f",{key}={count}" for key, count in counts.items())
    return [*args, "-smp", smp]


#: How messages name what :func:`qemu_machine_args` gives.
LIBVIRT_OWN = "libvirt's own"


def _started_by_commandline(
    started: int, defined: int | None, pinned: bool | None, pinning: str, problems: list[str]
) -> tuple[int | None, bool | None, str]:
    """The vCPU count and pinning of a domain whose ``<qemu:commandline>`` ``-smp`` (merged
    with libvirt's) starts ``started`` vCPUs where libvirt brings ``defined`` online.

    As libvirt 9.0 does, started with such TCG domains: with fewer, it stops the domain
    it has just started ("qemu didn't report thread id for vcpu '2'", its check of the
    vCPU threads QEMU reports), which is a problem here, and the definition's count
    stands; with more, the domain runs them all and libvirt pins only the vCPUs of its
    definition, the others keeping the affinity of QEMU's threads, so they are not
    pinned each to its own host CPU.
    """
    online = 1 if defined is None else defined  # libvirt's default without <vcpu>
    if started < online:
        problems.append(
            f"<qemu:commandline>'s -smp starts {started} vCPUs, fewer than the {online} "
            f"libvirt brings online (<{layout.VCPU}>): libvirt does not start the domain "
            f"(\"qemu didn't report thread id for vcpu '{started}'\")"
        )
        return defined, pinned, pinning
    if started == online:
        return started, pinned, pinning
    return (
        started,
        False,
        f"vCPU {online} and the others <qemu:commandline>'s -smp adds are not libvirt's: "
        "it does not pin them, they run where QEMU's threads may",
    )


@functools.cache  # immutable, and what most domains have: no <qemu:commandline>
def _nothing_more() -> Imported:
    """What :func:`~hvtui.importers.qemu_cmdline.parse_qemu_args` reads from no
    arguments, written out here so that a domain without ``<qemu:commandline>``
    (most of them) does not load the command-line importer (~2 ms of every audit's
    start); a test holds it equal to what the importer itself returns for ``()``."""
    return Imported(Config.of({}), pinning=CMDLINE_PINNING)


def parse_domain(domain: ET.Element) -> Imported:
    """What a domain definition (or the pieces of one) gives QEMU as Hyper-V options."""
    on: dict[str, Value] = {}
    off: set[str] = set()
    problems: list[str] = []
    mode: str | None = None
    for hyperv in layout.find_all(domain, layout.FEATURES, layout.HYPERV):
        mode = hyperv.get(layout.MODE, layout.CUSTOM_MODE)
        _read_hyperv(hyperv, on, off, problems)
    _read_outside_hyperv(domain, on, off, problems)
    model = cpu_model_of(domain)
    settings, settings_problems = from_domain(domain, model)
    problems.extend(settings_problems)
    name = (domain.findtext(layout.NAME) or "").strip()
    vcpus, pinned, pinning = vcpu_facts(domain, problems)
    args = commandline_args(domain)
    if args:
        from hvtui.importers.qemu_cmdline import parse_qemu_args

        extra = parse_qemu_args(
            args,
            default_cpu_model=model,
            preceding=functools.partial(qemu_machine_args, domain),
            preceding_origin=LIBVIRT_OWN,
        )
    else:
        extra = _nothing_more()
    problems.extend(extra.problems)
    if extra.vcpus is not None and extra.vcpus != vcpus:
        vcpus, pinned, pinning = _started_by_commandline(
            extra.vcpus, vcpus, pinned, pinning, problems
        )
    if extra.cpu_model is not None:
        # QEMU keeps only the last -cpu: the one in <qemu:commandline> replaces libvirt's.
        problems.append(
            "<qemu:commandline> has its own -cpu, which replaces the one libvirt builds "
            "from <hyperv>, <clock> and <panic>"
        )
        return replace(
            extra,
            problems=tuple(problems),
            hyperv_mode=None,
            name=name,
            vcpus=vcpus,
            pinned=pinned,
            pinning=pinning,
        )
    values: dict[str, Value] = {}
    for option, value in extra.config:
        values[option] = value
    for option in off:
        values.setdefault(option, False)
    values.update(on)
    return Imported(
        # Without <qemu:commandline> options every name is a catalog option's (``on`` and
        # ``off`` hold entries' names): nothing to fold, as ``Config.of`` would per name.
        Config.of(values) if extra.config else Config.from_items(values),
        model,
        extra.extra_args,
        extra.other_properties,
        tuple(problems),
        warnings=extra.warnings,
        hyperv_mode=mode,
        name=name,
        vcpus=vcpus,
        pinned=pinned,
        pinning=pinning,
        cpu_settings=settings,
        notes=extra.notes,
    )


#: A whole domain definition starts with this (else the text is pieces of one).
_DOMAIN_START = re.compile(rf"<{layout.DOMAIN}[\s>/]")


def wrap_fragment(text: str) -> str:
    """Pieces of a domain (hvtui's snippet output) as one ``<domain>`` document."""
    return f"<{layout.DOMAIN}>\n{text}\n</{layout.DOMAIN}>"


def parse_libvirt_xml(data: bytes | str, *, source: str = "<xml>") -> Imported:
    """Parse a whole domain definition or hvtui's snippet (top-level pieces).

    Raises :class:`~hvtui.formats.safexml.XmlError` for unsafe or malformed input.
    """
    text = safexml.decode(data, source=source)
    if _DOMAIN_START.match(text, safexml.prolog_end(text)) is None:
        # The wrapped text is checked again as a whole (its size has grown).
        return parse_domain(safexml.parse(wrap_fragment(text), source=source).root)
    return parse_domain(safexml.parse_root(text, source=source))


__all__ = [
    "commandline_args",
    "cpu_model_of",
    "parse_domain",
    "parse_libvirt_xml",
    "qemu_machine_args",
    "vcpu_facts",
    "wrap_fragment",
]
