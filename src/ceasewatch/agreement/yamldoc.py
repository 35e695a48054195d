"""YAML with positions: plain data plus the line and column of every key and value.

PyYAML's composer keeps a mark on each node; this module turns the node tree into plain Python
data (dict, list, str, int, float, bool, None) and a table from path to position, so that a
problem found later in the data can be reported at its place in the file.

Two YAML 1.1 surprises are switched off on purpose: ``yes``/``no``/``on``/``off`` stay strings
(``NO`` is Norway), and timestamps stay strings (they are parsed, with their zone, by
:func:`ceasewatch.model.time.parse_utc`). Duplicate keys are an error, not a silent overwrite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ceasewatch.errors import Problem

Path = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1 booleans other than true/false, and without timestamps."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@dataclass
class LocatedDocument:
    """A parsed YAML document with the position of every value and mapping key."""

    file: str
    data: Any
    value_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: Path, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at ``path`` (or of its key).

        A path that does not exist (a missing field) falls back to its nearest existing parent.
        """
        table = self.key_marks if key else self.value_marks
        probe = path
        while True:
            if probe in table:
                return table[probe]
            if probe in self.value_marks:
                return self.value_marks[probe]
            if not probe:
                return (None, None)
            probe = probe[:-1]


def pointer(path: Path) -> str:
    """The path as a readable location: ``zones[2].band.to_km``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(document)"


def load_located(text: str, file: str) -> tuple[LocatedDocument | None, list[Problem]]:
    """Parse ``text``; on a syntax error return no document and one located problem."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        message = f"YAML syntax error: {exc.problem or exc.context}."
        return None, [
            Problem(
                file,
                "yaml-syntax",
                message,
                "fix the YAML at this place (check indentation, colons and quotes).",
                line,
                column,
            )
        ]
    except yaml.YAMLError as exc:  # e.g. a non-printable character (ReaderError)
        return None, [Problem(file, "yaml-syntax", f"not readable as YAML: {exc}.", "")]
    finally:
        loader.dispose()
    document = LocatedDocument(file, None)
    problems: list[Problem] = []
    if node is None:
        return document, problems
    document.data = _convert(node, (), document, problems, _Loader(""))
    return document, problems


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(
    node: yaml.Node,
    path: Path,
    document: LocatedDocument,
    problems: list[Problem],
    constructor: yaml.SafeLoader,
) -> Any:
    document.value_marks[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)  # resolves YAML merge keys (<<)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            child = (*path, key)
            if key in result:
                line, column = _mark(key_node)
                first_line = document.key_marks[child][0]
                problems.append(
                    Problem(
                        document.file,
                        "duplicate-key",
                        f"{pointer(child)} is given twice (first on line {first_line}).",
                        "keep one of the two; YAML would silently use the last.",
                        line,
                        column,
                    )
                )
                continue
            document.key_marks[child] = _mark(key_node)
            result[key] = _convert(value_node, child, document, problems, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, index), document, problems, constructor)
            for index, item in enumerate(node.value)
        ]
    return constructor.construct_object(node, deep=True)
