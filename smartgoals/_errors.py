"""The exceptions smartgoals raises, rooted in one base class.

```
SmartGoalsError                 every error of smartgoals; the CLI prints it and exits 2
├── GoalFileError               goal or config YAML that cannot be used; carries every Problem found
├── DataError                   metric data that cannot be read (file, column, first bad row)
└── UsageError                  an argument that makes no sense (unknown format, bad --as-of, ...)
```

A `Problem` is one message tied to a `SourceSpan` (file, line, column; 1-based as editors show them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class SourceSpan:
    """A position in a file: 1-based line and column, as editors show them."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, at a position."""

    span: SourceSpan
    message: str

    def __str__(self) -> str:
        return f"{self.span}: {self.message}"


class SmartGoalsError(Exception):
    """Root of every error smartgoals raises on purpose."""


class GoalFileError(SmartGoalsError):
    """Goal or configuration files that cannot be used.

    Attributes:
        problems: every problem found, sorted by file, line and column.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems, key=lambda p: p.span))
        super().__init__("\n".join(str(p) for p in self.problems))


class DataError(SmartGoalsError):
    """Metric data that cannot be used at all (as opposed to single rows, which are rejected)."""


class UsageError(SmartGoalsError):
    """An argument to a command or function that cannot be used."""


__all__ = ["DataError", "GoalFileError", "Problem", "SmartGoalsError", "SourceSpan", "UsageError"]
