"""A ticket's trace as the console shows it: the tree `support-crew trace` prints
(runner.traces.render_trace_tree), turned from Rich markup into nodes of styled text parts for
the template, so the CLI and the console never disagree on what a trace says."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.text import Text
from rich.tree import Tree

from runner.traces import render_trace_tree

_COLOURS = {"green", "red", "yellow", "cyan", "magenta"}
_console = Console(color_system="standard", width=10_000)


@dataclass
class Part:
    text: str
    classes: str  # CSS classes: a colour (c-green), b (bold), dim


@dataclass
class TraceNode:
    parts: list[Part]
    children: list[TraceNode] = field(default_factory=list)


def _parts(label: object) -> list[Part]:
    text = label if isinstance(label, Text) else Text.from_markup(str(label))
    parts = []
    for segment in text.render(_console):
        style = segment.style
        classes = []
        if style is not None:
            if style.color is not None and style.color.name in _COLOURS:
                classes.append(f"c-{style.color.name}")
            if style.bold:
                classes.append("b")
            if style.dim:
                classes.append("dim")
        parts.append(Part(segment.text, " ".join(classes)))
    return parts


def _node(tree: Tree) -> TraceNode:
    return TraceNode(_parts(tree.label), [_node(child) for child in tree.children])


def trace_nodes(path: Path) -> list[TraceNode]:
    """The attempts of the trace at `path` (the root, which names the file, is left out)."""
    if not path.is_file():
        return []
    return [_node(child) for child in render_trace_tree(path).children]
