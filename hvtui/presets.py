"""TOML presets: reading, writing and finding them (a file format other tools rely on).

The format is documented in the README.  Reading is strict about structure and
types (those are :class:`PresetError`, exit code 2) but lets unknown option names
and out-of-range values through into the :class:`~hvtui.model.Config`, where
validation reports them as findings together with everything else (exit 1).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from hvtui import __version__, catalog
from hvtui.catalog import Value
from hvtui.catalog.cpu_settings import CPU_SETTINGS, CpuSettingKey
from hvtui.inputs import InputError, hvtui_dir, read_input, too_large
from hvtui.limits import MAX_PRESET_BYTES
from hvtui.model import Config
from hvtui.model.cpu import CpuSettings
from hvtui.model.values import describe_type, kind_matches, values_equal
from hvtui.records import field, record
from hvtui.textsafe import SAFE_NAME, safe_name
from hvtui.versions import Version, VersionError, parse_version

#: The preset schema this hvtui reads and writes.
SCHEMA = 1
#: Larger files are refused before parsing (a preset is a few hundred bytes).
MAX_BYTES = MAX_PRESET_BYTES

TOP_KEYS = ("schema", "name", "description", "enlightenments", "cpu", "target")
TARGET_KEYS = ("cpu-model", "qemu", "libvirt")

Origin = Literal["shipped", "user", "file"]


class PresetError(ValueError):
    """A preset that cannot be used: ``str()`` names the file and key in one line."""

    def __init__(self, source: str, key: str | None, message: str) -> None:
        self.source = source
        self.key = key
        self.message = message
        where = f"{source}: {key}: " if key else f"{source}: "
        super().__init__(where + message)


@record(frozen=True)
class Target:
    """What the preset is meant for; every field optional."""

    cpu_model: str | None = None
    """QEMU ``-cpu`` model; ``None`` means ``host``."""
    qemu: Version | None = None
    libvirt: Version | None = None

    @property
    def effective_cpu_model(self) -> str:
        """The CPU model exports use."""
        return self.cpu_model or "host"


@record(frozen=True)
class Preset:
    """A named configuration with its description and target."""

    name: str
    config: Config
    description: str = ""
    target: Target = field(default_factory=Target)
    source: Path | None = field(default=None, compare=False)
    origin: Origin = field(default="file", compare=False)
    cpu: CpuSettings = field(default_factory=CpuSettings)
    """The ``[cpu]`` table: settings around the hv-* options (nested-virt, tsc-frequency...)."""


# -- reading ---------------------------------------------------------------


def load(path: Path, *, origin: Origin = "file") -> Preset:
    """Read and parse a preset file; raises :class:`PresetError` with the file named.

    The read goes through :func:`hvtui.inputs.read_input`: a FIFO or device is
    refused without being opened, and at most :data:`MAX_BYTES` are read.
    """
    source = str(path)
    try:
        raw = read_input(path, limit=MAX_BYTES, what="a preset file")
    except InputError as exc:
        raise PresetError(source, None, exc.problem) from None
    return loads(raw, source=source, default_name=path.stem, path=path, origin=origin)


def loads(
    data: bytes | str,
    *,
    source: str = "<preset>",
    default_name: str = "preset",
    path: Path | None = None,
    origin: Origin = "file",
) -> Preset:
    """Parse preset text; ``source`` names it in errors."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise PresetError(source, None, too_large(MAX_BYTES, "a preset file", len(data)))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PresetError(
                source, None, f"not UTF-8 text (bad byte at offset {exc.start})"
            ) from exc
    else:
        text = data
    # Here, not with the module: the wizard's first frame reads no preset file, and on a
    # live host nothing else on its way needs hvtui.untrusted (issue #13).
    from hvtui.untrusted import UntrustedError, load_toml

    try:
        doc = load_toml(text)
    except UntrustedError as exc:
        raise PresetError(source, None, str(exc)) from exc
    return _from_document(doc, source, name_from(default_name), path, origin)


