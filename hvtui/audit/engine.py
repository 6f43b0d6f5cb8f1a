"""Judging one VM: the advice engine's findings for the host, and the difference
from hvtui's recommendation for the same host and intent.

Nothing here knows an option: findings come from
:func:`hvtui.advice.advise` (given the VM's CPU model and the CPU settings around
the options the importer read, so a named model without vmx/svm or a migratable
VM without a fixed TSC frequency is reported), the recommendation and its reasons from
:func:`hvtui.advice.recommend`, and the two modes that let the host decide what
the guest gets (QEMU's ``hv-passthrough``, libvirt's ``<hyperv
mode='host-model'>``) are expanded from catalog facts (which options need KVM
support, which have a libvirt element) and the host's supported list.
"""

from __future__ import annotations

import functools

from hvtui import catalog
from hvtui.advice import (
    Choice,
    Context,
    HostView,
    Recommendation,
    advise,
    make_context,
    recommend,
)
from hvtui.audit.sources import RUNNING, AuditInput, SourceError
from hvtui.catalog import Enlightenment, LibvirtKind, Severity, Value, ValueKind
from hvtui.formats import libvirt_layout as layout
from hvtui.intents import DEFAULT_INTENT
from hvtui.jsonlite import escape as _escape
from hvtui.model import Config, Finding, count, has_errors, sort_findings
from hvtui.model.codes import FindingCode
from hvtui.model.config import on_value
from hvtui.model.values import PLAIN_TYPES, values_equal
from hvtui.records import record, replace

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time (issue #13)
    from collections.abc import Callable, Sequence
    from typing import Any

    from hvtui.audit.jsontext import Encoded, Memo
    from hvtui.export import MergeResult
    from hvtui.model.cpu import CpuSettings
    from hvtui.versions import Version

#: Finding codes the audit adds to the advice engine's.
INPUT_PROBLEM = FindingCode.INPUT_PROBLEM
REFUSED_SPELLING = FindingCode.QEMU_REFUSES_SPELLING


@record(frozen=True)
class Difference:
    """One option where the VM and hvtui's recommendation disagree."""

    option: str
    current: Value | None
    """The VM's value (``None``: not set, QEMU's default)."""
    recommended: Value | None
    """The recommended value (``None``: left out)."""
    reason: str
    """The recommendation's reason for its choice."""

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "option": self.option,
            "current": self.current,
            "recommended": self.recommended,
            "reason": self.reason,
        }


