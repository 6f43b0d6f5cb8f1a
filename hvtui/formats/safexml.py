"""Parsing XML that hvtui did not write (a user's domain definition) without trusting it.

``xml.etree`` on top of expat neither fetches external entities nor, with a
current expat, lets a "billion laughs" document explode; but a domain
definition never needs a DTD or an entity, so refusing both outright is
simpler to reason about than relying on library versions.  The checks here
are, in order: a size limit before anything is decoded, strict UTF-8, a
textual refusal of ``<!DOCTYPE``/``<!ENTITY``, and expat handlers that abort
on any DOCTYPE or entity declaration that slipped past the text check.

Comments and processing instructions inside the root element are kept, and
the text before and after the root element (the XML declaration and comments
such as libvirt's "WARNING: THIS IS AN AUTO-GENERATED FILE") is returned
verbatim, so that a document can be changed and written back without losing
what the user wrote.  The audit command reuses this module.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.parsers import expat

from hvtui.lazyre import LazyPattern
from hvtui.limits import MAX_VM_BYTES, MAX_XML_NODES
from hvtui.records import record

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing stays unloaded at run time (issue #13)
    from typing import Any, NoReturn

#: Largest document accepted (a libvirt domain is a few kilobytes).
MAX_XML_BYTES = MAX_VM_BYTES
#: Deepest element nesting accepted (a libvirt domain nests about eight levels);
#: the limit keeps recursive tree walks (indenting, serializing) safe.
MAX_DEPTH = 256
#: Most elements, comments and processing instructions accepted: each costs a
#: Python call, and a libvirt domain has a few hundred.
MAX_NODES = MAX_XML_NODES

# Compiled on first use (hvtui.lazyre): a domain without a declaration or a "<!" never
# needs the first two, and ``parse_root`` (the audit's) never the epilog's.
_FORBIDDEN = LazyPattern(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARED_ENCODING = LazyPattern(
    r"""^<\?xml[^>]*\bencoding\s*=\s*(["'])([A-Za-z0-9._-]+)\1""", re.IGNORECASE
)
_UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
_PROLOG_ITEM = re.compile(r"\s*(<\?.*?\?>|<!--.*?-->)", re.DOTALL)
_SPACE = re.compile(r"\s*+")
#: Whitespace, comments and processing instructions at the end of a document, read
#: backwards (``-->...<!--`` reversed): each closer with the nearest opener before it.
_EPILOG_REVERSED = LazyPattern(
    r"(?:\s*+(?:>--(?:[^-]|-(?!-!<))*+--!<|>\?(?:[^?]|\?(?!<))*+\?<))*+", re.DOTALL
)


class XmlError(ValueError):
    """XML hvtui will not use; ``str()`` is one line naming the source."""


@record(frozen=True)
class XmlDocument:
    """A parsed document plus what ElementTree would otherwise drop."""

    root: ET.Element
    prolog: str
    """Everything before the root element, verbatim (declaration, comments)."""
    epilog: str
    """Everything after the root element, verbatim (comments, whitespace)."""
    namespaces: tuple[tuple[str, str], ...]
    """``(prefix, uri)`` pairs declared anywhere, in document order."""


def _refuse(source: str, what: str) -> XmlError:
    return XmlError(f"{source}: {what}")


def decode(data: bytes | str, *, source: str, max_bytes: int = MAX_XML_BYTES) -> str:
    """The document as text, after the size, encoding and DTD/entity checks."""
    if isinstance(data, bytes):
        if len(data) > max_bytes:
            raise _refuse(source, f"too large ({len(data)} bytes; the limit is {max_bytes})")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _refuse(source, f"not UTF-8 text (bad byte at offset {exc.start})") from exc
    else:
        text = data
        # At most 4 bytes a character: a text that short is within the limit unencoded.
        if len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
            raise _refuse(source, f"too large (the limit is {max_bytes} bytes)")
    text = text.removeprefix("\ufeff")
    # Every declaration starts "<!": the expression runs only on a text that has one.  A
    # "!" alone is looked for first (one memchr; "<!" is a two-character search, ~4 us
    # over a domain of 2.5 kB with its 80-odd "<"), and most domains have none.  Nor
    # does it run when every "<!" opens a comment or CDATA ("<!-", "<![": neither "-" nor
    # "[" is a space or a letter of DOCTYPE or ENTITY, so it cannot match there), as in
    # each file of /etc/libvirt/qemu, whose "<!--WARNING: THIS IS AN AUTO-GENERATED
    # FILE" would otherwise compile the expression in every audit (~0.1 ms) and run it.
    match = (
        _FORBIDDEN.search(text)
        if "!" in text
        and (opened := text.count("<!"))
        and opened != text.count("<!-") + text.count("<![")
        else None
    )
    if match is not None:
        line = text.count("\n", 0, match.start()) + 1
        raise _refuse(
            source,
            f"line {line}: a {match.group(1).upper()} declaration is not allowed "
            "(hvtui does not process DTDs or entities)",
        )
    if not text.strip():
        raise _refuse(source, "empty document")
    # The declaration starts the text with "<?" (whatever the case of its name).
    declared = _DECLARED_ENCODING.match(text) if text.startswith("<?") else None
    if declared is not None and declared.group(2).lower() not in _UTF8_NAMES:
        raise _refuse(
            source,
            f"declares encoding {declared.group(2)}; hvtui reads UTF-8 only "
            "(convert it, e.g. with iconv, and fix the declaration)",
        )
    return text


def _reject_declaration(*_args: Any) -> NoReturn:
    raise XmlError("a DOCTYPE or ENTITY declaration is not allowed")


def _qualified(name: str) -> str:
    """expat's ``uri}local`` as ElementTree's ``{uri}local``."""
    return "{" + name if "}" in name else name


def parse(data: bytes | str, *, source: str, max_bytes: int = MAX_XML_BYTES) -> XmlDocument:
    """Parse untrusted XML; raises :class:`XmlError` with a one-line reason.

    The text checks of :func:`decode` come first.  Then ElementTree's C parser
    builds the tree without a Python call per node (the audit of a thousand
    domains spends most of its time here), and the node count and depth are
    checked on the result.  Whenever anything is wrong, :func:`parse_checked`
    parses again with a Python handler per node, which stops at the first
    problem: so every refusal is exactly the one it gives.
    """
    return parse_decoded(decode(data, source=source, max_bytes=max_bytes), source=source)


def parse_decoded(text: str, *, source: str) -> XmlDocument:
    """:func:`parse` of a text that :func:`decode` returned: its checks are not made a
    second time (a caller that looks at the text first, as the libvirt importer does,
    decodes once)."""
    namespaces: list[Any] = []  # ("start-ns", (prefix, uri)) events
    try:
        parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True, insert_pis=True))
        parser._setevents(namespaces, ("start-ns",))  # type: ignore[attr-defined]
        parser.feed(text)
        root = parser.close()
    except ET.ParseError:
        return parse_checked(text, source=source)
    if not _within_limits(root, text):
        return parse_checked(text, source=source)
    declared: list[tuple[str, str]] = []
    for _event, (prefix, uri) in namespaces:
        if prefix and (prefix, uri) not in declared:
            declared.append((prefix, uri))
    prolog, epilog = _outside_root(text)
    return XmlDocument(root, prolog, epilog, tuple(declared))


