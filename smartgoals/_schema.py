"""JSON Schema of goal files, for editors (YAML language server) and validators."""

from __future__ import annotations

from typing import Any

from smartgoals._metrics import BUILTIN_METRICS
from smartgoals._model import GoalFile, GoalKind
from smartgoals._results import CHANGE_KINDS
from smartgoals._status import Status
from smartgoals._units import Unit

SCHEMA_BASE = "https://smartgoals.github.io/smartgoals/schema/"


def goal_file_schema() -> dict[str, Any]:
    """The JSON Schema of a goal file (draft 2020-12), generated from the models."""
    schema = GoalFile.model_json_schema(mode="validation")
    goal = schema["$defs"]["Goal"]
    goal["properties"]["metric"]["examples"] = sorted(BUILTIN_METRICS)
    # NOTE: `defaults:` may supply owner, metric or deadline, so a goal in a file needs only `id`.
    goal["required"] = ["id"]
    goal["description"] += " Required after defaults: owner, metric, deadline."
    defaults = schema["properties"]["defaults"]
    defaults["propertyNames"] = {"enum": [k for k in goal["properties"] if k != "id"]}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_BASE + "goal-file.json"
    schema["title"] = "smartgoals goal file"
    return schema


_NUMBER = {"type": "number"}
_COUNT = {"type": "integer", "minimum": 0}
_COUNTS = {"type": "object", "additionalProperties": _COUNT}
_NULLABLE_NUMBER = {"type": ["number", "null"]}
_STATUS = {"enum": [status.value for status in Status]}
_POINT = {
    "type": "object",
    "required": ["start", "value", "events"],
    "properties": {
        "start": {"type": "string", "format": "date"},
        "value": _NULLABLE_NUMBER,
        "events": {"type": "integer", "minimum": 0},
    },
}

_GOAL: dict[str, Any] = {
    "type": "object",
    "required": [
        "id",
        "title",
        "owner",
        "metric",
        "kind",
        "status",
        "value",
        "target",
        "comparison",
        "met",
        "events",
        "window",
        "baseline",
        "progress",
        "expected_progress",
        "forecast",
        "p_success",
        "deadline",
        "reasons",
        "file",
        "line",
    ],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": ["string", "null"]},
        "owner": {"type": "string"},
        "team": {"type": ["string", "null"]},
        "metric": {"type": "string"},
        "unit": {"enum": [unit.value for unit in Unit]},
        "kind": {"enum": [kind.value for kind in GoalKind]},
        "status": _STATUS,
        "value": _NULLABLE_NUMBER,
        "target": {**_NUMBER, "description": "in the metric's unit; a share as a fraction"},
        "comparison": {"enum": [">=", "<="]},
        "met": {"type": ["boolean", "null"]},
        "events": {"type": "integer", "minimum": 0},
        "window": {
            "type": "object",
            "required": ["start", "end"],
            "properties": {
                "kind": {"type": "string"},
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
            },
        },
        "baseline": _NULLABLE_NUMBER,
        "progress": _NULLABLE_NUMBER,
        "expected_progress": _NULLABLE_NUMBER,
        "forecast": _NULLABLE_NUMBER,
        "forecast_interval": {
            "type": ["array", "null"],
            "items": _NUMBER,
            "minItems": 2,
            "maxItems": 2,
        },
        "p_success": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "start": {"type": ["string", "null"], "format": "date"},
        "deadline": {"type": "string", "format": "date"},
        "reasons": {"type": "array", "items": {"type": "string"}},
        "file": {"type": ["string", "null"]},
        "line": {"type": ["integer", "null"]},
        "parent": {"type": ["string", "null"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "statistic": {"type": "string"},
        "open_events": {"type": "integer", "minimum": 0},
        "threshold": {
            "type": "object",
            "required": ["share", "limit", "comparison"],
            "properties": {
                "share": _NUMBER,
                "limit": _NUMBER,
                "comparison": {"enum": ["<=", "<", ">="]},
                "text": {"type": "string"},
            },
        },
        "good": {"type": ["integer", "null"], "minimum": 0},
        "pending": {"type": ["integer", "null"], "minimum": 0},
        "error_budget": {
            "type": ["object", "null"],
            "required": ["allowed", "bad", "consumed", "remaining", "burn_rates"],
            "properties": {
                "allowed": _NUMBER,
                "bad": {"type": "integer"},
                "consumed": _NULLABLE_NUMBER,
                "remaining": _NULLABLE_NUMBER,
                "burn_rates": {
                    "type": "object",
                    "required": ["1d", "7d"],
                    "properties": {"1d": _NULLABLE_NUMBER, "7d": _NULLABLE_NUMBER},
                },
            },
        },
        "trend": {"type": ["object", "null"]},
        "milestones": {"type": "array"},
        "history": {
            "type": "object",
            "required": ["weekly", "daily"],
            "properties": {
                "weekly": {"type": "array", "items": _POINT},
                "daily": {"type": "array", "items": _POINT},
            },
        },
        "children": {"type": "array", "items": {"type": "string"}},
        "share_on_track": _NULLABLE_NUMBER,
    },
}


def report_schema() -> dict[str, Any]:
    """The JSON Schema of ``smartgoals check --format json`` (a public contract)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_BASE + "report.json",
        "title": "smartgoals report",
        "type": "object",
        "required": ["as_of", "summary", "data_quality", "goals"],
        "properties": {
            "as_of": {
                "type": "string",
                "anyOf": [{"format": "date"}, {"format": "date-time"}],
                "description": "a date (the end of that day) or a timestamp",
            },
            "summary": {
                "type": "object",
                "required": list(_STATUS["enum"]),
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
            "data_quality": {
                "type": "object",
                "required": ["rows_read", "rows_used", "rows_rejected", "rows_skipped", "sources"],
                "properties": {
                    **{f"rows_{k}": _COUNT for k in ("read", "used", "rejected", "skipped")},
                    "data_timezone": {"type": ["string", "null"]},
                    "sources": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [
                                "source",
                                "rows_read",
                                "rows_used",
                                "rows_rejected",
                                "rejected",
                                "rows_skipped",
                                "skipped",
                            ],
                            "properties": {
                                "source": {"type": "string"},
                                **{
                                    f"rows_{k}": _COUNT
                                    for k in ("read", "used", "rejected", "skipped")
                                },
                                "rejected": _COUNTS,
                                "skipped": _COUNTS,
                                "naive_timestamps": _COUNT,
                            },
                        },
                    },
                    "unmatched": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["goal", "label", "value", "seen", "did_you_mean"],
                            "properties": {
                                "goal": {"type": "string"},
                                "label": {"type": "string"},
                                "value": {"type": ["string", "null"]},
                                "seen": {"type": "array", "items": {"type": "string"}},
                                "did_you_mean": {"type": ["string", "null"]},
                            },
                        },
                    },
                },
            },
            "goals": {"type": "array", "items": _GOAL},
            "changes": {
                "type": "object",
                "description": "with --compare: what changed since an earlier report",
                "required": ["since", "goals"],
                "properties": {
                    "since": {"type": "string"},
                    "goals": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["goal", "kind", "before", "after"],
                            "properties": {
                                "goal": {"type": "string"},
                                "kind": {"enum": list(CHANGE_KINDS)},
                                "before": {"anyOf": [_STATUS, {"type": "null"}]},
                                "after": {"anyOf": [_STATUS, {"type": "null"}]},
                                "value_before": _NULLABLE_NUMBER,
                                "value_after": _NULLABLE_NUMBER,
                                "unit": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
    }


__all__ = ["goal_file_schema", "report_schema"]
