"""Statuses: the names of design §5, their order, and how every report shows them.

Everything a format needs to show a status lives in one table, `LOOKS`: the icon for Markdown, the
terminal style, and the colours of the HTML page. Adding a status is one member of `Status` and one
row of `LOOKS` (a test checks that every status has one); the JSON Schema's enum is read from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """A goal's status (design §5), in the order of the roll-up's "worst first"."""

    MISSED = "missed"
    BREACHED = "breached"
    AT_RISK = "at_risk"
    NO_DATA = "no_data"
    ON_TRACK = "on_track"
    ACHIEVED = "achieved"
    NOT_STARTED = "not_started"

    @property
    def severity(self) -> int:
        """0 for the worst status (missed) up to 6 for not_started."""
        return _SEVERITY[self]

    @property
    def look(self) -> Look:
        """How reports show this status."""
        return LOOKS[self]

    @property
    def label(self) -> str:
        """The status in words: ``at risk``."""
        return self.value.replace("_", " ")


_SEVERITY = {status: rank for rank, status in enumerate(Status)}


@dataclass(frozen=True)
class Look:
    """How a status is shown.

    Attributes:
        icon: the emoji in Markdown (GitHub renders it).
        style: the rich style in the terminal table.
        colour: the HTML accent (card border, dot).
        badge: the HTML badge's background and text colours.
        attention: whether reports list it under "needs attention".
    """

    icon: str
    style: str
    colour: str
    badge: tuple[str, str]
    attention: bool


LOOKS: dict[Status, Look] = {
    Status.MISSED: Look("⛔", "red", "#a61e4d", ("#ffdeeb", "#a61e4d"), attention=True),
    Status.BREACHED: Look("🔴", "bold red", "#e03131", ("#ffe3e3", "#c92a2a"), attention=True),
    Status.AT_RISK: Look("🟡", "yellow", "#f59f00", ("#fff3bf", "#e67700"), attention=True),
    Status.NO_DATA: Look("⚪", "magenta", "#868e96", ("#f1f3f5", "#495057"), attention=True),
    Status.ON_TRACK: Look("🟢", "green", "#37b24d", ("#ebfbee", "#2f9e44"), attention=False),
    Status.ACHIEVED: Look("✅", "bold green", "#2b8a3e", ("#d3f9d8", "#2b8a3e"), attention=False),
    Status.NOT_STARTED: Look("⏳", "dim", "#adb5bd", ("#f8f9fa", "#868e96"), attention=False),
}

if set(LOOKS) != set(Status):  # pragma: no cover - a contributor's slip, caught on first import
    _odd = sorted(s.value for s in set(Status) ^ set(LOOKS))
    raise TypeError(f"every Status needs one row in LOOKS, and LOOKS no other: {', '.join(_odd)}")

DEFAULT_FAIL_ON = frozenset({Status.BREACHED, Status.MISSED, Status.NO_DATA})
FAILABLE = frozenset({Status.BREACHED, Status.MISSED, Status.NO_DATA, Status.AT_RISK})
ATTENTION = tuple(status for status in Status if status.look.attention)
GOOD = frozenset({Status.ON_TRACK, Status.ACHIEVED})


def parse_policy(text: str | Iterable[str]) -> frozenset[Status]:
    """Parse a ``--fail-on`` list such as ``"breached,missed,no_data"``.

    Raises:
        ValueError: a name that is not breached, missed, no_data or at_risk.
    """
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    statuses = set()
    for name in names:
        try:
            status = Status(name.replace("-", "_"))
        except ValueError:
            status = None
        if status not in FAILABLE:
            allowed = ", ".join(sorted(s.value for s in FAILABLE))
            raise ValueError(f"--fail-on: unknown status {name!r}; expected some of {allowed}")
        statuses.add(status)
    return frozenset(s for s in statuses if s is not None)


def count_statuses(statuses: Iterable[Status]) -> dict[str, int]:
    """The number of goals per status, worst first, zeros included."""
    counts = {status.value: 0 for status in Status}
    for status in statuses:
        counts[status.value] += 1
    return counts


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe of `statuses`."""
    return min(statuses, key=lambda s: s.severity)


__all__ = [
    "ATTENTION",
    "DEFAULT_FAIL_ON",
    "FAILABLE",
    "GOOD",
    "LOOKS",
    "Look",
    "Status",
    "count_statuses",
    "parse_policy",
    "worst",
]
