"""The `smartgoals` command: a thin layer over the library.

Each command parses options, makes one library call, renders and exits. User errors
(`SmartGoalsError`) are printed as ``file:line:col: message`` on stderr with no traceback.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

import smartgoals
from smartgoals._errors import DataError, GoalFileError, SmartGoalsError, UsageError
from smartgoals._render import FORMATS, RenderOptions, render, render_bytes
from smartgoals._render.github_format import annotation
from smartgoals._sample import write_starter
from smartgoals._status import DEFAULT_FAIL_ON, Status, parse_policy

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
F = TypeVar("F", bound=Callable[..., Any])


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
    from smartgoals._calendar import parse_as_of

    return parse_as_of(value) if value is not None else date.today()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(smartgoals.__version__, prog_name="smartgoals")
def cli() -> None:
    """SMART goals for customer service: validate goal files and check them against your data."""


_report_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Report format.",
)
_config = click.option(
    "--config", type=click.Path(), help="smartgoals.yaml with shared calendars and metrics."
)
_link_base = click.option(
    "--link-base",
    metavar="URL",
    help="Link goal files in the HTML report to URL/FILE#LINE (a repository's blob URL).",
)


def _output(what: str) -> Callable[[F], F]:
    """``--output/-o FILE``: write `what` there instead of stdout."""
    return click.option(
        "--output", "-o", type=click.Path(dir_okay=False), help=f"Write {what} here, not to stdout."
    )


def _fail_on(help_text: str) -> Callable[[F], F]:
    """``--fail-on LIST`` with the default policy."""
    return click.option(
        "--fail-on",
        "fail_on",
        default=",".join(sorted(s.value for s in DEFAULT_FAIL_ON)),
        show_default=True,
        metavar="LIST",
        help=help_text,
    )


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
@_config
@click.option(
    "--select",
    "select",
    multiple=True,
    metavar="RULE",
    help="Only these rules: a code (S103), a prefix (S, T5) or a name (specific). Repeatable.",
)
@click.option(
    "--ignore", "ignore", multiple=True, metavar="RULE", help="Not these rules (same forms)."
)
@_output("the findings")
def lint_command(
    goals: tuple[str, ...],
    as_of: str | None,
    strict: bool,
    fmt: str,
    config: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    output: str | None,
) -> None:
    """Validate goal files and check that each goal is SMART.

    Prints one finding per line as FILE:LINE:COL: CODE message. A ``# smartgoals: ignore S103``
    comment on a goal silences that rule for it. Exits 1 when a rule of severity error fires (any
    rule with --strict), 2 when the files cannot be loaded.
    """
    with _user_errors():
        target = Path(output) if output else None
        if target is not None:
            _check_writable(target)
        paths = _goal_paths(goals) + ([config] if config else [])
        findings = smartgoals.lint(paths, as_of=_as_of(as_of), select=select, ignore=ignore)
        text = _render_findings(findings, fmt)
        _emit(text, target)
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
@_config
@click.option(
    "--as-of", "as_of", metavar="DATE", help="Judge as of this date or timestamp (default: today)."
)
@_report_format
@_output("the report")
@_fail_on("Statuses that fail the run: breached, missed, no_data, at_risk.")
@click.option(
    "--goal", "goal_ids", multiple=True, metavar="ID", help="Only this goal (repeatable)."
)
@click.option("--tag", "tags", multiple=True, help="Only goals with this tag (repeatable).")
@click.option("--owner", "owners", multiple=True, metavar="WHO", help="Only goals of this owner.")
@click.option("--data-timezone", metavar="TZ", help="Time zone of timestamps without an offset.")
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT=PATH",
    help="Also write the report in FORMAT to PATH (repeatable): markdown=summary.md.",
)
@click.option(
    "--compare",
    "compare",
    type=click.Path(dir_okay=False),
    metavar="REPORT.json",
    help="Say what changed since this earlier JSON report (newly failing, recovered, ...).",
)
@_link_base
@click.option(
    "--max-rejected",
    default="1%",
    show_default=True,
    metavar="SHARE",
    help="Exit 2 when a source rejects more than this share of its rows (100% never does).",
)
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
    reports: tuple[str, ...],
    compare: str | None,
    link_base: str | None,
    max_rejected: str,
) -> None:
    """Evaluate goals against metric data and fail when goals are breached or missed.

    Exits 0 when no goal fails the --fail-on policy, 1 when some goal does, 2 when the goal files
    or the data cannot be used (or a source rejects more than --max-rejected of its rows).
    """
    with _user_errors():
        policy = _policy(fail_on)
        targets = _report_targets(reports, fmt, output)
        limit = _share(max_rejected, "--max-rejected")
        previous = smartgoals.Report.from_dict(_read_json(Path(compare))) if compare else None
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
        _check_filters_match(report, tags=tags, owners=owners)
        if previous is not None:
            report = report.compared(previous)
        for notice in report.notices:
            click.echo(f"smartgoals: {notice}", err=True)
        for target_fmt, path in targets:
            options = _render_options(policy, to_terminal=path is None, link_base=link_base)
            _emit_report(report, target_fmt, options, path)
        _check_rejected(report, limit)
    sys.exit(EXIT_FAILED if report.failing(policy) else EXIT_OK)


def _report_targets(
    reports: tuple[str, ...], fmt: str, output: str | None
) -> list[tuple[str, Path | None]]:
    """Where each format goes: ``--format`` to stdout (or --output), then every ``--report``.

    Every path is checked before any data is read, so a typo does not cost a whole run.
    """
    targets: list[tuple[str, Path | None]] = [(fmt, Path(output) if output else None)]
    for spec in reports:
        name, sep, where = spec.partition("=")
        if not sep or not where or name not in FORMATS:
            raise UsageError(
                f"--report {spec!r}: expected FORMAT=PATH with FORMAT one of {', '.join(FORMATS)}"
            )
        targets.append((name, Path(where)))
    paths = [p for _, p in targets if p is not None]
    for path in paths:
        _check_writable(path)
        if paths.count(path) > 1:
            raise UsageError(f"{path}: two reports would be written to the same file")
    return targets


def _check_writable(path: Path) -> None:
    folder = path.parent
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a file name for the report")
    if not folder.is_dir():
        raise UsageError(f"{path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{path}: the folder {folder} is not writable")


def _emit(text: str, path: Path | None) -> None:
    """Print `text`, or write it to `path` when one is given."""
    if path is None:
        click.echo(text, nl=False)
    else:
        _write_atomic(path, text)


def _emit_report(
    report: smartgoals.Report, fmt: str, options: RenderOptions, path: Path | None
) -> None:
    """Print `report` in `fmt`, or write it to `path` as the bytes the renderer makes."""
    if path is None:
        _emit(render(report, fmt, options), None)
    else:
        _write_atomic(path, render_bytes(report, fmt, options))


def _write_atomic(path: Path, content: str | bytes) -> None:
    """Write `content` to `path` through a temporary file, so a reader never sees half a report.

    Text is written as UTF-8, its line ends as they are on every system.
    """
    data = content.encode() if isinstance(content, str) else content
    with tempfile.NamedTemporaryFile(
        "wb", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as stream:
        stream.write(data)
    try:
        os.replace(stream.name, path)
    except OSError as exc:
        os.unlink(stream.name)
        raise UsageError(f"{path}: cannot write the file: {exc.strerror}") from exc


def _share(text: str, option: str) -> float:
    """A share written as ``1%`` or ``0.01``."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise UsageError(f"{option}: expected a share such as 1% or 0.01, got {text!r}")
    return value


