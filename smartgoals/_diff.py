"""Goal changes between two git revisions: what a pull request does to the goals.

`diff` reads the goal files of both revisions with plain ``git`` (``git ls-tree``, ``git show``;
the working tree when no head is given), matches goals by id and lists goals added and retired,
targets and thresholds made harder or easier, deadlines moved and owners changed. With data, each
goal is also evaluated under both definitions on the same data and as-of, so a reviewer sees
whether a change turns a breached goal into an on-track one.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smartgoals._errors import UsageError
from smartgoals._loading import goal_files, load_texts
from smartgoals._model import Goal, GoalSet
from smartgoals._results import Report
from smartgoals._units import format_value

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class FieldChange:
    """One field of a goal that differs: its value before and after, and which way it went.

    `direction` is ``harder`` or ``easier`` for targets and thresholds, ``earlier`` or ``later``
    for dates, else empty.
    """

    field: str
    before: str
    after: str
    direction: str = ""


@dataclass(frozen=True)
class GoalDiff:
    """How one goal differs between the revisions (``added``, ``retired`` or ``changed``)."""

    goal: str
    kind: str
    changes: tuple[FieldChange, ...] = ()
    status_before: str | None = None
    status_after: str | None = None
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class GoalsDiff:
    """Every goal that differs between `base` and `head` (the working tree when None)."""

    base: str
    head: str | None
    goals: tuple[GoalDiff, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The diff as JSON."""
        return {
            "base": self.base,
            "head": self.head,
            "goals": [
                {
                    "goal": g.goal,
                    "kind": g.kind,
                    "changes": [
                        {
                            "field": c.field,
                            "before": c.before,
                            "after": c.after,
                            "direction": c.direction,
                        }
                        for c in g.changes
                    ],
                    "status_before": g.status_before,
                    "status_after": g.status_after,
                    "file": g.file,
                    "line": g.line,
                }
                for g in self.goals
            ],
        }


