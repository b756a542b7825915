"""Roll-up: a goal with children (`parent:` or `for_each:`) reports on them beside its own value.

Its progress is the weighted mean of its children's (a `maintain` child counts 1 when met now, else
0; children whose progress is unknown are left out), with the weighted share of children on track
or achieved beside it. Its status is its own when it has data of its own, else the worst of its
children's. Its value always comes from the pooled events: ratios and percentiles are never summed
or averaged across children.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from smartgoals._results import GoalResult
from smartgoals._status import GOOD, Status, worst


def roll_up(results: Sequence[GoalResult], weights: dict[str, float]) -> list[GoalResult]:
    """The results with every parent rolled up (deepest parents first), in the same order."""
    by_id = {r.id: r for r in results}
    children: dict[str, list[str]] = {}
    for result in results:
        if result.parent is not None:
            children.setdefault(result.parent, []).append(result.id)
    for parent in _deepest_first(children):
        kids = [by_id[k] for k in children[parent] if k in by_id]
        if parent in by_id and kids:
            by_id[parent] = _rolled(by_id[parent], kids, weights)
    return [by_id[r.id] for r in results]


def _rolled(own: GoalResult, kids: list[GoalResult], weights: dict[str, float]) -> GoalResult:
    weighted = [(weights[k.id], k) for k in kids]
    total = sum(w for w, _ in weighted)
    scored = [(w, p) for w, k in weighted if (p := child_progress(k)) is not None]
    progress = own.progress
    if scored:
        progress = sum(w * p for w, p in scored) / sum(w for w, _ in scored)
    good = sum(w for w, k in weighted if k.status in GOOD)
    lowest = worst({k.status for k in kids})
    status = own.status
    if own.status in (Status.NO_DATA, Status.NOT_STARTED):
        status = lowest
    return dataclasses.replace(
        own,
        progress=progress,
        status=status,
        children=tuple(k.id for k in kids),
        share_on_track=good / total if total else None,
        reasons=(
            *own.reasons,
            f"{good / total:.0%} of {len(kids)} child goals on track "
            f"(weighted); worst: {lowest.value}",
        ),
    )


def child_progress(child: GoalResult) -> float | None:
    """A child's share in its parent's progress: its progress, or for `maintain` 1 when met now."""
    if child.kind == "maintain":
        return None if child.met is None else float(child.met)
    return child.progress


def _deepest_first(children: dict[str, list[str]]) -> list[str]:
    depth: dict[str, int] = {}

    def height(node: str, seen: frozenset[str] = frozenset()) -> int:
        if node in depth:
            return depth[node]
        if node in seen:
            return 0
        inner = seen | {node}
        # NOTE: a child that is no parent is a leaf (height 1), as a for_each goal's thousands are
        depth[node] = 1 + max(height(c, inner) if c in children else 1 for c in children[node])
        return depth[node]

    return sorted(children, key=height)


__all__ = ["child_progress", "roll_up"]
