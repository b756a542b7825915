"""The GitHub Action: its `run:` steps, run here with the GITHUB_* files pointed at a folder.

Steps that use other actions (setup-python, cache, upload-artifact) are GitHub's and are not run;
the install step is not run either (the package under test is installed already).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EXAMPLE_DATA, EXAMPLE_GOALS, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


class Runner:
    """Runs the action's steps as a GitHub runner would, in `workspace`."""

    def __init__(self, workspace: Path, inputs: dict[str, str], event: str = "push") -> None:
        self.workspace = workspace
        defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
        self.inputs = {**defaults, **inputs}
        self.event = event
        self.summary = workspace / "step-summary.md"
        self.outputs: dict[str, dict[str, str]] = {}
        self.env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_ACTION_PATH": str(ROOT),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_EVENT_NAME": event,
            "GITHUB_BASE_REF": "main",
        }

    def expression(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name.startswith("inputs."):
                return self.inputs[name.removeprefix("inputs.")]
            if name.startswith("steps."):
                _, step, _, key = name.split(".")
                return self.outputs.get(step, {}).get(key, "")
            return {"github.event_name": self.event}.get(name, "")

        return re.sub(r"\$\{\{(.*?)\}\}", value, text)

    def applies(self, step: dict[str, Any]) -> bool:
        """Whether the step's ``if:`` holds (the forms the action uses: ``a == 'b' && always()``)."""
        for test in str(step.get("if", "always()")).split("&&"):
            if test.strip() == "always()":
                continue
            left, right = (side.strip() for side in test.split("=="))
            if self.expression("${{ " + left + " }}") != right.strip("'"):
                return False
        return True

    def run(self) -> list[tuple[str, int, str]]:
        """Every applicable `run:` step: its name, exit code and stdout."""
        done: list[tuple[str, int, str]] = []
        for step in ACTION["runs"]["steps"]:
            if (
                "run" not in step
                or step.get("name") == "Install smartgoals"
                or not self.applies(step)
            ):
                continue
            output = self.workspace / f"output-{len(done)}.txt"
            output.write_text("")
            env = {**self.env, "GITHUB_OUTPUT": str(output)}
            env.update({k: self.expression(str(v)) for k, v in step.get("env", {}).items()})
            result = subprocess.run(
                ["bash", "-c", step["run"]],
                cwd=self.workspace,
                env=env,
                capture_output=True,
                text=True,
            )
            if "id" in step:
                pairs = (
                    line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
                )
                self.outputs[step["id"]] = dict(pairs)
            done.append((step["name"], result.returncode, result.stdout + result.stderr))
        return done


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE_GOALS, tmp_path / "goals")
    (tmp_path / "data").mkdir()
    for path in EXAMPLE_DATA:
        shutil.copy(path, tmp_path / "data" / path.name)
    return tmp_path


INPUTS = {"data": "data/tickets.csv.gz data/daily.csv", "as-of": "2026-11-22"}


def test_action_writes_every_report_and_fails_by_policy(workspace):
    runner = Runner(workspace, INPUTS)
    steps = runner.run()
    names = [name for name, _, _ in steps]
    assert names == ["Check goals", "Fail by policy"]
    check = steps[0]
    assert check[1] == 0  # the step itself succeeds; the last step fails the job
    assert runner.outputs["check"]["exit-code"] == "1"  # the example has breached goals
    assert steps[-1][1] == 1
    out = workspace / "smartgoals-report"
    for name in (
        "report.json",
        "summary.md",
        "junit.xml",
        "report.html",
        "annotations.txt",
        "previous.json",
    ):
        assert (out / name).is_file(), name
    assert runner.summary.read_text().startswith("# smartgoals · as of 2026-11-22")
    assert "::error file=goals/service.yaml,line=" in check[2]  # annotations on the goal lines


def test_action_compares_with_the_previous_run(workspace):
    Runner(workspace, {**INPUTS, "as-of": "2026-11-08"}).run()
    runner = Runner(workspace, INPUTS)
    runner.run()
    assert "## Since 2026-11-08:" in runner.summary.read_text()


def test_action_refuses_unknown_report_and_bad_input(workspace):
    steps = Runner(workspace, {**INPUTS, "reports": "summary pdf"}).run()
    assert steps[0][1] == 2
    assert "unknown report 'pdf'" in steps[0][2]
    runner = Runner(workspace, {**INPUTS, "data": "data/missing.csv"})
    steps = runner.run()
    assert runner.outputs["check"]["exit-code"] == "2"
    assert steps[-1][1] == 2


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_action_posts_the_goal_changes_of_a_pull_request(workspace):
    def git(*args: str, cwd: Path = workspace) -> None:
        subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)

    origin = workspace.parent / f"{workspace.name}-origin.git"
    git("init", "-q", "--bare", str(origin), cwd=workspace.parent)
    git("init", "-q", "-b", "main")
    git("config", "user.email", "dev@example.com")
    git("config", "user.name", "dev")
    git("add", "goals")
    git("commit", "-q", "-m", "goals")
    git("remote", "add", "origin", str(origin))
    git("push", "-q", "origin", "main")
    git("checkout", "-q", "-b", "raise-csat")
    service = workspace / "goals" / "satisfaction.yaml"
    service.write_text(service.read_text().replace('target: ">= 90%"', 'target: ">= 92%"', 1))
    git("commit", "-q", "-am", "raise the CSAT target")
    runner = Runner(workspace, INPUTS, event="pull_request")
    steps = runner.run()
    assert [name for name, _, _ in steps] == [
        "Check goals",
        "Goal changes of the pull request",
        "Fail by policy",
    ]
    summary = runner.summary.read_text()
    assert "## Goal changes: `origin/main` → `working tree`" in summary
    assert "| `csat-q4` | target (harder) | >= 90.0% | >= 92.0% | at_risk → at_risk |" in summary