def parse_root(text: str, *, source: str) -> ET.Element:
    """The root element of :func:`parse_decoded`, with the same checks and refusals, for a
    reader that only reads the tree (the libvirt importer): no namespace events, no
    verbatim prolog and epilog."""
    try:
        parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True, insert_pis=True))
        parser.feed(text)
        root: ET.Element = parser.close()
    except ET.ParseError:
        return parse_checked(text, source=source).root
    if not _within_limits(root, text):
        return parse_checked(text, source=source).root
    return root


def _within_limits(root: ET.Element, text: str) -> bool:
    """At most :data:`MAX_NODES` nodes, nested at most :data:`MAX_DEPTH` deep (``root``
    parsed from ``text``)."""
    # Every element, comment and processing instruction starts with a "<" of the text:
    # a text with few of them (a domain of a few kilobytes) has no more nodes than that.
    if text.count("<") <= MAX_DEPTH <= MAX_NODES:
        return True
    nodes = len(list(root.iter()))  # counted in C, not a Python step per node
    if nodes > MAX_NODES:
        return False
    if nodes <= MAX_DEPTH:
        return True  # too few nodes to nest that deep
    stack: list[tuple[ET.Element, int]] = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            return False
        stack.extend((child, depth + 1) for child in element)
    return True


def parse_checked(data: bytes | str, *, source: str, max_bytes: int = MAX_XML_BYTES) -> XmlDocument:
    """:func:`parse` with a Python handler per node: slower, and the reference for its
    refusals.

    expat feeds an ElementTree builder directly (the C ``XMLParser`` does not
    expose its expat object), which lets the DOCTYPE and entity handlers abort
    and records every namespace declaration with its prefix.
    """
    text = decode(data, source=source, max_bytes=max_bytes)
    builder = ET.TreeBuilder(insert_comments=True, insert_pis=True)
    namespaces: list[tuple[str, str]] = []
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.ordered_attributes = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    depth = 0
    nodes = 0

    def count() -> None:
        nonlocal nodes
        nodes += 1
        if nodes > MAX_NODES:
            raise XmlError(
                f"more than {MAX_NODES} elements, comments and processing instructions "
                "(a libvirt domain has a few hundred)"
            )

    def start(name: str, attributes: list[str]) -> None:
        nonlocal depth
        count()
        depth += 1
        if depth > MAX_DEPTH:
            raise XmlError(f"elements are nested more than {MAX_DEPTH} levels deep")
        pairs = zip(attributes[::2], attributes[1::2], strict=True)
        builder.start(_qualified(name), {_qualified(k): v for k, v in pairs})

    def comment(text: str) -> None:
        count()
        builder.comment(text)

    def pi(target: str, data: str) -> None:
        count()
        builder.pi(target, data)

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(_qualified(name))

    def namespace(prefix: str | None, uri: str) -> None:
        if prefix and (prefix, uri) not in namespaces:
            namespaces.append((prefix, uri))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.CommentHandler = comment
    parser.ProcessingInstructionHandler = pi
    parser.StartNamespaceDeclHandler = namespace
    parser.StartDoctypeDeclHandler = _reject_declaration
    parser.EntityDeclHandler = _reject_declaration
    parser.UnparsedEntityDeclHandler = _reject_declaration
    parser.ExternalEntityRefHandler = _reject_declaration
    try:
        parser.Parse(text, True)
        root = builder.close()
    except expat.ExpatError as exc:
        raise _refuse(source, f"malformed XML: {exc}") from exc
    except XmlError as exc:
        raise _refuse(source, str(exc)) from exc
    prolog, epilog = _outside_root(text)
    return XmlDocument(root, prolog, epilog, tuple(namespaces))


