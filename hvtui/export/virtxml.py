"""``--format virt-xml``: change an existing VM in place with ``virt-xml DOMAIN --edit``.

virt-xml keeps whatever the domain already has, so this format is faithful to
the preset the way ``--format virt-install`` is (:mod:`hvtui.export.virtinstall`):
every ``<hyperv>`` element the target libvirt knows is written, ``state='on'``
for what the preset turns on and ``state='off'`` for everything else, the
``hypervclock`` timer is set present or not, a ``<panic model='hyperv'>`` is
created or deleted, and ``<hyperv mode>`` is set; with hv-passthrough the
children, the timer and the panic device are deleted instead (hv-passthrough
turns on whatever the host supports, and an old ``state='off'`` child would
still switch one off).

virt-xml (4.1, checked here) takes one kind of XML option per invocation, and
``--features`` knows only a few ``hyperv.*`` sub-options there, so every change
is an ``--xml`` XPath edit of one ``virt-xml DOMAIN --edit`` command, applied in
order and defined in one step.  What libvirt cannot express goes into a second
command, ``--edit --qemu-commandline='-global ...'``, which appends arguments
(virt-xml cannot tell its own earlier ones apart: remove an older hvtui
``-global`` of the same option by hand).  The plan is the libvirt export's
(:func:`~hvtui.export.libvirt.plan_libvirt`): same target version, same
elements, same fallbacks.

Quoting: every word is shell-quoted; inside virt-xml, ``xpath.delete=`` and
``xpath.value=`` values are quoted again for its own ``shlex`` split on commas;
and like virt-install before 5.1, virt-xml escapes ``& < > ' "`` in attribute
values twice (virt-manager issue #838), so a vendor id with one of them is
refused rather than written wrong.
"""

from __future__ import annotations

import shlex

from hvtui import catalog
from hvtui.catalog import Enlightenment, LibvirtKind, ValueKind
from hvtui.export.context import ExportError, ExportTarget
from hvtui.export.kubevirt import Unexpressed
from hvtui.export.libvirt import (
    LibvirtPlan,
    cpu_settings_element,
    kvm_hidden_element,
    plan_libvirt,
    tsc_timer_element,
)
from hvtui.export.qemu import cpu_setting_notes
from hvtui.export.shell import comment
from hvtui.export.virtinstall import refuse_escaped
from hvtui.formats import libvirt_layout as layout
from hvtui.formats.spelling import libvirt_state, libvirt_value
from hvtui.model import Config
from hvtui.records import record

PROGRAM = "virt-xml"
#: The domain argument: the shell fails with this message when ``DOMAIN`` is unset.
DOMAIN_WORD = "${DOMAIN:?set DOMAIN to the name of the VM}"
HYPERV_PATH = f"./{layout.FEATURES}/{layout.HYPERV}"


@record(frozen=True)
class Edit:
    """One ``--xml`` edit: set ``xpath`` to ``value``, or delete ``xpath`` (value None)."""

    xpath: str
    value: str | None = None

    def argument(self) -> str:
        """The ``--xml`` option's text, as virtinst's ParserXML reads it: ``XPATH=VALUE``
        taken as it is, or ``xpath.*=`` sub-options split by its ``shlex`` on commas."""
        if self.value is None:
            return f"xpath.delete={optstr_escape(self.xpath)}"
        if self.value and all(c.isalnum() or c in "-_." for c in self.value):
            return f"{self.xpath}={self.value}"
        return f"xpath.set={optstr_escape(self.xpath)},xpath.value={optstr_escape(self.value)}"


def optstr_escape(text: str) -> str:
    """``text`` as one value of a virtinst option string (``shlex`` in POSIX mode with
    commas as the only separators): a backslash before every character it treats
    specially."""
    return "".join("\\" + c if c in _OPTSTR_SPECIAL else c for c in text)


#: What virtinst's option-string split treats specially outside quotes.
_OPTSTR_SPECIAL = frozenset("\\'\", ")


