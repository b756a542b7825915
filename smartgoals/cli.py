"""The `smartgoals` command: a thin layer over the library.

Each command parses options, makes one library call, renders and exits. User errors
(`SmartGoalsError`) are printed as ``file:line:col: message`` on stderr with no traceback.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import click

import smartgoals
from smartgoals._calendar import parse_as_of
from smartgoals._errors import GoalFileError, SmartGoalsError, UsageError
from smartgoals._render import FORMATS, RenderOptions, render
from smartgoals._render.github_format import annotation
from smartgoals._sample import write_starter
from smartgoals._status import Status, parse_policy

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ERROR = 2


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn smartgoals errors into a message on stderr and exit code 2, with no traceback."""
    try:
        yield
    except GoalFileError as exc:
        for problem in exc.problems:
            click.echo(f"{problem}", err=True)
        click.echo(f"smartgoals: {len(exc.problems)} problem(s) in goal files", err=True)
        sys.exit(EXIT_ERROR)
    except SmartGoalsError as exc:
        click.echo(f"smartgoals: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _as_of(value: str | None) -> date | datetime:
    """``--as-of`` as given, or today: the only place that reads the clock."""
    return parse_as_of(value) if value else date.today()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(smartgoals.__version__, prog_name="smartgoals")
def cli() -> None:
    """SMART goals for customer service: validate goal files and check them against your data."""


def _goal_paths(paths: tuple[str, ...]) -> list[str]:
    return list(paths) or ["goals"]


@cli.command("lint")
@click.argument("goals", nargs=-1, type=click.Path())
@click.option(
    "--as-of", "as_of", metavar="DATE", help="Judge dates as of this day (default: today)."
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--config", type=click.Path(), help="smartgoals.yaml with shared calendars and metrics."
)
def lint_command(
    goals: tuple[str, ...], as_of: str | None, strict: bool, fmt: str, config: str | None
) -> None:
    """Validate goal files and check that each goal is SMART.

    Prints one finding per line as FILE:LINE:COL: CODE message. Exits 1 when a rule of severity
    error fires (any rule with --strict), 2 when the files cannot be loaded.
    """
    with _user_errors():
        paths = _goal_paths(goals) + ([config] if config else [])
        moment = _as_of(as_of)
        day = moment.date() if isinstance(moment, datetime) else moment
        findings = smartgoals.lint(smartgoals.load(paths), as_of=day)
    click.echo(_render_findings(findings, fmt), nl=False)
    failing = [f for f in findings if strict or f.severity == "error"]
    sys.exit(EXIT_FAILED if failing else EXIT_OK)


def _render_findings(findings: list[smartgoals.Finding], fmt: str) -> str:
    if fmt == "json":
        items = [
            {
                "file": f.span.file,
                "line": f.span.line,
                "column": f.span.column,
                "code": f.code,
                "rule": f.name,
                "severity": f.severity,
                "goal": f.goal,
                "message": f.message,
            }
            for f in findings
        ]
        return json.dumps({"findings": items}, indent=2) + "\n"
    if fmt == "github":
        return "".join(
            annotation(f.severity, f.span.file, f.span.line, f"{f.code} {f.name}", f.message)
            for f in findings
        )
    return "".join(f"{f} [{f.severity}]\n" for f in findings)


@cli.command("check")
@click.argument("goals", nargs=-1, type=click.Path())
@click.option(
    "--data",
    "data",
    multiple=True,
    metavar="FILE",
    help="Metric data: CSV, Parquet or JSON Lines (repeat for several files).",
)
@click.option(
    "--config", type=click.Path(), help="smartgoals.yaml with shared calendars and metrics."
)
@click.option(
    "--as-of", "as_of", metavar="DATE", help="Judge as of this date or timestamp (default: today)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), help="Write the report here, not to stdout."
)
@click.option(
    "--fail-on",
    "fail_on",
    default="breached,missed,no_data",
    show_default=True,
    metavar="LIST",
    help="Statuses that fail the run: breached, missed, no_data, at_risk.",
)
@click.option(
    "--goal", "goal_ids", multiple=True, metavar="ID", help="Only this goal (repeatable)."
)
@click.option("--tag", "tags", multiple=True, help="Only goals with this tag (repeatable).")
@click.option("--owner", "owners", multiple=True, metavar="WHO", help="Only goals of this owner.")
@click.option("--data-timezone", metavar="TZ", help="Time zone of timestamps without an offset.")
def check_command(
    goals: tuple[str, ...],
    data: tuple[str, ...],
    config: str | None,
    as_of: str | None,
    fmt: str,
    output: str | None,
    fail_on: str,
    goal_ids: tuple[str, ...],
    tags: tuple[str, ...],
    owners: tuple[str, ...],
    data_timezone: str | None,
) -> None:
    """Evaluate goals against metric data and fail when goals are breached or missed.

    Exits 0 when no goal fails the --fail-on policy, 1 when some goal does, 2 when the goal files
    or the data cannot be used.
    """
    with _user_errors():
        policy = _policy(fail_on)
        goal_set = smartgoals.load(_goal_paths(goals) + ([config] if config else []))
        selected = goal_set.select(ids=goal_ids, tags=tags, owners=owners)
        templates = {g.id for g in selected if g.for_each is not None}
        _check_goal_ids(goal_ids, {g.id for g in selected}, templates)
        moment = _as_of(as_of)
        with _progress(f"reading {len(data)} data file(s)"):
            report = smartgoals.evaluate(
                selected, list(data) or None, as_of=moment, data_timezone=data_timezone
            )
        report = report.select(ids=goal_ids, tags=tags, owners=owners)
        _check_goal_ids(goal_ids, {g.id for g in report.goals}, set())
        for notice in report.notices:
            click.echo(f"smartgoals: {notice}", err=True)
        text = render(report, fmt, _render_options(policy, to_terminal=output is None))
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_FAILED if report.failing(policy) else EXIT_OK)


