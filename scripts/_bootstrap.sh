# Sourced by scripts/hvtui and scripts/test: make sure .venv exists and is current.
# A stamp file holds the hash of pyproject.toml and the extras installed, so a
# changed dependency list reinstalls, and an unchanged one costs nothing on the
# next run. Both scripts share the one .venv: the test extras include everything
# scripts/hvtui needs, so alternating between the two never reinstalls.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HVTUI_VENV:-$ROOT/.venv}"
EXTRAS="${1:-}"

bootstrap_venv() {
    local stamp hash have
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV" >&2
    fi
    hash="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
    stamp="$VENV/.hvtui-installed"
    have="$(cat "$stamp" 2>/dev/null || true)"
    # Current when the hash matches and the extras asked for are there: the
    # plain install is satisfied by either, the test one only by itself.
    if [ "$have" = "$hash-test" ] || { [ -z "$EXTRAS" ] && [ "$have" = "$hash-base" ]; }; then
        return 0
    fi
    echo "hvtui: installing into $VENV (first run only)..." >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    if [ -n "$EXTRAS" ]; then
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[$EXTRAS]" >&2
    else
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT" >&2
    fi
    echo "$hash-${EXTRAS:-base}" > "$stamp"
}