def shell_word(word: str) -> str:
    """One shell word, quoted as readably as is safe: bare, '...', "..." or shlex's."""
    if word and all(c.isalnum() or c in "-_./=@:%+" for c in word):
        return word
    if "'" not in word:
        return f"'{word}'"
    if not any(c in word for c in '"$`!\\\n'):
        return f'"{word}"'
    return shlex.quote(word)


@record(frozen=True)
class VirtXmlExport:
    """The commands and what they leave out."""

    edits: tuple[Edit, ...]
    qemu_args: tuple[str, ...]
    """Arguments for the second command's ``--qemu-commandline`` (empty: no second command)."""
    plan: LibvirtPlan
    unexpressed: tuple[Unexpressed, ...]
    notes: tuple[str, ...]

    def commands(self, domain: str = DOMAIN_WORD) -> list[list[str]]:
        """Each command as argument words (the domain word as given)."""
        first = [PROGRAM, domain, "--edit"]
        for edit in self.edits:
            first += ["--xml", edit.argument()]
        found = [first]
        if self.qemu_args:
            found.append(
                [PROGRAM, domain, "--edit", f"--qemu-commandline={shlex.join(self.qemu_args)}"]
            )
        return found

    def expressed(self) -> Config:
        """The configuration the commands give the domain (switches left out are off)."""
        return self.plan.expressed()


def _known(entry: Enlightenment, target: ExportTarget) -> bool:
    since = entry.libvirt.since
    return since is not None and since <= target.libvirt


def _named(step: str, attribute: str, value: str) -> str:
    return f"{step}[@{attribute}='{value}']"


def build_virt_xml(config: Config, target: ExportTarget) -> VirtXmlExport:
    """The edits for ``config`` (call ``export_findings`` first)."""
    if target.hyperv_mode is not None:
        raise ExportError("--hyperv-mode only works with --format libvirt or json")
    plan = plan_libvirt(config, target)
    edits: list[Edit] = []
    timer = _named(f"./{layout.CLOCK}/{layout.TIMER}", layout.TIMER_NAME, "{}")
    panic = _named(f"./{layout.DEVICES}/{layout.panic_tag()}", layout.PANIC_MODEL, "{}")
    mode = plan.passthrough
    edits.append(
        Edit(f"{HYPERV_PATH}/@{layout.MODE}", mode.libvirt.element if mode else layout.CUSTOM_MODE)
    )
    for entry in catalog.ENTRIES:
        lv = entry.libvirt
        # An element the target libvirt does not know is deleted: a no-op on a domain of
        # that libvirt, and right for one written by a newer libvirt.
        known = _known(entry, target)
        value = plan.native_value(entry)
        if lv.kind in (LibvirtKind.HYPERV, LibvirtKind.HYPERV_CHILD):
            path = f"{HYPERV_PATH}/{lv.element}"
            if mode is not None or not known:
                parent = layout.parent_entry(entry)
                if parent is None or (known is False and _known(parent, target)):
                    edits.append(Edit(path))
                continue
            on = value is not None and value is not False and value != "off"
            edits.append(Edit(f"{path}/@{layout.STATE}", libvirt_state(on)))
            if on and lv.attribute is not None and value is not None:
                text = libvirt_value(entry, value)
                if entry.kind is ValueKind.STRING:
                    refuse_escaped(entry, text, "virt-xml")
                edits.append(Edit(f"{path}/@{lv.attribute}", text))
        elif lv.kind is LibvirtKind.CLOCK_TIMER:
            path = timer.format(lv.element)
            if mode is not None or not known:
                edits.append(Edit(path))
            else:
                edits.append(Edit(f"{path}/@{layout.TIMER_PRESENT}", "yes" if value else "no"))
        elif lv.kind is LibvirtKind.PANIC:
            path = panic.format(layout.PANIC_HYPERV)
            if known and mode is None and value is True:
                edits.append(Edit(f"{path}/@{layout.PANIC_MODEL}", layout.PANIC_HYPERV))
            else:
                edits.append(Edit(path))
    edits.extend(_cpu_edits(target))
    qemu_args: list[str] = []
    for fallback, option, setting in plan.global_args():
        if fallback.entry.kind is ValueKind.STRING:
            refuse_escaped(fallback.entry, setting, "virt-xml")
        qemu_args += [option, setting]
    for _entry, words in plan.extra:
        qemu_args += list(words)
    notes = [
        f"hvtui: Hyper-V settings for {target.describe()}",
        "set DOMAIN=<name of the VM> first; virt-xml takes one kind of XML option per "
        "invocation, so every change is an --xml edit of one command, defined in one step",
        "fidelity: what the preset leaves off is written off (or deleted), whatever the domain had",
    ]
    if qemu_args:
        notes.append(
            f"the second command appends to <qemu:commandline> what libvirt {target.libvirt} "
            "cannot express, for CPU type "
            f"{target.cpu_type} (the domain's <cpu> must give QEMU -cpu {target.cpu_model}); "
            "remove an older hvtui -global of the same options by hand"
        )
    notes.extend(
        f"{f.entry.qemu_property} via --qemu-commandline: {f.reason}" for f in plan.fallback
    )
    notes.extend(f"left out {o.entry.name}: {o.reason}" for o in plan.omitted)
    notes.extend(cpu_setting_notes(target))
    return VirtXmlExport(tuple(edits), tuple(qemu_args), plan, (), tuple(notes))


