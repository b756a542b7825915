"""JSON Schema of goal files, for editors (YAML language server) and validators."""

from __future__ import annotations

from typing import Any

from smartgoals._metrics import BUILTIN_METRICS
from smartgoals._model import GoalFile


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
    schema["title"] = "smartgoals goal file"
    return schema


__all__ = ["goal_file_schema"]
