"""A snapshot manifest is read without :mod:`json` (issue #13), with json's answers.

:func:`hvtui.untrusted.load_json` reads through :func:`hvtui.jsonlite.loads` with its
number hooks; here every outcome (the document, the refusal's words, a lenient
document's bad numbers) is compared with ``json.loads`` given the same hooks, and a
fresh process that detects a demo host is shown not to load :mod:`json`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from hvtui import untrusted
from hvtui.demos import DEMOS
from hvtui.detect.live import MANIFEST_NAME
from hvtui.jsonlite import loads
from hvtui.untrusted import UntrustedError, load_json

HOOKED = (
    '{"a": 1, "b": [1.5, -2, 1e3, "x\\u00e9"], "c": {"d": null, "e": true}}',
    "  [0, -0, 0.0, 12345678901234567890]  ",
    '{"big": 1' + "0" * 400 + "}",
    '{"inf": 1e999}',
    '{"nan": NaN}',
    '{"neg": -Infinity}',
    "",
    "[1, 2",
    '{"a": 1} x',
    "\ufeff{}",
    '{"a": 01}',
    '["\\ud800"]',
    "[" * 50 + "]" * 50,
)


def _reference(text: str, lenient: bool) -> tuple[str, Any]:
    """What ``json.loads`` gives with the hooks load_json passes: the document, or the error."""
    hooks = (untrusted._json_int, untrusted._json_float, untrusted._json_constant)
    if lenient:
        hooks = tuple(untrusted._lenient(h) for h in hooks)
    try:
        document = json.loads(
            text, parse_int=hooks[0], parse_float=hooks[1], parse_constant=hooks[2]
        )
        return "ok", untrusted.check_tree(document)
    except UntrustedError as exc:
        return "refused", str(exc)
    except json.JSONDecodeError as exc:
        return "not json", f"not JSON: {exc}"


def _ours(text: str, lenient: bool) -> tuple[str, Any]:
    try:
        return "ok", load_json(text, lenient=lenient)
    except UntrustedError as exc:
        cause = exc.__cause__
        return ("not json" if isinstance(cause, json.JSONDecodeError) else "refused"), str(exc)


@pytest.mark.parametrize("lenient", [False, True])
@pytest.mark.parametrize("text", HOOKED)
def test_load_json_answers_as_json_loads_with_its_hooks(text: str, lenient: bool) -> None:
    kind, value = _ours(text, lenient)
    expected_kind, expected = _reference(text, lenient)
    assert (kind, repr(value)) == (expected_kind, repr(expected))


@pytest.mark.parametrize("demo", [d.name for d in DEMOS])
def test_every_demo_manifest_reads_as_json_reads_it(demo: str) -> None:
    path = next(d.path for d in DEMOS if d.name == demo) / MANIFEST_NAME
    if not path.exists():
        pytest.skip("this demo has no manifest")
    text = path.read_text(encoding="utf-8")
    assert repr(load_json(text, lenient=True)) == repr(_reference(text, lenient=True)[1])


def test_a_hook_is_only_for_its_call() -> None:
    """A hooked scanner does not become the plain one ``loads()`` keeps."""
    assert loads('{"n": 7}', parse_int=lambda text: f"int {text}") == {"n": "int 7"}
    assert loads('{"n": 7}') == {"n": 7}


def test_detecting_a_demo_host_does_not_load_json() -> None:
    script = (
        "import sys\n"
        "from hvtui.demos import DEMOS\n"
        "from hvtui.detect import detect\n"
        "report = detect(DEMOS[0].path)\n"
        "assert report.source.startswith('demo:'), report.source\n"
        "print('json' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False"]