def _cpu_edits(target: ExportTarget) -> list[Edit]:
    """The ``[cpu]`` settings as edits of ``<cpu><feature>``, the tsc timer and ``<kvm>``."""
    edits: list[Edit] = []
    cpu = cpu_settings_element(target)
    if cpu is not None:
        for feature in cpu.iter(layout.CPU_FEATURE):
            name = feature.get(layout.FEATURE_NAME, "")
            path = _named(f"./{layout.CPU}/{layout.CPU_FEATURE}", layout.FEATURE_NAME, name)
            edits.append(
                Edit(f"{path}/@{layout.FEATURE_POLICY}", feature.get(layout.FEATURE_POLICY, ""))
            )
    tsc = tsc_timer_element(target)
    if tsc is not None:
        path = _named(f"./{layout.CLOCK}/{layout.TIMER}", layout.TIMER_NAME, layout.TSC_TIMER)
        edits.append(Edit(f"{path}/@{layout.TIMER_FREQUENCY}", tsc.get(layout.TIMER_FREQUENCY, "")))
    kvm = kvm_hidden_element(target)
    if kvm is not None:
        hidden = kvm.find(layout.KVM_HIDDEN)
        state = "" if hidden is None else hidden.get(layout.STATE, "")
        path = f"./{layout.FEATURES}/{layout.KVM}/{layout.KVM_HIDDEN}/@{layout.STATE}"
        edits.append(Edit(path, state))
    return edits


def render_virt_xml(config: Config, target: ExportTarget) -> str:
    """Comment lines, then the commands (``\\`` continuations, one ``--xml`` per line)."""
    built = build_virt_xml(config, target)
    lines = [comment(note) for note in built.notes]
    for words in built.commands():
        quoted = [f'"{words[1]}"' if words[1] == DOMAIN_WORD else shell_word(words[1])]
        head = " ".join([shell_word(words[0]), *quoted, *(shell_word(w) for w in words[2:3])])
        rest = words[3:]
        groups = [" ".join(shell_word(w) for w in rest[i : i + 2]) for i in range(0, len(rest), 2)]
        if rest and not rest[0].startswith("--xml"):
            groups = [" ".join(shell_word(w) for w in rest)]
        body = [head, *groups]
        lines.append(" \\\n  ".join(body))
    return "\n".join(lines) + "\n"


__all__ = [
    "DOMAIN_WORD",
    "PROGRAM",
    "Edit",
    "VirtXmlExport",
    "build_virt_xml",
    "render_virt_xml",
]
