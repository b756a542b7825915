"""SMART lint: rules over loaded goals, each with a stable code, a severity and a fix in its message.

Rules are grouped by SMART letter, one module each (`specific`, `measurable`, `achievable`,
`relevant`, `time_bound`). A rule is a function ``(goal, context) -> message | None`` registered with
`rule`; its docstring holds a bad and a good example, which the docs print and a test checks.
Errors fail `smartgoals lint` (exit 1); warnings fail it only with ``--strict``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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


def lint(
    goals: GoalSet,
    *,
    as_of: date,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[Finding]:
    """Run the rules on every goal; findings sorted by position.

    A finding is left out when a ``# smartgoals: ignore CODE`` comment on the goal (on any of its
    lines, or the line above it) names its rule, or names no rule at all.

    Args:
        goals: loaded goals.
        as_of: the date of the run (for "deadline in the past").
        select: only these rules (codes, code prefixes such as ``S`` or ``T5``, or dotted names
            such as ``specific`` or ``time_bound.deadline_passed``); every rule when empty.
        ignore: not these rules (the same forms).

    Raises:
        ValueError: a rule in `select` or `ignore` that matches no rule.
    """
    rules = chosen_rules(select, ignore)
    context = LintContext(goals, as_of)
    found: dict[tuple[SourceSpan, Rule, str], list[str]] = {}
    suppressed = _suppressions(goals)
    for goal in goals:
        for each in rules:
            if suppressed(goal, each):
                continue
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


def matches(token: str, rule: Rule) -> bool:
    """Whether a rule selector (code, code prefix, dotted name or prefix, old name) names `rule`."""
    if re.fullmatch(r"[A-Za-z][0-9]{0,3}", token):
        return rule.code.startswith(token.upper())
    name = ALIASES.get(token, token)
    return name == rule.name or rule.name.startswith(name + ".")


def chosen_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """The rules `select` picks (all when empty) less those `ignore` names."""
    everything = all_rules()
    wanted, unwanted = list(select), list(ignore)
    for token in wanted + unwanted:
        if not any(matches(token, r) for r in everything):
            codes = ", ".join(r.code for r in everything)
            raise ValueError(f"no lint rule {token!r}; the rules are {codes} (or their names)")
    return [
        r
        for r in everything
        if (not wanted or any(matches(t, r) for t in wanted))
        and not any(matches(t, r) for t in unwanted)
    ]


def _suppressions(goals: GoalSet) -> Callable[[Goal, Rule], bool]:
    """Whether an ignore comment on a goal's lines (or the line above it) names a rule."""
    starts: dict[str, list[int]] = {}
    for goal in goals:
        if goal.span is not None:
            starts.setdefault(goal.span.file, []).append(goal.span.line)
    for lines in starts.values():
        lines.sort()

    def suppressed(goal: Goal, rule: Rule) -> bool:
        span = goal.span
        comments = goals.ignores.get(span.file) if span is not None else None
        if not comments or span is None:
            return False
        later = [line for line in starts[span.file] if line > span.line]
        end = later[0] if later else 1 << 30
        return any(
            span.line <= line < end and (not names or any(matches(n, rule) for n in names))
            for line, names in comments.items()
        )

    return suppressed


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
    "chosen_rules",
    "lint",
    "matches",
    "rule",
]
