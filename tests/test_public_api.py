from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import smartgoals

ROOT = Path(__file__).resolve().parent.parent

# NOTE: the public API, written out: removing or renaming a name is a breaking change, so this
# list changes only on purpose (it is not derived from the code it checks).
PUBLIC = {
    "BUILTIN_METRICS",
    "DEFAULT_FAIL_ON",
    "Aggregation",
    "Calendar",
    "Compliance",
    "DataError",
    "ErrorBudget",
    "Export",
    "Finding",
    "Goal",
    "GoalFileError",
    "GoalKind",
    "GoalResult",
    "GoalSet",
    "MetricColumn",
    "MetricDef",
    "MetricSpec",
    "Milestone",
    "Point",
    "Problem",
    "Quantity",
    "QuantityKind",
    "Report",
    "SmartGoalsError",
    "SourceDef",
    "SourceQuality",
    "SourceSpan",
    "Standard",
    "Status",
    "Target",
    "Unit",
    "UsageError",
    "Window",
    "__version__",
    "evaluate",
    "format_quantity",
    "goal_file_schema",
    "lint",
    "load",
    "parse_duration",
    "parse_standard",
    "report_schema",
}


def test_all_is_sorted_and_complete():
    names = [n for n in smartgoals.__all__ if n != "__version__"]
    # NOTE: ruff's RUF022 order: CONSTANTS, then Classes, then functions
    assert names == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    assert set(smartgoals.__all__) == PUBLIC
    for name in smartgoals.__all__:
        assert hasattr(smartgoals, name), name
    # NOTE: every name that loads on first use is public, and every public name loads
    assert set(smartgoals._HOME) | {"__version__"} == PUBLIC


def test_docs_use_only_the_public_api():
    texts = [p.read_text() for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]]
    # NOTE: `import smartgoals` then `smartgoals.NAME`; generated pages import internals on purpose
    used = {
        m
        for text in texts
        for m in re.findall(r"(?<![\w./])smartgoals\.([A-Za-z]\w*)\b(?!\.json)", text)
    }
    assert used - PUBLIC - {"cli", "yaml"} == set()


def test_every_module_and_public_name_has_a_docstring():
    # NOTE: ruff's pydocstyle rules skip the members of private (_x.py) modules; this does not
    missing = []
    for path in sorted((ROOT / "smartgoals").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not ast.get_docstring(tree):
            missing.append(f"{path.name}: module")
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                methods = node.body if isinstance(node, ast.ClassDef) else []
                members = [node, *(n for n in methods if isinstance(n, ast.FunctionDef))]
                missing += [
                    f"{path.name}:{n.lineno} {n.name}"
                    for n in members
                    if not n.name.startswith("_") and not ast.get_docstring(n) and not _overload(n)
                ]
    assert missing == []


def _overload(node: ast.FunctionDef | ast.ClassDef) -> bool:
    """An ``@overload`` signature: the implementation after it carries the docstring."""
    return any(isinstance(d, ast.Name) and d.id == "overload" for d in node.decorator_list)


def test_public_objects_are_documented():
    for name in smartgoals.__all__:
        obj = getattr(smartgoals, name)
        if callable(obj):
            assert obj.__doc__, name


def test_import_does_not_load_cli_stack():
    code = "import sys, smartgoals; print(sorted(m for m in ('click', 'rich') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


HEAVY = ("pydantic", "numpy", "duckdb", "narwhals", "polars", "yaml", "rich")


@pytest.mark.parametrize("module", ["smartgoals", "smartgoals.cli"])
def test_import_and_help_load_nothing_heavy(module):
    # NOTE: public names load on first use, so `import smartgoals` and `smartgoals --help` stay fast
    code = f"import sys, {module}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_names_load_on_first_use_under_the_public_module():
    code = (
        "import sys, smartgoals; r = smartgoals.Report; "
        "print(r.__module__, 'smartgoals._results' in sys.modules, 'Report' in dir(smartgoals))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["smartgoals", "True", "True"]