def name_from(text: str) -> str:
    """A valid preset name made from ``text`` (a file name), for presets without ``name``.

    ``My VM (old).toml`` gives ``My-VM-old``: what is not a letter, digit, ``.``,
    ``_`` or ``-`` becomes ``-``, and the result starts with a letter or digit and
    has at most 64 characters, so a preset written back (``export --format toml``)
    passes ``check``.  Nothing usable left gives ``preset``.
    """
    return safe_name(text) or "preset"


def _from_document(
    doc: Mapping[str, Any], source: str, default_name: str, path: Path | None, origin: Origin
) -> Preset:
    for key in doc:
        if key not in TOP_KEYS:
            raise PresetError(source, key, _unknown_key(key, TOP_KEYS, "top-level key"))
    _check_schema(doc, source)
    name = _optional_string(doc, "name", source)
    if name is not None and not SAFE_NAME.fullmatch(name):
        raise PresetError(
            source,
            "name",
            f"{name!r} is not a valid preset name: use letters, digits, '.', '_' or '-' "
            "(at most 64, starting with a letter or digit)",
        )
    description = _optional_string(doc, "description", source) or ""
    config = _enlightenments(doc.get("enlightenments", {}), source)
    target = _target(doc.get("target", {}), source)
    cpu = _cpu(doc.get("cpu", {}), source)
    return Preset(name or default_name, config, description, target, path, origin, cpu)


def _check_schema(doc: Mapping[str, Any], source: str) -> None:
    if "schema" not in doc:
        raise PresetError(
            source, "schema", f"missing; add 'schema = {SCHEMA}' at the top of the file"
        )
    schema = doc["schema"]
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise PresetError(
            source, "schema", f"expected the integer {SCHEMA}, got {describe_type(schema)}"
        )
    if schema > SCHEMA:
        raise PresetError(
            source,
            "schema",
            f"schema {schema} is newer than this hvtui {__version__} understands "
            f"(it reads schema {SCHEMA}); upgrade hvtui",
        )
    if schema < SCHEMA:
        raise PresetError(
            source, "schema", f"schema {schema} is not supported; this hvtui reads schema {SCHEMA}"
        )


def _optional_string(doc: Mapping[str, Any], key: str, source: str) -> str | None:
    if key not in doc:
        return None
    value = doc[key]
    if not isinstance(value, str):
        raise PresetError(source, key, f"expected a string, got {describe_type(value)}")
    return value


def _enlightenments(table: object, source: str) -> Config:
    if not isinstance(table, dict):
        raise PresetError(
            source,
            "enlightenments",
            f"expected a table ([enlightenments]), got {describe_type(table)}",
        )
    values: dict[str, Value] = {}
    spelled: dict[str, str] = {}
    for key, value in table.items():
        where = f"enlightenments.{key}"
        canonical = catalog.canonical_name(key) if catalog.normalize(key) == key else None
        if canonical is None:
            if not isinstance(value, bool | int | str):
                raise PresetError(source, where, str(catalog.UnknownOptionError(key)))
            values[key] = value
            continue
        if canonical in spelled:
            raise PresetError(
                source,
                where,
                f"{spelled[canonical]!r} and {key!r} are the same option; keep only {canonical!r}",
            )
        entry = catalog.get(canonical)
        if not kind_matches(entry, value):
            raise PresetError(
                source, where, f"expected {entry.describe_range()}, got {describe_type(value)}"
            )
        spelled[canonical] = key
        values[canonical] = value
    return Config.from_items(values)


def _cpu(table: object, source: str) -> CpuSettings:
    if not isinstance(table, dict):
        raise PresetError(source, "cpu", f"expected a table ([cpu]), got {describe_type(table)}")
    keys = tuple(s.key.value for s in CPU_SETTINGS)
    settings = CpuSettings()
    for key, value in table.items():
        if key not in keys:
            raise PresetError(source, f"cpu.{key}", _unknown_key(key, keys, "key"))
        setting = next(s for s in CPU_SETTINGS if s.key.value == key)
        if setting.kind is catalog.ValueKind.SWITCH:
            if not isinstance(value, bool):
                raise PresetError(
                    source, f"cpu.{key}", f"expected true or false, got {describe_type(value)}"
                )
        elif (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not setting.minimum <= value <= setting.maximum
        ):
            raise PresetError(
                source,
                f"cpu.{key}",
                f"expected an integer from {setting.minimum} to {setting.maximum} (Hz), got "
                f"{value!r}"
                if isinstance(value, int)
                else f"got {describe_type(value)}",
            )
        settings = settings.with_value(CpuSettingKey(key), value)
    return settings


