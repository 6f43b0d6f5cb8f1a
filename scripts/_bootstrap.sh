# Sourced by scripts/hvtui and scripts/test: make sure .venv exists and is current.
# It installs the exact versions constraints.txt pins (the ones CI tested), within
# the ranges pyproject.toml allows. A stamp file holds the hash of both files and
# the extras installed, so a changed dependency list or pin reinstalls, and an
# unchanged one costs nothing on the next run. Both scripts share the one .venv:
# the test extras include everything scripts/hvtui needs, so alternating between
# the two never reinstalls.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HVTUI_VENV:-$ROOT/.venv}"
EXTRAS="${1:-}"

bootstrap_venv() {
    local stamp hash have
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV" >&2
    fi
    hash="$(cat "$ROOT/pyproject.toml" "$ROOT/constraints.txt" | sha256sum | cut -c1-16)"
    stamp="$VENV/.hvtui-installed"
    have="$(cat "$stamp" 2>/dev/null || true)"
    # Current when the hash matches and the extras asked for are there: the
    # plain install is satisfied by either, the test one only by itself.
    if [ "$have" = "$hash-test" ] || { [ -z "$EXTRAS" ] && [ "$have" = "$hash-base" ]; }; then
        bootstrap_libvirt
        return 0
    fi
    echo "hvtui: installing into $VENV (first run only)..." >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    if [ -n "$EXTRAS" ]; then
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c "$ROOT/constraints.txt" -e "$ROOT[$EXTRAS]" >&2
    else
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c "$ROOT/constraints.txt" -e "$ROOT" >&2
    fi
    echo "$hash-${EXTRAS:-base}" > "$stamp"
    bootstrap_libvirt
}

# libvirt's Python binding (apply, and audit/detect/recommend --connect): PyPI's
# libvirt-python, built against this host's libvirt when its headers (libvirt-dev,
# found by pkg-config), a C compiler and Python's own headers are there. It is
# pinned to the host's libvirt version and tried once per version (a stamp), so a
# failed build costs one run. Without it hvtui uses the distribution's binding
# (python3-libvirt) when it was built for the venv's Python, and otherwise says
# in one line what to install (hvtui/libvirt/binding.py).
bootstrap_libvirt() {
    local stamp want have include
    stamp="$VENV/.hvtui-libvirt"
    command -v pkg-config >/dev/null 2>&1 || return 0
    want="$(pkg-config --modversion libvirt 2>/dev/null || true)"
    [ -n "$want" ] || return 0
    have="$(cat "$stamp" 2>/dev/null || true)"
    case "$have" in "$want "*) return 0 ;; esac
    command -v cc >/dev/null 2>&1 || return 0
    include="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null || true)"
    { [ -n "$include" ] && [ -f "$include/Python.h" ]; } || return 0
    echo "hvtui: building libvirt's Python binding for libvirt $want (once)..." >&2
    if "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "libvirt-python<=$want" >&2; then
        echo "$want ok" > "$stamp"
    else
        echo "hvtui: note: libvirt-python did not build; hvtui uses the system's python3-libvirt where it fits" >&2
        echo "$want failed" > "$stamp"
    fi
}
