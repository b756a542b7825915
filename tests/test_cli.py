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
        "breached": 6,
        "at_risk": 1,
        "no_data": 1,
        "on_track": 6,
        "achieved": 1,
        "not_started": 1,
    }
    assert len(report["goals"]) == 17


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
    # NOTE: the file holds what stdout would, as UTF-8 with "\n" line ends on every system
    assert out.read_bytes() == run(*CHECK, "--format", "json").stdout.encode()


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
        "--max-rejected",
        "100%",
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
    assert json.loads(result.stdout)["summary"]["breached"] == 6


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


# Misuse and interruption: exit 2 (or 130) with one line, never a traceback.


def bad_rows(tmp_path: Path, bad: int, good: int) -> Path:
    data = tmp_path / "mostly-bad.csv"
    rows = ["timestamp,metric,value"] + ["never,csat,5"] * bad
    rows += ["2026-11-20T10:00:00Z,csat,5"] * good
    data.write_text("\n".join(rows) + "\n")
    return data


@pytest.mark.parametrize(
    ("bad", "good", "limit", "code"),
    [
        (1, 99, "1%", EXIT_OK),
        (2, 98, "1%", EXIT_ERROR),
        (2, 98, "0.02", EXIT_OK),
        (100, 0, "100%", EXIT_FAILED),
    ],
    ids=["at-limit", "over-limit", "raised-limit", "never"],
)
def test_check_max_rejected(tmp_path, goal_file, bad, good, limit, code):
    goals = goal_file(
        "goals:\n  - {id: c, owner: o, metric: csat, target: 99%, deadline: 2026-12-31, min_events: 1}\n"
    )
    data = bad_rows(tmp_path, bad, good)
    result = run(
        "check",
        str(goals),
        "--data",
        str(data),
        "--as-of",
        "2026-11-22",
        "--max-rejected",
        limit,
        "--report",
        f"json={tmp_path / 'r.json'}",
    )
    assert result.exit_code == code, result.stderr
    if code == EXIT_ERROR:
        assert f"{bad} of {bad + good} rows rejected" in result.stderr
        assert "--max-rejected" in result.stderr
    assert (tmp_path / "r.json").exists()  # the reports are written either way


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--tag", "nothing"], "--tag nothing: no goal matches"),
        (["--owner", "nobody"], "--owner nobody: no goal matches"),
        (["--as-of", ""], "expected a date"),
        (["--as-of", "9999-12-31"], "outside the dates supported"),
        (["--as-of", "0001-01-01"], "outside the dates supported"),
        (["--data-timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (
            ["--output", "/nonexistent/folder/r.json"],
            "the folder /nonexistent/folder does not exist",
        ),
        (["--report", "json=/nonexistent/r.json"], "the folder /nonexistent does not exist"),
        (["--report", "xml=r.xml"], "expected FORMAT=PATH"),
        (["--report", "json"], "expected FORMAT=PATH"),
        (["--max-rejected", "lots"], "expected a share"),
    ],
)
def test_check_misuse_exits_2(args, fragment):
    assert_user_error(run(*CHECK, *args), fragment)


def test_check_reports_are_checked_before_data_is_read(tmp_path):
    result = run(
        "check",
        str(EXAMPLE_GOALS),
        "--data",
        str(tmp_path / "missing.csv"),
        "--report",
        f"html={tmp_path / 'no' / 'r.html'}",
    )
    assert_user_error(result, "does not exist")
    assert "missing.csv" not in result.stderr


def test_check_data_that_is_not_a_file(tmp_path):
    assert_user_error(run("check", str(EXAMPLE_GOALS), "--data", str(tmp_path)), "is a folder")
    link = tmp_path / "gone.csv"
    link.symlink_to(tmp_path / "nowhere.csv")
    assert_user_error(run("check", str(EXAMPLE_GOALS), "--data", str(link)), "symbolic link")


