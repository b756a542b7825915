from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from smartgoals.cli import EXIT_ERROR, EXIT_FAILED, EXIT_OK, cli
from tests.conftest import EXAMPLE_DATA, EXAMPLE_GOALS

DATA = [arg for path in EXAMPLE_DATA for arg in ("--data", str(path))]
CHECK = ["check", str(EXAMPLE_GOALS), *DATA, "--as-of", "2026-11-22"]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def assert_user_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == EXIT_ERROR, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_lint_examples_pass():
    result = run("lint", str(EXAMPLE_GOALS), "--as-of", "2026-11-22")
    assert result.exit_code == EXIT_OK
    assert "T502" in result.stdout


def test_lint_strict_fails_on_warnings():
    assert (
        run("lint", str(EXAMPLE_GOALS), "--as-of", "2026-11-22", "--strict").exit_code
        == EXIT_FAILED
    )


def test_lint_error_rule_fails(goal_file):
    path = goal_file(
        "goals:\n  - {id: g, owner: o, metric: csat, target: 90%, deadline: 2026-12-31}\n"
    )
    result = run("lint", str(path), "--as-of", "2026-11-22")
    assert result.exit_code == EXIT_FAILED
    assert f"{path}:2:" in result.stdout
    assert " S101 " in result.stdout


def test_lint_bad_file_exits_2_with_position(goal_file):
    path = goal_file(
        "goals:\n  - id: g\n    owner: o\n    metric: csat\n    dedline: 2026-12-31\n"
        "    target: 90%\n"
    )
    assert_user_error(
        run("lint", str(path)), f"{path}:5:5: unknown key 'dedline' (did you mean 'deadline'?)"
    )


@pytest.mark.parametrize(
    "case",
    sorted((Path(__file__).parent / "cases" / "bad_input").glob("*.yaml")),
    ids=lambda p: p.stem,
)
def test_lint_every_bad_input_exits_2(case, tmp_path):
    import yaml

    spec = yaml.safe_load(case.read_text())
    for name, text in spec["files"].items():
        (tmp_path / name).write_text(text)
    result = run("lint", str(tmp_path))
    assert_user_error(result)
    assert result.stderr.replace(f"{tmp_path}/", "").splitlines()[:-1] == spec["errors"]


def test_lint_json_and_github_formats(tmp_path):
    data = json.loads(
        run("lint", str(EXAMPLE_GOALS), "--as-of", "2026-11-22", "--format", "json").stdout
    )
    assert {f["code"] for f in data["findings"]} >= {"T502"}
    github = run("lint", str(EXAMPLE_GOALS), "--as-of", "2026-11-22", "--format", "github").stdout
    assert github.startswith("::warning file=")
    assert ",line=" in github


def test_check_example_exits_1_because_breached():
    result = run(*CHECK)
    assert result.exit_code == EXIT_FAILED
    assert "chat-first-response" in result.stdout
    assert "breached" in result.stdout
    assert result.stderr == ""


def test_check_json_is_the_report():
    result = run(*CHECK, "--format", "json")
    report = json.loads(result.stdout)
    assert report["summary"] == {
        "missed": 1,
        "breached": 2,
        "at_risk": 1,
        "no_data": 1,
        "on_track": 6,
        "achieved": 1,
        "not_started": 1,
    }
    assert len(report["goals"]) == 13


@pytest.mark.parametrize(
    ("policy", "goal", "code"),
    [
        ("breached,missed,no_data,at_risk", "csat-q4", EXIT_FAILED),
        ("breached,missed,no_data", "csat-q4", EXIT_OK),
        ("at_risk", "chat-first-response", EXIT_OK),
        ("missed", "phone-wait-2027", EXIT_OK),
    ],
)
def test_check_fail_on_policy(policy, goal, code):
    assert run(*CHECK, "--fail-on", policy, "--goal", goal).exit_code == code


def test_check_fail_on_unknown_status():
    assert_user_error(run(*CHECK, "--fail-on", "not_started"), "--fail-on: unknown status")


def test_check_output_file_leaves_stdout_empty(tmp_path):
    out = tmp_path / "report.json"
    result = run(*CHECK, "--format", "json", "--output", str(out))
    assert result.stdout == ""
    assert json.loads(out.read_text())["goals"]


def test_check_filters(tmp_path):
    report = json.loads(
        run(*CHECK, "--format", "json", "--tag", "phone", "--owner", "frank@example.com").stdout
    )
    assert [g["id"] for g in report["goals"]] == ["phone-wait-2027", "phone-abandonment"]
    assert_user_error(run(*CHECK, "--goal", "nope"), "no goal with id 'nope'")


def test_check_validates_goals_before_reading_data(goal_file):
    path = goal_file(
        "goals:\n  - {id: g, owner: o, metric: csatt, target: 90%, deadline: 2026-12-31}\n"
    )
    assert_user_error(run("check", str(path), "--data", "missing.csv"), "unknown metric 'csatt'")


def test_check_without_data_is_a_usage_error():
    assert_user_error(run("check", str(EXAMPLE_GOALS)), "no data given")


