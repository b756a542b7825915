"""Plain rows (a list of dicts) are read exactly like a CSV file of the same cells."""

from __future__ import annotations

import csv
import math
from typing import Any

from smartgoals._readers import Normalized, ReadContext, check_columns
from smartgoals._readers.files import REQUIRED, read_long_file


def _as_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


class RowsReader:
    """A list (or tuple) of dicts, one per row."""

    def accepts(self, data: Any) -> bool:
        """A non-empty list or tuple of dicts."""
        return isinstance(data, list | tuple) and bool(data) and isinstance(data[0], dict)

    def read(self, data: Any, index: int, context: ReadContext) -> Normalized:
        """The rows written as CSV into the run's scratch folder, then read as a file."""
        name = f"<rows {index + 1}>"
        columns = list(dict.fromkeys(key for row in data for key in row))
        check_columns(name, columns, REQUIRED, context.labels)
        path = context.folder / f"rows-{index + 1}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows([_as_text(row.get(c)) for c in columns] for row in data)
        return read_long_file(path, name, context)


__all__ = ["RowsReader"]