def _check_rejected(report: smartgoals.Report, limit: float) -> None:
    """Refuse a source that rejected more than `limit` of its rows: a broken export, not noise."""
    for quality in report.data_quality:
        if quality.read and quality.rejected_total / quality.read > limit:
            worst = max(quality.rejected.items(), key=lambda item: item[1])
            raise DataError(
                f"{quality.source}: {quality.rejected_total:,} of {quality.read:,} rows rejected "
                f"({quality.rejected_total / quality.read:.1%}, most for {worst[0]!r}); more "
                f"than --max-rejected {limit:.0%} (raise it if this is expected)"
            )


def _check_filters_match(
    report: smartgoals.Report, *, tags: tuple[str, ...], owners: tuple[str, ...]
) -> None:
    if (tags or owners) and not report.goals:
        given = [f"--tag {t}" for t in tags] + [f"--owner {o}" for o in owners]
        raise UsageError(f"{' '.join(given)}: no goal matches")


def _render_options(
    policy: frozenset[Status], *, to_terminal: bool, link_base: str | None = None
) -> RenderOptions:
    """Colours and the terminal's width (or $COLUMNS) when writing to stdout."""
    if not to_terminal:
        return RenderOptions(fail_on=policy, link_base=link_base)
    width = shutil.get_terminal_size((RenderOptions.width, 24)).columns
    return RenderOptions(
        fail_on=policy, color=sys.stdout.isatty(), width=width, link_base=link_base
    )


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


