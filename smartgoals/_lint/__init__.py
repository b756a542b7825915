"""SMART lint: rules over loaded goals, each with a stable code, a severity and a fix in its message.

Rules are grouped by SMART letter, one module each (`specific`, `measurable`, `achievable`,
`relevant`, `time_bound`). A rule is a function ``(goal, context) -> message | None`` registered with
`rule`; its docstring holds a bad and a good example, which the docs print and a test checks.
Errors fail `smartgoals lint` (exit 1); warnings fail it only with ``--strict``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from smartgoals._errors import SourceSpan
from smartgoals._metrics import MetricSpec
from smartgoals._model import Goal, GoalSet

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class LintContext:
    """What a rule may look at besides the goal: the catalog and the date of the run."""

    goals: GoalSet
    as_of: date

    def spec(self, goal: Goal) -> MetricSpec:
        """The metric spec of `goal`."""
        return self.goals.metrics[goal.metric]


Check = Callable[[Goal, LintContext], str | None]


@dataclass(frozen=True)
class Rule:
    """A lint rule: a code (``T502``), a dotted name, a severity and the field it points at.

    ``field`` may name alternatives (``"target|threshold"``): the first the goal writes is used.
    """

    code: str
    name: str
    severity: Severity
    field: str
    check: Check

    @property
    def doc(self) -> str:
        """The rule's docstring: what it finds, with a bad and a good example."""
        return (self.check.__doc__ or "").strip()


@dataclass(frozen=True, order=True)
class Finding:
    """One lint finding at a position."""

    span: SourceSpan
    code: str
    name: str
    severity: Severity
    message: str
    goal: str

    def __str__(self) -> str:
        return f"{self.span}: {self.code} {self.message}"


RULES: list[Rule] = []
ALIASES = {"measurable.where_on_unknown_label": "measurable.where_empty_values"}  # old -> new


def rule(code: str, name: str, severity: Severity, field: str) -> Callable[[Check], Check]:
    """Register a rule function under `code` and dotted `name`, pointing at goal field `field`."""

    def register(check: Check) -> Check:
        RULES.append(Rule(code, name, severity, field, check))
        return check

    return register


def lint(goals: GoalSet, *, as_of: date) -> list[Finding]:
    """Run every rule on every goal; findings sorted by position.

    Args:
        goals: loaded goals.
        as_of: the date of the run (for "deadline in the past").
    """
    from smartgoals._lint import achievable, measurable, relevant, specific, time_bound  # noqa: F401

    context = LintContext(goals, as_of)
    found: dict[tuple[SourceSpan, Rule, str], list[str]] = {}
    for goal in goals:
        for each in RULES:
            message = each.check(goal, context)
            if message is not None:
                found.setdefault((_span(goal, each.field), each, message), []).append(goal.id)
    spans = {g.id: g.span for g in goals}
    return sorted(
        Finding(span, each.code, each.name, each.severity, _naming(message, ids), ids[0])
        if len(ids) > 1 or _outside(span, spans[ids[0]])
        else Finding(span, each.code, each.name, each.severity, message, ids[0])
        for (span, each, message), ids in found.items()
    )


def _outside(span: SourceSpan, goal: SourceSpan | None) -> bool:
    """Whether a position lies before the goal's own lines (a field inherited from defaults)."""
    return goal is not None and (span.file != goal.file or span.line < goal.line)


def _naming(message: str, ids: list[str]) -> str:
    """One finding for a field goals inherit (``defaults:``), naming those goals."""
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    return f"{message} ({'goal' if len(ids) == 1 else 'goals'} {shown})"


def _span(goal: Goal, fields: str) -> SourceSpan:
    """The position of the first of ``a|b|c`` the goal writes, else of the goal itself."""
    for name in fields.split("|"):
        if goal.written(name) is not None:
            return goal.field_span(name) or SourceSpan("<goal>", 1, 1)
    return goal.span or SourceSpan("<goal>", 1, 1)


def all_rules() -> list[Rule]:
    """Every registered rule, by code."""
    from smartgoals._lint import achievable, measurable, relevant, specific, time_bound  # noqa: F401

    return sorted(RULES, key=lambda r: r.code)


__all__ = [
    "ALIASES",
    "RULES",
    "Finding",
    "LintContext",
    "Rule",
    "Severity",
    "all_rules",
    "lint",
    "rule",
]
