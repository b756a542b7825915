"""``--format html``: one self-contained page (no network at view time) a team lead reads first.

From the top: the counts, what changed since the last check, the data read, then **needs
attention** (failing and at-risk goals with their reason, linked to their cards), an **overview**
table of every goal (sortable by column with a few lines of inline script; without scripts it
reads in status order), the **leaderboards** (owners by share of goals on track, then
compliance or progress; agents of each ``for_each`` goal by value against the target, none ranked
below ``min_events`` events), and the **cards**: one per goal with its chart and reasons, in a
grid that works from 400 px up.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from html import escape
from itertools import groupby

from smartgoals._render import RenderOptions
from smartgoals._render.chart import chart_svg, sparkline_svg
from smartgoals._render.text import (
    budget_left,
    change_line,
    changes_title,
    percent,
    rows_line,
    show,
    standing,
)
from smartgoals._results import GoalResult, Report
from smartgoals._status import ATTENTION, GOOD, Status

NOT_JUDGED = (Status.NOT_STARTED, Status.NO_DATA)

STYLE = """
:root{--ink:#1f2933;--mute:#52606d;--line:#d9e2ec;--bg:#f5f7fa;--card:#fff}
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;
color:var(--ink);background:var(--bg)}header,main{max-width:1320px;margin:0 auto;padding:14px 20px}
h1{font-size:24px;margin:6px 0}h2{font-size:19px;margin:26px 0 8px}h3{font-size:16px;margin:18px 0 8px}
a{color:#1864ab}.summary{font-size:16px;margin:4px 0}.panel{background:var(--card);border:1px solid
var(--line);border-radius:10px;padding:10px 14px;margin:10px 0}.panel ul{margin:4px 0;padding-left:20px}
.panel li{overflow-wrap:anywhere}.attention li{margin:3px 0}.quality{background:#fff9db;border-color:#ffe066}
.scroll{overflow-x:auto;max-width:100%}table{border-collapse:collapse;background:var(--card);
border:1px solid var(--line);font-size:14px}th,td{padding:6px 10px;border-bottom:1px solid var(--line);
text-align:left;white-space:nowrap}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
th button{font:inherit;font-weight:600;border:0;background:none;padding:0;cursor:pointer;color:inherit}
th button::after{content:" ↕";color:var(--mute);font-weight:400}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,360px),1fr));gap:14px}
.goal{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px;
border-top:5px solid var(--line);min-width:0}.goal h4{margin:0;font-size:16px;overflow-wrap:anywhere}
.goal .title{color:var(--mute);margin:2px 0 6px}.facts{display:flex;gap:4px 16px;flex-wrap:wrap;
font-size:14px;margin:6px 0}.facts b{font-size:16px}.reasons{margin:6px 0 0;padding-left:18px;
color:var(--mute);font-size:14px}.badge{display:inline-block;border-radius:12px;padding:1px 9px;
font-size:13px;font-weight:600;margin-left:6px;vertical-align:middle}.where{color:var(--mute);
font-size:13px;margin:6px 0 0;overflow-wrap:anywhere}
.meter{display:inline-block;width:90px;height:8px;background:var(--line);border-radius:4px;
vertical-align:middle}.meter i{display:block;height:8px;border-radius:4px;background:#37b24d}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;
vertical-align:middle;background:#adb5bd}.rank{font-weight:700;color:var(--mute)}
svg.chart{display:block;width:100%;height:auto;margin-top:6px}
.chart .axis{stroke:#9aa5b1}.chart .tick{font-size:11px;fill:var(--mute)}.chart .end{text-anchor:end}
.chart .target-label{fill:#c92a2a;font-weight:600}
.chart .target{stroke:#e03131;stroke-dasharray:5 4;stroke-width:1.5}
.chart .expected{fill:none;stroke:#7048e8;stroke-dasharray:2 3;stroke-width:1.5}
.chart polyline.actual{fill:none;stroke:#1c7ed6;stroke-width:2}.chart circle.actual{fill:#1c7ed6}
.chart circle.low{fill:#fff;stroke:#1c7ed6;opacity:.55}
.chart .band{fill:#1c7ed6;opacity:.14}.chart .forecast{stroke:#1c7ed6;stroke-dasharray:4 3}
.chart .deadline{stroke:#495057;stroke-width:1.5}.chart .today{stroke:#adb5bd;stroke-dasharray:1 3}
svg.spark{vertical-align:middle}svg.spark polyline{fill:none;stroke:#1c7ed6;stroke-width:1.5}
.legend{color:var(--mute);font-size:13px;margin:4px 0 0}.legend span{margin-right:12px;white-space:nowrap}
.l-actual{color:#1c7ed6}.l-target{color:#e03131}.l-expected{color:#7048e8}.l-low{color:#74a9d8}
.nochart{color:var(--mute);font-style:italic;border:1px dashed var(--line);border-radius:8px;
padding:18px 12px;margin:8px 0;text-align:center}
@media (max-width:600px){header,main{padding:10px 12px}h1{font-size:21px}th,td{padding:5px 7px}}
"""

STYLE += "".join(
    f".{s.value}{{border-top-color:{s.look.colour}}}"
    f".{s.value} .badge,.badge.{s.value}{{background:{s.look.badge[0]};color:{s.look.badge[1]}}}"
    f".dot.{s.value}{{background:{s.look.colour}}}\n"
    for s in Status
)

# NOTE: sorting is an enhancement: without scripts the overview reads in status order.
SCRIPT = """
document.querySelectorAll("table.sortable").forEach(function(table){
  table.querySelectorAll("th button").forEach(function(button, column){
    var up = true;
    button.addEventListener("click", function(){
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      rows.sort(function(a, b){
        var x = a.cells[column].dataset.sort, y = b.cells[column].dataset.sort;
        var d = (isNaN(x) || isNaN(y)) ? String(x).localeCompare(String(y)) : x - y;
        return up ? d : -d;
      });
      up = !up;
      rows.forEach(function(row){ body.appendChild(row); });
    });
  });
});
"""


@dataclass(frozen=True)
class Standing:
    """An owner's place on the leaderboard."""

    owner: str
    goals: int
    judged: int
    good: int
    score: float | None

    @property
    def attainment(self) -> float | None:
        """The share of judged goals achieved or on track."""
        return self.good / self.judged if self.judged else None


def goal_score(goal: GoalResult) -> float | None:
    """How well a goal stands, 0–1: its progress (achieve) or the share of weeks held (maintain)."""
    if goal.compliance is not None:
        return goal.compliance.weeks_met / goal.compliance.weeks if goal.compliance.weeks else None
    return goal.progress


def leaderboard(goals: tuple[GoalResult, ...]) -> list[Standing]:
    """Owners ranked by share of judged goals on track or achieved, then mean score, then name.

    Parents (roll-ups) are left out: their children are counted already.
    """
    by_owner: dict[str, list[GoalResult]] = defaultdict(list)
    for goal in goals:
        if not goal.children:
            by_owner[goal.owner].append(goal)
    standings = []
    for owner, owned in by_owner.items():
        judged = [g for g in owned if g.status not in NOT_JUDGED]
        scores = [s for g in judged if (s := goal_score(g)) is not None]
        standings.append(
            Standing(
                owner,
                len(owned),
                len(judged),
                sum(g.status in GOOD for g in judged),
                sum(scores) / len(scores) if scores else None,
            )
        )
    return sorted(
        standings,
        key=lambda s: (
            -(s.attainment if s.attainment is not None else -1),
            -(s.score if s.score is not None else -1),
            s.owner,
        ),
    )


def _board(standings: list[Standing]) -> str:
    rows = []
    for rank, s in enumerate(standings, start=1):
        share = s.attainment
        meter = f'<span class="meter"><i style="width:{(share or 0) * 100:.0f}%"></i></span>'
        rows.append(
            f'<tr><td class="n rank">{rank}</td><td>{escape(s.owner)}</td><td class=n>{s.goals}</td>'
            f"<td>{meter} {percent(share)}</td><td class=n>{percent(s.score)}</td></tr>"
        )
    return (
        '<div class="scroll"><table class="board"><thead><tr><th class=n>#</th><th>owner</th>'
        "<th class=n>goals</th><th>on track or achieved</th><th class=n>held or progress</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def against_target(goal: GoalResult) -> float | None:
    """How far the value is beyond its target (negative: short of it), for ranking."""
    if goal.value is None:
        return None
    gap = goal.value - goal.target
    return gap if goal.comparison == ">=" else -gap


def _agent_board(parent: GoalResult, children: list[GoalResult]) -> str:
    ranked = sorted(
        (c for c in children if c.events >= c.min_events and against_target(c) is not None),
        key=lambda c: (-(against_target(c) or 0.0), c.id),
    )
    unranked = sorted((c for c in children if c not in ranked), key=lambda c: c.id)
    rows = "".join(
        f'<tr><td class="n rank">{rank}</td><td><a href="#goal-{escape(c.id)}">'
        f"{escape(_segment_name(c))}</a></td><td class=n>{escape(show(c, c.value))}</td>"
        f"<td class=n>{escape(_gap(c))}</td><td>{sparkline_svg(c)}</td><td class=n>{c.events:,}</td>"
        f'<td><span class="badge {c.status.value}">{c.status.label}</span></td></tr>'
        for rank, c in enumerate(ranked, start=1)
    )
    title = parent.title or parent.id
    note = (
        f'<p class="legend">Not ranked (fewer than {unranked[0].min_events} events): '
        + ", ".join(escape(_segment_name(c)) for c in unranked)
        + "</p>"
        if unranked
        else ""
    )
    return (
        f"<h3>{escape(title)}: {escape(parent.comparison)} {escape(show(parent, parent.target))}</h3>"
        '<div class="scroll"><table class="board"><thead><tr><th class=n>#</th><th>who</th>'
        "<th class=n>value</th><th class=n>vs target</th><th>trend</th><th class=n>events</th>"
        f"<th>status</th></tr></thead><tbody>{rows}</tbody></table></div>{note}"
    )


def _segment_name(goal: GoalResult) -> str:
    return next(iter(goal.segment.values())) if goal.segment else goal.id


def _gap(goal: GoalResult) -> str:
    gap = against_target(goal)
    if gap is None:
        return "–"
    shown = show(goal, abs(gap)) if goal.value_unit != "share" else f"{abs(gap) * 100:.1f} pt"
    return f"{'+' if gap >= 0 else '−'}{shown}"


def _agent_boards(report: Report) -> str:
    by_id = {g.id: g for g in report.goals}
    parts = []
    for parent in report.goals:
        children = [by_id[c] for c in parent.children if c in by_id and by_id[c].segment]
        if children:
            parts.append(_agent_board(parent, children))
    return "<h2>Within teams</h2>" + "".join(parts) if parts else ""


def goal_folder(report: Report) -> str:
    """The folder holding every goal file of the report (paths are shown relative to it)."""
    folders = {os.path.dirname(g.file) for g in report.goals if g.file}
    if not folders:
        return ""
    try:
        return os.path.commonpath(sorted(folders))
    except ValueError:  # NOTE: absolute and relative paths mixed
        return ""


def _link(goal: GoalResult, options: RenderOptions, folder: str) -> str:
    """The goal's file and line, relative to the goal folder; a link with ``--link-base``."""
    if goal.file is None:
        return ""
    shown = f"{os.path.relpath(goal.file, folder) if folder else goal.file}:{goal.line}"
    if options.link_base is None:
        return escape(shown)
    url = f"{options.link_base.rstrip('/')}/{goal.file.removeprefix('./')}#L{goal.line}"
    return f'<a href="{escape(url)}">{escape(shown)}</a>'


def _card(goal: GoalResult, report: Report, options: RenderOptions, folder: str) -> str:
    reasons = "".join(f"<li>{escape(r)}</li>" for r in goal.reasons)
    title = f'<p class="title">{escape(goal.title)}</p>' if goal.title else ""
    held = "held" if goal.compliance is not None else "progress / expected"
    budget = budget_left(goal)
    facts = [
        f"value <b>{escape(show(goal, goal.value))}</b>",
        f"target <b>{escape(goal.comparison)} {escape(show(goal, goal.target))}</b>",
        f"{held} <b>{escape(standing(goal).removeprefix('held '))}</b>",
        *([f"budget left <b>{budget}</b>"] if budget else []),
        f"forecast <b>{escape(show(goal, goal.forecast))}</b>",
        f"deadline <b>{goal.deadline}</b>",
    ]
    where = " · ".join(
        p for p in (_link(goal, options, folder), f"owner {escape(goal.owner)}") if p
    )
    return (
        f'<article class="goal {goal.status.value}" id="goal-{escape(goal.id)}" '
        f'data-goal="{escape(goal.id)}"><h4><span class="dot {goal.status.value}"></span>'
        f'{escape(goal.id)}<span class="badge">{goal.status.label}</span></h4>{title}'
        f'<div class="facts">{"".join(f"<span>{f}</span>" for f in facts)}</div>'
        f"{chart_svg(goal, report.as_of_date)}<ul class=reasons>{reasons}</ul>"
        f'<p class="where">{where}</p></article>'
    )


def _sections(report: Report, options: RenderOptions) -> str:
    ordered = sorted(
        report.goals, key=lambda g: (g.team is None, g.team or "", g.status.severity, g.id)
    )
    teams = any(g.team for g in report.goals)
    folder = goal_folder(report)
    parts = []
    for team, in_team in groupby(ordered, key=lambda g: g.team):
        heading = f"Team {team}" if team else ("Other goals" if teams else "Goals")
        cards = "".join(_card(goal, report, options, folder) for goal in in_team)
        parts.append(f'<h2>{escape(heading)}</h2><div class="grid">{cards}</div>')
    return "".join(parts)


def _summary(report: Report) -> str:
    return " · ".join(
        f'<span class="dot {name}"></span>{count} {name.replace("_", " ")}'
        for name, count in report.summary.items()
        if count
    )


def _attention(report: Report, options: RenderOptions) -> str:
    wanted = [g for g in report.goals if g.status in ATTENTION or g.status in options.fail_on]
    if not wanted:
        return '<div class="panel attention"><b>Needs attention:</b> nothing. Every goal is fine.</div>'
    items = "".join(
        f'<li><a href="#goal-{escape(g.id)}"><span class="dot {g.status.value}"></span>'
        f"<b>{escape(g.id)}</b></a> {g.status.label} — {escape(g.reasons[0] if g.reasons else '')}</li>"
        for g in sorted(wanted, key=lambda g: (g.status.severity, g.id))
    )
    return (
        f'<div class="panel attention"><b>Needs attention ({len(wanted)})</b><ul>{items}</ul></div>'
    )


NUMERIC = ("value", "target", "progress / held")


def _overview(report: Report) -> str:
    rows = []
    for goal in sorted(report.goals, key=lambda g: (g.status.severity, g.id)):
        score = goal_score(goal)
        rows.append(
            f'<tr><td data-sort="{goal.status.severity}"><span class="dot {goal.status.value}"></span>'
            f"{goal.status.label}</td>"
            f'<td data-sort="{escape(goal.id)}"><a href="#goal-{escape(goal.id)}">{escape(goal.id)}</a></td>'
            f'<td data-sort="{escape(goal.owner)}">{escape(goal.owner)}</td>'
            f'<td class=n data-sort="{goal.value if goal.value is not None else ""}">'
            f"{escape(show(goal, goal.value))}</td>"
            f'<td class=n data-sort="{goal.target}">{escape(goal.comparison)} {escape(show(goal, goal.target))}</td>'
            f'<td class=n data-sort="{score if score is not None else -1}">{escape(standing(goal))}</td>'
            f"<td>{sparkline_svg(goal)}</td></tr>"
        )
    headers = ["status", "goal", "owner", "value", "target", "progress / held"]
    head = "".join(
        f"<th{' class=n' if h in NUMERIC else ''}><button type=button>{h}</button></th>"
        for h in headers
    )
    return (
        '<div class="scroll"><table class="sortable overview"><thead><tr>'
        f"{head}<th>trend</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _changes(report: Report) -> str:
    if report.compared_with is None:
        return ""
    items = "".join(f"<li>{escape(change_line(c))}</li>" for c in report.changes)
    return (
        f'<div class="panel changes"><b>{escape(changes_title(report))}</b><ul>{items}</ul></div>'
    )


def _quality(report: Report) -> str:
    if not report.data_quality and not report.unmatched:
        return ""
    warn = " quality" if any(q.rejected for q in report.data_quality) or report.unmatched else ""
    items = [f"<li>{escape(rows_line(q))}</li>" for q in report.data_quality]
    items += [
        f"<li><code>{escape(u.goal)}</code>: {escape(u.sentence)}</li>" for u in report.unmatched
    ]
    return f'<div class="panel{warn}"><b>Data read</b><ul>{"".join(items)}</ul></div>'


def render(report: Report, options: RenderOptions) -> str:
    """The report as one self-contained HTML page."""
    day = report.as_of_date.isoformat()
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>smartgoals · {day}</title><style>{STYLE}</style></head><body>"
        f"<header><h1>Goals as of {day}</h1>"
        f'<p class="summary">{len(report.goals)} goals: {_summary(report)}</p>'
        f"{_attention(report, options)}{_changes(report)}{_quality(report)}</header>"
        f"<main><h2>Overview</h2>{_overview(report)}"
        f"<h2>Owners</h2>{_board(leaderboard(report.goals))}{_agent_boards(report)}"
        f"{_sections(report, options)}</main><script>{SCRIPT}</script></body></html>\n"
    )
