"""Every limit hvtui puts on what it reads, in one place.

Inputs come from users, from bug reports and from other tools, so none of them
is trusted: each read stops at a documented size, and each list of problems
stops at a documented length.  The README's "Untrusted input" section states
these numbers, and a test checks that it states them right.
"""

from __future__ import annotations

from hvtui.lazyre import LazyPattern

KIB = 1024
MIB = 1024 * KIB

#: A preset file (a real one is a few hundred bytes).
MAX_PRESET_BYTES = 1 * MIB
#: A VM definition: libvirt domain XML, a QEMU or virt-install command line, a
#: Proxmox guest configuration (``audit FILE``, pasted text, ``export --into``).
#: A libvirt domain is a few kilobytes.
MAX_VM_BYTES = 4 * MIB
#: JSON hvtui wrote itself: a ``detect --json`` report (``recommend --report``)
#: or a snapshot's ``hvtui-snapshot.json``.
MAX_JSON_BYTES = 16 * MIB
#: One sysfs or procfs value under ``/`` or ``--sysroot`` (a sysfs attribute is at
#: most a page; ``/proc/cmdline`` at most a few KiB).
MAX_SYSFS_BYTES = 64 * KIB
#: ``/proc/cpuinfo``: about 1.5 KiB per CPU, so some 12 MiB for Linux's 8192 CPUs.
MAX_CPUINFO_BYTES = 16 * MIB
#: One line of ``/proc/cpuinfo`` (the flags line of a current CPU is under 2 KiB).
MAX_CPUINFO_LINE = 64 * KIB
#: Elements, comments and processing instructions of one XML document.
MAX_XML_NODES = 20_000
#: Words of one command line (QEMU's, virt-install's, a Proxmox ``args:`` line) and
#: items of one option string.  A real QEMU command line has a few hundred words.
MAX_WORDS = 100_000
#: Items of one QEMU option value (``-cpu host,hv-relaxed,...``, ``-smp``, ``-global``):
#: each is looked up in the catalog, and a real ``-cpu`` has a few dozen.
MAX_OPTION_ITEMS = 10_000
#: Problems of one kind listed per input (unknown options, unreadable values);
#: the rest are counted in one last line, so a hostile file cannot flood the output.
MAX_LISTED_ERRORS = 20


_MORE = LazyPattern(r"\.\.\. and (\d+) more problems? like these")


def cap_messages(messages: list[str], *, limit: int = MAX_LISTED_ERRORS) -> list[str]:
    """The first ``limit`` messages, then one line counting the rest.

    Collectors keep appending (appending is linear); this runs once at the end,
    so what is shown and stored stays bounded however many problems there were.
    Capping again (after messages were added to a capped list) keeps the count
    right: an earlier count line adds its number.
    """
    rest = 0
    if messages and (earlier := _MORE.fullmatch(messages[-1])) is not None:
        messages, rest = messages[:-1], int(earlier.group(1))
    if len(messages) > limit:
        messages, rest = messages[:limit], rest + len(messages) - limit
    if not rest:
        return messages
    return [*messages, f"... and {rest} more problem{'s' if rest != 1 else ''} like these"]


def describe_size(size: int) -> str:
    """``1 MiB``, ``64 KiB`` or ``512 bytes``: a limit in the words the README uses."""
    for unit, name in ((MIB, "MiB"), (KIB, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit} {name}"
    return f"{size} bytes"


__all__ = [
    "KIB",
    "MAX_CPUINFO_BYTES",
    "MAX_CPUINFO_LINE",
    "MAX_JSON_BYTES",
    "MAX_LISTED_ERRORS",
    "MAX_OPTION_ITEMS",
    "MAX_PRESET_BYTES",
    "MAX_SYSFS_BYTES",
    "MAX_VM_BYTES",
    "MAX_WORDS",
    "MAX_XML_NODES",
    "MIB",
    "cap_messages",
    "describe_size",
]
