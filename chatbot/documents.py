"""The knowledge model: documents, their sections and the passages quoted as answers.

Plain frozen data, built by `chatbot.parser` and read by every later step.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

PassageKind = Literal["faq", "article"]
BlockKind = Literal["paragraph", "bullets", "steps", "faq"]


@dataclass(frozen=True)
class Passage:
    """A quotable piece of a document: what the bot answers with, verbatim."""

    id: str
    document: str
    section: str
    kind: PassageKind
    text: str
    anchor: str
    title: str
    headings: tuple[str, ...]
    line: int
    question: str | None = None
    informative: bool = True


@dataclass(frozen=True)
class ListItem:
    anchor: str
    html: str


@dataclass(frozen=True)
class Block:
    """A piece of the article page; `anchor` is where a citation lands."""

    kind: BlockKind
    anchor: str
    html: str = ""
    question: str = ""
    items: tuple[ListItem, ...] = ()


@dataclass(frozen=True)
class Section:
    heading: str
    anchor: str
    level: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Link:
    """A same-site link in a document's text, where an editor wrote it."""

    href: str
    line: int


@dataclass(frozen=True)
class Document:
    slug: str
    title: str
    summary: str
    disclaimer: str | None
    source_url: str | None
    path: Path
    sections: tuple[Section, ...]
    passages: tuple[Passage, ...]
    references: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class KnowledgeBase:
    """Documents plus the editors' retrieval aids: synonyms and alternate phrasings."""

    documents: tuple[Document, ...]
    # A word people type → the word the articles use (from synonyms.yaml).
    synonyms: Mapping[str, str] = field(default_factory=dict)
    # A passage id → other ways people ask for it (from alternates.yaml).
    alternates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    passages: tuple[Passage, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "passages", tuple(p for d in self.documents for p in d.passages))

    def document(self, slug: str) -> Document | None:
        return next((d for d in self.documents if d.slug == slug), None)

    def passage(self, passage_id: str) -> Passage | None:
        return next((p for p in self.passages if p.id == passage_id), None)

    def starters(self, count: int = 3) -> tuple[Passage, ...]:
        """The first FAQ entries of the knowledge base: good first questions to ask."""
        return tuple(p for p in self.passages if p.kind == "faq")[:count]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section"
