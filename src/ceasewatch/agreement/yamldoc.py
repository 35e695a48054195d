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
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


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
    repeated: set[Path] = field(default_factory=set)  # mappings with a repeated key

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
    try:
        loader = _Loader(text)  # the reader rejects unprintable characters here already
    except yaml.reader.ReaderError as exc:
        return None, [_character_problem(exc, text, file)]
    try:
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        return None, [_character_problem(exc, text, file)]
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(exc, file)]
    finally:
        loader.dispose()
    document = LocatedDocument(file, None)
    problems: list[Problem] = []
    if node is None:
        return document, problems
    try:
        document.data = _convert(node, (), document, problems, _Loader(""))
    except yaml.MarkedYAMLError as exc:  # e.g. a tag such as !!python/object, or !!int abc
        return None, [_syntax_problem(exc, file)]
    return document, problems


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of the character at ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _character_problem(exc: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    line, column = line_column(text, exc.position)
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return Problem(
        file,
        "yaml-syntax",
        f"the invisible character U+{code:04X} is not allowed in YAML.",
        "delete it (it is often pasted in with text copied from a terminal or a PDF).",
        line,
        column,
    )


def _mapping(
    node: yaml.MappingNode,
    path: Path,
    document: LocatedDocument,
    problems: list[Problem],
    constructor: yaml.SafeLoader,
) -> dict[str, Any]:
    """A mapping; its own keys must be unique, and override those of merge keys (``<<``)."""
    own = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE)
    constructor.flatten_mapping(node)  # puts the pairs of merge keys first, in PyYAML's order
    merged = len(node.value) - own
    result: dict[str, Any] = {}
    repeated: list[tuple[str, yaml.Node]] = []
    for key_node, value_node in node.value[merged:]:
        key = _key(key_node, constructor)
        if key in result:
            repeated.append((key, key_node))
            continue
        document.key_marks[(*path, key)] = _mark(key_node)
        result[key] = _convert(value_node, (*path, key), document, problems, constructor)
    own_keys = set(result)
    for key_node, value_node in node.value[:merged]:  # a later merge overrides an earlier one
        key = _key(key_node, constructor)
        if key not in own_keys:
            document.key_marks[(*path, key)] = _mark(key_node)
            result[key] = _convert(value_node, (*path, key), document, problems, constructor)
    if repeated:
        document.repeated.add(path)
        problems.append(_repeated_keys(document, path, repeated))
    return result


def _key(node: yaml.Node, constructor: yaml.SafeLoader) -> str:
    key = constructor.construct_object(node, deep=True)
    return key if isinstance(key, str) else str(key)


def _repeated_keys(
    document: LocatedDocument, path: Path, repeated: list[tuple[str, yaml.Node]]
) -> Problem:
    """One problem for the repeated keys of one mapping, at the first repeat."""
    key, node = repeated[0]
    line, column = _mark(node)
    first_line = document.key_marks[(*path, key)][0]
    if len(repeated) == 1:
        message = f"{pointer((*path, key))} is given twice (first on line {first_line})."
        fix = "keep one of the two; YAML would silently use the last."
    else:
        names = ", ".join(k for k, _ in repeated)
        message = f"{pointer(path)}: {names} are given twice, from line {line} on."
        fix = (
            "two entries have run together: is a '- ' line (e.g. '- id: ...') missing "
            f"before line {line}? Otherwise keep one of each."
        )
    return Problem(document.file, "duplicate-key", message, fix, line, column)


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "unreadable YAML"
    fix = (
        "fix the YAML at this place or just before it (check indentation, colons, "
        "quotes and closing brackets; indent with spaces, not tabs)."
    )
    if "another document" in what:
        what, exc.context = "a second document starts here ('---')", None
        fix = "an agreement is one document: remove this '---' and what follows it."
    if "constructor for the tag" in what:
        what = what.replace("could not determine a constructor for the tag", "unsupported tag")
        fix = "remove the tag: an agreement is plain data (text, numbers, lists, mappings)."
    if "'\\t'" in what:
        what = "a tab character here; YAML indents with spaces only"
    if exc.context and exc.context_mark and exc.problem_mark:
        start = exc.context_mark.line + 1
        here = exc.problem_mark.line + 1
        where = f"on line {start}" if start != here else "here"
        what += f" ({exc.context} that starts {where})"
    return Problem(
        file,
        "yaml-syntax",
        f"YAML syntax error: {what}.",
        fix,
        mark.line + 1 if mark else None,
        mark.column + 1 if mark else None,
    )


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
    if node.tag not in _PLAIN_TAGS and not isinstance(node, yaml.ScalarNode):
        # Scalars with a foreign tag fail in construct_object; collections are walked here.
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"could not determine a constructor for the tag {node.tag!r}",
            node.start_mark,
        )
    if isinstance(node, yaml.MappingNode):
        return _mapping(node, path, document, problems, constructor)
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, index), document, problems, constructor)
            for index, item in enumerate(node.value)
        ]
    return constructor.construct_object(node, deep=True)
