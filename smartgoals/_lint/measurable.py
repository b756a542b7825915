"""M: a goal is measured by a known metric against a target in the right unit."""

from __future__ import annotations

from smartgoals._lint import LintContext, rule
from smartgoals._metrics import Unit
from smartgoals._model import Goal
from smartgoals._units import QuantityKind, UnitError, parse_comparand


def _written_kind(goal: Goal) -> QuantityKind | None:
    written = goal.written("target")
    if written is None:
        return None
    try:
        return parse_comparand(written).quantity.kind
    except UnitError:
        return None


@rule("M201", "measurable.duration_without_unit", "error", "target")
def duration_without_unit(goal: Goal, context: LintContext) -> str | None:
    """A duration target is a bare number: seconds or minutes?

    Bad: ``target: "<= 120"``. Good: ``target: "<= 2 min"``.
    """
    if context.spec(goal).unit is Unit.SECONDS and _written_kind(goal) is QuantityKind.NUMBER:
        return f"target {goal.written('target')!r} has no unit: write it as a duration, e.g. '<= 2 min'"
    return None


@rule("M202", "measurable.share_as_fraction", "warning", "target")
def share_as_fraction(goal: Goal, context: LintContext) -> str | None:
    """A share target is written as a fraction, which reads ambiguously.

    Bad: ``target: 0.9``. Good: ``target: ">= 90%"``.
    """
    if context.spec(goal).unit is Unit.SHARE and _written_kind(goal) is QuantityKind.NUMBER:
        assert goal.target is not None
        return (
            f"write the share as a percentage: '{goal.target.comparison} {goal.target.value:.0%}'"
        )
    return None


@rule("M203", "measurable.where_empty_values", "warning", "where")
def where_empty_values(goal: Goal, context: LintContext) -> str | None:
    """A `where` filter lists no values for a label, so it matches nothing.

    Bad: ``where: {channel: []}``. Good: ``where: {channel: [chat, email]}``.
    """
    empty = [label for label, values in goal.where.items() if values == []]
    if empty:
        return f"'where' lists no values for {', '.join(empty)}: the goal can never have data"
    return None
