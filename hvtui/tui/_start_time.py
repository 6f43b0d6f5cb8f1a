"""When the UI package was first imported, for the "first frame in N ms" log line.

Imported before anything else in :mod:`hvtui.tui` so the number includes the
cost of importing Textual and building the first screen; the benchmark compares
it with the time a real terminal first shows text.
"""

from __future__ import annotations

import time

START_NS: int = time.perf_counter_ns()
"""``perf_counter_ns()`` at import of :mod:`hvtui.tui`."""


def elapsed_ms() -> float:
    """Milliseconds since :data:`START_NS`."""
    return (time.perf_counter_ns() - START_NS) / 1e6
