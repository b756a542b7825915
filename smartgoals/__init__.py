"""smartgoals: SMART goals for customer service, kept as YAML and checked against your data.

>>> import smartgoals
>>> goals = smartgoals.load("examples/goals")            # doctest: +SKIP
>>> report = smartgoals.evaluate(goals, "examples/data/tickets.csv", as_of="2026-11-22")  # doctest: +SKIP
"""

from __future__ import annotations

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
from smartgoals._results import Compliance, ErrorBudget, GoalResult, Point, Report, SourceQuality
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


def __getattr__(name: str) -> object:
    # NOTE: `Kind` was renamed `QuantityKind` (it stood beside `GoalKind`); the old name still works
    if name == "Kind":
        import warnings

        warnings.warn(
            "smartgoals.Kind is renamed smartgoals.QuantityKind", DeprecationWarning, stacklevel=2
        )
        return QuantityKind
    raise AttributeError(f"module 'smartgoals' has no attribute {name!r}")


for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("smartgoals._"):
        try:
            _obj.__module__ = "smartgoals"
        except (AttributeError, TypeError):  # pragma: no cover - builtins and frozen objects
            pass
