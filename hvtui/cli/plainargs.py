"""Plain command lines read without argparse: the one reader ``detect`` and ``audit`` share.

Importing argparse and building a subcommand's parser is ~15-25 ms of a run that
mostly waits on nothing else (issue #13), so a plainly valid command line is read
here instead.  Anything less than plain returns ``None`` and goes to the parser,
so every message and exit code stays argparse's; each command's tests compare the
namespaces with the parser's over many command lines.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # argparse and typing stay unloaded at run time (issue #13)
    from argparse import Namespace as PlainArgs
    from collections.abc import Collection, Mapping, Sequence
    from typing import Any
else:

    class PlainArgs:
        """What a command's ``plain_args`` returns: at run time a bare object with the
        attributes argparse's ``Namespace`` would have (argparse itself stays unloaded);
        type checkers see the ``Namespace`` it stands for."""

        def __init__(self, **values: object) -> None:
            self.__dict__.update(values)


def read_plain(
    words: Sequence[str],
    flags: Mapping[str, str],
    valued: Mapping[str, str],
    *,
    choices: Mapping[str, Collection[str]] | None = None,
    files: list[str] | None = None,
) -> dict[str, Any] | None:
    """The options in ``words`` by destination, when every word is plain; else ``None``.

    Plain means: options by their full names (``flags`` take no value; ``valued`` are
    followed by one, ``--opt VALUE`` or ``--opt=VALUE``, neither empty nor starting
    with ``-``, and one of ``choices[--opt]`` when it has choices), and ``--sysroot``
    and ``--demo`` not both.  With ``files``, the other words (``-`` among them) are
    appended to it, in one run: options may come before and after it, not between.
    ``None`` for anything else (help, an abbreviation, ``-vv``, an unknown word,
    ``--``): the parser reads those.  A flag not given is ``False``, a value ``None``."""
    values: dict[str, Any] = dict.fromkeys(valued.values())
    values.update(dict.fromkeys(flags.values(), False))
    after_files = False  # an option came after the files: no more files
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if files is not None and (word == "-" or not word.startswith("-")):
            if after_files:
                return None
            files.append(word)
            continue
        after_files = bool(files)
        if word in flags:
            values[flags[word]] = True
            continue
        option, equals, value = word.partition("=")
        if option not in valued:
            return None
        if not equals:
            if index == len(words):
                return None
            value = words[index]
            index += 1
        if not value or value.startswith("-"):
            return None
        if choices is not None and option in choices and value not in choices[option]:
            return None
        values[valued[option]] = value
    if values.get("sysroot") is not None and values.get("demo") is not None:
        return None
    return values


__all__ = ["PlainArgs", "read_plain"]
