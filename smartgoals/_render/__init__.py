"""Renderers: a `Report` in, text out. One module per format, registered by name.

A renderer is a function ``(report, options) -> str``; a format that makes bytes anyway (JSON)
also has ``render_bytes``, which `render_bytes` uses for files. `render` looks the format up in
`FORMATS` and imports its module lazily, so `import smartgoals` stays free of rich.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from smartgoals._errors import UsageError
from smartgoals._results import Report
from smartgoals._status import DEFAULT_FAIL_ON, Status

FORMATS = ("table", "json", "markdown", "junit", "github", "html")


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer may need besides the report."""

    fail_on: frozenset[Status] = DEFAULT_FAIL_ON
    color: bool = False
    width: int = 140
    link_base: str | None = None


Renderer = Callable[[Report, RenderOptions], str]


def render(report: Report, fmt: str, options: RenderOptions | None = None) -> str:
    """Render `report` in format `fmt` (one of `FORMATS`)."""
    renderer: Renderer = _module(fmt).render
    return renderer(report, options or RenderOptions())


def render_bytes(report: Report, fmt: str, options: RenderOptions | None = None) -> bytes:
    """`render` as UTF-8, for a file: a format that makes bytes (JSON) is not decoded and encoded.

    The JSON report of 10,000 goals is 77 MB; each copy of it costs time.
    """
    module = _module(fmt)
    renderer: Callable[[Report, RenderOptions], bytes] | None = getattr(
        module, "render_bytes", None
    )
    if renderer is None:
        return render(report, fmt, options).encode()
    return renderer(report, options or RenderOptions())


def _module(fmt: str) -> Any:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return import_module(f"smartgoals._render.{fmt}_format")


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Iterable[float | None]) -> str:
    """A one-line chart of `values` (gaps as spaces)."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    scale = (high - low) or 1.0
    return "".join(
        " " if v is None else SPARKS[min(int((v - low) / scale * 7.999), 7)] for v in values
    )


__all__ = ["FORMATS", "RenderOptions", "render", "sparkline"]
