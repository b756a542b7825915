"""``--format json``: the report object of design §6, with full precision and no NaN.

Written with orjson: a report of 10,000 goals is tens of megabytes, which the standard library's
indenting encoder (pure Python) takes seconds to write and orjson a tenth of a second.
"""

from __future__ import annotations

import orjson

from smartgoals._render import RenderOptions
from smartgoals._results import Report


def render(report: Report, options: RenderOptions) -> str:
    """The report as indented JSON (the public contract); NaN and infinities become null."""
    return render_bytes(report, options).decode()


def render_bytes(report: Report, options: RenderOptions) -> bytes:
    """`render`, as orjson writes it (UTF-8)."""
    return orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
