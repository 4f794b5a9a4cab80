"""A knowledge folder loaded whole: its documents, synonyms and alternate phrasings.

A broken file raises `KnowledgeError` naming every problem as `file:line: message`.
"""

from __future__ import annotations

from pathlib import Path

from chatbot import defaults
from chatbot.datafile import phrases, yaml_entries
from chatbot.documents import Document, KnowledgeBase, slugify
from chatbot.parser import read_document
from chatbot.problems import KnowledgeError, Problem

SYNONYMS_FILE = "synonyms.yaml"
ALTERNATES_FILE = "alternates.yaml"


def load_knowledge(directory: Path) -> KnowledgeBase:
    """Load every `*.md` document in `directory`, or raise with all problems found."""
    knowledge, problems = read_knowledge(directory)
    if problems:
        raise KnowledgeError(problems)
    return knowledge


def read_knowledge(directory: Path) -> tuple[KnowledgeBase, list[Problem]]:
    """Every document that could be parsed, with the synonyms and alternates, and every
    problem found on the way: the checks across documents run on what was read."""
    if not directory.is_dir():
        return KnowledgeBase(()), [Problem(directory, 0, "knowledge folder does not exist")]
    paths = sorted(directory.glob("*.md"))
    if not paths:
        message = "no Markdown documents (*.md) found"
        return KnowledgeBase(()), [Problem(directory, 0, message)]
    documents: list[Document] = []
    problems: list[Problem] = []
    broken: set[str] = set()
    for path in paths:
        document, found = read_document(path)
        if document is not None:
            documents.append(document)
        if found:
            problems.extend(found)
            broken.add(slugify(path.stem))
    passage_ids = {p.id for d in documents for p in d.passages}
    # The package's everyday synonyms first; the folder's own replace any they share.
    synonyms = {
        **_load_synonyms(defaults.SYNONYMS, problems),
        **_load_synonyms(directory / SYNONYMS_FILE, problems),
    }
    alternates = _load_alternates(directory / ALTERNATES_FILE, passage_ids, broken, problems)
    return KnowledgeBase(tuple(documents), synonyms, alternates), problems


def _load_synonyms(path: Path, problems: list[Problem]) -> dict[str, str]:
    synonyms: dict[str, str] = {}
    for term, value, line in yaml_entries(path, problems):
        variants = phrases(value)
        if variants is None:
            problems.append(Problem(path, line, f"'{term}' needs a list of words people type"))
            continue
        for variant in variants:
            word = variant.lower()
            if word in synonyms and synonyms[word] != term:
                message = f"'{variant}' is already a synonym of '{synonyms[word]}'"
                problems.append(Problem(path, line, message))
            synonyms[word] = term
    return synonyms


def _load_alternates(
    path: Path, passage_ids: set[str], broken: set[str], problems: list[Problem]
) -> dict[str, tuple[str, ...]]:
    alternates: dict[str, tuple[str, ...]] = {}
    for passage_id, value, line in yaml_entries(path, problems):
        phrasings = phrases(value)
        if passage_id.partition("#")[0] in broken:
            continue  # Its document's own problems come first; ids are checked once it loads.
        if passage_id not in passage_ids:
            problems.append(Problem(path, line, f"no passage has the id '{passage_id}'"))
        elif phrasings is None:
            problems.append(Problem(path, line, f"'{passage_id}' needs a list of phrasings"))
        else:
            alternates[passage_id] = tuple(phrasings)
    return alternates
