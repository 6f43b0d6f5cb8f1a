"""The corpus of bad preset files in tests/data/bad-presets and the exact error each gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from clirun import DATA, Result, run_cli

CORPUS = DATA / "bad-presets"


def _expected() -> list[tuple[str, int, str]]:
    rows = []
    for line in (CORPUS / "expected.tsv").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, code, message = line.split("\t")
        rows.append((name, int(code), message))
    return rows


EXPECTED = _expected()


def test_corpus_is_large_and_fully_described() -> None:
    files = sorted(p.name for p in CORPUS.glob("*.toml"))
    assert len(files) >= 20
    assert sorted(name for name, _, _ in EXPECTED) == files


def _check_in_process(path: str, capsys: pytest.CaptureFixture[str]) -> Result:
    """``hvtui check PATH`` through the CLI's own entry point, in this process."""
    from hvtui.cli import main

    capsys.readouterr()
    code = main(["check", path])
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


#: Run as a real ``python -m hvtui`` process too: one file of each exit code (the rest
#: run in this process, where each costs no interpreter start; these prove the two agree).
IN_A_PROCESS = {next(r[0] for r in EXPECTED if r[1] == code) for code in (1, 2)}


@pytest.mark.parametrize(("name", "code", "message"), EXPECTED, ids=[r[0] for r in EXPECTED])
def test_bad_preset_gives_its_exact_error(
    name: str, code: int, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = f"tests/data/bad-presets/{name}"
    result = run_cli(["check", path]) if name in IN_A_PROCESS else _check_in_process(path, capsys)
    want = message.replace("{file}", path)
    assert result.code == code
    assert "Traceback" not in result.err
    if code == 2:
        assert result.err == want + "\n", "exactly one line on stderr"
        assert result.out == ""
    else:
        first_error = next(line for line in result.out.splitlines() if ": error: " in line)
        assert first_error == want
        assert result.err == ""


def test_corpus_errors_name_the_file_and_key() -> None:
    for name, code, message in EXPECTED:
        assert "{file}" in message, name
        if code == 2 and "TOML syntax" not in message and "UTF-8" not in message:
            assert message.count(": ") >= 2, f"{name}: names a key or what is wrong"


def test_unreadable_and_directory_inputs(tmp_path: Path) -> None:
    result = run_cli(["check", str(tmp_path)])
    assert (result.code, result.err) == (
        2,
        f"hvtui: {tmp_path}: is a directory, not a preset file\n",
    )
    missing = tmp_path / "missing.toml"
    result = run_cli(["check", str(missing)])
    assert (result.code, result.err) == (2, f"hvtui: {missing}: no such file\n")