@record(frozen=True)
class VmAudit:
    """Everything the audit says about one VM."""

    source: AuditInput
    host: str
    """The host the advice is for (``this host``, a snapshot directory)."""
    intent: str
    effective: Config
    """What the guest gets, as judged: the configuration found, with passthrough or
    host-model expanded from the host's supported list when it is known."""
    findings: tuple[Finding, ...]
    differences: tuple[Difference, ...]
    recommendation: Recommendation
    notes: tuple[str, ...] = ()
    """How the configuration was read (expansions, pinning), one line each."""

    @property
    def ok(self) -> bool:
        """No finding is an error."""
        return not has_errors(self.findings)

    def _fields(self, *, shared: bool = False) -> tuple[Any, ...]:
        """The values of the entry's keys up to ``origins`` (:data:`_ENTRY_NAMES`' order),
        for :meth:`to_json` and :meth:`json_text` alike.  ``shared``: ``effective`` is the
        ``enlightenments`` dict itself when nothing changed them (encoded once), and
        ``cpu_settings`` is ``None`` (:meth:`json_text` writes it from
        :func:`_settings_text`)."""
        src = self.source
        imported = src.imported
        config = imported.config
        enlightenments = dict(config.values)
        effective = (
            enlightenments if shared and self.effective is config else dict(self.effective.values)
        )
        return (
            src.label,
            src.kind,
            imported.name or None,
            src.pid,
            imported.cpu_model,
            imported.hyperv_mode,
            imported.vcpus,
            imported.pinned,
            imported.pinning or None,
            [t.to_json() for t in src.threads],
            None if shared else _settings_json(imported.cpu_settings),
            enlightenments,
            effective,
            list(imported.other_properties),
            list(imported.extra_args),
            list(self.notes),
            dict(imported.origins),
        )

    def to_json(self, memo: Memo | None = None) -> dict[str, Any]:
        """The VM's entry of ``hvtui audit --json`` (the README documents the shape).

        With ``memo`` the findings and differences are :class:`~hvtui.audit.jsontext.Encoded`
        texts (the same JSON), each distinct one encoded once for the whole run.
        """
        return dict(
            zip(
                _ENTRY_NAMES,
                (
                    *self._fields(),
                    self.ok,
                    {s.value: n for s, n in count(self.findings).items()},
                    (
                        [f.to_json() for f in self.findings]
                        if memo is None
                        else [_encoded_finding(memo, f) for f in self.findings]
                    ),
                    (
                        [d.to_json() for d in self.differences]
                        if memo is None
                        else [memo.encode(_difference_key(d), d.to_json) for d in self.differences]
                    ),
                ),
                strict=True,
            )
        )

    def json_text(self, memo: Memo) -> str:
        """``jsontext.dumps(self.to_json(memo), level=2)``, the same text, written without
        the dict: the keys are fixed, so each comes with its indentation ready-made, and
        a value is encoded on its own (a scalar by json's own C functions, a container
        by ``dumps``, findings and differences by ``memo``).  The entries are most of
        what a thousand domains' ``audit --json`` writes, and the encoder's walk of
        every entry's dict was a third of the judging's cost."""
        findings = self.findings
        fields = self._fields(shared=True)
        shared = fields[_EFFECTIVE] is fields[_EFFECTIVE - 1]
        if shared:  # ``effective`` is the enlightenments' dict: its text is theirs
            fields = (*fields[:_EFFECTIVE], None, *fields[_EFFECTIVE + 1 :])
        # A string, ``None``, a bool, an int and an empty list are written here, without a
        # call of ``_json_value`` (which writes them the same).
        texts = [
            _escape(value)
            if (kind := type(value)) is str
            else "null"
            if value is None
            else ("true" if value else "false")
            if kind is bool
            else int.__repr__(value)
            if kind is int
            else "[]"
            if kind is list and not value
            else _json_value(value)
            for value in fields
        ]
        if shared:
            texts[_EFFECTIVE] = texts[_EFFECTIVE - 1]
        texts[_SETTINGS] = _settings_text(self.source.imported.cpu_settings)
        counts = dict.fromkeys(_SEVERITY_VALUES, 0)  # count(findings), by the values
        for finding in findings:
            counts[finding.severity._value_] += 1
        texts += (
            "false" if counts[_ERROR] else "true",
            _COUNTS.format(*counts.values()),
            _items_text(memo, findings, _encoded_finding),
            _items_text(memo, self.differences, _encoded_difference),
        )
        return "{" + ",".join(map(str.__add__, _ENTRY_KEYS, texts)) + _ENTRY_END


#: The keys of a VM's ``--json`` entry, in order (the README documents them).
_ENTRY_NAMES = (
    "source",
    "kind",
    "name",
    "pid",
    "cpu_model",
    "hyperv_mode",
    "vcpus",
    "pinned",
    "pinning",
    "vcpu_threads",
    "cpu_settings",
    "enlightenments",
    "effective",
    "other_properties",
    "extra_args",
    "notes",
    "origins",
    "ok",
    "counts",
    "findings",
    "differences",
)
_EFFECTIVE = _ENTRY_NAMES.index("effective")
_SETTINGS = _ENTRY_NAMES.index("cpu_settings")
#: Each key with the line break and indentation before it (the entry is two levels
#: deep: its keys three).
_ENTRY_KEYS = tuple(f'\n      "{key}": ' for key in _ENTRY_NAMES)
_ENTRY_END = "\n    }"
#: The severities' values in their order (:func:`hvtui.model.count`'s), and the error's.
_SEVERITY_VALUES = tuple(s.value for s in Severity)
_ERROR = Severity.ERROR.value
#: A VM's ``counts``: one line per severity, three levels deep.
_COUNTS = "{{" + ",".join(f'\n        "{value}": {{}}' for value in _SEVERITY_VALUES) + "\n      }}"
#: A list of encoded items three levels deep: between two of them, and its end.
_ITEMS_BETWEEN = ",\n        "
_ITEMS_END = "\n      ]"
#: The end of a dict three levels deep.
_PAIRS_END = "\n      }"


