"""Every example in the docs and the README runs; the generated docs are current."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest
from click.testing import CliRunner

import smartgoals
from smartgoals._sample import write_starter
from smartgoals.cli import EXIT_ERROR, cli
from tests.conftest import ROOT

DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[tuple[str, str]]:
    found = []
    for page in DOCS:
        for number, match in enumerate(FENCE.finditer(page.read_text(encoding="utf-8"))):
            if match.group(1) == language:
                found.append((f"{page.name}#{number}", match.group(2)))
    return found


GOAL_BLOCKS = [(name, text) for name, text in blocks("yaml") if "goals:" in text]
PYTHON_BLOCKS = blocks("python")
CONSOLE_PAGES = sorted({name.split("#")[0] for name, _ in blocks("console")})


@pytest.mark.parametrize(("name", "text"), GOAL_BLOCKS, ids=[n for n, _ in GOAL_BLOCKS])
def test_docs_goal_examples_load(name, text, tmp_path):
    path = tmp_path / "goals.yaml"
    path.write_text(text, encoding="utf-8")
    smartgoals.load(path)


@pytest.mark.parametrize(("name", "code"), PYTHON_BLOCKS, ids=[n for n, _ in PYTHON_BLOCKS])
def test_docs_python_examples_run(name, code, tmp_path, monkeypatch, capsys):
    # NOTE: run where a reader would: beside the repository's examples and `smartgoals init demo`
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    write_starter(tmp_path / "demo", "{}")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, name, "exec"), {"__name__": "__docs__"})


def console_sessions(page: str) -> list[tuple[str, list[str]]]:
    """The ``$ smartgoals ...`` commands of a page's console blocks, each with the output shown."""
    sessions: list[tuple[str, list[str]]] = []
    for name, text in blocks("console"):
        if not name.startswith(page + "#"):
            continue
        for line in text.splitlines():
            if line.startswith("$ "):
                sessions.append((line[2:], []))
            elif sessions:
                sessions[-1][1].append(line)
    return sessions


@pytest.mark.parametrize("page", CONSOLE_PAGES)
def test_docs_console_examples_run(page, tmp_path, monkeypatch):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    sessions = [(c, shown) for c, shown in console_sessions(page) if c.startswith("smartgoals ")]
    assert sessions
    for command, shown in sessions:
        result = CliRunner().invoke(cli, shlex.split(command)[1:], catch_exceptions=False)
        assert result.exit_code != EXIT_ERROR, (command, result.stderr)
        # NOTE: the output a page shows is the real output's first lines (trailing spaces aside)
        actual = [line.rstrip() for line in result.stdout.splitlines()]
        assert [line.rstrip() for line in shown] == actual[: len(shown)], command


def test_readme_commands_are_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = next(line for line in readme.splitlines() if "scripts/test" in line)
    assert test_command.strip() in ci
    assert "smartgoals check examples/goals" in readme


def test_every_command_documented():
    cli_docs = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"## `smartgoals {name}`" in cli_docs
        assert command.help


def test_generated_docs_are_current():
    pages = ["docs/cli.md", "docs/lint-rules.md", "docs/metrics.md"]
    env = {**os.environ, "COLUMNS": "80"}
    result = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", *pages],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_metric_documented():
    metrics_doc = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    for name in smartgoals.BUILTIN_METRICS:
        assert f"| `{name}` |" in metrics_doc
