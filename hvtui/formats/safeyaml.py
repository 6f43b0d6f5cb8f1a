"""YAML that hvtui did not write (KubeVirt manifests), read without trusting it.

PyYAML's parser (libyaml's, when PyYAML was built with it) turns the text into
events; the values are built here from those events, never by PyYAML's
constructors, so the same limits hold as for XML (:mod:`hvtui.formats.safexml`):

- at most :data:`MAX_YAML_BYTES` of text (the limit of any VM definition);
- nesting at most :data:`MAX_DEPTH` levels, at most :data:`MAX_NODES` values per
  document and :data:`MAX_DOCUMENTS` documents, built without recursion;
- no aliases (``*anchor``: the "billion laughs" of YAML), no merge keys (``<<``),
  no explicit tags but YAML's own (``!!python/object`` and friends are refused),
  no duplicate keys (which value a tool takes differs from tool to tool);
- integers of at most :data:`~hvtui.untrusted.MAX_INT_BITS` bits.

Every failure is a :class:`YamlError` whose text is one line naming the source.
"""

from __future__ import annotations

from typing import Any

import yaml

from hvtui.formats.safexml import MAX_DEPTH as XML_MAX_DEPTH
from hvtui.formats.safexml import MAX_NODES as XML_MAX_NODES
from hvtui.limits import MAX_VM_BYTES
from hvtui.untrusted import MAX_INT_BITS, too_large

#: The largest YAML text read (as for every VM definition).
MAX_YAML_BYTES = MAX_VM_BYTES
#: The deepest nesting of mappings and sequences (as for XML elements).
MAX_DEPTH = XML_MAX_DEPTH
#: Values (scalars, mappings, sequences) of one document (as for XML nodes).
MAX_NODES = XML_MAX_NODES
#: Documents of one file (``---`` separated).
MAX_DOCUMENTS = 1000

_YAML_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(
    _YAML_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_MERGE = _YAML_TAG + "merge"

# libyaml's parser when PyYAML has it (fast), else PyYAML's own: both give the same events.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(ValueError):
    """YAML that cannot be used; ``str()`` is one line naming the source."""


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = ("container", "key", "pending_key")

    def __init__(self, container: dict[Any, Any] | list[Any]) -> None:
        self.container = container
        self.key: object = None
        self.pending_key = isinstance(container, dict)


def _where(event: Any) -> str:
    mark = getattr(event, "start_mark", None)
    return f" (line {mark.line + 1})" if mark is not None else ""


def _scalar(loader: Any, event: Any, source: str) -> object:
    tag = event.tag
    if tag in (None, "!"):
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _MERGE:
        raise YamlError(f"{source}: merge keys (<<) are not accepted{_where(event)}")
    if tag not in _SCALAR_TAGS:
        raise YamlError(f"{source}: tag {tag!r} is not accepted{_where(event)}")
    if tag.endswith((":str", ":timestamp")):
        return str(event.value)
    if tag.endswith((":int", ":float")) and len(event.value) > MAX_INT_BITS:
        raise YamlError(f"{source}: the number {event.value[:40]!r}... is too long{_where(event)}")
    node = yaml.ScalarNode(tag, event.value)
    try:
        value = yaml.SafeLoader.construct_object(_CONSTRUCTOR, node, deep=False)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:
        raise YamlError(f"{source}: {event.value[:40]!r} is not a {tag[len(_YAML_TAG) :]} "
                        f"({exc}){_where(event)}") from None  # fmt: skip
    if isinstance(value, int) and not isinstance(value, bool) and too_large(value):
        raise YamlError(f"{source}: a number is too large (at most {MAX_INT_BITS} bits)")
    return value


class _Constructor(yaml.SafeLoader):
    """Only its scalar constructors are used (no parsing, no composing)."""

    def __init__(self) -> None:
        yaml.SafeLoader.__init__(self, "")


_CONSTRUCTOR = _Constructor()


def _check_tag(event: Any, expected: str, source: str) -> None:
    if event.tag not in (None, "!", _YAML_TAG + expected):
        raise YamlError(f"{source}: tag {event.tag!r} is not accepted{_where(event)}")


def _document(loader: Any, source: str) -> object:
    """Build one document from the events up to its DocumentEndEvent."""
    stack: list[_Frame] = []
    result: object = None
    nodes = 0

    def add(value: object, event: Any) -> bool:
        """Put ``value`` in the current container; True when the document is complete."""
        nonlocal result
        if not stack:
            result = value
            return True
        frame = stack[-1]
        if isinstance(frame.container, list):
            frame.container.append(value)
        elif frame.pending_key:
            if isinstance(value, (dict, list)):
                raise YamlError(f"{source}: a mapping key must be a scalar{_where(event)}")
            if value in frame.container:
                raise YamlError(f"{source}: duplicate key {value!r}{_where(event)}")
            frame.key, frame.pending_key = value, False
        else:
            frame.container[frame.key] = value
            frame.pending_key = True
        return False

    while True:
        event = loader.get_event()
        if isinstance(event, yaml.AliasEvent):
            raise YamlError(f"{source}: aliases (*{event.anchor}) are not accepted{_where(event)}")
        nodes += 1
        if nodes > MAX_NODES:
            raise YamlError(f"{source}: more than {MAX_NODES} values in one document")
        if isinstance(event, yaml.ScalarEvent):
            if add(_scalar(loader, event, source), event):
                return result
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            mapping = isinstance(event, yaml.MappingStartEvent)
            _check_tag(event, "map" if mapping else "seq", source)
            if len(stack) >= MAX_DEPTH:
                raise YamlError(f"{source}: nested more than {MAX_DEPTH} levels deep")
            container: dict[Any, Any] | list[Any] = {} if mapping else []
            stack.append(_Frame(container))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            done = stack.pop().container
            if add(done, event):
                return result
        else:
            raise YamlError(f"{source}: unexpected {type(event).__name__}{_where(event)}")


def load_all(text: str, *, source: str) -> list[object]:
    """Every document of ``text`` as plain data (dict, list, str, int, float, bool, None).

    An empty document (``---`` alone) is ``None``.  Raises :class:`YamlError`.
    """
    if len(text) > MAX_YAML_BYTES:
        raise YamlError(f"{source}: too large (the limit is {MAX_YAML_BYTES} bytes)")
    loader = _Loader(text)
    documents: list[object] = []
    try:
        loader.get_event()  # StreamStartEvent
        while not loader.check_event(yaml.StreamEndEvent):
            loader.get_event()  # DocumentStartEvent
            if len(documents) >= MAX_DOCUMENTS:
                raise YamlError(f"{source}: more than {MAX_DOCUMENTS} documents")
            if loader.check_event(yaml.DocumentEndEvent):
                documents.append(None)
            else:
                documents.append(_document(loader, source))
            loader.get_event()  # DocumentEndEvent
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = " ".join(str(exc.problem or exc.context or "not YAML").split())
        raise YamlError(f"{source}: not YAML: {problem}{where}") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"{source}: not YAML: {' '.join(str(exc).split())}") from None
    finally:
        loader.dispose()
    return documents


def dump(value: object) -> str:
    """Plain data as block-style YAML (PyYAML's safe dumper quotes what needs quoting)."""
    return str(yaml.safe_dump(value, sort_keys=False, default_flow_style=False, width=10_000))


__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENTS",
    "MAX_NODES",
    "MAX_YAML_BYTES",
    "YamlError",
    "dump",
    "load_all",
]