@cli.command("render")
@click.argument("report", type=click.Path(dir_okay=False))
@_report_format
@_output("the report")
@_fail_on("Statuses shown as failing (JUnit failures, Markdown attention).")
@_link_base
def render_command(
    report: str, fmt: str, output: str | None, fail_on: str, link_base: str | None
) -> None:
    """Render a saved JSON report (from `check --format json`) in another format.

    The output is what `check` writes in that format for the same run; no data is read. Exits 0,
    or 2 when the file is not a smartgoals JSON report.
    """
    with _user_errors():
        policy = _policy(fail_on)
        target = Path(output) if output else None
        if target is not None:
            _check_writable(target)
        loaded = smartgoals.Report.from_dict(_read_json(Path(report)))
        options = _render_options(policy, to_terminal=target is None, link_base=link_base)
        _emit_report(loaded, fmt, options, target)


def _read_json(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the file: {exc.strerror}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path}: not a smartgoals JSON report (expected an object)")
    return data


@cli.command("diff")
@click.argument("args", nargs=-1, metavar="BASE [HEAD] [PATHS]...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="Markdown for a pull-request comment, JSON for machines.",
)
@_output("the diff")
@click.option(
    "--data",
    "data",
    multiple=True,
    metavar="FILE",
    help="Evaluate both revisions' goals on this data, to show each goal's status before and after.",
)
@click.option("--as-of", "as_of", metavar="DATE", help="Judge as of this date (default: today).")
@click.option("--data-timezone", metavar="TZ", help="Time zone of timestamps without an offset.")
def diff_command(
    args: tuple[str, ...],
    fmt: str,
    output: str | None,
    data: tuple[str, ...],
    as_of: str | None,
    data_timezone: str | None,
) -> None:
    """Compare goal files between two git revisions: what a pull request does to the goals.

    Lists goals added and retired, targets raised or lowered, deadlines moved, owners changed.
    BASE is a git revision (a branch, tag or commit); HEAD another one, or the working tree when
    left out; PATHS the goal files or folders (default: goals). With --data, each goal's status
    under the old and the new definition, on the same data. Exits 0, or 2 when git or the goal
    files cannot be read.
    """
    from smartgoals._diff import (
        compare_goals,
        goals_at,
        goals_in_tree,
        is_revision,
        render_markdown,
    )

    with _user_errors():
        if not args:
            raise UsageError("diff: give a BASE revision (for example origin/main)")
        target = Path(output) if output else None
        if target is not None:
            _check_writable(target)
        cwd = Path.cwd()
        base, rest = args[0], list(args[1:])
        if not is_revision(base, cwd):
            raise UsageError(f"diff: {base!r} is not a git revision here")
        head = (
            rest.pop(0)
            if rest and not Path(rest[0]).exists() and is_revision(rest[0], cwd)
            else None
        )
        paths = rest or ["goals"]
        old = goals_at(base, paths, cwd)
        new = goals_at(head, paths, cwd) if head else goals_in_tree(paths, cwd)
        before = after = None
        if data:
            moment = _as_of(as_of)
            before, after = (
                smartgoals.evaluate(g, list(data), as_of=moment, data_timezone=data_timezone)
                if len(g)
                else None
                for g in (old, new)
            )
        result = compare_goals(old, new, base_name=base, head_name=head, before=before, after=after)
        text = (
            json.dumps(result.to_dict(), indent=2) + "\n"
            if fmt == "json"
            else render_markdown(result)
        )
        _emit(text, target)


@cli.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def init_command(directory: str) -> None:
    """Write a starter goals/ folder and a year of sample data into DIRECTORY."""
    target = Path(directory)
    goals_dir = target / "goals"
    if goals_dir.exists() and any(goals_dir.iterdir()):
        with _user_errors():
            raise UsageError(f"{goals_dir} already exists and is not empty; choose another folder")
    files = write_starter(target, json.dumps(smartgoals.goal_file_schema(), indent=2) + "\n")
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


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the garbage collector less often while a command runs.

    A check of thousands of goals makes millions of short-lived objects (history points, report
    objects) and almost no reference cycles, and CPython's default of a collection every 700
    allocations, each walking the objects alive, costs 5 to 12 % of the run. One every 200,000
    allocations (mypy's setting) costs next to nothing; the default is restored afterwards.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(200_000, 30, 30)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def main() -> None:
    """Entry point of the `smartgoals` console script.

    An interruption (Ctrl-C) exits 130, as shells do, with one line and no traceback: CI must not
    read it as "a goal failed" (1) or "bad input" (2).
    """
    try:
        with _fewer_collections():
            code = cli.main(prog_name="smartgoals", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("smartgoals: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("smartgoals: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


__all__ = ["EXIT_ERROR", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "cli", "main"]