def _json_value(value: Any, level: int = 3) -> str:
    """``value`` as ``jsontext.dumps`` writes it ``level`` deep (a VM entry's value: 3)."""
    kind = type(value)
    if kind is str:
        return _escape(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if not value and (kind is list or kind is dict):
        return "[]" if kind is list else "{}"
    if level == 3:  # a VM's own lists of strings and dicts of options (most of its values)
        if kind is list and all([type(item) is str for item in value]):
            return "[\n        " + _ITEMS_BETWEEN.join(map(_escape, value)) + _ITEMS_END
        if kind is dict:
            known = _PAIRS.get
            texts: list[str] = []
            for key, item in value.items():
                item_kind = type(item)
                if item_kind not in PLAIN_TYPES or type(key) is not str:
                    break  # written by ``dumps``
                texts.append(known((key, item, item_kind)) or _pair(key, item, item_kind))
            else:
                return "{\n        " + _ITEMS_BETWEEN.join(texts) + _PAIRS_END
    from hvtui.audit.jsontext import dumps

    return dumps(value, level=level)


#: :func:`_pair`'s texts by key, value and the value's type (``True == 1``): a fleet's
#: options and values repeat (a VM's ``enlightenments`` are a dozen of them).
_PAIRS: dict[tuple[str, object, type], str] = {}
#: The longest string value kept in :data:`_PAIRS`.
_PAIR_LONGEST = 256


def _pair(key: str, value: Any, kind: type) -> str:
    """``"key": value`` as ``dumps`` writes it in a dict, for a value of ``kind``, one of
    :data:`PLAIN_TYPES` (kept in :data:`_PAIRS`)."""
    if kind is bool:
        text = "true" if value else "false"
    elif kind is str:
        text = _escape(value)
    elif kind is int:
        text = int.__repr__(value)
    else:
        text = "null"
    found = _escape(key) + ": " + text
    if kind is not str or len(value) <= _PAIR_LONGEST:  # a long text is not kept
        if len(_PAIRS) >= 4096:
            _PAIRS.clear()
        _PAIRS[key, value, kind] = found
    return found


def _items_text(memo: Memo, items: Sequence[Any], encode: Callable[[Memo, Any], Any]) -> str:
    """``_json_list([encode(memo, item) for item in items])``: each item the memo kept already
    (most of a fleet's findings and differences) is read from :attr:`Memo.kept` here, and
    ``encode`` is called for the others, in the same order."""
    if not items:
        return "[]"
    from hvtui.audit.jsontext import Encoded

    kept = memo.kept
    texts: list[str] = []
    for item in items:
        found = kept.get(id(item))
        if found is not None and found[0] is item:
            texts.append(found[1].text)
            continue
        encoded = encode(memo, item)
        if type(encoded) is not Encoded:  # plain data (a finding with ``extra``): all of it
            return _json_list([encode(memo, item) for item in items])
        texts.append(encoded.text)
    return "[\n        " + _ITEMS_BETWEEN.join(texts) + _ITEMS_END


def _json_list(items: list[Any]) -> str:
    """A list of :meth:`Memo.encode` items (or plain data) three levels deep."""
    if not items:
        return "[]"
    from hvtui.audit.jsontext import Encoded

    if all(type(item) is Encoded for item in items):
        return "[\n        " + _ITEMS_BETWEEN.join([item.text for item in items]) + _ITEMS_END
    return _json_value(items)


#: :func:`_settings_json`'s answers: a fleet has a handful of distinct CPU settings.
_SETTINGS_JSON: dict[tuple[object, ...], dict[str, bool | int]] = {}


def _settings_key(settings: CpuSettings) -> tuple[object, ...]:
    """What the memos of a VM's CPU settings are keyed by: the settings and their values'
    types (``True == 1``, yet ``true`` and ``1`` are different JSON)."""
    return (
        settings,
        type(settings.nested_virt),
        type(settings.tsc_frequency),
        type(settings.invtsc),
        type(settings.hide_kvm),
    )


def _settings_json(settings: CpuSettings) -> dict[str, bool | int]:
    """``{key: value}`` of the CPU settings that are set (a new dict each time), worked out
    once per distinct settings (:func:`_settings_key`)."""
    key = _settings_key(settings)
    found = _SETTINGS_JSON.get(key)
    if found is None:
        if len(_SETTINGS_JSON) >= 256:
            _SETTINGS_JSON.clear()
        found = _SETTINGS_JSON[key] = {k.value: value for k, value in settings.items()}
    return dict(found)


def _settings_text(settings: CpuSettings) -> str:
    """``_json_value(_settings_json(settings))``, written once per distinct settings
    (:func:`_settings_key`): a fleet has a handful of them."""
    key = _settings_key(settings)
    found = _SETTINGS_TEXT.get(key)
    if found is None:
        if len(_SETTINGS_TEXT) >= 256:
            _SETTINGS_TEXT.clear()
        found = _SETTINGS_TEXT[key] = _json_value(_settings_json(settings))
    return found


#: :func:`_settings_text`'s answers.
_SETTINGS_TEXT: dict[tuple[object, ...], str] = {}


#: The options that only make sense in a guest that runs its own hypervisor.
_NESTED_ONLY = frozenset(e.name for e in catalog.ENTRIES if e.nested_only)


def _difference_key(d: Difference) -> tuple[object, ...]:
    """What a difference's JSON is made of, with the types of its values (``True == 1``)."""
    return d.option, d.current, d.recommended, d.reason, type(d.current), type(d.recommended)


def _encoded_difference(memo: Memo, d: Difference) -> Encoded:
    """``d.to_json()``, encoded once per distinct difference (and found by identity for a
    difference record seen before: :func:`_differences` makes each distinct one once)."""
    found = memo.known(d)
    if found is None:
        found = memo.keep(d, memo.encode(_difference_key(d), d.to_json))
    return found


def _encoded_finding(memo: Memo, finding: Finding) -> Any:
    """``finding.to_json()``, encoded once per distinct finding.

    The key is what the JSON is made of, as plain tuples (hashed and compared in C,
    not through the records' methods), with the types of the fix's values (``True ==
    1``); a finding with ``extra`` data is encoded on its own.  A finding record seen
    before (VMs judged alike share them) is found by its identity, without a key."""
    if finding.extra:
        return finding.to_json()
    found = memo.known(finding)
    if found is not None:
        return found
    fix = finding.fix
    key = (
        # The enums' values as plain attributes: ``.value`` and an enum's hash are Python
        # calls, eight findings a VM.
        finding.severity._value_,
        finding.code._value_,
        finding.options,
        finding.message,
        finding.explanation,
        None
        if fix is None
        else (fix.label, fix.changes, tuple(type(value) for _, value in fix.changes)),
    )
    return memo.keep(finding, memo.encode_text(key, lambda: _finding_text(finding, memo.level)))


def _finding_text(finding: Finding, level: int) -> str:
    """``jsontext.dumps(finding.to_json(), level=level)`` for a finding without ``extra``,
    written without the dicts (the fleet's distinct findings are a few hundred, each
    encoded once per process)."""
    at = "\n" + "  " * level
    key = at + '  "'
    if finding.options:
        inner = at + "    "
        items = [_json_value(option, level + 2) for option in finding.options]
        options = "[" + inner + ("," + inner).join(items) + at + "  ]"
    else:
        options = "[]"
    fix = finding.fix
    if fix is None:
        fixed = "null"
    else:
        item = at + "      "
        if fix.changes:
            changes = (
                "["
                + ",".join(
                    item
                    + "{"
                    + item
                    + '  "option": '
                    + _json_value(option, level + 4)
                    + ","
                    + item
                    + '  "value": '
                    + _json_value(value, level + 4)
                    + item
                    + "}"
                    for option, value in fix.changes
                )
                + at
                + "    ]"
            )
        else:
            changes = "[]"
        fixed = (
            "{"
            + at
            + '    "label": '
            + _json_value(fix.label, level + 2)
            + ","
            + at
            + '    "changes": '
            + changes
            + at
            + "  }"
        )
    return (
        "{" + key + 'severity": ' + _json_value(finding.severity.value, level + 1)
        + "," + key + 'code": ' + _json_value(finding.code.value, level + 1)
        + "," + key + 'options": ' + options
        + "," + key + 'message": ' + _json_value(finding.message, level + 1)
        + "," + key + 'explanation": ' + _json_value(finding.explanation, level + 1)
        + "," + key + 'fix": ' + fixed + at + "}"
    )  # fmt: skip


#: One row per catalog option, in catalog order: its name, the recommendation's choice
#: and whether the recommended configuration has it on.
#: With the rows, each option's row number, the options the recommendation has on, and
#: :func:`_differences`' answers for this table by row and value (with its type).
_Table = tuple[
    tuple[tuple[str, Choice, bool], ...],
    dict[str, int],
    frozenset[str],
    dict[tuple[int, type, object], "Difference | None"],
]


@functools.lru_cache(maxsize=64)
def _recommend(ctx: Context) -> tuple[Recommendation, _Table]:
    """The recommendation for a context, with its :func:`differences` table; VMs on one
    host mostly share it (a fleet of a thousand domains costs one recommendation per
    distinct vCPU/pinning case)."""
    rec = recommend(ctx)
    return rec, _table(rec)


#: :func:`_recommend_for`'s recent answers: the context asked (which holds the host and
#: intent whose ids are in the key, so the ids stay theirs), its recommendation and table.
_RECENT: dict[tuple[object, ...], tuple[Context, Recommendation, _Table]] = {}


def _recommend_for(ctx: Context) -> tuple[Recommendation, _Table]:
    """:func:`_recommend` of ``ctx`` without its CPU settings (the recommendation is for
    the host and intent, not this VM's CPU), found by the identity of the host and
    intent objects: the cache of :func:`_recommend` would hash the whole host view and
    copy the context for every VM."""
    key = (id(ctx.host), id(ctx.intent), ctx.qemu, ctx.libvirt, ctx.vcpus, ctx.pinned)
    found = _RECENT.get(key)
    if found is not None and found[0].host is ctx.host and found[0].intent is ctx.intent:
        return found[1], found[2]
    plain = replace(ctx, cpu=None, cpu_model=None)
    rec, table = _recommend(plain)
    if len(_RECENT) >= 64:
        _RECENT.clear()
    _RECENT[key] = (plain, rec, table)
    return rec, table


def _table(rec: Recommendation) -> _Table:
    rows = tuple(
        (entry.name, rec.choice(entry.name), rec.config.is_on(entry.name))
        for entry in catalog.ENTRIES
    )
    row_of = {name: row for row, (name, _choice, _on) in enumerate(rows)}
    return rows, row_of, frozenset(name for name, _choice, on in rows if on), {}


def _kvm_provided(entry: Enlightenment) -> bool:
    """A switch the host's KVM has to offer (what passthrough/host-model can turn on)."""
    return (
        entry.kind is ValueKind.SWITCH
        and entry.needs_kvm_support
        and bool(entry.cpuid)
        and not entry.overrides_list
        and entry.production
    )


def _expand(
    config: Config, host: HostView | None, what: str, eligible: list[Enlightenment]
) -> tuple[Config, str]:
    """Add what the host supports among ``eligible`` to ``config`` (explicit values win)."""
    if host is None or host.hyperv is None:
        note = f" ({host.hyperv_note})" if host is not None and host.hyperv_note else ""
        return config, (
            f"{what}: the guest gets what the host's KVM supports, which is unknown here{note}; "
            "only the options written out are judged"
        )
    values = config.as_dict()
    added = [e.name for e in eligible if host.supports(e.name) and e.name not in values]
    for name in added:
        values[name] = on_value(catalog.get(name))
    listed = ", ".join(added) if added else "nothing (the host's KVM supports none of them)"
    return Config.of(values), (
        f"{what}: counted as what {host.label}'s KVM supports: {listed} "
        "(hvtui's estimate of what the guest gets)"
    )


@functools.cache  # the catalog is fixed
def _overriding() -> tuple[Enlightenment, ...]:
    """Options that replace the whole list (``hv-passthrough``), in catalog order."""
    return tuple(e for e in catalog.ENTRIES if e.overrides_list)


def effective_config(source: AuditInput, host: HostView | None) -> tuple[Config, list[str]]:
    """The configuration to judge, and notes on how it was derived from the input.

    ``hv-passthrough`` gives the guest every enlightenment KVM offers (explicit
    settings still win), ``<hyperv mode='host-model'>`` every one libvirt has an
    element for; both are counted from the host's supported list.
    """
    config = source.config
    notes: list[str] = []
    passthrough = [e for e in _overriding() if config.is_on(e.name)]
    if passthrough:
        eligible = [e for e in catalog.ENTRIES if _kvm_provided(e)]
        config, note = _expand(config, host, passthrough[0].qemu_property, eligible)
        notes.append(note)
    elif source.imported.hyperv_mode == layout.HYPERV_HOST_MODEL:
        kinds = (LibvirtKind.HYPERV, LibvirtKind.HYPERV_CHILD)
        eligible = [e for e in catalog.ENTRIES if _kvm_provided(e) and e.libvirt.kind in kinds]
        what = f"<{layout.HYPERV} {layout.MODE}='{layout.HYPERV_HOST_MODEL}'>"
        config, note = _expand(config, host, what, eligible)
        notes.append(note)
    return config, notes


def _input_findings(source: AuditInput) -> list[Finding]:
    """The importer's problems and refused spellings, as findings."""
    found = [
        Finding(
            Severity.WARNING,
            INPUT_PROBLEM,
            (),
            problem,
            "hvtui could not use this part of the input, so the audit does not count it; "
            "check it by hand.",
        )
        for problem in source.imported.problems
    ]
    # A running VM shows its QEMU took the spelling; for a file it may not start.
    severity = Severity.INFO if source.kind == RUNNING else Severity.WARNING
    found += [
        Finding(
            severity,
            REFUSED_SPELLING,
            (),
            warning,
            "QEMU's property parser takes fewer spellings than hvtui reads; the value shown is "
            "what was meant, but QEMU may refuse to start with it. Write on/off.",
        )
        for warning in source.imported.warnings
    ]
    return found


def differences(config: Config, rec: Recommendation) -> list[Difference]:
    """Options (in catalog order) where ``config`` and the recommendation disagree.

    Off and absent are the same (the guest gets QEMU's default either way); two
    values that are on differ only when their values differ.
    """
    return _differences(config, _table(rec))


def _differences(config: Config, table: _Table) -> list[Difference]:
    """Only the options on in ``config`` or in the recommendation can differ (off and
    absent are the same): those rows, in catalog order, not the whole catalog's."""
    rows, row_of, on_rec_names, answers = table
    out: list[Difference] = []
    on = config.on_names()  # absent is never on; only catalog names, each has a row
    get = config.get
    for row in sorted(map(row_of.__getitem__, on | on_rec_names)):
        name = rows[row][0]
        current = get(name)
        # A row's answer depends on the value alone (whether it is on follows from it, for
        # a catalog name): asked once per table and distinct value (with its type: ``True
        # == 1``; a value of another type, which could be unhashable, is worked out).
        if type(current) in PLAIN_TYPES:
            key = (row, type(current), current)
            try:
                found = answers[key]
            except KeyError:
                if len(answers) >= 4096:
                    answers.clear()
                found = answers[key] = _difference(rows[row], current, name in on)
        else:
            found = _difference(rows[row], current, name in on)
        if found is not None:
            out.append(found)
    return out


def _difference(
    row: tuple[str, Choice, bool], current: Value | None, on_now: bool
) -> Difference | None:
    """The difference of one row of the recommendation's table for the VM's value
    ``current`` (``on_now``: whether that value is on), or ``None`` when they agree."""
    name, choice, on_rec = row
    same_value = (
        current is not None and choice.value is not None and values_equal(current, choice.value)
    )
    if on_now and on_rec and same_value:
        return None
    # A fleet's differences repeat (19 distinct among 8,514 in 1,000 domains): each
    # distinct one is made once (the key holds the values' types: ``True == 1``).
    key = (name, current, type(current), choice.value, type(choice.value), choice.reason)
    found = _DIFFERENCES.get(key)
    if found is None:
        if len(_DIFFERENCES) >= 4096:
            _DIFFERENCES.clear()
        found = _DIFFERENCES[key] = Difference(name, current, choice.value, choice.reason)
    return found


#: :func:`_differences`' records, each distinct one made once (they are immutable).
_DIFFERENCES: dict[tuple[object, ...], Difference] = {}


def audit_vm(
    source: AuditInput,
    host: HostView | None,
    *,
    intent: str = DEFAULT_INTENT,
    already_running: bool | None = None,
) -> VmAudit:
    """Audit one VM against ``host`` (``None``: no host facts) for ``intent``.

    ``already_running`` says the VM's vCPUs are among the host's running ones, so
    they are not counted twice for overcommit; by default only a running VM is.
    """
    running = source.kind == RUNNING if already_running is None else already_running
    imported = source.imported
    settings = imported.cpu_settings
    # Everything the judging reads, with the types of the values (``True == 1``).
    key = (
        id(host),
        intent,
        running,
        source.kind == RUNNING,
        imported.config.values,
        tuple([type(value) for _name, value in imported.config.values]),
        settings,
        (
            type(settings.nested_virt),
            type(settings.tsc_frequency),
            type(settings.invtsc),
            type(settings.hide_kvm),
        ),
        imported.cpu_model,
        imported.vcpus,
        imported.pinned,
        imported.pinning,
        imported.hyperv_mode,
        imported.problems,
        imported.warnings,
        imported.notes,
    )
    try:
        found = _JUDGED.get(key)
    except TypeError:  # an input holding something unhashable: judged on its own
        return _judge(source, host, intent, running)
    if found is not None and found[0] is host:
        return VmAudit(source, *found[1])
    judged = _judge(source, host, intent, running)
    if len(_JUDGED) >= _JUDGED_LIMIT:
        _JUDGED.clear()
    _JUDGED[key] = (
        host,
        (
            judged.host,
            judged.intent,
            judged.effective,
            judged.findings,
            judged.differences,
            judged.recommendation,
            judged.notes,
        ),
    )
    return judged


#: :func:`audit_vm`'s recent answers by what the judging reads of a VM (not its name or
#: file): a fleet's VMs often share their settings.  Each holds the host whose id is in
#: the key, so the id stays its own, and the judgement without its source (which would
#: keep the VM's parsed file alive).
_JUDGED: dict[tuple[object, ...], tuple[HostView | None, tuple[Any, ...]]] = {}
_JUDGED_LIMIT = 1024


def _judge(source: AuditInput, host: HostView | None, intent: str, running: bool) -> VmAudit:
    """:func:`audit_vm` worked out."""
    imported = source.imported
    ctx = make_context(
        host,
        intent=intent,
        vcpus=None if running else source.vcpus,
        pinned=source.pinned,
        cpu=imported.cpu_settings,
        cpu_model=imported.cpu_model,
    )
    effective, notes = effective_config(source, host)
    notes[:0] = imported.notes
    if imported.pinning:
        state = {True: "yes", False: "no", None: "unknown"}[source.pinned]
        notes.append(f"pinned: {state} ({imported.pinning})")
    nested = ctx.intent.nested or not effective.on_names().isdisjoint(_NESTED_ONLY)
    if nested and imported.cpu_model is None:
        notes.append(
            "CPU model: the input names none (libvirt picks it at start, or QEMU's default), "
            "so whether the guest CPU shows vmx/svm is not judged"
        )
    findings = advise(effective, ctx)  # worst first already
    problems = _input_findings(source)
    if problems:
        findings = sort_findings([*findings, *problems])
    # The recommendation is for the host and intent, not this VM's CPU settings.
    rec, table = _recommend_for(ctx)
    label = host.label if host is not None else "unknown host"
    return VmAudit(
        source,
        label,
        ctx.intent.name,
        effective,
        tuple(findings),
        tuple(_differences(effective, table)),
        rec,
        tuple(notes),
    )


def merged_domain_xml(
    source: AuditInput,
    config: Config,
    *,
    libvirt: Version | None = None,
    cpu_model: str | None = None,
    cpu: CpuSettings | None = None,
) -> MergeResult:
    """Merge ``config`` into the domain XML ``source`` was read from (``export --into``).

    Returns the exporter's :class:`~hvtui.export.MergeResult` (``.text`` is the new
    document, ``.notes`` what to tell the user).  Raises :class:`SourceError` when
    the source is not a whole domain definition, and the exporter's
    ``ExportError``/``XmlError`` when the configuration cannot be exported.
    """
    from hvtui import export
    from hvtui.presets import Target

    if source.document is None:
        raise SourceError(
            f"{source.label}: a {source.kind_name} has no domain definition to merge into; "
            "export it instead"
        )
    target, _notes = export.resolve_target(Target(), cpu_model=cpu_model, libvirt=libvirt, cpu=cpu)
    problems = export.export_findings(config, target)
    if problems:
        raise export.ExportError(f"{source.label}: not exported: {problems[0].message}")
    return export.merge_into(source.document, config, target, source=source.label)


__all__ = [
    "INPUT_PROBLEM",
    "REFUSED_SPELLING",
    "Difference",
    "VmAudit",
    "audit_vm",
    "differences",
    "effective_config",
    "merged_domain_xml",
]
