"""``--format html``: one self-contained page (no network at view time) with a chart per goal.

A summary, a leaderboard of owners by attainment, then the goals grouped by team and owner, each
with its chart (history, target, expected path, forecast band, deadline) and its reasons.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape
from itertools import groupby

from smartgoals._render import RenderOptions
from smartgoals._render.chart import chart_svg
from smartgoals._render.text import change_line, changes_title, percent, show
from smartgoals._results import GoalResult, Report
from smartgoals._status import GOOD, Status

NOT_JUDGED = (Status.NOT_STARTED, Status.NO_DATA)

STYLE = """
:root{--ink:#1f2933;--mute:#616e7c;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;
color:var(--ink);background:var(--bg)}header,main{max-width:1320px;margin:0 auto;padding:16px 24px}
h1{font-size:24px;margin:8px 0}h2{font-size:19px;margin:28px 0 8px}h3{font-size:15px;margin:16px 0 8px;
color:var(--mute)}.summary{font-size:16px}.grid{display:grid;grid-template-columns:repeat(auto-fill,
minmax(440px,1fr));gap:14px}.goal{background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:12px 14px;border-top:5px solid var(--line)}.goal h4{margin:0;font-size:15px}.goal .title{color:
var(--mute);margin:2px 0 6px}.facts{display:flex;gap:16px;flex-wrap:wrap;font-size:13px;margin:6px 0}
.facts b{font-size:16px}.reasons{margin:6px 0 0;padding-left:18px;color:var(--mute);font-size:12.5px}
.badge{display:inline-block;border-radius:12px;padding:1px 9px;font-size:12px;font-weight:600;
margin-left:6px;vertical-align:middle}
table.board{border-collapse:collapse;background:var(--card);border:1px solid var(--line)}
.board th,.board td{padding:6px 12px;border-bottom:1px solid var(--line);text-align:left}
.board td.n{text-align:right;font-variant-numeric:tabular-nums}
.meter{display:inline-block;width:120px;height:8px;background:var(--line);border-radius:4px;
vertical-align:middle}.meter i{display:block;height:8px;border-radius:4px;background:#37b24d}
svg.chart{display:block;width:100%;height:auto;margin-top:6px}
.chart .axis{stroke:#9aa5b1}.chart .tick{font-size:10px;fill:var(--mute)}.chart .end{text-anchor:end}
.chart .target{stroke:#e03131;stroke-dasharray:5 4;stroke-width:1.5}
.chart .expected{fill:none;stroke:#7048e8;stroke-dasharray:2 3;stroke-width:1.5}
.chart polyline.actual{fill:none;stroke:#1c7ed6;stroke-width:2}.chart circle.actual{fill:#1c7ed6}
.chart .band{fill:#1c7ed6;opacity:.14}.chart .forecast{stroke:#1c7ed6;stroke-dasharray:4 3}
.chart .deadline{stroke:#495057;stroke-width:1.5}.chart .today{stroke:#adb5bd;stroke-dasharray:1 3}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;
vertical-align:middle;background:#adb5bd}.rank{display:inline-block;min-width:22px;font-weight:700;color:var(--mute)}
.rank.r1{color:#d4a017}.rank.r2{color:#8d99ae}.rank.r3{color:#b87333}
.legend{color:var(--mute);font-size:12px}.legend span{margin-right:14px}
.quality{background:#fff9db;border:1px solid #ffe066;padding:8px 12px;border-radius:8px}
"""

STYLE += "".join(
    f".{s.value}{{border-top-color:{s.look.colour}}}"
    f".{s.value} .badge{{background:{s.look.badge[0]};color:{s.look.badge[1]}}}"
    f".dot.{s.value}{{background:{s.look.colour}}}\n"
    for s in Status
)

LEGEND = (
    '<p class="legend"><span style="color:#1c7ed6">━ weekly value</span>'
    '<span style="color:#e03131">╌ target</span><span style="color:#7048e8">┈ expected path'
    '</span><span style="color:#1c7ed6">▞ forecast</span><span>│ deadline</span></p>'
)


@dataclass(frozen=True)
class Standing:
    """An owner's place on the leaderboard."""

    owner: str
    goals: int
    judged: int
    good: int
    progress: float | None

    @property
    def attainment(self) -> float | None:
        """The share of judged goals achieved or on track."""
        return self.good / self.judged if self.judged else None


def leaderboard(goals: tuple[GoalResult, ...]) -> list[Standing]:
    """Owners ranked by attainment, then mean progress (clipped to 0–1), then name."""
    by_owner: dict[str, list[GoalResult]] = defaultdict(list)
    for goal in goals:
        by_owner[goal.owner].append(goal)
    standings = []
    for owner, owned in by_owner.items():
        judged = [g for g in owned if g.status not in NOT_JUDGED]
        progress = [min(max(g.progress, 0.0), 1.0) for g in judged if g.progress is not None]
        standings.append(
            Standing(
                owner,
                len(owned),
                len(judged),
                sum(g.status in GOOD for g in judged),
                sum(progress) / len(progress) if progress else None,
            )
        )
    return sorted(
        standings,
        key=lambda s: (
            -(s.attainment if s.attainment is not None else -1),
            -(s.progress or 0.0),
            s.owner,
        ),
    )


def _board(standings: list[Standing]) -> str:
    rows = []
    for rank, s in enumerate(standings, start=1):
        share = s.attainment
        meter = f'<span class="meter"><i style="width:{(share or 0) * 100:.0f}%"></i></span>'
        place = f'<span class="rank r{rank}">{rank}.</span>'
        rows.append(
            f"<tr><td>{place} {escape(s.owner)}</td><td class=n>{s.goals}</td>"
            f"<td>{meter} {percent(share)}</td><td class=n>{percent(s.progress)}</td></tr>"
        )
    return (
        '<table class="board"><tr><th>owner</th><th>goals</th><th>on track or achieved</th>'
        f"<th>mean progress</th></tr>{''.join(rows)}</table>"
    )


def _card(goal: GoalResult, report: Report) -> str:
    reasons = "".join(f"<li>{escape(r)}</li>" for r in goal.reasons)
    title = f'<p class="title">{escape(goal.title)}</p>' if goal.title else ""
    where = f"{goal.file}:{goal.line}" if goal.file else ""
    return (
        f'<article class="goal {goal.status.value}" id="goal-{escape(goal.id)}" '
        f'data-goal="{escape(goal.id)}"><h4><span class="dot {goal.status.value}"></span>'
        f"{escape(goal.id)}"
        f'<span class="badge">{goal.status.value.replace("_", " ")}</span></h4>{title}'
        f'<div class="facts"><span>value <b>{escape(show(goal, goal.value))}</b></span>'
        f"<span>target <b>{escape(goal.comparison)} {escape(show(goal, goal.target))}</b></span>"
        f"<span>progress <b>{percent(goal.progress)}</b> of {percent(goal.expected_progress)}"
        f"</span><span>forecast <b>{escape(show(goal, goal.forecast))}</b></span>"
        f"<span>deadline <b>{goal.deadline}</b></span></div>"
        f"{chart_svg(goal, report.as_of_date)}<ul class=reasons>{reasons}</ul>"
        f'<p class="legend">{escape(where)} · owner {escape(goal.owner)}</p></article>'
    )


def _teams(report: Report) -> str:
    parts = []
    ordered = sorted(report.goals, key=lambda g: (g.team or "~", g.owner, g.status.severity, g.id))
    for team, in_team in groupby(ordered, key=lambda g: g.team or ""):
        parts.append(f"<h2>{escape('Team ' + team if team else 'No team')}</h2>")
        for owner, owned in groupby(in_team, key=lambda g: g.owner):
            cards = "".join(_card(goal, report) for goal in owned)
            parts.append(f'<h3>{escape(owner)}</h3><div class="grid">{cards}</div>')
    return "".join(parts)


def _summary(report: Report) -> str:
    return " · ".join(
        f'<span class="dot {name}"></span>{count} {name.replace("_", " ")}'
        for name, count in report.summary.items()
        if count
    )


def _quality(report: Report) -> str:
    items = [
        f"<li><code>{escape(q.source)}</code>: {q.rejected_total:,} rows rejected ("
        + ", ".join(f"{n:,} {escape(r)}" for r, n in sorted(q.rejected.items()))
        + ")</li>"
        for q in report.data_quality
        if q.rejected
    ]
    return (
        f'<div class="quality"><b>Data quality</b><ul>{"".join(items)}</ul></div>' if items else ""
    )


def _changes(report: Report) -> str:
    if report.compared_with is None:
        return ""
    items = "".join(f"<li>{escape(change_line(c))}</li>" for c in report.changes)
    return f'<div class="changes"><b>{escape(changes_title(report))}</b><ul>{items}</ul></div>'


def render(report: Report, options: RenderOptions) -> str:
    """The report as one self-contained HTML page."""
    day = report.as_of_date.isoformat()
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>smartgoals · {day}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>Goals as of {day}</h1>"
        f'<p class="summary">{len(report.goals)} goals: {_summary(report)}</p>'
        f"{_changes(report)}{_quality(report)}</header><main><h2>Leaderboard</h2>{_board(leaderboard(report.goals))}"
        f"{LEGEND}{_teams(report)}</main></body></html>\n"
    )