def test_check_missing_column_names_file_and_column(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("timestamp,metric,channel\n2026-11-20T10:00:00Z,csat,chat\n")
    assert_user_error(
        run("check", str(EXAMPLE_GOALS), "--data", str(data)), f"{data}: column 'value' is missing"
    )


def test_check_missing_where_label_names_it(tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("timestamp,metric,value\n2026-11-20T10:00:00Z,csat,5\n")
    assert_user_error(
        run("check", str(EXAMPLE_GOALS), "--data", str(data)),
        "column 'agent' is missing (a label some goal filters on ('where'))",
    )


def test_check_mixed_naive_and_offset_names_first_row(tmp_path):
    data = tmp_path / "mixed.csv"
    data.write_text(
        "timestamp,metric,value,channel,tier,team,agent\n"
        "2026-11-20T10:00:00Z,csat,5,chat,gold,chat,alice\n"
        "2026-11-20T10:00:00Z,csat,4,chat,gold,chat,alice\n"
        "2026-11-20 11:00:00,csat,3,chat,gold,chat,alice\n"
    )
    assert_user_error(
        run("check", str(EXAMPLE_GOALS), "--data", str(data)),
        f"{data}: column 'timestamp' mixes",
        "first at data row 3",
    )


def test_check_naive_timestamps_need_a_timezone(tmp_path, goal_file):
    goals = goal_file(
        "goals:\n  - {id: a, owner: o, metric: csat, target: 90%, deadline: 2026-12-31}\n"
        "  - {id: b, owner: o, metric: csat, target: 90%, deadline: 2026-12-31, "
        "timezone: Europe/Berlin}\n"
    )
    data = tmp_path / "naive.csv"
    data.write_text("timestamp,metric,value\n2026-11-20 10:00:00,csat,5\n")
    assert_user_error(run("check", str(goals), "--data", str(data)), "--data-timezone")
    result = run("check", str(goals), "--data", str(data), "--data-timezone", "Europe/Berlin")
    assert result.exit_code == EXIT_FAILED  # no_data fails by default
    assert "read 1 timestamps without an offset as Europe/Berlin" in result.stderr


def test_check_row_problems_are_counted_not_fatal(tmp_path):
    data = tmp_path / "rows.csv"
    data.write_text(
        "timestamp,metric,value,channel,tier,team,agent\n"
        "not a time,csat,5,chat,gold,chat,alice\n"
        "2026-11-20T10:00:00Z,csat,11,chat,gold,chat,alice\n"
        "2026-11-20T10:00:00Z,csat,NaN,chat,gold,chat,alice\n"
        "2026-11-20T10:00:00Z,first_response_time,-5,chat,gold,chat,alice\n"
        "2026-11-20T10:00:00Z,happiness,5,chat,gold,chat,alice\n"
        "2026-11-20T10:00:00Z,csat,abc,chat,gold,chat,alice\n"
    )
    result = run(
        "check",
        str(EXAMPLE_GOALS),
        "--data",
        str(data),
        "--as-of",
        "2026-11-22",
        "--format",
        "json",
        "--fail-on",
        "breached",
    )
    assert result.exit_code == EXIT_OK
    quality = json.loads(result.stdout)["data_quality"]
    assert quality["rows_rejected"] == 6
    assert quality["sources"][0]["rejected"] == {
        "negative duration (first_response_time)": 1,
        "timestamp missing or unreadable": 1,
        "unknown metric": 1,
        "value is NaN or infinite": 1,
        "value is not a number": 1,
        "value outside the metric's range (csat)": 1,
    }


def test_check_unreadable_file(tmp_path):
    assert_user_error(
        run("check", str(EXAMPLE_GOALS), "--data", str(tmp_path / "none.csv")),
        "none.csv: no such file",
    )


def test_check_bad_as_of():
    assert_user_error(
        run("check", str(EXAMPLE_GOALS), *DATA, "--as-of", "yesterday"), "expected a date"
    )


def test_schema_validates_examples():
    import jsonschema
    import yaml

    schema = json.loads(run("schema").stdout)
    for path in sorted(EXAMPLE_GOALS.glob("*.yaml")):
        document = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
        jsonschema.validate(document, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"goals": [{"id": "x", "colour": "red"}]}, schema)


def test_init_writes_a_project_that_checks(tmp_path):
    result = run("init", str(tmp_path))
    assert result.exit_code == EXIT_OK
    check = run(
        "check",
        str(tmp_path / "goals"),
        "--data",
        str(tmp_path / "data" / "tickets.csv.gz"),
        "--data",
        str(tmp_path / "data" / "daily.csv"),
        "--as-of",
        "2026-11-22",
    )
    assert check.exit_code in (EXIT_OK, EXIT_FAILED)
    assert "chat-first-response" in check.stdout
    assert_user_error(run("init", str(tmp_path)), "already exists")


def test_version():
    assert run("--version").stdout.startswith("smartgoals, version ")


def test_check_needs_no_optional_engine():
    # NOTE: the README's first command installs only the core (NumPy is part of it: the period
    # table is columnar); block the optional engines.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for name in ('pyarrow', 'pandas', 'polars'):\n"
        "    sys.modules[name] = None\n"
        "from smartgoals.cli import main\n"
        f"sys.argv = ['smartgoals', *{CHECK!r}, '--format', 'json']\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == EXIT_FAILED, result.stderr
    assert json.loads(result.stdout)["summary"]["breached"] == 2


def test_check_naive_with_counts_is_not_mixed(tmp_path, goal_file):
    goals = goal_file(
        "goals:\n  - {id: v, owner: o, metric: ticket_volume, target: '<= 5000',"
        " deadline: 2026-12-31, timezone: Europe/Berlin, min_events: 1}\n"
    )
    data = tmp_path / "volume.csv"
    data.write_text(
        "timestamp,metric,value,count\n2026-11-20 18:00:00,ticket_volume,,112\n"
        "2026-11-21 18:00:00,ticket_volume,,98\n"
    )
    result = run(
        "check", str(goals), "--data", str(data), "--as-of", "2026-11-22", "--format", "json"
    )
    assert result.exit_code == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["goals"][0]["value"] == 210
