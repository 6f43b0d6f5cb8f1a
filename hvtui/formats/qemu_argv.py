"""Facts of QEMU's command line that process detection, the importers and Proxmox share.

Which program is QEMU (detection finds guests by it, the command-line importer
finds where QEMU's own arguments start in a pasted command), the guest name
``-name`` gives, and the order in which QEMU applies the items of ``-cpu``.  All
only read words: no process is looked at here.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # collections stays unloaded at run time (issue #13)
    from collections.abc import Sequence


def is_qemu_binary(word: str) -> bool:
    """Whether a program name or path is QEMU: ``qemu-system-*``, ``qemu-kvm`` or ``kvm``.

    ``qemu-kvm`` is RHEL's ``/usr/libexec/qemu-kvm``, ``kvm`` Debian's and
    Proxmox's wrapper; the command-line importer uses the same rule to find
    where QEMU's own arguments start in a pasted command.
    """
    base = os.path.basename(word)
    return base.startswith("qemu-system-") or base in ("qemu-kvm", "kvm")


def guest_name(cmdline: Sequence[str]) -> str:
    """The guest name from ``-name NAME[,...]`` or ``-name guest=NAME,...``; ``""`` if none.

    ``-name`` is QemuOpts with the implied key ``guest`` whose options all merge
    (``qemu_name_opts``, ``merge_lists``): the last ``guest`` of all of them counts, so
    ``-name a -name b`` and ``-name a,guest=b`` both name ``b`` (QEMU 7.2's
    ``query-name``), and ``,,`` is a comma in it (:func:`~hvtui.formats.qemu_opts.opts_items`).
    """
    # QemuOpts loads here, with the first guest: process detection imports this module
    # for is_qemu_binary on every host, most of which run no QEMU (``hvtui detect`` and
    # every audit's host scan).
    from hvtui.formats.qemu_opts import OptionSyntaxError, opts_items, opts_value

    name = ""
    for i, arg in enumerate(cmdline[:-1]):
        if arg in ("-name", "--name"):
            try:
                items = opts_items(cmdline[i + 1], "guest")
            except OptionSyntaxError:  # past MAX_OPTION_ITEMS items: not read
                continue
            value = opts_value(items, "guest")
            name = name if value is None else value
    return name


def cpu_items_in_qemu_order(items: Sequence[str]) -> tuple[list[str], list[str]]:
    """The items of a ``-cpu`` value (after the model) in the order QEMU applies them,
    and a warning for each property they set both ways.

    QEMU's ``x86_cpu_parse_featurestr`` (target/i386/cpu.c) turns each ``name[=value]``
    into a global property, applied in written order when the CPU object is made, and
    keeps ``+name`` and ``-name`` in two lists that ``x86_cpu_expand_features`` applies
    at realize: every ``+name``, then every ``-name``.  So ``-name`` beats ``+name`` and
    ``name=on`` wherever it is written, and ``+name`` beats ``name=off`` (QEMU's own
    test of this is ``test-x86-cpuid-compat`` "parsing-plus-minus"; the importer's test
    reads the property back from a real QEMU).  QEMU warns "Ambiguous CPU model string"
    only when the ``+``/``-`` item comes before the plain one; the importer warns either
    way, since the written order misleads a reader both ways.
    """
    return order_cpu_items(*partition_cpu_items(items))


def partition_cpu_items(items: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """The ``name[=value]``, ``+name`` and ``-name`` items, each in written order
    (empty items, which QEMU skips, are left out).

    The command-line importer drops the ``+``/``-`` items QEMU refuses between this
    and :func:`order_cpu_items`, looking only at those few.
    """
    plain: list[str] = []
    plus: list[str] = []
    minus: list[str] = []
    for item in items:
        if not item:
            continue
        {"+": plus, "-": minus}.get(item[0], plain).append(item)
    return plain, plus, minus


def order_cpu_items(
    plain: list[str], plus: list[str], minus: list[str]
) -> tuple[list[str], list[str]]:
    """:func:`cpu_items_in_qemu_order` of items already partitioned."""
    warnings: list[str] = []
    # QEMU compares a plain name, "_" turned into "-" (feat2prop), with the +/- names as
    # written; it looks up +/- names as written too.
    signed = {item[1:]: item for item in (*plus, *minus)}
    for item in plain:
        name = item.partition("=")[0].replace("_", "-")
        if name in signed:
            warnings.append(
                f"-cpu: {item} and {signed[name]}: {signed[name]} wins, since QEMU applies "
                '+ and - items after the others (it warns "Ambiguous CPU model string" and '
                "may refuse this one day)"
            )
    for name in sorted({item[1:] for item in plus} & {item[1:] for item in minus}):
        warnings.append(
            f"-cpu: +{name} and -{name}: -{name} wins, since QEMU applies every - item "
            "after every + item"
        )
    return [*plain, *plus, *minus], warnings
