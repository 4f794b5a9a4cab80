"""A knowledge folder loaded whole: its documents, synonyms and alternate phrasings.

A broken file raises `KnowledgeError` naming every problem as `file:line: message`.
"""

from __future__ import annotations

import stat
from pathlib import Path

from chatbot import defaults
from chatbot.datafile import phrases, yaml_entries
from chatbot.documents import Document, KnowledgeBase, slugify
from chatbot.parser import MAX_DOCUMENT_BYTES, read_document, too_big
from chatbot.problems import KnowledgeError, Problem

SYNONYMS_FILE = "synonyms.yaml"
ALTERNATES_FILE = "alternates.yaml"
# The files of a folder that are read: articles and data files.
READ_SUFFIXES = frozenset({".md", ".yaml", ".yml"})


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
    problems: list[Problem] = []
    unsafe = _unsafe_files(directory, problems)
    if not paths:
        message = "no Markdown documents (*.md) found"
        return KnowledgeBase(()), [Problem(directory, 0, message)]
    documents: list[Document] = []
    broken: set[str] = set()
    for path in paths:
        if path in unsafe:
            broken.add(slugify(path.stem))
            continue
        document, found = read_document(path)
        if document is not None:
            documents.append(document)
        if found:
            problems.extend(found)
            broken.add(slugify(path.stem))
    passage_ids = {p.id for d in documents for p in d.passages}
    # The package's everyday synonyms first; the folder's own replace any they share.
    synonyms_file, alternates_file = directory / SYNONYMS_FILE, directory / ALTERNATES_FILE
    synonyms = {
        **_load_synonyms(defaults.SYNONYMS, problems),
        **({} if synonyms_file in unsafe else _load_synonyms(synonyms_file, problems)),
    }
    alternates = (
        {}
        if alternates_file in unsafe
        else _load_alternates(alternates_file, passage_ids, broken, problems)
    )
    return KnowledgeBase(tuple(documents), synonyms, alternates), problems


def _unsafe_files(directory: Path, problems: list[Problem]) -> set[Path]:
    """The folder's articles and data files that must not be read, each with its problem."""
    unsafe = set()
    for path in sorted(directory.iterdir()):
        if path.suffix in READ_SUFFIXES:
            problem = file_problem(path, directory)
            if problem is not None:
                problems.append(problem)
                unsafe.add(path)
    return unsafe


def file_problem(path: Path, folder: Path) -> Problem | None:
    """Why `path` must not be read as part of `folder`, or None when it may be.

    A link leading out of the folder would publish a file nobody meant to (another
    site's article, a system file); a pipe blocks start-up and reload forever; a device
    such as /dev/zero reads without end; a huge file makes huge replies.
    """
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(folder.resolve()):
            return Problem(
                path, 0, f"is a link to {target}, outside the knowledge folder: copy it in"
            )
    try:
        info = path.stat()
    except OSError as error:
        return Problem(path, 0, f"cannot read file: {error.strerror}")
    if not stat.S_ISREG(info.st_mode):
        return Problem(path, 0, "is not a regular file (a pipe, device or folder): remove it")
    if info.st_size > MAX_DOCUMENT_BYTES:
        return Problem(path, 0, too_big(MAX_DOCUMENT_BYTES))
    return None


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