def git(args: list[str], cwd: Path) -> str:
    """Run git and return its output; a failure is a `UsageError` with git's message."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise UsageError("diff needs git on the PATH") from exc
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()
        raise UsageError(f"git {' '.join(args)}: {message[0] if message else 'failed'}")
    return done.stdout


def is_revision(name: str, cwd: Path) -> bool:
    """Whether `name` names a commit in the repository at `cwd`."""
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"],
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def goals_at(revision: str, paths: list[str], cwd: Path) -> GoalSet:
    """The goal files under `paths` (relative to `cwd`) as they are at `revision`.

    Files are named relative to `cwd`, as in the working tree; none gives an empty set.
    """
    prefix = git(["rev-parse", "--show-prefix"], cwd).strip()
    listed = git(["ls-tree", "-r", "--full-name", "--name-only", revision, "--", *paths], cwd)
    texts = {
        name.removeprefix(prefix): git(["show", f"{revision}:{name}"], cwd)
        for name in listed.splitlines()
        if name.endswith(YAML_SUFFIXES)
    }
    return load_texts(texts)


def goals_in_tree(paths: list[str], cwd: Path) -> GoalSet:
    """The goal files under `paths` in the working tree (relative to `cwd`)."""
    existing = [p for p in paths if (cwd / p).exists()]
    files = goal_files([cwd / p for p in existing])
    if not files:
        return load_texts({})
    return load_texts({str(f.relative_to(cwd)): f.read_text(encoding="utf-8") for f in files})


def compare_goals(
    base: GoalSet,
    head: GoalSet,
    *,
    base_name: str,
    head_name: str | None,
    before: Report | None = None,
    after: Report | None = None,
) -> GoalsDiff:
    """The goals added, retired or changed from `base` to `head`, with their statuses if given."""
    old = {g.id: g for g in base}
    new = {g.id: g for g in head}
    status_before = {g.id: g.status.value for g in before.goals} if before else {}
    status_after = {g.id: g.status.value for g in after.goals} if after else {}
    found = []
    for goal in head:
        previous = old.get(goal.id)
        changes = () if previous is None else tuple(_field_changes(previous, goal, base, head))
        if previous is None or changes:
            found.append(
                GoalDiff(
                    goal.id,
                    "added" if previous is None else "changed",
                    changes,
                    status_before.get(goal.id),
                    status_after.get(goal.id),
                    goal.span.file if goal.span else None,
                    goal.span.line if goal.span else None,
                )
            )
    for goal in base:
        if goal.id not in new:
            found.append(
                GoalDiff(
                    goal.id,
                    "retired",
                    (),
                    status_before.get(goal.id),
                    None,
                    goal.span.file if goal.span else None,
                    goal.span.line if goal.span else None,
                )
            )
    order = {"changed": 0, "added": 1, "retired": 2}
    return GoalsDiff(
        base_name, head_name, tuple(sorted(found, key=lambda d: (order[d.kind], d.goal)))
    )


def _field_changes(old: Goal, new: Goal, base: GoalSet, head: GoalSet) -> list[FieldChange]:
    changes = []
    old_unit, new_unit = base.metrics[old.metric].unit, head.metrics[new.metric].unit
    if old.metric != new.metric:
        changes.append(FieldChange("metric", old.metric, new.metric))
    if old.threshold is not None or new.threshold is not None:
        changes += _threshold_change(old, new)
    elif old.target is not None and new.target is not None:
        before, after = old.target, new.target
        if (before.comparison, before.value) != (after.comparison, after.value):
            harder = (
                ""
                if before.comparison != after.comparison or old.metric != new.metric
                else _harder(after.value, before.value, after.comparison)
            )
            changes.append(
                FieldChange(
                    "target",
                    f"{before.comparison} {format_value(before.value, old_unit)}",
                    f"{after.comparison} {format_value(after.value, new_unit)}",
                    harder,
                )
            )
    for name in ("deadline", "start"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            way = "" if a is None or b is None else ("later" if b > a else "earlier")
            changes.append(FieldChange(name, str(a or "–"), str(b or "–"), way))
    for name in ("owner", "kind", "window", "where", "statistic", "team"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            changes.append(FieldChange(name, _text(a), _text(b)))
    return changes


def _threshold_change(old: Goal, new: Goal) -> list[FieldChange]:
    a, b = old.threshold, new.threshold
    if a is None or b is None:
        shown = [("–" if s is None else f"{s.share:.1%} {s.rule}") for s in (a, b)]
        return [FieldChange("threshold", shown[0], shown[1])]
    if (a.share, a.limit, a.comparison) == (b.share, b.limit, b.comparison):
        return []
    direction = ""
    if a.comparison == b.comparison and a.limit.kind == b.limit.kind:
        share = _harder(b.share, a.share, ">=")
        limit = _harder(b.limit.value, a.limit.value, "<=" if a.comparison != ">=" else ">=")
        ways = {share, limit} - {""}
        direction = ways.pop() if len(ways) == 1 else ""
    return [
        FieldChange("threshold", f"{a.share:.1%} {a.rule}", f"{b.share:.1%} {b.rule}", direction)
    ]


def _harder(after: float, before: float, comparison: str) -> str:
    """``harder`` when the new bound asks more (higher for ``>=``, lower for ``<=``)."""
    if after == before:
        return ""
    asks_more = after > before if comparison == ">=" else after < before
    return "harder" if asks_more else "easier"


def _text(value: Any) -> str:
    if value is None or value == {} or value == ():
        return "–"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    return str(getattr(value, "value", value))


def render_markdown(diff: GoalsDiff) -> str:
    """The diff as Markdown, for a pull-request comment."""
    head = diff.head or "working tree"
    counts: dict[str, int] = {}
    for goal in diff.goals:
        counts[goal.kind] = counts.get(goal.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in counts.items()) or "no goal changed"
    lines = [f"## Goal changes: `{diff.base}` → `{head}`", "", f"**{summary}**", ""]
    if not diff.goals:
        return "\n".join(lines)
    statuses = any(g.status_before or g.status_after for g in diff.goals)
    header = "| goal | change | before | after |" + (" status |" if statuses else "")
    lines += [header, "|---|---|---|---|" + ("---|" if statuses else "")]
    for goal in diff.goals:
        status = f" {goal.status_before or '–'} → {goal.status_after or '–'} |" if statuses else ""
        rows = goal.changes or (FieldChange(goal.kind, "", ""),)
        for n, change in enumerate(rows):
            what = change.field if goal.kind == "changed" else goal.kind
            if change.direction:
                what += f" ({change.direction})"
            name = f"`{goal.goal}`" if n == 0 else ""
            lines.append(
                f"| {name} | {what} | {_cell(change.before)} | {_cell(change.after)} |"
                + (status if n == 0 else (" |" if statuses else ""))
            )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


__all__ = [
    "FieldChange",
    "GoalDiff",
    "GoalsDiff",
    "compare_goals",
    "git",
    "goals_at",
    "goals_in_tree",
    "is_revision",
    "render_markdown",
]
