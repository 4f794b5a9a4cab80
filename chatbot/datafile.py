"""The reader of the editors' YAML files, keeping line numbers for `file:line` messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from chatbot.problems import KnowledgeError, Problem


class DataFileError(KnowledgeError):
    """A data file (YAML) that cannot be read or parsed."""


# libyaml's loader where PyYAML was built with it: the pure-Python one took 1.6 s for a
# file of 425 short entries.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose_yaml(path: Path) -> yaml.Node | None:
    """A YAML file as nodes, which keep their line numbers for `file:line` messages;
    raises `KnowledgeError` when the file cannot be read or parsed."""
    node: yaml.Node | None = _parsed(path, lambda text: yaml.compose(text, Loader=_LOADER))
    return node


def _parsed(path: Path, parse: Callable[[str], Any], text: str | None = None) -> Any:
    """`parse` applied to the file's text (or to `text`, read from it already), with
    every read or parse error as a `file:line` problem."""
    try:
        return parse(path.read_text(encoding="utf-8") if text is None else text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or str(error)
        line = 1 + mark.line if mark else 1
        raise DataFileError([Problem(path, line, f"cannot be read: {reason}")]) from None


def node_value(node: yaml.Node) -> Any:
    """The plain Python value of a YAML node."""
    return yaml.safe_load(yaml.serialize(node))


def yaml_list(path: Path, what: str, text: str | None = None) -> list[tuple[Any, int]]:
    """(value, line) for each item of a YAML file (or of `text`, its contents as already
    read) that must be a non-empty list of `what`; raises `KnowledgeError` when it
    cannot be read or is no such list."""
    # Values read in one pass (node by node costs a serialisation each), lines from nodes.
    root, values = _parsed(
        path,
        lambda read: (yaml.compose(read, Loader=_LOADER), yaml.load(read, Loader=_LOADER)),
        text,
    )
    if not isinstance(root, yaml.SequenceNode) or not root.value:
        line = 1 + root.start_mark.line if root is not None else 1
        raise KnowledgeError([Problem(path, line, f"must be a list of {what}")])
    return [(v, 1 + node.start_mark.line) for v, node in zip(values, root.value, strict=True)]


def yaml_entries(path: Path, problems: list[Problem]) -> list[tuple[str, Any, int]]:
    """(key, value, line) for each entry of a top-level YAML mapping; [] if no file."""
    if not path.is_file():
        return []
    try:
        root = compose_yaml(path)
    except KnowledgeError as error:
        problems.extend(error.problems)
        return []
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        problems.append(Problem(path, 1 + root.start_mark.line, "must be a mapping"))
        return []
    entries = []
    for key_node, value_node in root.value:
        entries.append((str(key_node.value), node_value(value_node), 1 + key_node.start_mark.line))
    return entries


def phrases(value: Any) -> list[str] | None:
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(v, str) and v.strip() for v in value):
        return None
    return [v.strip() for v in value]
