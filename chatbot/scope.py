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
from functools import lru_cache
from pathlib import Path

import yaml

from chatbot import defaults as defaults_folder
from chatbot.datafile import compose_yaml, node_value
from chatbot.documents import KnowledgeBase
from chatbot.problems import KnowledgeError, Problem
from chatbot.rules import plain
from chatbot.vocabulary import stem

SCOPE_FILE = "scope.yaml"
# A term this long names a longer word it begins ("quad" of "quadriceps").
MIN_PREFIX = 4
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

    def focus(self, question: str) -> list[str]:
        """Other body parts `question` names even beside a subject ("can tight hips make
        my ankles hurt"): the passage that answers it must speak of them too."""
        body_parts = self._patterns[1]
        return body_parts.findall(plain(question)) if body_parts else []


def load_scope(knowledge_dir: Path, knowledge: KnowledgeBase | None = None) -> Scope:
    """The scope of a knowledge folder: the package's general lists, less what the
    documents cover, plus the folder's own `scope.yaml`. Raises `KnowledgeError`."""
    defaults = _read_lists(defaults_folder.SCOPE)
    own = _read_lists(knowledge_dir / SCOPE_FILE)
    named = named_by(knowledge) if knowledge else ""
    text = _text_of(knowledge) if knowledge else ""
    problems = [
        Problem(
            knowledge_dir / SCOPE_FILE,
            line,
            f"'{term}' is listed as {key} but "
            "a document's title, headings or FAQ questions are about it; remove it",
        )
        for key in ("other_body_parts", "not_covered")
        for term, line in own.get(key, ())
        if _names(named, term)
    ]
    if problems:
        raise KnowledgeError(problems)
    # A general term the documents are about is one of their subjects instead.
    body_parts = [t for t, _ in defaults.get("other_body_parts", ()) if not _names(named, t)]
    not_covered = [
        t for t, _ in defaults.get("not_covered", ()) if not _names(named + " " + text, t)
    ]
    subjects = [t for t, _ in defaults.get("other_body_parts", ()) if _names(named, t)]
    return Scope(
        subjects=(*subjects, *(t for t, _ in own.get("subjects", ()))),
        other_body_parts=(*body_parts, *(t for t, _ in own.get("other_body_parts", ()))),
        not_covered=(*not_covered, *(t for t, _ in own.get("not_covered", ()))),
    )


def _read_lists(path: Path) -> dict[str, list[tuple[str, int]]]:
    """Each list of a scope file, as (term, line) pairs; {} when there is no file."""
    if not path.is_file():
        return {}
    root = compose_yaml(path)
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        line = 1 + root.start_mark.line
        raise KnowledgeError([Problem(path, line, f"must map {', '.join(SCOPE_FIELDS)}")])
    lists: dict[str, list[tuple[str, int]]] = {}
    problems = []
    for key_node, value_node in root.value:
        line = 1 + key_node.start_mark.line
        value = node_value(value_node)
        if key_node.value not in SCOPE_FIELDS:
            problems.append(Problem(path, line, f"unknown field '{key_node.value}'"))
        elif not (isinstance(value, list) and all(isinstance(v, str) and v for v in value)):
            problems.append(Problem(path, line, f"'{key_node.value}' must be a list of words"))
        else:
            items = value_node.value if isinstance(value_node, yaml.SequenceNode) else []
            lists[str(key_node.value)] = [
                (str(v), 1 + node.start_mark.line) for v, node in zip(value, items, strict=True)
            ]
    if problems:
        raise KnowledgeError(problems)
    return lists


def named_by(knowledge: KnowledgeBase) -> str:
    """What the documents are about: their titles, headings and FAQ questions."""
    parts = [
        text
        for document in knowledge.documents
        for text in (
            document.title,
            *(s.heading for s in document.sections),
            *(p.question for p in document.passages if p.question),
        )
    ]
    return plain(" ".join(parts))


def _text_of(knowledge: KnowledgeBase) -> str:
    return plain(" ".join(p.text for p in knowledge.passages))


def _names(text: str, term: str) -> bool:
    """Whether `text` (plain) names `term`: as the same words once stemmed ("knees" for
    "knee"), or, for one word, as the start of a longer one ("quad" of "quadriceps")."""
    words = plain(term).split()
    if not words:
        return False
    stems, text_words = _stemmed(text)
    phrase = " ".join(stem(w) for w in words)
    if f" {phrase} " in f" {stems} ":
        return True
    root = stem(words[0])
    return (
        len(words) == 1 and len(root) >= MIN_PREFIX and any(w.startswith(root) for w in text_words)
    )


@lru_cache(maxsize=8)
def _stemmed(text: str) -> tuple[str, tuple[str, ...]]:
    words = tuple(text.split())
    return " ".join(stem(w) for w in words), words
