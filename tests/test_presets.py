"""TOML presets: the round trip, the shipped presets, search paths and safe writing."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from clirun import SHIPPED
from hypothesis import given, settings
from hypothesis import strategies as st

from hvtui import catalog, presets
from hvtui.catalog import Severity, ValueKind
from hvtui.fsutil import WriteError, atomic_write
from hvtui.model import Config, validate
from hvtui.versions import Version

# -- hypothesis strategies over every valid configuration ---------------------

_PRINTABLE_NO_COMMA = st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters=",")


def _value_strategy(entry: catalog.Enlightenment) -> st.SearchStrategy[object]:
    if entry.kind is ValueKind.SWITCH:
        return st.booleans()
    if entry.kind is ValueKind.UINT:
        return st.integers(0, entry.maximum)
    if entry.kind is ValueKind.STRING:
        return st.text(_PRINTABLE_NO_COMMA, min_size=1, max_size=entry.max_length)
    return st.sampled_from(entry.choices)


@st.composite
def configs(draw: st.DrawFn) -> Config:
    values = {}
    for entry in catalog.ENTRIES:
        if draw(st.booleans()):
            values[entry.name] = draw(_value_strategy(entry))
    return Config.of(values)  # type: ignore[arg-type]


# 0.0.0 is not a release: parse_version refuses it (issue #11).
_versions = st.builds(Version, st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)).filter(
    lambda v: v != Version(0, 0, 0)
)


@st.composite
def preset_objects(draw: st.DrawFn) -> presets.Preset:
    name = draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True))
    description = draw(st.text(st.characters(exclude_categories=["Cs"]), max_size=60))
    target = presets.Target(
        draw(st.none() | st.sampled_from(["host", "Skylake-Server", "EPYC-v4", "max"])),
        draw(st.none() | _versions),
        draw(st.none() | _versions),
    )
    return presets.Preset(name, draw(configs()), description, target)


def _typed(config: Config) -> list[tuple[str, str, object]]:
    return [(n, type(v).__name__, v) for n, v in config]


@settings(max_examples=300, deadline=None)
@given(preset_objects())
def test_load_save_load_is_identical(preset: presets.Preset) -> None:
    text = presets.dumps(preset)
    loaded = presets.loads(text, source="<test>")
    assert loaded == preset
    assert _typed(loaded.config) == _typed(preset.config)  # True is not 1
    again = presets.loads(presets.dumps(loaded), source="<test>")
    assert again == loaded


@settings(max_examples=100, deadline=None)
@given(preset_objects())
def test_save_to_disk_round_trips(
    tmp_path_factory: pytest.TempPathFactory, preset: presets.Preset
) -> None:
    path = tmp_path_factory.mktemp("rt") / "p.toml"
    presets.save(preset, path)
    assert presets.load(path) == preset


def test_alias_is_accepted_and_canonical_name_written() -> None:
    preset = presets.loads("schema = 1\n[enlightenments]\napicv = true\n")
    assert preset.config.as_dict() == {"avic": True}
    assert "avic = true" in presets.dumps(preset)
    assert "apicv" not in presets.dumps(preset)


def test_hex_integers_and_explicit_off_are_kept() -> None:
    preset = presets.loads("schema = 1\n[enlightenments]\nspinlocks = 0x1fff\nstimer = false\n")
    assert preset.config.as_dict() == {"spinlocks": 8191, "stimer": False}
    assert tomllib.loads(presets.dumps(preset))["enlightenments"]["stimer"] is False


def test_spinlocks_are_written_in_hex() -> None:
    preset = presets.Preset("vm", Config.of(spinlocks=8191, relaxed=True))
    text = presets.dumps(preset)
    assert "\nspinlocks = 0x1fff\n" in text
    assert "8191" not in text
    assert presets.loads(text) == preset
    assert tomllib.loads(text)["enlightenments"]["spinlocks"] == 8191


def test_name_defaults_to_the_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "my-vm.toml"
    path.write_text("schema = 1\n")
    assert presets.load(path).name == "my-vm"


def test_written_document_order_is_documented_order() -> None:
    preset = presets.Preset(
        "x",
        Config.of(stimer=True, relaxed=True),
        "d",
        presets.Target("host", Version(7, 2), Version(9, 0, 0)),
    )
    text = presets.dumps(preset)
    keys = [line.split(" =")[0] for line in text.splitlines() if " = " in line]
    assert keys == [
        "schema",
        "name",
        "description",
        "relaxed",
        "stimer",
        "cpu-model",
        "qemu",
        "libvirt",
    ]
    assert 'qemu = "7.2"' in text and 'libvirt = "9.0.0"' in text


# -- shipped presets ------------------------------------------------------------


SHIPPED_FILES = sorted(SHIPPED.glob("*.toml"))


def test_required_presets_ship() -> None:
    assert {p.stem for p in SHIPPED_FILES} >= {"windows-desktop", "minimal"}


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.stem)
def test_shipped_preset_is_valid_and_documented(path: Path) -> None:
    preset = presets.load(path)
    assert preset.name == path.stem
    assert preset.description
    assert not [f for f in validate(preset.config) if f.severity is Severity.ERROR]
    assert path.read_text().startswith("#"), "a rationale comment heads every shipped preset"
    assert preset.target.qemu is not None and preset.target.libvirt is not None
    for name in preset.config.enabled():
        entry = catalog.get(name)
        assert entry.qemu_since <= preset.target.qemu, f"{name} needs a newer QEMU"
        # target.libvirt is the oldest libvirt the preset is written for; options newer
        # than that are exported through <qemu:commandline> (tests/export checks the XML).


# -- search paths -----------------------------------------------------------------


def test_user_dir_follows_xdg(isolated_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert presets.user_dir() == isolated_config / "hvtui" / "presets"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/path")  # ignored per the XDG spec
    assert presets.user_dir() == Path.home() / ".config" / "hvtui" / "presets"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert presets.user_dir() == Path.home() / ".config" / "hvtui" / "presets"


def test_user_preset_shadows_shipped(user_presets: Path) -> None:
    (user_presets / "minimal.toml").write_text(
        'schema = 1\ndescription = "mine"\n[enlightenments]\nrelaxed = true\n'
    )
    (user_presets / "broken.toml").write_text("schema = 9\n")
    infos = {i.name: i for i in presets.list_presets()}
    assert infos["minimal"].origin == "user"
    assert infos["minimal"].shadows == SHIPPED / "minimal.toml"
    assert infos["windows-desktop"].origin == "shipped"
    assert infos["broken"].error is not None and "newer" in infos["broken"].error
    found = presets.find("minimal")
    assert found.description == "mine" and found.origin == "user"


def test_unknown_preset_name_suggests() -> None:
    with pytest.raises(presets.PresetError) as info:
        presets.resolve("windows-dekstop")
    assert "did you mean 'windows-desktop'?" in str(info.value)


def test_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_bytes(b"schema = 1\n" + b"#" * presets.MAX_BYTES)
    with pytest.raises(presets.PresetError, match="too large"):
        presets.load(path)


def test_directory_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(presets.PresetError, match="is a directory"):
        presets.load(tmp_path)
    with pytest.raises(presets.PresetError, match="no such file"):
        presets.load(tmp_path / "nope.toml")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulated: the suite runs as root in CI, where chmod 000 would not stop a read.
    path = tmp_path / "secret.toml"
    path.write_text("schema = 1\n")

    def denied(path: str, flags: int) -> int:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr("hvtui.inputs._open", denied)
    with pytest.raises(presets.PresetError, match="cannot read: permission denied"):
        presets.load(path)


# -- atomic, non-clobbering writes --------------------------------------------------


def test_atomic_write_never_replaces_without_force(tmp_path: Path) -> None:
    path = tmp_path / "out.toml"
    atomic_write(path, "one")
    with pytest.raises(WriteError, match="already exists; use --force"):
        atomic_write(path, "two")
    assert path.read_text() == "one"
    atomic_write(path, "three", force=True)
    assert path.read_text() == "three"
    assert [p.name for p in tmp_path.iterdir()] == ["out.toml"], "no temporary files left"


def test_atomic_write_keeps_the_mode_of_a_replaced_file(tmp_path: Path) -> None:
    path = tmp_path / "out.toml"
    path.write_text("old")
    path.chmod(0o600)
    atomic_write(path, "new", force=True)
    assert path.stat().st_mode & 0o777 == 0o600


def test_atomic_write_into_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="cannot write"):
        atomic_write(tmp_path / "no" / "such" / "dir.toml", "x")


def test_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "out.toml"
    path.write_text("precious")

    def boom(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(WriteError, match="No space left"):
        atomic_write(path, "new", force=True)
    assert path.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["out.toml"]


def test_save_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    preset = presets.Preset("p", Config.of(relaxed=True))
    presets.save(preset, path)
    with pytest.raises(WriteError):
        presets.save(presets.Preset("p", Config()), path)
    assert presets.load(path) == preset
