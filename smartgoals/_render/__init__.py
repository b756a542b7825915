"""Renderers: a `Report` in, text out. One module per format, registered by name.

A renderer is a function ``(report, options) -> str``. `render` looks the format up in `FORMATS`
and imports its module lazily, so `import smartgoals` stays free of rich.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import import_module

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
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = import_module(f"smartgoals._render.{fmt}_format")
    renderer: Renderer = module.render
    return renderer(report, options or RenderOptions())


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
