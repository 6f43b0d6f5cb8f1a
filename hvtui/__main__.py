"""``python -m hvtui`` and the ``hvtui`` console script."""

from __future__ import annotations

import sys


def main() -> None:
    """Console-script entry point: exit with the CLI's code."""
    from hvtui.cli import main as cli_main

    sys.exit(cli_main())


if __name__ == "__main__":
    main()
