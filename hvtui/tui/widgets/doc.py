"""Catalog docs (Markdown) drawn as one :class:`~textual.content.Content`.

Textual's ``Markdown`` widget mounts a widget per block, asynchronously, which
costs a third of a step switch and an extra frame.  The catalog's docs use a
small part of Markdown (paragraphs, emphasis, inline code, lists, headings), so
they are parsed with the same parser (markdown-it, which Textual ships) and
turned into styled text for a single ``Static``: same meaning, theme colours,
one widget.  Anything outside that subset is kept as its plain text.
"""

from __future__ import annotations

import functools

from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual.content import Content

_INLINE_STYLES: dict[str, str] = {
    "strong": "bold",
    "em": "italic",
    "s": "strike",
    "link": "underline $text-accent",
}


@functools.cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark")


def _inline(token: Token) -> list[str | tuple[str, str]]:
    parts: list[str | tuple[str, str]] = []
    active: list[str] = []
    for child in token.children or ():
        kind = child.type
        if kind == "text":
            parts.append((child.content, " ".join(active)) if active else child.content)
        elif kind == "code_inline":
            parts.append((child.content, "$text-accent"))
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" " if kind == "softbreak" else "\n")
        elif kind.endswith("_open") and kind[:-5] in _INLINE_STYLES:
            active.append(_INLINE_STYLES[kind[:-5]])
        elif kind.endswith("_close") and kind[:-6] in _INLINE_STYLES:
            style = _INLINE_STYLES[kind[:-6]]
            if style in active:
                active.remove(style)
        elif child.content:
            parts.append(child.content)
    return parts


@functools.cache
def markdown_content(text: str) -> Content:
    """``text`` (CommonMark) as styled content: blocks separated by a blank line."""
    parts: list[str | tuple[str, str]] = []
    depth = 0
    numbers: list[int] = []
    heading = False
    for token in _parser().parse(text):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            numbers.append(0 if kind == "bullet_list_open" else 1)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
            numbers.pop()
            if depth == 0:
                parts.append("\n")
        elif kind == "list_item_open":
            indent = "  " * (depth - 1)
            if numbers and numbers[-1]:
                parts.append((f"{indent}{numbers[-1]}. ", "$text-accent"))
                numbers[-1] += 1
            else:
                parts.append((f"{indent}• ", "$text-accent"))
        elif kind == "heading_open":
            heading = True
        elif kind == "heading_close":
            heading = False
            parts.append("\n\n")
        elif kind == "inline":
            inline = _inline(token)
            if heading:
                inline = [(p if isinstance(p, str) else p[0], "bold $text-primary") for p in inline]
            parts.extend(inline)
        elif kind == "paragraph_close":
            parts.append("\n" if depth else "\n\n")
        elif kind in ("fence", "code_block"):
            parts.append((token.content, "$text-accent"))
            parts.append("\n")
    return Content.assemble(*parts).rstrip()


__all__ = ["markdown_content"]
