"""Goal files and folders in, a validated `GoalSet` out, or every problem with its position.

Files are read with the safe loader keeping positions (`_yaml`); `defaults:` are applied to each goal
of the same file; each goal is validated on its own so that all problems of a run are reported together,
sorted by file and line. An unknown key that is a near-miss of a missing required key gives the one
message at the unknown key (``unknown key 'dedline' (did you mean 'deadline'?)``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from smartgoals._errors import GoalFileError, Problem, SourceSpan, UsageError
from smartgoals._mapping import SourceDef
from smartgoals._metrics import BUILTIN_METRICS, MetricSpec
from smartgoals._model import Calendar, Goal, GoalSet, MetricDef, did_you_mean
from smartgoals._yaml import Document, Path_, parse_yaml, read_yaml

SECTIONS = ("goals", "defaults", "calendars", "metrics", "sources")
GOAL_FIELDS = tuple(Goal.model_fields)
REQUIRED_FIELDS = tuple(name for name, f in Goal.model_fields.items() if f.is_required())

StrPath = str | PathLike[str]


def goal_files(paths: Iterable[StrPath]) -> list[Path]:
    """The YAML files named by `paths`: files as given, folders searched recursively, sorted."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                # NOTE: a broken symbolic link is kept, so that its goals are not silently gone
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix in (".yaml", ".yml") and (p.is_file() or p.is_symlink())
                )
            )
        else:
            found.append(path)
    return found


def load_texts(texts: dict[str, str]) -> GoalSet:
    """Load goal files given as ``{file name: text}`` (a revision from git, for instance).

    Relative paths in the files (a source's ``file:``) are read from the current folder.

    Raises:
        GoalFileError: with every problem found, each with file, line and column.
    """
    loader = _Loader()
    docs = [loader.read((name, text)) for name, text in sorted(texts.items())]
    return loader.run_documents([doc for doc in docs if doc is not None])


def load(paths: StrPath | Sequence[StrPath]) -> GoalSet:
    """Load goal files or folders into a validated `GoalSet`.

    Args:
        paths: a file, a folder (read recursively, ``*.yaml`` and ``*.yml`` in sorted order), or a
            list of them.

    Raises:
        GoalFileError: with every problem found, each with file, line and column.
    """
    if isinstance(paths, str | PathLike):
        paths = [paths]
    if not isinstance(paths, list | tuple) or not all(isinstance(p, str | PathLike) for p in paths):
        raise UsageError(f"load: expected goal file or folder paths, got {type(paths).__name__}")
    files = goal_files(paths)
    if not files:
        raise GoalFileError(
            [
                Problem(SourceSpan(str(p), 1, 1), "no goal files (*.yaml, *.yml) found here")
                for p in paths
            ]
            or [Problem(SourceSpan(".", 1, 1), "no goal files given")]
        )
    return _Loader().run(files)


@dataclass
class _Entry:
    """One goal's raw mapping, and where each of its keys came from (the goal or `defaults:`)."""

    doc: Document
    path: Path_
    data: dict[str, Any]
    origin: dict[str, Path_] = field(default_factory=dict)