def _render_options(policy: frozenset[Status], *, to_terminal: bool) -> RenderOptions:
    """Colours and the terminal's width (or $COLUMNS) when writing to stdout."""
    if not to_terminal:
        return RenderOptions(fail_on=policy)
    width = shutil.get_terminal_size((RenderOptions.width, 24)).columns
    return RenderOptions(fail_on=policy, color=sys.stdout.isatty(), width=width)


def _check_goal_ids(wanted: tuple[str, ...], known: set[str], templates: set[str]) -> None:
    """Refuse `--goal` ids that name no goal.

    Before for_each expansion a child id of a template (``T/V``) may still turn up; after it,
    every id must be a result.
    """
    missing = [
        g for g in wanted if g not in known and not any(g.startswith(t + "/") for t in templates)
    ]
    if missing:
        raise UsageError(f"--goal: no goal with id {', '.join(map(repr, missing))}")


def _policy(text: str) -> frozenset[Status]:
    try:
        return parse_policy(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


@contextmanager
def _progress(message: str) -> Iterator[None]:
    """A spinner on stderr while data is read, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(message):
        yield


@cli.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def init_command(directory: str) -> None:
    """Write a starter goals/ folder and a year of sample data into DIRECTORY."""
    target = Path(directory)
    goals_dir = target / "goals"
    if goals_dir.exists() and any(goals_dir.iterdir()):
        with _user_errors():
            raise UsageError(f"{goals_dir} already exists and is not empty; choose another folder")
    files = write_starter(target)
    for file in files:
        click.echo(f"wrote {file}", err=True)
    click.echo(
        f"next: smartgoals check {goals_dir} --data {target / 'data' / 'tickets.csv.gz'} "
        f"--data {target / 'data' / 'daily.csv'} --as-of 2026-11-22",
        err=True,
    )


@cli.command("schema")
@click.option("--report", is_flag=True, help="The schema of the JSON report instead.")
def schema_command(report: bool) -> None:
    """Print the JSON Schema of a goal file, for editors and the YAML language server.

    With --report, the schema of `smartgoals check --format json` instead.
    """
    schema = smartgoals.report_schema() if report else smartgoals.goal_file_schema()
    click.echo(json.dumps(schema, indent=2))


def main() -> None:
    """Entry point of the `smartgoals` console script."""
    cli(prog_name="smartgoals")


__all__ = ["EXIT_ERROR", "EXIT_FAILED", "EXIT_OK", "cli", "main"]
