"""Writing never follows a link, never leaves what was asked, and is all or nothing.

A snapshot unpacked from a bug report may hold links (``proc/cpuinfo`` to a file
elsewhere, ``sys`` to another directory); ``--save-snapshot DIR --force`` used to
write through them.  A full disk used to leave half a snapshot.  Here the links
and the failures are generated: every outside file stays as it was, and after a
failure ``DIR`` (and the directory around it) is exactly as before.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from clirun import SHIPPED, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hvtui.demos import find_demo
from hvtui.detect import Detection, detect_traced
from hvtui.detect.snapshot import MANIFEST, SnapshotError, save_snapshot
from hvtui.fsutil import WriteError, atomic_write

HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
TIMEOUT = 60


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """A directory for the generated cases, in memory (``/dev/shm``) where there is one.

    Each example writes a whole snapshot with an ``fsync`` per file and directory (~90),
    then removes it: on a disk that is ~1.5 ms each, seconds per test and far more while
    other tests use the disk, and none of it is CPU.  tmpfs takes the same calls (links,
    renames, fsync) and answers them at once; elsewhere the test's own ``tmp_path``.
    """
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK | os.X_OK)):
        yield tmp_path
        return
    directory = Path(tempfile.mkdtemp(prefix="hvtui-test-", dir=shm))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@cache
def _detection() -> Detection:
    """What detection read on one demo host: the snapshot every test writes."""
    return detect_traced(find_demo("amd-epyc").path)


def _save(directory: Path, *, force: bool = False) -> int:
    detection = _detection()
    return save_snapshot(
        directory, detection.root.trace, detection.live, source="test", force=force
    )


def tree(path: Path) -> dict[str, Any]:
    """Everything under ``path`` (not following links): type and content of each entry."""
    found: dict[str, Any] = {}
    if not os.path.lexists(path):
        return found
    for current, dirs, files in os.walk(path, followlinks=False):
        for name in dirs + files:
            full = Path(current) / name
            key = str(full.relative_to(path))
            if full.is_symlink():
                found[key] = ("link", os.readlink(full))
            elif full.is_dir():
                found[key] = ("dir",)
            else:
                found[key] = ("file", full.read_bytes())
    return found


def _old_snapshot(base: Path) -> Path:
    """An earlier snapshot (another host) with a file of the user's beside it."""
    directory = base / "snap"
    shutil.copytree(find_demo("intel-tigerlake").path, directory)
    (directory / "notes.txt").write_text("mine\n")
    return directory


def _outside(base: Path) -> Path:
    """Files that no write may touch."""
    outside = base / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "file").write_text("precious\n")
    (outside / "dir" / "cpuinfo").write_text("also precious\n")
    return outside


# -- links are never followed --------------------------------------------------------

LINKED = ["proc/cpuinfo", "proc/cmdline", "proc", "sys", "sys/devices", "sys/module", MANIFEST]


@settings(max_examples=20, deadline=None, suppress_health_check=HEALTH)
@given(linked=st.sampled_from(LINKED), to_dir=st.booleans(), relative=st.booleans())
def test_links_in_the_target_are_never_written_through(
    scratch: Path, linked: str, to_dir: bool, relative: bool
) -> None:
    base = Path(tempfile.mkdtemp(dir=scratch))
    outside = _outside(base)
    directory = _old_snapshot(base)
    victim = directory / linked
    if victim.is_dir():
        shutil.rmtree(victim)
    else:
        victim.unlink()
    target = outside / ("dir" if to_dir else "file")
    victim.symlink_to(os.path.relpath(target, victim.parent) if relative else target)
    before_outside, before = tree(outside), tree(directory)
    try:
        _save(directory, force=True)
    except SnapshotError as exc:
        # Only a manifest that is not a plain file makes the directory not hvtui's.
        assert linked == MANIFEST and "replaces only hvtui's own files" in str(exc)
        assert tree(directory) == before
    else:
        assert json.loads((directory / MANIFEST).read_text())["source"] == "test"
        assert (directory / "notes.txt").read_text() == "mine\n"
        for path in (directory / "proc", directory / "sys", directory / MANIFEST):
            assert not path.is_symlink()
    assert tree(outside) == before_outside
    assert sorted(os.listdir(base)) == ["outside", "snap"]


