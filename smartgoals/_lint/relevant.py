"""R: a goal says which business objective it serves."""

from __future__ import annotations

from smartgoals._lint import LintContext, rule
from smartgoals._model import Goal


@rule("R401", "relevant.objective_missing", "warning", "id")
def objective_missing(goal: Goal, context: LintContext) -> str | None:
    """No `objective`: nobody can tell why the goal matters or when to retire it.

    Bad: no ``objective:``. Good: ``objective: Cut churn among chat-first customers``.
    """
    if goal.objective is None and goal.parent is None:
        return "no objective: add 'objective:' naming the business outcome this goal serves"
    return None
