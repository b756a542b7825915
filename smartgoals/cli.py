"""The `smartgoals` command: a thin layer over the library.

Each command parses options, makes one library call, renders and exits. User errors
(`SmartGoalsError`) are printed as ``file:line:col: message`` on stderr with no traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

import smartgoals
from smartgoals._errors import GoalFileError, SmartGoalsError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ERROR = 2

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


def _as_of_date(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return datetime.fromisoformat(value).date()
    except ValueError as exc:
        raise click.BadParameter(f"expected a date such as 2026-11-22, got {value!r}") from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(smartgoals.__version__, prog_name="smartgoals")
def cli() -> None:
    """SMART goals for customer service: validate goal files and check them against your data."""


def _goal_paths(paths: tuple[str, ...]) -> list[str]:
    return list(paths) or ["goals"]


@cli.command("lint")
@click.argument("goals", nargs=-1, type=click.Path())
@click.option("--as-of", "as_of", metavar="DATE", help="Judge dates as of this day (default: today).")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("--config", type=click.Path(), help="smartgoals.yaml with shared calendars and metrics.")
def lint_command(goals: tuple[str, ...], as_of: str | None, strict: bool, fmt: str,
                 config: str | None) -> None:
    """Validate goal files and check that each goal is SMART.

    Prints one finding per line as FILE:LINE:COL: CODE message. Exits 1 when a rule of severity
    error fires (any rule with --strict), 2 when the files cannot be loaded.
    """
    day = _as_of_date(as_of)
    with _user_errors():
        paths = _goal_paths(goals) + ([config] if config else [])
        findings = smartgoals.lint(smartgoals.load(paths), as_of=day)
    click.echo(_render_findings(findings, fmt), nl=False)
    failing = [f for f in findings if strict or f.severity == "error"]
    sys.exit(EXIT_FAILED if failing else EXIT_OK)


def _render_findings(findings: list[smartgoals.Finding], fmt: str) -> str:
    if fmt == "json":
        items = [{"file": f.span.file, "line": f.span.line, "column": f.span.column,
                  "code": f.code, "rule": f.name, "severity": f.severity, "goal": f.goal,
                  "message": f.message} for f in findings]
        return json.dumps({"findings": items}, indent=2) + "\n"
    if fmt == "github":
        return "".join(
            f"::{f.severity} file={f.span.file},line={f.span.line},col={f.span.column},"
            f"title={f.code} {f.name}::{_escape_github(f.message)}\n" for f in findings)
    return "".join(f"{f} [{f.severity}]\n" for f in findings)


def _escape_github(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of a goal file, for editors and the YAML language server."""
    click.echo(json.dumps(smartgoals.goal_file_schema(), indent=2))


def main() -> None:
    """Entry point of the `smartgoals` console script."""
    cli(prog_name="smartgoals")


__all__ = ["EXIT_ERROR", "EXIT_FAILED", "EXIT_OK", "cli", "main"]
