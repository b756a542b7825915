"""`smartgoals diff`: goal changes between git revisions, in a scratch repository made here."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from smartgoals.cli import cli
from tests.conftest import EXAMPLE_DATA, EXAMPLE_GOALS

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A repository with the example goals committed, then a commit that changes them."""
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "dev@example.com")
    git(tmp_path, "config", "user.name", "dev")
    shutil.copytree(EXAMPLE_GOALS, tmp_path / "goals")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "goals")
    goals = tmp_path / "goals"
    edit(goals / "satisfaction.yaml", 'target: ">= 90%"', 'target: ">= 92%"')  # csat-q4 raised
    edit(
        goals / "service.yaml", "threshold: 90% within 2 minutes", "threshold: 85% within 2 minutes"
    )
    operations = goals / "operations.yaml"
    edit(operations, "deadline: 2027-12-31", "deadline: 2028-06-30")  # phone-wait-2027
    text = operations.read_text()
    start = text.index("  - id: fcr-q3")
    end = text.find("\n  - id:", start + 1)
    operations.write_text(text[:start] + (text[end + 1 :] if end > 0 else ""))  # fcr-q3 retired
    git(tmp_path, "commit", "-q", "-am", "revise goals")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def diff(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["diff", *args])
    return result.exit_code, result.stdout, result.stderr


def test_diff_between_two_revisions_in_json(repo):
    code, out, err = diff("HEAD~1", "HEAD", "--format", "json")
    assert code == 0, err
    found = {g["goal"]: g for g in json.loads(out)["goals"]}
    assert set(found) == {"csat-q4", "chat-first-response", "fcr-q3", "phone-wait-2027"}
    assert found["fcr-q3"]["kind"] == "retired"
    (target,) = found["csat-q4"]["changes"]
    assert (target["field"], target["before"], target["after"], target["direction"]) == (
        "target",
        ">= 90.0%",
        ">= 92.0%",
        "harder",
    )
    assert found["chat-first-response"]["changes"][0]["direction"] == "easier"
    (moved,) = found["phone-wait-2027"]["changes"]
    assert (moved["field"], moved["direction"]) == ("deadline", "later")
    assert found["csat-q4"]["file"] == "goals/satisfaction.yaml"


def test_diff_against_the_working_tree_with_statuses(repo):
    edit(
        repo / "goals" / "satisfaction.yaml", "owner: carol@example.com", "owner: dana@example.com"
    )
    data = [a for p in EXAMPLE_DATA for a in ("--data", str(p))]
    code, out, err = diff("HEAD~1", *data, "--as-of", "2026-11-22")
    assert code == 0, err
    assert out.startswith("## Goal changes: `HEAD~1` → `working tree`")
    assert (
        "| `chat-first-response` | threshold (easier) | 90.0% within 2 min | 85.0% within 2 min | breached → at_risk |"
        in out
    )
    assert "| `fcr-q3` | retired |  |  | missed → – |" in out
    assert "| `chat-csat-carol` | owner | carol@example.com | dana@example.com |" in out


def test_diff_of_unchanged_goals_and_bad_revisions(repo):
    code, out, _ = diff("HEAD", "HEAD")
    assert code == 0
    assert "no goal changed" in out
    code, _, err = diff("no-such-branch")
    assert code == 2
    assert "'no-such-branch' is not a git revision" in err
    assert "Traceback" not in err
