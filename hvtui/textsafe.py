"""Untrusted text made safe for a terminal: one escaping rule for every output.

Names, descriptions, paths and values come from files, snapshots and process
command lines that anyone may have written.  A terminal must never receive
their control characters or escape sequences (``\\x1b]52;...`` can rewrite the
clipboard, ``\\r`` can hide a line), so every text output, the CLI's and the
wizard's, escapes them with :func:`printable`, and every one-line error with
:func:`one_line`.  JSON output needs neither: ``json.dumps`` escapes them.
"""

from __future__ import annotations

from hvtui.lazyre import LazyPattern

#: A name that needs quoting nowhere hvtui writes it (a shell word, a file name, a
#: ``-cpu`` item: no comma): letters, digits, ``.``, ``_`` or ``-``, at most 64,
#: starting with a letter or digit.  Preset names and CPU model names; ``fullmatch``.
#: Compiled on first use: every command loads this module, few check a name.
SAFE_NAME = LazyPattern(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
#: What :data:`SAFE_NAME` does not allow, for :func:`safe_name`.
_NOT_IN_NAMES = LazyPattern(r"[^A-Za-z0-9._-]+")


def safe_name(text: str) -> str | None:
    """``text`` as a :data:`SAFE_NAME` (``My VM (old)`` gives ``My-VM-old``): what is not
    allowed becomes ``-``, a leading ``.``, ``_`` or ``-`` goes, and the rest is cut to 64;
    ``None`` when nothing is left."""
    if SAFE_NAME.fullmatch(text):  # the common case: already a name
        return text
    cleaned = _NOT_IN_NAMES.sub("-", text).lstrip("._-")[:64].rstrip("-")
    return cleaned if SAFE_NAME.fullmatch(cleaned) else None


#: Kept as is in multi-line output; everything else unprintable is escaped (tabs too,
#: so a column layout cannot be faked).
_KEPT = "\n"


#: The ASCII characters ``str.isprintable`` accepts: space to ``~``.
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
#: :func:`printable`'s bytes to delete per ``keep`` (printable ASCII and what is kept).
_ASCII_KEPT: dict[str, bytes] = {}


def _escape(char: str) -> str:
    """``\\x1b``, ``\\r``, ``\\u202e``: the way Python's ``repr`` spells the character."""
    return repr(char)[1:-1]


def printable(text: str, *, keep: str = _KEPT) -> str:
    """``text`` with control and other unprintable characters escaped (``\\x1b``).

    Characters in ``keep`` (newline by default) stay.  A backslash stays
    as it is, so text that is already printable comes back unchanged and the
    function is cheap on the common path (one C-level scan).
    """
    if text.isascii():  # known without a scan; JSON output always is
        delete = _ASCII_KEPT.get(keep)
        if delete is None:
            delete = _PRINTABLE_ASCII + keep.encode("ascii", "ignore")
            if len(_ASCII_KEPT) < 8:
                _ASCII_KEPT[keep] = delete
        # Delete every printable byte (and those kept): nothing left, nothing to escape.
        # Two passes in C over a copy, against isprintable's lookup per character (an 8 MB
        # ``audit --json`` document: 10 ms instead of 45).
        if not text.encode("ascii").translate(None, delete):
            return text
    plain = text
    for char in keep:
        plain = plain.replace(char, "")
    if plain.isprintable():
        return text
    return "".join(c if c in keep or c.isprintable() else _escape(c) for c in text)


def one_line(text: str) -> str:
    """``text`` as exactly one printable line: newlines are escaped too.

    For error messages, which name paths and values that may hold a newline and
    must still be one line on stderr for scripts that read it.
    """
    return printable(text, keep="")


def clipped(text: str, limit: int = 40) -> str:
    """``text`` cut to at most ``limit`` characters, the cut marked with "…": how a
    one-line message quotes a value it refuses, which may be of any length."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["clipped", "one_line", "printable"]
