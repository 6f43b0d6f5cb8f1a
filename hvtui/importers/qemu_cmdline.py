"""Reading Hyper-V options back from QEMU command lines.

Covers what hvtui writes (``-cpu MODEL,hv-x=on,...``, ``-global
TYPE.hv-x=V``, ``-device ...``) and the other spellings QEMU accepts that the
audit command will meet: bare ``hv-x`` for on, the legacy ``hv_x`` and
``+hv-x``/``-hv-x`` forms, ``--cpu``/``-cpu=``, ``,,`` as an escaped comma in
the values of QemuOpts and keyval options (``-global driver=T,property=P,value=V``,
``-smp``, ``-machine``; not in ``-cpu``, see :func:`split_cpu_option`), and
aliases (``hv-apicv``).  ``-smp`` and ``-machine smp.KEY`` give the vCPU count and
are read as QEMU 7.2 reads them (:class:`~hvtui.formats.qemu_opts.MachineOptions`),
then made a topology for the machine type in use as QEMU 7.2 makes it
(:mod:`hvtui.formats.qemu_smp`): one that QEMU refuses (``-smp 2,,x``,
``-smp 4,cores``, ``-machine q35,,x``, ``-smp 3,cores=2``, ``-smp 2,maxcpus=1``) is
reported, not read.  What QEMU
refuses in ``-cpu`` is not read but reported: a ``+``/``-`` item with a value,
without a name, with ``_`` in an ``hv`` name, or for a property that is not
on/off (:func:`parse_cpu_option`).  ``-global`` is read exactly as QEMU reads it
(:mod:`hvtui.formats.qemu_global`, which ``hvtui verify`` uses too):
``T.p=x,property=y`` is the short form whose value is ``x,property=y``, and a
``-global`` QEMU refuses (an unknown key, no ``value``, a repeated ``id``) is
reported, not read.

Precedence follows QEMU: only the last ``-cpu`` counts, and its properties
are registered after every ``-global``, so they win over a ``-global`` of the
same property.

A pasted command may start with anything (``sudo``, ``taskset -c 2``, the
binary as ``/usr/libexec/qemu-kvm`` or Proxmox's ``kvm``): QEMU's arguments
start after the first word that names a QEMU binary, or at the first word when
none does (hvtui's own ``--format qemu`` output is arguments only).  Options
that take no value (``-enable-kvm``, ``-S``, ``-nodefaults`` ...) are known,
so the word after them is read as the next option, not as their value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from hvtui import catalog
from hvtui.catalog import Value, ValueKind
from hvtui.formats.qemu_argv import (
    guest_name,
    is_qemu_binary,
    order_cpu_items,
    partition_cpu_items,
)
from hvtui.formats.qemu_global import (
    DuplicateGlobalIdError,
    GlobalOptionError,
    GlobalRegistry,
    reaches_cpu,
    reaches_every_device,
)
from hvtui.formats.qemu_opts import MachineOptions, OptionSyntaxError
from hvtui.formats.spelling import (
    ValueSpellingError,
    model_of_cpu_type,
    names_hyperv,
    parse_qemu_value,
    qemu_refuses,
)
from hvtui.importers.cpu_settings import from_cpu_items
from hvtui.importers.result import CMDLINE_PINNING, Imported
from hvtui.importers.shellwords import WHITESPACE, split_shell
from hvtui.limits import MAX_OPTION_ITEMS, MAX_WORDS
from hvtui.model import Config
from hvtui.model.cpu import CpuSettings
from hvtui.records import record
from hvtui.textsafe import clipped

if TYPE_CHECKING:
    from hvtui.formats.qemu_smp import MachineSmp, SmpReading

#: QEMU options that take no value (``qemu-system-x86_64 -help`` of QEMU 7.2, plus
#: older ones people still paste).  Any other option is followed by its value, except
#: that an unknown option followed by another option is taken as a flag too.
NO_VALUE_OPTIONS = frozenset(
    {
        "S", "s", "h", "help", "version", "snapshot", "nographic", "nodefaults",
        "no-user-config", "nodefconfig", "enable-kvm", "no-kvm", "no-kvm-irqchip",
        "no-kvm-pit", "no-kvm-pit-reinjection", "no-reboot", "no-shutdown", "daemonize",
        "no-hpet", "no-acpi", "no-fd-bootchk", "full-screen", "win2k-hack", "rtc-td-hack",
        "usb", "singlestep", "preconfig", "enable-fips", "semihosting", "curses", "sdl",
        "alt-grab", "ctrl-grab", "no-quit", "no-frame", "portrait", "only-migratable",
        "xen-attach", "xen-domid-restrict", "enable-sync-profile", "mem-prealloc",
        "audio-help", "async-teardown", "old-param", "show-cursor", "tdf",
    }
)  # fmt: skip
#: Options hvtui reads, and other common QEMU options: each always takes a value
#: (so ``-append "-x"`` keeps its value), and seeing one tells a QEMU command line
#: from other text.
VALUE_OPTIONS = frozenset(
    {
        "cpu", "global", "device", "name", "smp", "m", "machine", "M", "accel",
        "drive", "blockdev", "netdev", "nic", "net", "chardev", "object", "serial",
        "monitor", "mon", "qmp", "display", "vga", "vnc", "spice", "boot", "bios",
        "kernel", "initrd", "append", "cdrom", "hda", "hdb", "hdc", "hdd", "fda", "fdb",
        "pflash", "rtc", "uuid", "smbios", "numa", "overcommit", "incoming", "pidfile",
        "runas", "sandbox", "msg", "d", "D", "L", "k", "trace", "readconfig", "set",
        "fsdev", "virtfs", "usbdevice", "audiodev", "tpmdev", "iscsi", "mem-path",
        "watchdog-action", "action", "option-rom", "parallel", "debugcon", "icount",
        "loadvm", "plugin", "chroot", "compat", "add-fd", "acpitable", "id", "gdb",
        "xen-domid", "sd", "mtdblock", "dtb", "seed", "echr", "rotate", "dfilter",
    }
)  # fmt: skip


class CommandLineError(ValueError):
    """A command line that cannot be split (unbalanced quotes); ``str()`` is one line."""


@record(frozen=True)
class CpuOption:
    """A parsed ``-cpu`` value: the model and its ``key[=value]`` items in the order
    QEMU applies them (``+key`` and ``-key`` last, as ``key=on`` and ``key=off``)."""

    model: str
    items: tuple[tuple[str, str | None], ...]
    dropped: int = 0
    """Items beyond :data:`~hvtui.limits.MAX_OPTION_ITEMS`, not read."""
    warnings: tuple[str, ...] = ()
    """Properties set both ways, where the written order is not QEMU's; a ``,,`` that
    reads like an escaped comma."""
    problems: tuple[str, ...] = ()
    """``+``/``-`` items QEMU refuses, one line each; they are not in ``items``."""


#: A ``name=value`` item followed by ``,,`` and another item: where a reader used to
#: QemuOpts (``-device``, ``-name``) sees an escaped comma.  Every repetition is
#: possessive and a match starts only where an item does, so the search is linear.
_DOUBLED_AFTER_VALUE = re.compile(r"(?:\A|(?<=,))([^,=]*+=[^,]*+)(,,++)([^,]++)")


def split_cpu_option(text: str) -> tuple[str, list[str], str | None]:
    """A ``-cpu`` value as QEMU splits it: the model, its items, and a warning when a
    ``,,`` reads like an escaped comma (``None`` otherwise).

    ``-cpu`` is not a QemuOpts option, so ``,,`` is no escaped comma there:
    ``parse_cpu_option`` (QEMU's cpu.c) takes the model up to the first comma
    (``g_strsplit(..., ",", 2)``) and ``x86_cpu_parse_featurestr`` splits the rest
    with ``strtok(..., ",")``, which skips empty items.  Checked with QEMU 7.2:
    ``host,,hv-relaxed`` is ``host`` with ``hv-relaxed``, and ``hv-vendor-id=ab,,cd``
    is ``hv-vendor-id=ab`` and an item ``cd`` ("can't apply global
    host-x86_64-cpu.cd=on: Property 'host-x86_64-cpu.cd' not found").  The warning
    names the first ``,,`` after a ``name=value`` item, where a reader who knows
    ``-device`` expects the value to go on.
    """
    model, _, features = text.partition(",")
    items = features.split(",") if features else []
    if "" in items:  # a scan in C; most values have no empty item
        items = [item for item in items if item]
    if ",," not in features:
        return model, items, None
    doubled = _DOUBLED_AFTER_VALUE.search(features)
    if doubled is None:
        return model, items, None
    before, commas, after = clipped(doubled[1]), clipped(doubled[2]), clipped(doubled[3])
    return (
        model,
        items,
        f"-cpu: {before}{commas}{after}: ,, is no escaped comma in -cpu (unlike -device or "
        f"-name): QEMU splits -cpu at every comma and skips empty items, so this is "
        f"{before} and then an item {after}",
    )


def signed_item_refused(item: str) -> str | None:
    """Why QEMU refuses the ``+name``/``-name`` item ``item``; ``None`` when it may take it.

    QEMU keeps these items aside and, when the vCPU is realized, sets
    ``object_property_set_bool(cpu, name, +/-)`` with the name exactly as written
    (``x86_cpu_expand_features``): no ``_`` to ``-`` as for ``name=value`` items
    (``feat2prop``), no value, only on/off properties.  Checked with QEMU 7.2, which
    refuses ``+hv_relaxed`` and ``-hv_reset`` ("Property
    'host-x86_64-cpu.hv_relaxed' not found"), ``+hv-relaxed=on`` (a property named
    ``hv-relaxed=on``), a lone ``+``, ``+hv-spinlocks`` ("expects uint64") and
    ``+hv-no-nonarch-coresharing`` ("expected: string").  The ``_`` rule is checked
    only for ``hv`` names: QEMU has ``_`` aliases for some other features
    (``+kvm_pv_eoi``, ``+lahf_lm``, ``+sse4_1``) and none for ``hv-*``.
    """
    sign, name = item[0], item[1:]
    if not name:
        return f"a {sign} item needs a property name"
    if "=" in name:
        prop, _, value = name.partition("=")
        return (
            f"a {sign} item takes no value (QEMU looks for a property named "
            f"{clipped(name)!r}); write {sign}{clipped(prop)} or {clipped(prop)}={clipped(value)}"
        )
    lowered = name.lower()
    if not names_hyperv(name):
        return None
    if "_" in name:
        state = "on" if sign == "+" else "off"
        return (
            f"a {sign} item names the property exactly and QEMU turns _ into - only in "
            f"name=value items; write {sign}{clipped(lowered.replace('_', '-'))} or "
            f"{clipped(lowered)}={state}"
        )
    canonical = catalog.canonical_name(name)
    if canonical is not None and catalog.get(canonical).kind is not ValueKind.SWITCH:
        return f"+ and - only set on/off properties; write {clipped(name)}=VALUE"
    return None


def _accepted(signed: list[str], problems: list[str]) -> list[str]:
    """The ``+``/``-`` items QEMU may take; a problem for each one it refuses."""
    kept: list[str] = []
    for item in signed:
        why = signed_item_refused(item)
        if why is None:
            kept.append(item)
        else:
            problems.append(f"-cpu: {clipped(item)}: not read; QEMU refuses it: {why}")
    return kept


def parse_cpu_option(text: str) -> CpuOption:
    """``host,hv-relaxed=on,hv-crash`` -> model ``host`` and its items, in the order
    QEMU applies them (:func:`~hvtui.formats.qemu_argv.cpu_items_in_qemu_order`).

    The value is split as QEMU splits it (:func:`split_cpu_option`).  A ``+``/``-``
    item QEMU refuses (:func:`signed_item_refused`) is left out of ``items`` and
    reported in ``problems``: QEMU does not start with it, so it gives the guest
    nothing.  At most :data:`~hvtui.limits.MAX_OPTION_ITEMS` items are read
    (``dropped`` counts the rest): each is looked up in the catalog, and a real
    ``-cpu`` has a few dozen.
    """
    model, rest, doubled = split_cpu_option(text)
    dropped = max(0, len(rest) - MAX_OPTION_ITEMS)
    plain, plus, minus = partition_cpu_items(rest[:MAX_OPTION_ITEMS] if dropped else rest)
    problems: list[str] = []
    if plus or minus:
        plus, minus = _accepted(plus, problems), _accepted(minus, problems)
    ordered, warnings = order_cpu_items(plain, plus, minus)
    items: list[tuple[str, str | None]] = []
    for item in ordered:
        if item[0] in "+-":
            # Legacy "+feature" / "-feature" spelling (never with a value: refused above).
            items.append((item[1:], "on" if item[0] == "+" else "off"))
            continue
        key, sep, value = item.partition("=")
        items.append((key, value if sep else None))
    if doubled is not None:
        warnings.insert(0, doubled)
    return CpuOption(model, tuple(items), dropped, tuple(warnings), tuple(problems))


def split_command(text: str) -> list[str]:
    """Shell words of a pasted command: comments and line continuations removed."""
    # A line continuation (backslash, newline) is a space: re.sub(r"\\\r?\n", " ") in
    # effect, but str.replace costs no call per match (a million continuations).
    joined = text.replace("\\\r\n", " ").replace("\\\n", " ")
    return shell_words(joined, comments=True, what="the command line")


def shell_words(
    text: str,
    *,
    comments: bool = False,
    what: str = "the arguments",
    separators: str = WHITESPACE,
) -> list[str]:
    """``shlex.split`` for untrusted text: an unbalanced quote is a CommandLineError.

    Every importer splits shell words here, so "No closing quotation" (a plain
    ValueError from shlex) never escapes as an internal error.  The splitting is
    :func:`~hvtui.importers.shellwords.split_shell`: the same words as ``shlex``
    in linear time (``shlex`` is quadratic in the length of a word), and at most
    :data:`~hvtui.limits.MAX_WORDS` of them.
    """
    try:
        return split_shell(text, comments=comments, separators=separators, max_words=MAX_WORDS)
    except ValueError as exc:
        raise CommandLineError(f"cannot split {what}: {exc}") from exc


def _binary_at(argv: Sequence[str]) -> int | None:
    """Index of the word naming the QEMU binary; ``None`` when there is none.

    A word right after an option is that option's value (``-accel kvm``), not
    the binary.
    """
    for i, word in enumerate(argv):
        if word.startswith("-") or not is_qemu_binary(word):
            continue
        if i == 0 or not argv[i - 1].startswith("-"):
            return i
    return None


def qemu_arguments(argv: Sequence[str]) -> list[str]:
    """The words after the QEMU binary (all of them when none is named)."""
    at = _binary_at(argv)
    return list(argv) if at is None else list(argv[at + 1 :])


def _options(argv: Sequence[str]) -> Iterator[tuple[str, str | None]]:
    """``(name, value)`` for each ``-name value`` / ``--name=value`` option.

    ``value`` is ``None`` for options that take none (``-enable-kvm``).
    """
    i = 0
    while i < len(argv):
        word = argv[i]
        i += 1
        if not word.startswith("-") or word == "-":
            continue
        name = word.lstrip("-")
        if "=" in name:
            name, _, value = name.partition("=")
            yield name, value
            continue
        following = argv[i] if i < len(argv) else None
        takes_value = name in VALUE_OPTIONS or (
            name not in NO_VALUE_OPTIONS
            and following is not None
            and not (following.startswith("-") and len(following) > 1)
        )
        if takes_value and following is not None:
            yield name, following
            i += 1
        else:
            yield name, None


def option_names(argv: Sequence[str]) -> list[str]:
    """The option names of an argument vector, in order (``cpu``, ``enable-kvm``...)."""
    return [name for name, _ in _options(argv)]


def looks_like_qemu(argv: Sequence[str]) -> bool:
    """True when the words name a QEMU binary or use an option QEMU knows.

    Tells a command line from other text (a README, a shell script without
    QEMU) before auditing it.
    """
    if _binary_at(argv) is not None:
        return True
    known = NO_VALUE_OPTIONS | VALUE_OPTIONS
    return any(name in known for name in option_names(argv))


def smp_vcpus(text: str) -> int | None:
    """The vCPUs an ``-smp`` value starts on QEMU 7.2's default machine type: ``4``,
    ``cpus=4,...`` or the topology product.

    Read as QEMU 7.2 reads it (:class:`~hvtui.formats.qemu_opts.MachineOptions`:
    keyval, implied key ``cpus``, numbers in C's base 0; then
    :func:`~hvtui.formats.qemu_smp.read_smp`); ``None`` for a value QEMU refuses.
    """
    from hvtui.formats.qemu_smp import read_smp

    machine = MachineOptions()
    try:
        machine.add_smp(text)
    except OptionSyntaxError:
        return None
    return read_smp(machine.tree.get("smp"), None).vcpus


class _Collector:
    """Accumulates values with their origin so precedence can be applied at the end."""

    def __init__(self) -> None:
        self.values: dict[str, Value] = {}
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def set(self, key: str, raw: str | None, where: str, *, legacy_names: bool = True) -> bool:
        """Record ``key=raw`` if ``key`` is a Hyper-V property; False if it is another one.

        Only ``hv-``/``hv_`` names count: QEMU's CPU has unrelated properties
        that happen to share a catalog name without the prefix.  QEMU only
        translates the legacy ``hv_x`` names inside ``-cpu`` (``legacy_names``);
        a ``-global`` must name the property itself.
        """
        if not names_hyperv(key):
            return False
        canonical = catalog.canonical_name(key)
        if canonical is None:
            self.problems.append(f"{where}: unknown Hyper-V property {key!r}")
            return True
        entry = catalog.get(canonical)
        try:
            self.values[entry.name] = parse_qemu_value(entry, raw)
        except ValueSpellingError as exc:
            self.problems.append(f"{where}: {exc}")
            return True
        spelled = key if raw is None else f"{key}={raw}"
        if not legacy_names and "_" in key:
            self.warnings.append(
                f"{where}: {spelled}: read as {entry.qemu_property}, but QEMU translates "
                f"the legacy hv_ names only inside -cpu and refuses this property"
            )
        if key != key.lower():
            self.warnings.append(
                f"{where}: {spelled}: read as {entry.qemu_property}, but QEMU's property "
                "names are case-sensitive and QEMU refuses it"
            )
        why = qemu_refuses(entry, raw)
        if why is not None:
            self.warnings.append(f"{where}: {spelled}: read anyway, but {why}")
        return True


def _read_machine(machine: MachineOptions, name: str, value: str) -> None:
    """One ``-smp`` or ``-machine``/``-M`` value into ``machine``, as QEMU reads it.

    Raises :class:`~hvtui.formats.qemu_opts.OptionSyntaxError` when QEMU refuses it."""
    if name == "smp":
        machine.add_smp(value)
    else:
        machine.add_machine(value)


#: The options whose values go into QEMU's machine options (``machine_opts_dict``).
_MACHINE_OPTIONS = ("smp", "machine", "M")


def _read_preceding(
    machine: MachineOptions,
    preceding: Callable[[], Sequence[str]] | None,
    origin: str,
    problems: list[str],
) -> list[str]:
    """The machine options of ``preceding`` (see :func:`parse_qemu_args`) read into
    ``machine``; the words of those QEMU takes, for messages (each at most 80
    characters: libvirt's whole ``-smp`` fits, a domain's machine type may not)."""
    words: list[str] = []
    for name, value in _options(preceding() if preceding is not None else ()):
        if value is not None and name in _MACHINE_OPTIONS:
            try:
                _read_machine(machine, name, value)
            except OptionSyntaxError as exc:  # a machine type no libvirt would take
                problems.append(
                    f"{origin} -{name} {clipped(value)}: not read; QEMU refuses it: {exc}"
                )
                continue
            words += (f"-{name}", clipped(value, 80))  # libvirt's: the type is the domain's
    return words


class _MachineReader:
    """An argument vector's ``-machine``/``-M``/``-smp`` read into QEMU's machine options,
    after those of ``preceding`` (read at the first of them: see :func:`parse_qemu_args`),
    as QEMU merges them; a value QEMU refuses goes into ``problems`` and is left out."""

    def __init__(
        self,
        preceding: Callable[[], Sequence[str]] | None,
        origin: str,
        problems: list[str],
    ) -> None:
        self.machine = MachineOptions()
        self.before: list[str] | None = None
        """The words of ``preceding``'s options QEMU takes, once read (``None``: the
        vector had no machine option yet)."""
        self._preceding = preceding
        self._origin = origin
        self._problems = problems

    def read(self, name: str, value: str) -> None:
        if self.before is None:
            self.before = _read_preceding(
                self.machine, self._preceding, self._origin, self._problems
            )
        try:
            _read_machine(self.machine, name, value)
        except OptionSyntaxError as exc:
            self._problems.append(f"-{name} {clipped(value)}: not read; QEMU refuses it: {exc}")

    def smp(self, machines: Callable[[str | None], MachineSmp] | None) -> SmpReading | None:
        """The topology of the merged ``-smp`` (``machines``: a type's properties, QEMU
        7.2's own when not given); ``None`` when the vector had no machine option or no
        ``-smp`` was given (then :mod:`hvtui.formats.qemu_smp` stays unloaded)."""
        if self.before is None or "smp" not in self.machine.tree:
            return None
        from hvtui.formats.qemu_smp import machine_smp, read_smp

        tree = self.machine.tree
        return read_smp(tree["smp"], tree.get("type"), machines=machines or machine_smp)


def parse_qemu_args(
    argv: Sequence[str],
    *,
    default_cpu_model: str | None = None,
    preceding: Callable[[], Sequence[str]] | None = None,
    preceding_origin: str = "the options",
    machines: Callable[[str | None], MachineSmp] | None = None,
) -> Imported:
    """The Hyper-V configuration a QEMU argument vector gives the guest.

    ``preceding`` gives the arguments QEMU reads before ``argv``, as libvirt puts its
    own ``-machine`` and ``-smp`` before a domain's ``<qemu:commandline>``
    (``preceding_origin`` names them in messages: ``libvirt's own``).  Only their
    ``-machine``/``-M``/``-smp`` are read, into the machine options ``argv``'s own
    merge with (QEMU keeps every key of every ``-smp``, the last value of each), and
    only when ``argv`` has one of those options (it is called then, not before): the
    vCPU count (:attr:`~hvtui.importers.result.Imported.vcpus`) and a refusal are
    given only for those.  ``machines`` gives a machine type's ``-smp`` properties
    (:func:`~hvtui.formats.qemu_smp.read_smp`'s; QEMU 7.2's own when not given).

    A ``-global`` is read when QEMU applies it to the CPU: its driver is the type of
    the model in use (the ``-cpu`` model, else ``default_cpu_model``, which libvirt
    supplies for ``<qemu:commandline>``; any x86 model when neither says) or one of
    that type's ancestors (:func:`~hvtui.formats.qemu_global.reaches_cpu`), in the
    order given, and ``-cpu`` wins over all of them, as in QEMU.  One for another
    model's type is reported and left out, since QEMU does not apply it, and so is a
    Hyper-V property for every device (``device.hv-x``), at which QEMU stops.
    """
    argv = qemu_arguments(argv)
    cpu: CpuOption | None = None
    globals_: list[tuple[str, str, str]] = []
    registered = GlobalRegistry()
    extra: list[str] = []
    problems: list[str] = []
    warnings: list[str] = []
    if len(argv) > MAX_WORDS:  # a process's command line, from a snapshot say
        problems.append(
            f"{len(argv) - MAX_WORDS} more arguments after the first {MAX_WORDS}; not read"
        )
        argv = argv[:MAX_WORDS]
    machine = _MachineReader(preceding, preceding_origin, problems)
    for name, value in _options(argv):
        if value is None:
            continue
        if name == "cpu":
            cpu = parse_cpu_option(value)
        elif name in _MACHINE_OPTIONS:
            machine.read(name, value)
        elif name == "global":
            try:
                option = registered.add(value)
            except DuplicateGlobalIdError as exc:
                problems.append(f"-global {value}: not read; {exc}")
                continue
            except GlobalOptionError as exc:
                problems.append(f"-global {value}: not DRIVER.PROPERTY=VALUE; {exc}")
                continue
            warnings += [f"-global {value}: {warning}" for warning in option.warnings]
            if reaches_cpu(option.driver):
                globals_.append((option.driver, option.property, option.value))
        elif name == "device":
            extra.extend(("-device", value))
    vcpus: int | None = None
    notes: tuple[str, ...] = ()
    smp = machine.smp(machines)
    if smp is not None:
        before = machine.before
        if smp.refused is not None:
            merged = f" (QEMU merges it with {preceding_origin} {' '.join(before or ())} before it)"
            problems.append(f"-smp: QEMU refuses it: {smp.refused}{merged if before else ''}")
        if smp.unchecked is not None:
            notes = (f"-smp: {smp.unchecked}",)
        vcpus = smp.vcpus
    hv = _Collector()
    in_use = cpu.model if cpu is not None else default_cpu_model
    for driver, prop, value in globals_:
        if reaches_every_device(driver):
            if names_hyperv(prop):
                problems.append(
                    f"-global {driver}.{prop}: not read; QEMU applies a {driver!r} global to "
                    f"every device, not only the CPU, and stops at its 'migration' object, "
                    f"which has no {prop!r} property"
                )
            continue
        if not reaches_cpu(driver, in_use):
            problems.append(
                f"-global {driver}.{prop}: QEMU applies it to CPU model "
                f"{model_of_cpu_type(driver)!r}, but the CPU model in use is {in_use!r}"
            )
            continue
        hv.set(prop, value, f"-global {driver}.{prop}", legacy_names=False)
    others: list[str] = []
    settings = CpuSettings()
    if cpu is not None and cpu.dropped:
        problems.append(
            f"-cpu: {cpu.dropped} more properties after the first {MAX_OPTION_ITEMS}; not read"
        )
    if cpu is not None:
        problems += cpu.problems
        for key, raw in cpu.items:
            if not hv.set(key, raw, "-cpu"):
                others.append(key if raw is None else f"{key}={raw}")
        settings, settings_problems = from_cpu_items(cpu.model, cpu.items)
        problems += settings_problems
    return Imported(
        Config.of(hv.values),
        cpu.model if cpu is not None else None,
        tuple(extra),
        tuple(others),
        tuple(problems + hv.problems),
        warnings=(*(cpu.warnings if cpu is not None else ()), *warnings, *hv.warnings),
        name=guest_name(argv),
        vcpus=vcpus,
        pinning=CMDLINE_PINNING,
        cpu_settings=settings,
        notes=notes,
    )


def merged_smp(
    argv: Sequence[str],
    *,
    preceding: Callable[[], Sequence[str]],
    machines: Callable[[str | None], MachineSmp] | None = None,
) -> SmpReading | None:
    """The topology QEMU makes of ``preceding``'s ``-machine``/``-smp`` merged with those
    of ``argv`` after them, as :func:`parse_qemu_args` reads them (a value QEMU refuses
    is left out; :func:`parse_qemu_args` reports it); ``None`` when ``argv`` has none.

    For what depends on the whole topology, not only the vCPU count
    (:attr:`~hvtui.importers.result.Imported.vcpus`): the ``-device`` vCPUs Proxmox's
    qemu-server adds for CPU hotplug, before its ``args:``.
    """
    machine = _MachineReader(preceding, "", [])
    for name, value in _options(qemu_arguments(argv)[:MAX_WORDS]):
        if value is not None and name in _MACHINE_OPTIONS:
            machine.read(name, value)
    return machine.smp(machines)


def parse_qemu_command(text: str) -> Imported:
    """Parse a pasted command line or hvtui's ``--format qemu`` output."""
    return parse_qemu_args(split_command(text))


__all__ = [
    "NO_VALUE_OPTIONS",
    "VALUE_OPTIONS",
    "CommandLineError",
    "CpuOption",
    "looks_like_qemu",
    "merged_smp",
    "option_names",
    "parse_cpu_option",
    "parse_qemu_args",
    "parse_qemu_command",
    "qemu_arguments",
    "signed_item_refused",
    "smp_vcpus",
    "split_command",
    "split_cpu_option",
]