def test_cli_force_over_a_snapshot_with_links(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    directory = _old_snapshot(tmp_path)
    (directory / "proc/cpuinfo").unlink()
    (directory / "proc/cpuinfo").symlink_to(outside / "file")
    shutil.rmtree(directory / "sys")
    (directory / "sys").symlink_to(outside / "dir")
    before = tree(outside)
    demo = str(find_demo("amd-epyc").path)
    args = ["detect", "--sysroot", demo, "--save-snapshot", str(directory), "--force"]
    result = run_cli(args, timeout=TIMEOUT)
    assert result.code == 0, result.err
    assert tree(outside) == before
    assert "AMD" in (directory / "proc/cpuinfo").read_text()
    assert (directory / "notes.txt").read_text() == "mine\n"


@pytest.mark.parametrize("force", [False, True])
def test_a_target_that_is_a_link_is_refused(tmp_path: Path, force: bool) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    demo = str(find_demo("amd-epyc").path)
    args = ["detect", "--sysroot", demo, "--save-snapshot", str(link)]
    result = run_cli([*args, "--force"] if force else args, timeout=TIMEOUT)
    assert result.code == 2
    assert result.err == (
        f"hvtui: --save-snapshot {link}: is a symbolic link; hvtui does not write through "
        "links (name the directory itself)\n"
    )
    assert list(real.iterdir()) == []


def test_force_replaces_only_an_earlier_snapshot(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "proc").mkdir(parents=True)
    (home / "proc" / "mine").write_text("not hvtui's\n")
    before = tree(home)
    demo = str(find_demo("amd-epyc").path)
    args = ["detect", "--sysroot", demo, "--save-snapshot", str(home), "--force"]
    result = run_cli(args, timeout=TIMEOUT)
    assert result.code == 2
    assert "is not an hvtui snapshot" in result.err and result.err.count("\n") == 1
    assert tree(home) == before


# -- all or nothing ----------------------------------------------------------------------


def _failing(real: Callable[..., Any], after: int, *, once: bool = False) -> Callable[..., Any]:
    """``real``, except that call number ``after + 1`` fails with ENOSPC, and with
    ``once`` false every later call too (a disk that stays full)."""
    calls = 0

    def call(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == after + 1 or (calls > after and not once):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)

    return call


TARGETS = ["absent", "empty", "old-snapshot", "absent-parent"]


#: What fails, and after how many calls: every file is written (write), every
#: directory made (mkdir), every entry moved into place (rename, which fails once:
#: undoing the moves needs renames too).
FAILURES = st.one_of(
    st.tuples(st.just("write"), st.integers(min_value=0, max_value=250)),
    st.tuples(st.just("mkdir"), st.integers(min_value=0, max_value=40)),
    st.tuples(st.just("rename"), st.integers(min_value=0, max_value=6)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=HEALTH)
@given(target=st.sampled_from(TARGETS), failure=FAILURES)
def test_snapshot_is_all_or_nothing(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, target: str, failure: tuple[str, int]
) -> None:
    failing, after = failure
    base = Path(tempfile.mkdtemp(dir=scratch))
    directory = {
        "absent": base / "snap",
        "empty": base / "snap",
        "old-snapshot": base / "snap",
        "absent-parent": base / "a" / "b" / "snap",
    }[target]
    if target == "empty":
        directory.mkdir()
    elif target == "old-snapshot":
        _old_snapshot(base)
    before, around = tree(directory), sorted(os.listdir(base))
    with monkeypatch.context() as patch:
        real = getattr(os, failing)
        patch.setattr(os, failing, _failing(real, after, once=failing == "rename"))
        try:
            count = _save(directory, force=True)
        except SnapshotError as exc:
            failed: SnapshotError | None = exc
        else:
            failed = None
    if failed is not None:
        assert "\n" not in str(failed)
        assert tree(directory) == before
        assert sorted(os.listdir(base)) == around
        if target.startswith("absent"):
            assert not os.path.lexists(directory)
    else:
        assert count == len(_detection().root.trace.files)
        written = tree(directory)
        for path, data in _detection().root.trace.files.items():
            assert written[path.lstrip("/")] == ("file", data)
        assert json.loads((directory / MANIFEST).read_text())["source"] == "test"
        assert not [name for name in os.listdir(directory) if name.startswith(".hvtui-")]


@settings(max_examples=30, deadline=None, suppress_health_check=HEALTH)
@given(after=st.integers(min_value=0, max_value=3), force=st.booleans())
def test_a_failed_file_write_keeps_the_old_file(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, after: int, force: bool
) -> None:
    base = Path(tempfile.mkdtemp(dir=scratch))
    path = base / "vm.toml"
    path.write_text("old\n")
    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", _failing(os.fsync, after))
        try:
            atomic_write(path, "new\n" * 1000, force=force)
        except WriteError as exc:
            assert "\n" not in str(exc)
    text = path.read_text()
    assert text == "old\n" or (force and text == "new\n" * 1000)
    assert os.listdir(base) == ["vm.toml"]


@pytest.mark.parametrize("kind", ["link", "dangling-link", "fifo"])
def test_force_never_replaces_a_link_or_special_file(tmp_path: Path, kind: str) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    path = tmp_path / "out.txt"
    if kind == "link":
        path.symlink_to(outside)
    elif kind == "dangling-link":
        path.symlink_to(tmp_path / "nowhere")
    else:
        os.mkfifo(path)
    args = ["export", str(SHIPPED / "minimal.toml"), "--format", "qemu", "-o", str(path)]
    result = run_cli([*args, "--force"], timeout=TIMEOUT)
    assert result.code == 2
    assert result.err.count("\n") == 1 and result.err.startswith(f"hvtui: {path}: is a ")
    assert outside.read_text() == "precious\n"
    assert path.is_symlink() or kind == "fifo"
    assert not (tmp_path / "nowhere").exists()
    assert sorted(os.listdir(tmp_path)) == ["out.txt", "outside.txt"]


def test_what_cannot_be_put_back_is_kept_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = _old_snapshot(tmp_path)
    old_cpuinfo = (directory / "proc/cpuinfo").read_bytes()
    with monkeypatch.context() as patch:
        # The three old entries move aside, then every rename fails (moving back too).
        patch.setattr(os, "rename", _failing(os.rename, 3))
        with pytest.raises(SnapshotError, match="could not undo it: the earlier files are in"):
            _save(directory, force=True)
    (kept,) = [p for p in directory.iterdir() if p.name.startswith(".hvtui-old-")]
    assert (kept / "proc/cpuinfo").read_bytes() == old_cpuinfo
    assert (directory / "notes.txt").read_text() == "mine\n"


def _bad_tree_targets(tmp: Path) -> dict[str, Path]:
    """One target of each kind atomic_write_tree refuses (with ``owned={"proc"}``)."""
    (tmp / "file").write_text("x")
    (tmp / "real").mkdir()
    (tmp / "link").symlink_to(tmp / "real")
    (tmp / "full").mkdir()
    (tmp / "full" / "note").write_text("mine")
    (tmp / "theirs").mkdir()
    (tmp / "theirs" / "proc").mkdir()
    return {n: tmp / n for n in ("file", "link", "full", "theirs")}


@pytest.mark.parametrize("name", ["file", "link", "full", "theirs"])
def test_checking_a_tree_target_refuses_what_writing_it_refuses(tmp_path: Path, name: str) -> None:
    """``check_tree_target`` (a snapshot's early check) says what the write would say."""
    from hvtui.fsutil import atomic_write_tree, check_tree_target

    target = _bad_tree_targets(tmp_path)[name]
    force = name == "theirs"
    with pytest.raises(WriteError) as early:
        check_tree_target(target, {"proc"}, force=force, is_ours=lambda _d: False)
    with pytest.raises(WriteError) as late:
        atomic_write_tree(
            target, {"proc/x": b"1"}, force=force, owned={"proc"}, is_ours=lambda _d: False
        )
    assert str(early.value) == str(late.value)
    assert "\n" not in str(early.value)


def test_checking_a_tree_target_names_whose_it_is_not(tmp_path: Path) -> None:
    from hvtui.fsutil import check_tree_target

    target = _bad_tree_targets(tmp_path)["theirs"]
    with pytest.raises(WriteError, match=r"theirs/proc: exists and .*theirs is not a snapshot;"):
        check_tree_target(target, {"proc"}, force=True, not_ours="is not a snapshot")
    check_tree_target(target, {"proc"}, force=True, is_ours=lambda _d: True)
    check_tree_target(tmp_path / "new", {"proc"}, force=False)
