"""What the knowledge base is about, and the subjects it does not cover (`scope.yaml`).

A question about another body part ("knee pain", "upper back stretch"), unless it
also names one of the articles' subjects, or about something never covered (prices,
brands, careers) is less likely to be answered by a passage that shares its other
words; the retriever lowers its confidence for each such subject.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from chatbot.datafile import compose_yaml, node_value
from chatbot.problems import KnowledgeError, Problem
from chatbot.rules import plain

SCOPE_FILE = "scope.yaml"
SCOPE_FIELDS = ("subjects", "other_body_parts", "not_covered")


def _pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({plain(p) for p in phrases if plain(p)}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")


@dataclass(frozen=True)
class Scope:
    subjects: tuple[str, ...] = ()
    other_body_parts: tuple[str, ...] = ()
    not_covered: tuple[str, ...] = ()
    _patterns: tuple[re.Pattern[str] | None, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        patterns = (_pattern(self.subjects), _pattern(self.other_body_parts))
        object.__setattr__(self, "_patterns", (*patterns, _pattern(self.not_covered)))

    def outside(self, question: str) -> list[str]:
        """The subjects `question` names that the knowledge base does not cover."""
        subjects, body_parts, not_covered = self._patterns
        text = plain(question)
        found = not_covered.findall(text) if not_covered else []
        if body_parts and not (subjects and subjects.search(text)):
            found += body_parts.findall(text)
        return found


def load_scope(knowledge_dir: Path) -> Scope:
    """The scope of a knowledge folder; no file means no subject is out of scope."""
    path = knowledge_dir / SCOPE_FILE
    if not path.is_file():
        return Scope()
    root = compose_yaml(path)
    if not isinstance(root, yaml.MappingNode):
        line = 1 + root.start_mark.line if root is not None else 1
        raise KnowledgeError([Problem(path, line, f"must map {', '.join(SCOPE_FIELDS)}")])
    lists: dict[str, tuple[str, ...]] = {}
    problems = []
    for key_node, value_node in root.value:
        line = 1 + key_node.start_mark.line
        value = node_value(value_node)
        if key_node.value not in SCOPE_FIELDS:
            problems.append(Problem(path, line, f"unknown field '{key_node.value}'"))
        elif not (isinstance(value, list) and all(isinstance(v, str) and v for v in value)):
            problems.append(Problem(path, line, f"'{key_node.value}' must be a list of words"))
        else:
            lists[str(key_node.value)] = tuple(value)
    if problems:
        raise KnowledgeError(problems)
    return Scope(**lists)
