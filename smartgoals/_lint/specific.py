"""S: a goal says what is wanted, for whom."""

from __future__ import annotations

import re

from smartgoals._lint import LintContext, rule
from smartgoals._model import Goal

VAGUE = (
    "improve",
    "better",
    "happy",
    "happier",
    "good",
    "great",
    "enhance",
    "optimize",
    "optimise",
    "boost",
    "excellent",
    "best",
    "more",
    "increase",
    "reduce",
    "faster",
)


@rule("S101", "specific.title_missing", "error", "id")
def title_missing(goal: Goal, context: LintContext) -> str | None:
    """A goal has no title: reports show only its id.

    Bad: ``{id: g1, metric: csat, ...}``. Good: ``{id: g1, title: Raise CSAT to 90% satisfied, ...}``.
    """
    if goal.title is None or not goal.title.strip():
        return "goal has no title: add 'title:' saying what is wanted, e.g. 'Answer chats within 2 min'"
    return None


@rule("S102", "specific.vague_title", "warning", "title")
def vague_title(goal: Goal, context: LintContext) -> str | None:
    """The title uses vague words ("improve", "better", "happy") and names no metric or number.

    Bad: ``title: Make customers happier``. Good: ``title: Raise CSAT to 90% satisfied``.
    """
    text = f"{goal.title or ''} {goal.description or ''}".lower()
    words = set(re.findall(r"[a-z]+", text))
    vague = sorted(words & set(VAGUE))
    spec = context.spec(goal)
    names_metric = any(
        w in text for w in (goal.metric.replace("_", " "), spec.title.lower(), goal.metric)
    )
    if vague and not names_metric and not re.search(r"\d", text):
        return (
            f"title is vague ({', '.join(vague)}) and names no metric or number: say what "
            f"changes, e.g. '{spec.title} {_example(goal)}'"
        )
    return None


def _example(goal: Goal) -> str:
    return "under 2 min" if goal.comparison == "<=" else "to 90%"


_WHOLE = re.compile(r"\b(all|every|overall|across|whole|total)\b", re.IGNORECASE)


@rule("S103", "specific.unsegmented", "warning", "metric")
def unsegmented(goal: Goal, context: LintContext) -> str | None:
    """A metric usually broken down (by channel, tier or team) has no `where` filter.

    Bad: ``{metric: first_response_time}`` (chat and email mixed). Good: ``where: {channel: chat}``,
    or a title that says so (``First response on all channels``).
    """
    spec = context.spec(goal)
    says_all = _WHOLE.search(goal.title or "") is not None
    if spec.segments and not goal.where and goal.for_each is None and not says_all:
        labels = " or ".join(spec.segments)
        return (
            f"{goal.metric} mixes every {labels}: add 'where: {{{spec.segments[0]}: ...}}' "
            "or say in the title that it covers all"
        )
    return None
