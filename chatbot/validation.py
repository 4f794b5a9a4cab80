"""Checks across a whole knowledge folder: links, duplicate questions, synonyms, slugs.

`load_knowledge` checks each document on its own; these checks need every document
at once, so they run on the loaded `KnowledgeBase` and report the same way, as
`file:line: message`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from chatbot.datafile import yaml_entries
from chatbot.documents import Document, KnowledgeBase
from chatbot.knowledge import SYNONYMS_FILE, read_knowledge
from chatbot.problems import KnowledgeError, Problem
from chatbot.rules import plain
from chatbot.urls import article_target
from chatbot.vocabulary import normalize, stem

_WORD = re.compile(r"[a-z0-9]+")


def load_validated_knowledge(directory: Path) -> KnowledgeBase:
    """Load `directory` and run every check; raises `KnowledgeError` listing all faults."""
    knowledge, problems = read_validated_knowledge(directory)
    if problems:
        raise KnowledgeError(problems)
    return knowledge


def read_validated_knowledge(directory: Path) -> tuple[KnowledgeBase, list[Problem]]:
    """The documents that could be read and every problem: each document's own, then
    those across documents, found among the documents that could be read."""
    knowledge, problems = read_knowledge(directory)
    return knowledge, problems + cross_reference_problems(directory, knowledge)


def cross_reference_problems(directory: Path, knowledge: KnowledgeBase) -> list[Problem]:
    return [
        *_duplicate_slugs(knowledge),
        *_duplicate_questions(knowledge),
        *_broken_links(knowledge),
        *_unused_synonyms(directory / SYNONYMS_FILE, knowledge),
    ]


def anchors_of(document: Document) -> set[str]:
    """Every id the article page gives an element, so a link there lands somewhere."""
    anchors = {"top", *(p.anchor for p in document.passages)}
    if document.references:
        anchors.add("references")
    for section in document.sections:
        anchors.add(section.anchor)
        for block in section.blocks:
            anchors.update(a for a in (block.anchor, *(i.anchor for i in block.items)) if a)
    return anchors


def _duplicate_slugs(knowledge: KnowledgeBase) -> Iterator[Problem]:
    first: dict[str, Path] = {}
    for document in knowledge.documents:
        if document.slug in first:
            message = (
                f"document id '{document.slug}' is already used by {first[document.slug].name}; "
                "rename one of the files"
            )
            yield Problem(document.path, 1, message)
        else:
            first[document.slug] = document.path


def _duplicate_questions(knowledge: KnowledgeBase) -> Iterator[Problem]:
    first: dict[str, tuple[Path, int]] = {}
    for document in knowledge.documents:
        for passage in document.passages:
            if passage.question is None:
                continue
            key = plain(passage.question)
            if key in first:
                path, line = first[key]
                message = f"duplicate question '{passage.question}' (also at {path}:{line})"
                yield Problem(document.path, passage.line, message)
            else:
                first[key] = (document.path, passage.line)


def _broken_links(knowledge: KnowledgeBase) -> Iterator[Problem]:
    anchors = {d.slug: anchors_of(d) for d in knowledge.documents}
    for document in knowledge.documents:
        for link in document.links:
            href, line = link.href, link.line
            target = article_target(href, document.slug)
            if target is None:
                # The article page is served by the bot, where no other page exists.
                message = (
                    f"link '{href}' leads nowhere on the article page: link another "
                    "document as 'other.md' (or 'other.md#anchor'), or a page elsewhere "
                    "by its full https:// address"
                )
                yield Problem(document.path, line, message)
                continue
            slug, fragment = target
            if slug not in anchors:
                yield Problem(document.path, line, f"broken link '{href}': no article '{slug}'")
            elif fragment and fragment not in anchors[slug]:
                message = f"broken link '{href}': article '{slug}' has no anchor"
                yield Problem(document.path, line, f"{message} '{fragment}'")


def _unused_synonyms(path: Path, knowledge: KnowledgeBase) -> Iterator[Problem]:
    """A synonym must lead to a word the articles use, or it can never help a search."""
    entries = yaml_entries(path, [])  # Unreadable files were reported by load_knowledge.
    if not entries:
        return
    stems = {
        stem(word)
        for passage in knowledge.passages
        for text in (passage.text, passage.title, *passage.headings)
        for word in _WORD.findall(normalize(text))
    }
    for term, _, line in entries:
        words = _WORD.findall(normalize(term))
        if not words or not all(stem(w) in stems for w in words):
            message = f"synonym '{term}' points nowhere: no document uses that word"
            yield Problem(path, line, message)
