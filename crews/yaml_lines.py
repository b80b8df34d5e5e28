"""YAML loading that remembers where each key stood, so errors can name file and line, and that
reports duplicate keys (PyYAML silently keeps the last one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class LocatedYaml:
    """Parsed YAML plus the 1-based line of every mapping key, by its path of keys."""

    path: Path
    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def find(self, needle: str, *, from_line: int | None) -> int | None:
        """First line at or after `from_line` containing `needle` (e.g. a placeholder inside a
        block scalar, which YAML nodes only locate by its key)."""
        lines = self.path.read_text(encoding="utf-8").splitlines()
        for number in range(from_line or 1, len(lines) + 1):
            if needle in lines[number - 1]:
                return number
        return from_line

    def line(self, *keys: Any) -> int | None:
        """Line of the deepest known key on this path (falls back to its parents)."""
        for end in range(len(keys), 0, -1):
            if keys[:end] in self.lines:
                return self.lines[keys[:end]]
        return None


def load_located(path: Path) -> LocatedYaml:
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return LocatedYaml(path, None, problems=[Problem(str(path), line, f"invalid YAML: {err}")])
    located = LocatedYaml(path, data)
    if node is not None:
        _walk(node, (), located)
    return located


def _walk(node: yaml.Node, prefix: tuple[Any, ...], out: LocatedYaml) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                out.problems.append(Problem(str(out.path), line, f"duplicate key '{key}' (first at line {seen[key]})"))
            seen[key] = line
            out.lines[(*prefix, key)] = line
            _walk(value_node, (*prefix, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            out.lines[(*prefix, index)] = item.start_mark.line + 1
            _walk(item, (*prefix, index), out)
