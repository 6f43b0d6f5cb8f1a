# Sourced by scripts/hvtui and scripts/test: make sure .venv exists and is current.
# A stamp file holds the hash of pyproject.toml, so a changed dependency list
# reinstalls, and an unchanged one costs nothing on the next run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HVTUI_VENV:-$ROOT/.venv}"
EXTRAS="${1:-}"

bootstrap_venv() {
    local stamp want
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV" >&2
    fi
    want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)-${EXTRAS:-base}"
    stamp="$VENV/.hvtui-installed"
    if [ ! -f "$stamp" ] || ! grep -qx "$want" "$stamp" 2>/dev/null; then
        echo "hvtui: installing into $VENV (first run only)..." >&2
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
        if [ -n "$EXTRAS" ]; then
            "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[$EXTRAS]" >&2
        else
            "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT" >&2
        fi
        echo "$want" > "$stamp"
    fi
}
