"""YAML reading that remembers line numbers, so every problem can name ``file:line``.

Mappings load as :class:`YMap` (a ``dict`` with the line of the mapping and of each key),
sequences as :class:`YList` (a ``list`` with the line of each item). Duplicate keys, which plain
PyYAML silently overwrites, are reported as problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from kb.errors import Problem

__all__ = ["FENCE", "YList", "YMap", "YamlSyntaxError", "line_of", "load_yaml", "read_front_matter"]


class YMap(dict[Any, Any]):
    """A mapping with ``line`` (1-based) and ``key_lines`` for each key."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_for(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class YList(list[Any]):
    """A sequence with ``line`` (1-based) and ``item_lines`` for each item."""

    line: int = 0
    item_lines: list[int]

    def line_at(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


def line_of(value: object, default: int) -> int:
    line = getattr(value, "line", 0)
    return line if isinstance(line, int) and line > 0 else default


class YamlSyntaxError(Exception):
    """The text is not YAML; ``problem`` says where."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


# libyaml's parser when PyYAML has it (``supportbot check`` parses ~60 files: 0.5 s less CPU),
# else the pure-Python one; both give the nodes their line numbers.
class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    def __init__(self, stream: str, file: Path, line_offset: int) -> None:
        super().__init__(stream)
        self.file = file
        self.line_offset = line_offset
        self.duplicates: list[Problem] = []

    def _line(self, node: Node) -> int:
        return int(node.start_mark.line) + 1 + self.line_offset

    def construct_yaml_map(self, node: MappingNode) -> Any:
        data = YMap()
        data.line = self._line(node)
        data.key_lines = {}
        yield data
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                self.duplicates.append(
                    Problem(self.file, self._line(key_node), "a key must be plain text")
                )
                continue
            if key in data:
                self.duplicates.append(
                    Problem(
                        self.file,
                        self._line(key_node),
                        f"key {key!r} appears twice in the same block (first on line "
                        f"{data.key_lines[key]}); keep one",
                    )
                )
                continue
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = self._line(key_node)

    def construct_yaml_seq(self, node: SequenceNode) -> Any:
        data = YList()
        data.line = self._line(node)
        data.item_lines = [self._line(item) for item in node.value]
        yield data
        data.extend(self.construct_object(item, deep=True) for item in node.value)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)


def load_yaml(text: str, file: Path, *, line_offset: int = 0) -> tuple[Any, list[Problem]]:
    """Parse one YAML document; returns the data and the duplicate-key problems.

    Raises :class:`YamlSyntaxError` when the text is not valid YAML.
    """
    loader = _Loader(text, file, line_offset)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (int(mark.line) + 1 if mark is not None else 1) + line_offset
        what = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(
            Problem(file, line, f"YAML syntax error: {what}; check indentation, colons and quotes")
        ) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(Problem(file, 1 + line_offset, f"YAML syntax error: {exc}")) from exc
    finally:
        loader.dispose()
    return data, loader.duplicates


FENCE = "---"


def read_front_matter(
    lines: list[str], file: Path, problems: list[Problem], *, expected: str
) -> tuple[YMap, int] | None:
    """The ``---`` fenced YAML block at the top of ``lines`` and the index of its closing fence.

    Problems (``expected`` names what the front matter should hold) go to ``problems``; None
    when there is no usable front matter.
    """
    if not lines or lines[0].strip() != FENCE:
        problems.append(Problem(file, 1, f"start with front matter: a line '---', {expected}"))
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
    if end is None:
        problems.append(Problem(file, 1, "front matter is not closed: add a line '---' after it"))
        return None
    try:
        meta, duplicates = load_yaml("\n".join(lines[1:end]), file, line_offset=1)
    except YamlSyntaxError as exc:
        problems.append(exc.problem)
        return None
    problems.extend(duplicates)
    if not isinstance(meta, YMap):
        problems.append(Problem(file, 2, "front matter must be 'key: value' lines"))
        return None
    return meta, end