def _outside_root(text: str) -> tuple[str, str]:
    """The verbatim text before the root's start tag and after its end tag.

    The document is already known to be well formed, so before the root there
    is only whitespace, the declaration, comments and processing instructions.
    """
    pos = prolog_end(text)
    return text[:pos], text[_root_end(text) :]


def prolog_end(text: str) -> int:
    """Index of the first element's ``<`` (past the declaration, comments, PIs, space)."""
    pos = 0
    while True:
        match = _PROLOG_ITEM.match(text, pos)
        if match is None:
            break
        pos = match.end()
    space = _SPACE.match(text, pos)
    return space.end() if space is not None else pos


def _root_end(text: str) -> int:
    """Index just after the root element, found by peeling the epilog off the end.

    After the root a well-formed document has only whitespace, comments (which
    cannot contain ``--``) and processing instructions, so scanning backwards
    for their openers is exact.  The scan runs forwards over the reversed text
    (one copy), so a long epilog costs linear time, not a copy per comment.
    """
    backwards = text[::-1]
    fast = _EPILOG_REVERSED.match(backwards)  # the usual items, in one C pass
    pos = fast.end() if fast is not None else 0
    while True:  # what the expression leaves (an opener overlapping its closer)
        space = _SPACE.match(backwards, pos)
        pos = space.end() if space is not None else pos
        if backwards.startswith(">--", pos):  # "-->" read from the end
            opener = backwards.find("--!<", pos)
        elif backwards.startswith(">?", pos):  # "?>"
            opener = backwards.find("?<", pos)
        else:
            break
        if opener < 0:
            break
        pos = opener + 4 if backwards[opener] == "-" else opener + 2
    return len(text) - pos


__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_XML_BYTES",
    "XmlDocument",
    "XmlError",
    "decode",
    "parse",
    "parse_checked",
    "parse_decoded",
    "parse_root",
    "prolog_end",
]