def _target(table: object, source: str) -> Target:
    if not isinstance(table, dict):
        raise PresetError(
            source, "target", f"expected a table ([target]), got {describe_type(table)}"
        )
    for key in table:
        if key not in TARGET_KEYS:
            raise PresetError(source, f"target.{key}", _unknown_key(key, TARGET_KEYS, "key"))
    cpu_model = table.get("cpu-model")
    if cpu_model is not None and (
        not isinstance(cpu_model, str) or not SAFE_NAME.fullmatch(cpu_model)
    ):
        shown = describe_type(cpu_model)
        raise PresetError(
            source,
            "target.cpu-model",
            f'expected a QEMU CPU model name such as "host" or "Skylake-Server", got {shown}',
        )
    problem = None
    if cpu_model is not None:
        # Here, not with the module: only a preset that names a CPU model needs QEMU's list
        # (the wizard's first frame shows one that does not; issue #13).
        from hvtui import cpumodels

        problem = cpumodels.model_problem(cpu_model)
    if problem is not None:
        raise PresetError(source, "target.cpu-model", problem)
    return Target(
        cpu_model,
        _version(table, "qemu", source, "7.2"),
        _version(table, "libvirt", source, "9.0.0"),
    )


def _version(table: Mapping[str, Any], key: str, source: str, example: str) -> Version | None:
    if key not in table:
        return None
    value = table[key]
    if not isinstance(value, str):
        raise PresetError(
            source,
            f"target.{key}",
            f'expected a version string such as "{example}", got {describe_type(value)}',
        )
    try:
        return parse_version(value)
    except VersionError as exc:
        raise PresetError(
            source, f"target.{key}", f'expected a version such as "{example}", got {value!r}'
        ) from exc


def _unknown_key(key: str, allowed: tuple[str, ...], what: str) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {what}{hint} (allowed: {', '.join(allowed)})"


# -- writing ---------------------------------------------------------------


def to_document(preset: Preset) -> dict[str, Any]:
    """The TOML document for a preset, keys in their documented order."""
    doc: dict[str, Any] = {"schema": SCHEMA, "name": preset.name}
    if preset.description:
        doc["description"] = preset.description
    doc["enlightenments"] = dict(preset.config.values)
    cpu = {key.value: value for key, value in preset.cpu.items()}
    if cpu:
        doc["cpu"] = cpu
    target: dict[str, str] = {}
    if preset.target.cpu_model is not None:
        target["cpu-model"] = preset.target.cpu_model
    if preset.target.qemu is not None:
        target["qemu"] = preset.target.qemu.short()
    if preset.target.libvirt is not None:
        target["libvirt"] = str(preset.target.libvirt)
    if target:
        doc["target"] = target
    return doc


def dumps(preset: Preset) -> str:
    """Preset as TOML text (with a one-line header saying who wrote it).

    tomli-w is imported here, not with the module: reading presets and the wizard's first
    frame never write one (~3 M instructions of import; issue #13)."""
    import tomli_w

    body = _hex_integers(tomli_w.dumps(to_document(preset)), preset.config)
    return f"# hvtui preset, written by hvtui {__version__}\n{body}"


def _hex_integers(body: str, config: Config) -> str:
    """Options shown in hex (spinlocks: ``0x1fff``) written in hex, as TOML allows and the
    shipped presets spell them; tomli-w itself writes every integer in decimal."""
    for name, value in config.values:
        if type(value) is not int or value < 0 or not catalog.is_canonical(name):
            continue
        if catalog.get(name).hex_display:
            body = body.replace(f"\n{name} = {value}\n", f"\n{name} = {value:#x}\n", 1)
    return body


def save(preset: Preset, path: Path, *, force: bool = False) -> None:
    """Write atomically; an existing file is only replaced with ``force``.

    :mod:`hvtui.fsutil` is imported here: reading presets (the wizard's first frame)
    writes nothing (issue #13)."""
    from hvtui.fsutil import atomic_write

    atomic_write(path, dumps(preset), force=force)