def test_check_same_file_twice_is_read_once(tmp_path):
    once = json.loads(run(*CHECK, "--format", "json").stdout)
    twice = run(*CHECK, "--data", str(EXAMPLE_DATA[1]), "--format", "json")
    assert "given more than once; read once" in twice.stderr
    assert json.loads(twice.stdout) == once


def test_check_empty_goal_file_is_an_empty_report(goal_file):
    for text in ("goals: []\n", ""):
        result = run("check", str(goal_file(text)), *DATA, "--format", "json")
        assert result.exit_code == EXIT_OK
        assert json.loads(result.stdout)["goals"] == []
        assert "no goals to evaluate" in result.stderr


def test_dangling_link_in_goal_folder_is_an_error(tmp_path):
    folder = tmp_path / "goals"
    folder.mkdir()
    (folder / "a.yaml").write_text((EXAMPLE_GOALS / "service.yaml").read_text())
    (folder / "b.yaml").symlink_to(tmp_path / "moved.yaml")
    assert_user_error(run("check", str(folder), *DATA), "b.yaml:1:1: cannot read file")


def test_deep_yaml_is_an_error_with_position(goal_file):
    path = goal_file("goals:\n  - " + "[" * 3000 + "]" * 3000 + "\n")
    assert_user_error(run("lint", str(path)), "nests more than 100 levels deep")


def test_interruption_exits_130(monkeypatch, capsys):
    import smartgoals
    from smartgoals.cli import EXIT_INTERRUPTED, main

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(smartgoals, "evaluate", interrupted)
    monkeypatch.setattr("sys.argv", ["smartgoals", *CHECK])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert err.strip() == "smartgoals: interrupted"


def test_usage_errors_through_main_exit_2(monkeypatch, capsys):
    from smartgoals.cli import main

    monkeypatch.setattr("sys.argv", ["smartgoals", "check", "--format", "pdf"])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == EXIT_ERROR
    assert "Traceback" not in capsys.readouterr().err


def test_main_collects_garbage_less_often_and_restores_the_collector(monkeypatch):
    import gc

    import smartgoals
    from smartgoals.cli import main

    seen = []

    def evaluate(*args: object, **kwargs: object) -> None:
        seen.append(gc.get_threshold()[0])
        raise KeyboardInterrupt

    before = gc.get_threshold()
    monkeypatch.setattr(smartgoals, "evaluate", evaluate)
    monkeypatch.setattr("sys.argv", ["smartgoals", *CHECK])
    with pytest.raises(SystemExit):
        main()
    assert seen == [200_000]  # while the command runs
    assert gc.get_threshold() == before


def test_check_writes_every_report_in_one_run(tmp_path):
    paths = {
        fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "markdown", "junit", "html", "github")
    }
    reports = [a for fmt, p in paths.items() for a in ("--report", f"{fmt}={p}")]
    result = run(*CHECK, *reports)
    assert result.exit_code == EXIT_FAILED
    assert result.stdout == run(*CHECK).stdout  # the table on stdout, as without --report
    for fmt, path in paths.items():
        alone = run(*CHECK, "--format", fmt).stdout
        assert path.read_text(encoding="utf-8") == alone, fmt
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_published_schemas_are_current():
    import smartgoals

    root = Path(__file__).resolve().parent.parent / "docs" / "schema"
    for name, schema in (
        ("goal-file", smartgoals.goal_file_schema()),
        ("report", smartgoals.report_schema()),
    ):
        published = json.loads((root / f"{name}.json").read_text())
        assert published == schema, (
            f"regenerate: smartgoals schema {'--report ' if name == 'report' else ''}> docs/schema/{name}.json"
        )
        assert schema["$id"].endswith(f"/schema/{name}.json")


def test_init_points_editors_at_the_schema(tmp_path):
    assert run("init", str(tmp_path)).exit_code == 0
    goals = (tmp_path / "goals" / "goals.yaml").read_text()
    assert goals.startswith("# yaml-language-server: $schema=.smartgoals.schema.json\n")
    schema = json.loads((tmp_path / "goals" / ".smartgoals.schema.json").read_text())
    assert schema["$id"].endswith("/schema/goal-file.json")
