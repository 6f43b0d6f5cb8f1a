"""A configuration side by side with the peers' defaults (CLI ``compare`` and the TUI)."""

from __future__ import annotations

from typing import Any

from hvtui import catalog
from hvtui.catalog.peers import PEERS, Peer, PeerDefault, PeerState
from hvtui.model import Config
from hvtui.model.values import format_value
from hvtui.records import record


@record(frozen=True)
class CompareRow:
    """One option: our value and each peer's default, in ``PEERS`` order."""

    option: str
    ours: str
    """``on``, ``off``, ``-`` (absent) or the value."""
    peers: tuple[PeerDefault, ...]

    @property
    def interesting(self) -> bool:
        """True when we or any peer turn it on (in any way)."""
        return self.ours != "-" or any(p.state is not PeerState.OFF for p in self.peers)


@record(frozen=True)
class Comparison:
    """The whole table."""

    peers: tuple[Peer, ...]
    rows: tuple[CompareRow, ...]

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json`` and other tools."""
        return {
            "peers": [{"key": p.key, "name": p.name, "version": p.version} for p in self.peers],
            "rows": [
                {
                    "option": r.option,
                    "ours": r.ours,
                    "peers": {
                        p.key: {"state": d.state.value, "value": d.value, "note": d.note}
                        for p, d in zip(self.peers, r.peers, strict=True)
                    },
                }
                for r in self.rows
            ],
        }


def compare(config: Config, peers: tuple[Peer, ...] = PEERS) -> Comparison:
    """Our value for every catalog option next to each peer's default (the wizard's five
    peers unless ``peers`` says otherwise; ``hvtui compare`` passes ``ALL_PEERS``)."""
    rows = []
    for entry in catalog.ENTRIES:
        value = config.get(entry.name)
        ours = "-" if value is None else format_value(entry, value)
        rows.append(CompareRow(entry.name, ours, tuple(p.default(entry.name) for p in peers)))
    return Comparison(peers, tuple(rows))