# -- finding presets -------------------------------------------------------


def shipped_dir() -> Path:
    """Presets installed with the package (wheel) or in the source tree (checkout)."""
    installed = Path(__file__).resolve().parent / "_presets"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "presets"


def user_dir() -> Path:
    """``$XDG_CONFIG_HOME/hvtui/presets``, default ``~/.config/hvtui/presets``.

    Raises :class:`PresetError` when neither is known (no ``HOME`` and no passwd
    entry, as in some containers): only saving to it needs one.
    """
    found = user_dir_or_none()
    if found is None:
        raise PresetError(
            "~/.config/hvtui/presets",
            None,
            "no home directory is known (HOME unset, no passwd entry); set HOME or "
            "XDG_CONFIG_HOME, or give a path",
        )
    return found


def user_dir_or_none() -> Path | None:
    """:func:`user_dir`, or ``None`` without a home directory.

    Reading presets never needs one: without it there are no user presets, and
    shipped presets and explicit paths work as usual.
    """
    base = hvtui_dir("XDG_CONFIG_HOME", ".config")
    return None if base is None else base / "presets"


@record(frozen=True)
class PresetInfo:
    """One preset as ``presets list`` shows it."""

    name: str
    origin: Origin
    path: Path
    description: str = ""
    shadows: Path | None = None
    """The shipped preset this user preset hides, if any."""
    error: str | None = None
    """Why the file could not be read, if it could not."""


def _scan(directory: Path, origin: Origin) -> dict[str, PresetInfo]:
    found: dict[str, PresetInfo] = {}
    try:
        files = sorted(directory.glob("*.toml"))
    except OSError:
        return found
    for path in files:
        try:
            preset = load(path, origin=origin)
        except PresetError as exc:
            found[path.stem] = PresetInfo(path.stem, origin, path, error=exc.message)
            continue
        found[path.stem] = PresetInfo(path.stem, origin, path, preset.description)
    return found


def list_presets() -> list[PresetInfo]:
    """Shipped and user presets by name; a user preset hides a shipped one of the same name."""
    shipped = _scan(shipped_dir(), "shipped")
    users = user_dir_or_none()
    user = _scan(users, "user") if users is not None else {}
    merged: dict[str, PresetInfo] = dict(shipped)
    for name, info in user.items():
        if name in shipped:
            info = PresetInfo(
                info.name,
                info.origin,
                info.path,
                info.description,
                shipped[name].path,
                info.error,
            )
        merged[name] = info
    return [merged[n] for n in sorted(merged)]


def _is_file(path: Path) -> bool:
    """``path.is_file()``, false also for names the system refuses (too long, a NUL)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def resolve(name_or_path: str) -> Path:
    """Find a preset by name (user first, then shipped) or take it as a path."""
    candidate = Path(name_or_path)
    looks_like_path = "/" in name_or_path or name_or_path.endswith(".toml")
    if looks_like_path:
        return candidate
    users = user_dir_or_none()
    for directory in (shipped_dir(),) if users is None else (users, shipped_dir()):
        path = directory / f"{name_or_path}.toml"
        if _is_file(path):
            return path
    if _is_file(candidate):
        return candidate
    known = [info.name for info in list_presets()]
    close = difflib.get_close_matches(name_or_path, known, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise PresetError(
        name_or_path,
        None,
        f"no preset with this name{hint} (see 'hvtui presets list', or give a path)",
    )


def find(name_or_path: str) -> Preset:
    """Resolve and load, with the origin recorded."""
    path = resolve(name_or_path)
    origin: Origin = "file"
    try:
        parent = path.resolve().parent
        users = user_dir_or_none()
        if users is not None and parent == users.resolve():
            origin = "user"
        elif parent == shipped_dir().resolve():
            origin = "shipped"
    except OSError:
        pass
    return load(path, origin=origin)


__all__ = [
    "MAX_BYTES",
    "SCHEMA",
    "Preset",
    "PresetError",
    "PresetInfo",
    "Target",
    "dumps",
    "find",
    "list_presets",
    "load",
    "loads",
    "resolve",
    "save",
    "shipped_dir",
    "to_document",
    "user_dir",
    "user_dir_or_none",
    "values_equal",
]
