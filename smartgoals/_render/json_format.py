"""``--format json``: the report object of design §6, with full precision and no NaN."""

from __future__ import annotations

import json

from smartgoals._render import RenderOptions
from smartgoals._results import Report


def render(report: Report, options: RenderOptions) -> str:
    """The report as indented JSON (the public contract)."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