class _Loader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.metrics: dict[str, MetricSpec] = dict(BUILTIN_METRICS)
        self.metric_origin: dict[str, SourceSpan] = {}
        self.calendars: dict[str, Calendar] = {}
        self.calendar_origin: dict[str, SourceSpan] = {}
        self.sources: dict[str, SourceDef] = {}

    def run(self, files: list[Path]) -> GoalSet:
        return self.run_documents([doc for doc in (self.read(f) for f in files) if doc is not None])

    def run_documents(self, docs: list[Document]) -> GoalSet:
        for doc in docs:
            self.declare_metrics(doc)
            self.declare_calendars(doc)
        for doc in docs:
            self.declare_sources(doc)
        entries = [entry for doc in docs for entry in self.entries(doc)]
        goals = [goal for goal in (self.validate(e) for e in entries) if goal is not None]
        self.check_references(goals)
        if self.problems:
            raise GoalFileError(dict.fromkeys(self.problems))
        return GoalSet(
            tuple(goals),
            self.metrics,
            self.calendars,
            tuple(d.file for d in docs),
            self.sources,
            {d.file: d.ignores for d in docs if d.ignores},
        )

    def read(self, file: Path | tuple[str, str]) -> Document | None:
        """Read a goal file (or parse a ``(name, text)`` pair) into a document to validate."""
        try:
            doc = parse_yaml(file[1], file[0]) if isinstance(file, tuple) else read_yaml(file)
        except GoalFileError as exc:
            self.problems.extend(exc.problems)
            return None
        if not isinstance(doc.data, dict):
            self.problem(doc, (), "expected a mapping with a 'goals:' list")
            return None
        for key in doc.data:
            if key not in SECTIONS:
                self.problem(
                    doc,
                    (key,),
                    f"unknown key {key!r}{did_you_mean(str(key), SECTIONS)}; "
                    f"a goal file has {', '.join(SECTIONS)}",
                    key=True,
                )
        return doc

    def problem(self, doc: Document, path: Path_, message: str, *, key: bool = False) -> None:
        self.problems.append(Problem(doc.span(path, key=key), message))

    def declare_metrics(self, doc: Document) -> None:
        for name, definition in self.section(doc, "metrics").items():
            span = doc.span(("metrics", name), key=True)
            if name in BUILTIN_METRICS:
                self.problems.append(
                    Problem(span, f"metric {name!r} is built in; choose another name")
                )
            elif name in self.metric_origin:
                self.problems.append(
                    Problem(
                        span, f"metric {name!r} is already declared at {self.metric_origin[name]}"
                    )
                )
            else:
                model = self.model(doc, ("metrics", name), MetricDef, definition)
                if isinstance(model, MetricDef):
                    self.metrics[name] = model.spec(name)
                    self.metric_origin[name] = span

    def declare_calendars(self, doc: Document) -> None:
        for name, definition in self.section(doc, "calendars").items():
            span = doc.span(("calendars", name), key=True)
            if name in self.calendar_origin:
                self.problems.append(
                    Problem(
                        span,
                        f"calendar {name!r} is already declared at {self.calendar_origin[name]}",
                    )
                )
                continue
            model = self.model(doc, ("calendars", name), Calendar, definition)
            if isinstance(model, Calendar):
                self.calendars[name] = model
                self.calendar_origin[name] = span

    def declare_sources(self, doc: Document) -> None:
        for name, definition in self.section(doc, "sources").items():
            span = doc.span(("sources", name), key=True)
            if name in self.sources:
                self.problems.append(Problem(span, f"source {name!r} is declared twice"))
                continue
            model = self.model(doc, ("sources", name), SourceDef, definition)
            if not isinstance(model, SourceDef):
                continue
            try:
                model.resolved()
            except ValueError as exc:
                self.problems.append(Problem(span, f"source {name!r}: {exc}"))
                continue
            for calendar in {model.calendar, *(m.calendar for m in model.metrics.values())} - {
                None
            }:
                if calendar not in self.calendars:
                    self.problems.append(
                        Problem(
                            span,
                            f"source {name!r}: calendar {calendar!r} is "
                            "not declared under 'calendars:'",
                        )
                    )
            if model.file is not None:
                folder = Path(doc.file).parent
                model = model.model_copy(update={"file": str(folder / model.file)})
            self.sources[name] = model

    def section(self, doc: Document, name: str) -> dict[str, Any]:
        value = doc.data.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(doc, (name,), f"expected '{name}:' to be a mapping")
            return {}
        return value

    def model(
        self, doc: Document, path: Path_, model: type[BaseModel], data: Any
    ) -> BaseModel | None:
        try:
            return model.model_validate(data, context={"metrics": self.metrics})
        except ValidationError as exc:
            for error in exc.errors():
                self.problems.append(self.locate(doc, path, error, {}))
            return None

    def entries(self, doc: Document) -> list[_Entry]:
        defaults = self.defaults(doc)
        goals = doc.data.get("goals", [])
        if not isinstance(goals, list):
            self.problem(doc, ("goals",), "expected 'goals:' to be a list of goals")
            return []
        entries = []
        for index, raw in enumerate(goals):
            path: Path_ = ("goals", index)
            if not isinstance(raw, dict):
                self.problem(doc, path, "expected a goal: a mapping with id, owner, metric, ...")
                continue
            entry = _Entry(doc, path, dict(raw))
            for key, value in defaults.items():
                if key not in entry.data:
                    entry.data[key] = value
                    entry.origin[key] = ("defaults",)
            entries.append(entry)
        return entries

    def defaults(self, doc: Document) -> dict[str, Any]:
        defaults = self.section(doc, "defaults")
        for key in list(defaults):
            if key == "id":
                self.problem(
                    doc,
                    ("defaults", key),
                    "defaults cannot set 'id': every goal names its own",
                    key=True,
                )
            elif key not in GOAL_FIELDS:
                self.problem(
                    doc,
                    ("defaults", key),
                    f"unknown key {key!r}{did_you_mean(str(key), GOAL_FIELDS)}",
                    key=True,
                )
            else:
                continue
            del defaults[key]
        return defaults

    def validate(self, entry: _Entry) -> Goal | None:
        try:
            goal = Goal.model_validate(entry.data, context={"metrics": self.metrics})
        except ValidationError as exc:
            self.report(entry, exc.errors())
            return None
        goal._span = entry.doc.span(entry.path)
        goal._field_spans = {
            key: entry.doc.span((*entry.origin.get(key, entry.path), key)) for key in entry.data
        }
        goal._raw = entry.data
        return goal

    def report(self, entry: _Entry, errors: list[Any]) -> None:
        extra = [str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden"]
        missing = {
            str(e["loc"][0]) for e in errors if e["type"] == "missing" and len(e["loc"]) == 1
        }
        covered = {m for key in extra for m in difflib.get_close_matches(key, missing, 1, 0.7)}
        for error in errors:
            loc = error["loc"]
            if error["type"] == "missing" and len(loc) == 1 and loc[0] in covered:
                continue
            hint = covered if error["type"] == "extra_forbidden" else set()
            self.problems.append(self.locate(entry.doc, entry.path, error, entry.origin, hint))

    def locate(
        self,
        doc: Document,
        base: Path_,
        error: Any,
        origin: dict[str, Path_],
        hint: set[str] | None = None,
    ) -> Problem:
        loc = error["loc"]
        prefix = origin.get(str(loc[0]), base) if loc else base
        path: Path_ = prefix
        for part in loc:
            if (*path, part) in doc.spans or (*path, part) in doc.key_spans:
                path = (*path, part)
        is_key = error["type"] == "extra_forbidden"
        return Problem(doc.span(path, key=is_key), _message(error, hint or set()))

    def check_references(self, goals: list[Goal]) -> None:
        seen: dict[str, Goal] = {}
        for goal in goals:
            if goal.id in seen:
                self.at(
                    goal,
                    "id",
                    f"duplicate goal id {goal.id!r} (first defined at {seen[goal.id].span})",
                )
            else:
                seen[goal.id] = goal
        for goal in goals:
            if goal.parent is not None and goal.parent not in seen:
                self.at(
                    goal,
                    "parent",
                    f"parent {goal.parent!r} is not a goal{did_you_mean(goal.parent, seen)}",
                )
            if goal.calendar is not None and goal.calendar not in self.calendars:
                self.at(
                    goal,
                    "calendar",
                    f"calendar {goal.calendar!r} is not declared under "
                    f"'calendars:'{did_you_mean(goal.calendar, self.calendars)}",
                )
        self.check_cycles(seen)

    def check_cycles(self, goals: dict[str, Goal]) -> None:
        for goal in goals.values():
            chain, current = [goal.id], goal.parent
            while current is not None and current in goals:
                if current == goal.id:
                    self.at(
                        goal,
                        "parent",
                        f"goal hierarchy has a cycle: {' -> '.join(chain)} -> {goal.id}",
                    )
                    break
                if current in chain:
                    break
                chain.append(current)
                current = goals[current].parent

    def at(self, goal: Goal, name: str, message: str) -> None:
        span = goal.field_span(name) or SourceSpan("?", 1, 1)
        self.problems.append(Problem(span, message))


def _message(error: Any, near_misses: set[str]) -> str:
    kind, loc, given = error["type"], error["loc"], error.get("input")
    name = str(loc[-1]) if loc else "value"
    if kind == "extra_forbidden":
        fields = near_misses or GOAL_FIELDS
        return f"unknown key {name!r}{did_you_mean(name, fields)}"
    if kind == "missing":
        return f"missing required key {name!r}"
    text = str(error["msg"]).removeprefix("Value error, ")
    if kind == "value_error" or kind.startswith("assertion"):
        return text
    expected = text[0].lower() + text[1:]
    if expected.startswith("input should be "):
        expected = "expected " + expected.removeprefix("input should be ")
    if isinstance(given, dict | list):
        return f"{name}: {expected}"
    return f"{name}: {expected}, got {given!r}"


__all__ = ["goal_files", "load", "load_texts"]
