"""Regular expressions compiled the first time they are used, not at import.

Importing :mod:`re` and compiling a pattern costs ~10 ms of a fresh process on
this project's 2-core test machine, and ``hvtui detect`` (whose whole budget is
60 ms, issue #13) loads modules that keep a pattern for a rare path: an error
message, a name check of another command.  :class:`LazyPattern` stands where the
compiled pattern stood, with the same methods, and imports :mod:`re` only when
one of them is first called.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # re stays unloaded until a pattern is used
    import re
    from collections.abc import Callable, Iterator


class LazyPattern:
    """``re.compile(pattern, flags)``, compiled on first use; the methods are the
    compiled pattern's own (``fullmatch``, ``match``, ``search``, ``sub``, ...)."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        """The compiled pattern (compiled now if this is its first use)."""
        if self._compiled is None:
            import re

            self._compiled = re.compile(self.pattern, self.flags)
        return self._compiled

    def fullmatch(self, text: str) -> re.Match[str] | None:
        """As :meth:`re.Pattern.fullmatch`."""
        return self.compiled.fullmatch(text)

    def match(self, text: str) -> re.Match[str] | None:
        """As :meth:`re.Pattern.match`."""
        return self.compiled.match(text)

    def search(self, text: str) -> re.Match[str] | None:
        """As :meth:`re.Pattern.search`."""
        return self.compiled.search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        """As :meth:`re.Pattern.finditer`."""
        return self.compiled.finditer(text)

    def findall(self, text: str) -> list[str]:
        """As :meth:`re.Pattern.findall` (patterns with at most one group)."""
        found: list[str] = self.compiled.findall(text)
        return found

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> str:
        """As :meth:`re.Pattern.sub`."""
        return self.compiled.sub(repl, text, count)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"


__all__ = ["LazyPattern"]
