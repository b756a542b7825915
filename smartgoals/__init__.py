"""smartgoals: SMART goals for customer service, kept as YAML and checked against your data.

>>> import smartgoals
>>> goals = smartgoals.load("examples/goals")            # doctest: +SKIP
>>> report = smartgoals.evaluate(goals, "examples/data/tickets.csv", as_of="2026-11-22")  # doctest: +SKIP

Each name is imported on first use, so that ``import smartgoals`` (and ``smartgoals --help``)
loads neither pydantic nor NumPy nor an engine until a program needs them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from smartgoals._api import evaluate, lint
    from smartgoals._errors import (
        DataError,
        GoalFileError,
        Problem,
        SmartGoalsError,
        SourceSpan,
        UsageError,
    )
    from smartgoals._lint import Finding
    from smartgoals._loading import load
    from smartgoals._mapping import Export, MetricColumn, SourceDef
    from smartgoals._metrics import BUILTIN_METRICS, Aggregation, MetricSpec
    from smartgoals._model import (
        Calendar,
        Goal,
        GoalKind,
        GoalSet,
        MetricDef,
        Milestone,
        Window,
    )
    from smartgoals._results import (
        Compliance,
        ErrorBudget,
        GoalResult,
        Point,
        Report,
        SourceQuality,
    )
    from smartgoals._schema import goal_file_schema, report_schema
    from smartgoals._status import DEFAULT_FAIL_ON, Status
    from smartgoals._units import (
        Quantity,
        QuantityKind,
        Standard,
        Target,
        Unit,
        format_quantity,
        parse_duration,
        parse_standard,
    )

__version__ = "0.1.0"

__all__ = [
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
]

_HOMES = {
    "_api": ("evaluate", "lint"),
    "_errors": (
        "DataError",
        "GoalFileError",
        "Problem",
        "SmartGoalsError",
        "SourceSpan",
        "UsageError",
    ),
    "_lint": ("Finding",),
    "_loading": ("load",),
    "_mapping": ("Export", "MetricColumn", "SourceDef"),
    "_metrics": ("BUILTIN_METRICS", "Aggregation", "MetricSpec"),
    "_model": ("Calendar", "Goal", "GoalKind", "GoalSet", "MetricDef", "Milestone", "Window"),
    "_results": ("Compliance", "ErrorBudget", "GoalResult", "Point", "Report", "SourceQuality"),
    "_schema": ("goal_file_schema", "report_schema"),
    "_status": ("DEFAULT_FAIL_ON", "Status"),
    "_units": (
        "Quantity",
        "QuantityKind",
        "Standard",
        "Target",
        "Unit",
        "format_quantity",
        "parse_duration",
        "parse_standard",
    ),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use (then it is a plain attribute)."""
    if name == "Kind":
        # NOTE: `Kind` was renamed `QuantityKind` (it stood beside `GoalKind`); the old name works
        import warnings

        warnings.warn(
            "smartgoals.Kind is renamed smartgoals.QuantityKind", DeprecationWarning, stacklevel=2
        )
        return __getattr__("QuantityKind")
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'smartgoals' has no attribute {name!r}")
    value = getattr(import_module(f"smartgoals.{module}"), name)
    if getattr(value, "__module__", "").startswith("smartgoals._"):
        try:
            value.__module__ = "smartgoals"  # NOTE: reprs and docs name the public module
        except (AttributeError, TypeError):  # pragma: no cover - builtins and frozen objects
            pass
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
