"""Safe YAML reading that keeps the position of every node.

The document is *composed* with PyYAML's safe loader (no Python objects, no custom tags; libyaml's
parser when PyYAML has it, which is several times faster and marks the same positions), then converted
to plain data while recording a `SourceSpan` for every value and every mapping key, addressed by its path
(``("goals", 0, "deadline")``). Limits protect against hostile files: a size cap and a cap on the number
of nodes produced, which stops alias-expansion bombs ("billion laughs") long before they eat memory.

Scalars follow YAML 1.1 as PyYAML resolves them, except that only ``true``/``false`` become booleans:
``yes``, ``no``, ``on`` and ``off`` stay strings (so Norway's holiday code ``NO`` is not ``False``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from smartgoals._errors import GoalFileError, Problem, SourceSpan

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000

Path_ = tuple[str | int, ...]
_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


@dataclass
class Document:
    """Plain data from one YAML file, with the position of every node.

    Attributes:
        file: the file name used in messages.
        data: the plain data (dicts, lists, str, int, float, bool, None, date, datetime).
        spans: the position of the value at each path.
        key_spans: the position of the key at each mapping path.
        ignores: per line, the lint rules a ``# smartgoals: ignore CODE ...`` comment names there
            (empty: every rule).
    """

    file: str
    data: Any
    spans: dict[Path_, SourceSpan] = field(default_factory=dict)
    key_spans: dict[Path_, SourceSpan] = field(default_factory=dict)
    ignores: dict[int, frozenset[str]] = field(default_factory=dict)

    def span(self, path: Path_, *, key: bool = False) -> SourceSpan:
        """The position of `path` (of its key when `key`), else of its nearest ancestor."""
        spans = self.key_spans if key else self.spans
        for cut in range(len(path), -1, -1):
            found = spans.get(path[:cut]) or self.spans.get(path[:cut])
            if found is not None:
                return found
        return SourceSpan(self.file, 1, 1)


class _Converter:
    def __init__(self, file: str) -> None:
        self.doc = Document(file, None)
        self.constructor = yaml.constructor.SafeConstructor()
        self.problems: list[Problem] = []

    def span_of(self, node: yaml.Node) -> SourceSpan:
        return SourceSpan(self.doc.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def convert(self, node: yaml.Node, path: Path_) -> Any:
        self.doc.spans[path] = self.span_of(node)
        if node.tag not in _CORE_TAGS:
            self.problems.append(
                Problem(
                    self.span_of(node),
                    f"unsupported YAML tag {node.tag!r}; "
                    "goal files hold plain values, lists and mappings",
                )
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def mapping(self, node: yaml.MappingNode, path: Path_) -> dict[Any, Any]:
        self.constructor.flatten_mapping(node)  # resolves `<<: *anchor` merge keys
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int) or isinstance(key, bool):
                self.problems.append(Problem(self.span_of(key_node), "expected a plain text key"))
                continue
            if key in result:
                self.problems.append(Problem(self.span_of(key_node), f"duplicate key {key!r}"))
                continue
            self.doc.key_spans[(*path, key)] = self.span_of(key_node)
            result[key] = self.convert(value_node, (*path, key))
        return result

    def scalar(self, node: yaml.Node) -> Any:
        if node.tag == "tag:yaml.org,2002:bool" and str(node.value).lower() not in (
            "true",
            "false",
        ):
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.problems.append(Problem(self.span_of(node), f"cannot read value: {exc.problem}"))
        except ValueError:
            # NOTE: an impossible date such as 2026-13-01 stays text, so that the model reports it
            # beside every other problem of the file.
            return node.value
        return None


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Nodes the document would have with every alias expanded, counted without expanding."""
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = 1  # NOTE: guards against recursive aliases while counting
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    size = 1
    for child in children:
        size += _expanded_size(child, memo)
        if size > MAX_NODES:
            break
    memo[id(node)] = size
    return size


MAX_DEPTH = 100
_IGNORE = re.compile(r"#\s*smartgoals:\s*ignore\b([^#\n]*)")


def ignore_comments(text: str) -> dict[int, frozenset[str]]:
    """The ``# smartgoals: ignore S103, T502`` comments of a file: per line, the rules named.

    A comment on a line of its own counts for the line below it (the goal it introduces).
    """
    found = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _IGNORE.search(line)
        if match:
            own_line = line.lstrip().startswith("#")
            found[number + own_line] = frozenset(re.findall(r"[\w.]+", match.group(1)))
    return found


def _deepest(text: str, file: str) -> SourceSpan:
    """Where the nesting of `text` first goes deeper than `MAX_DEPTH` (events are not recursive)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH and event.start_mark is not None:
                return SourceSpan(file, event.start_mark.line + 1, event.start_mark.column + 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return SourceSpan(file, 1, 1)


def _compose(text: str) -> yaml.Node | None:
    """The node tree of `text`, by libyaml when PyYAML has it.

    A document libyaml refuses goes to PyYAML's own parser, whose messages are the ones users see.
    """
    if yaml.__with_libyaml__:
        try:
            return yaml.compose(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def parse_yaml(text: str, file: str) -> Document:
    """Parse one YAML document, keeping positions; raise `GoalFileError` on any problem."""
    try:
        root = _compose(text)
        too_big = root is not None and _expanded_size(root, {}) > MAX_NODES
        converter = _Converter(file)
        converter.doc.data = {} if root is None or too_big else converter.convert(root, ())
    except RecursionError:
        raise GoalFileError(
            [Problem(_deepest(text, file), f"the document nests more than {MAX_DEPTH} levels deep")]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = SourceSpan(file, mark.line + 1, mark.column + 1) if mark else SourceSpan(file, 1, 1)
        what = " ".join(filter(None, [exc.context, exc.problem]))
        raise GoalFileError([Problem(span, f"YAML syntax error: {what}")]) from exc
    except yaml.YAMLError as exc:
        raise GoalFileError([Problem(SourceSpan(file, 1, 1), f"YAML error: {exc}")]) from exc
    if too_big:
        assert root is not None
        span = SourceSpan(file, root.start_mark.line + 1, root.start_mark.column + 1)
        raise GoalFileError(
            [
                Problem(
                    span,
                    f"document expands to more than {MAX_NODES:,} nodes "
                    "through aliases; refusing to read it",
                )
            ]
        )
    if converter.problems:
        raise GoalFileError(converter.problems)
    if "smartgoals:" in text:
        converter.doc.ignores = ignore_comments(text)
    return converter.doc


def read_yaml(path: Path, display: str | None = None) -> Document:
    """Read and parse a YAML file, refusing files over `MAX_FILE_BYTES`."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise GoalFileError(
                [
                    Problem(
                        SourceSpan(name, 1, 1),
                        f"file is {size:,} bytes; goal "
                        f"files are limited to {MAX_FILE_BYTES:,} bytes",
                    )
                ]
            )
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GoalFileError(
            [Problem(SourceSpan(name, 1, 1), f"cannot read file: {exc.strerror}")]
        ) from exc
    except UnicodeDecodeError as exc:
        raise GoalFileError([Problem(SourceSpan(name, 1, 1), "file is not UTF-8 text")]) from exc
    return parse_yaml(text, name)


__all__ = ["MAX_FILE_BYTES", "MAX_NODES", "Document", "parse_yaml", "read_yaml"]
