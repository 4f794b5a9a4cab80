"""Markdown documents with front matter, parsed into sections and quotable passages.

Each level-2 and level-3 heading makes a section; each paragraph, bullet item,
numbered list and FAQ entry becomes a `Passage` with a stable id and an anchor on the
article page. A broken document raises `KnowledgeError` naming every problem as
`file:line: message`, so nothing half-loaded is ever served.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

import yaml
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from chatbot.documents import Block, Document, Link, ListItem, Passage, Section, slugify
from chatbot.problems import KnowledgeError, Problem
from chatbot.urls import article_path

FAQ_HEADINGS = frozenset({"frequently asked questions", "faq", "faqs"})
REFERENCE_HEADINGS = frozenset({"references", "sources", "further reading"})
FRONT_MATTER_FIELDS = frozenset({"title", "summary", "disclaimer", "source_url"})
# Far above any real article (the sample is 41 KB, its longest passage 848 characters):
# a limit only against a file gone wrong, so that one reply is never megabytes long.
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_PASSAGE_CHARS = 10_000


def too_big(limit: int) -> str:
    return f"file is over the limit of {limit} bytes: split it into several articles"


# Sentences that only steer the reader ("In the next section, we'll explore...", "So,
# sit back and let's get started") carry no answer of their own, and neither do short
# cheers ("Your body will thank you for it!"); a paragraph made only of them is kept
# on the page but is never given as an answer.
_TRANSITION = re.compile(
    r"^(?:let[’']s\b|now,? let[’']s\b|in the next section\b|now that we[’']ve\b|"
    r"here[’']s how\b|if so\b)|\blet[’']s (?:get started|dive|delve|explore|begin|"
    r"take a (?:closer )?look|break it down)\b",
    re.IGNORECASE,
)
# An exclamation this short is a cheer, not information.
_CHEER_WORDS = 8
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def is_informative(text: str) -> bool:
    """False for text made only of transitions and rhetorical questions."""
    for sentence in _SENTENCE_END.split(text.strip()):
        if sentence.endswith("?") or _TRANSITION.search(sentence):
            continue
        if sentence.endswith("!") and len(sentence.split()) <= _CHEER_WORDS:
            continue
        if len(re.findall(r"[^\W\d_]{3,}", sentence)) >= 4:
            return True
    return False


def load_document(path: Path) -> Document:
    """Parse one document; raises `KnowledgeError` listing every problem found in it."""
    document, problems = read_document(path)
    if problems or document is None:
        raise KnowledgeError(problems)
    return document


def read_document(path: Path) -> tuple[Document | None, list[Problem]]:
    """Parse one document as far as it goes: the document (None when it cannot be read
    at all) and every problem found, so that checks across documents still run."""
    try:
        # Read at most one byte past the limit: the folder's check refuses devices and
        # big files, and this bounds a file that grew or changed in between.
        with path.open("rb") as file:
            data = file.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            return None, [Problem(path, 0, too_big(MAX_DOCUMENT_BYTES))]
        source = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(path, 0, f"cannot read file: {error}")]
    try:
        meta, body, body_line, problems = _split_front_matter(path, source)
    except KnowledgeError as error:
        return None, list(error.problems)
    parser = _DocumentParser(path, meta, body, body_line)
    document = parser.parse()
    return document, problems + parser.problems


def _split_front_matter(path: Path, source: str) -> tuple[dict[str, Any], str, int, list[Problem]]:
    """The front matter fields, the body, its first line and the fields' problems; raises
    when there is no usable front matter at all (no title means no document)."""
    lines = source.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise KnowledgeError([Problem(path, 1, "document must start with '---' front matter")])
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise KnowledgeError([Problem(path, 1, "front matter is not closed by '---'")])
    try:
        meta = yaml.safe_load("".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        reason = getattr(error, "problem", None) or "cannot be parsed"
        message = f"front matter is not valid YAML: {reason}"
        raise KnowledgeError([Problem(path, line, message)]) from None
    if not isinstance(meta, dict):
        raise KnowledgeError([Problem(path, 2, "front matter must be a mapping of fields")])
    problems = [
        Problem(path, _field_line(lines, end, key), f"unknown front matter field '{key}'")
        for key in meta
        if key not in FRONT_MATTER_FIELDS
    ]
    for key in sorted(FRONT_MATTER_FIELDS):
        if key in meta and not (isinstance(meta[key], str) and meta[key].strip()):
            line = _field_line(lines, end, key)
            problems.append(Problem(path, line, f"front matter field '{key}' must be text"))
    source_url = meta.get("source_url")
    if isinstance(source_url, str) and urlsplit(source_url.strip()).scheme not in ("http", "https"):
        line = _field_line(lines, end, "source_url")
        problems.append(Problem(path, line, "'source_url' must be a full http(s):// address"))
    if not (isinstance(meta.get("title"), str) and meta["title"].strip()):
        if "title" not in meta:
            problems.append(Problem(path, 1, "front matter needs a 'title'"))
        raise KnowledgeError(problems)
    return meta, "".join(lines[end + 1 :]), end + 1, problems


def _field_line(lines: list[str], end: int, key: object) -> int:
    """The line a front matter field is on, or the first field's line if not found."""
    field_start = re.compile(rf"^{re.escape(str(key))}\s*:")
    return next((n + 1 for n in range(1, end) if field_start.match(lines[n])), 2)


_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@dataclass
class _OpenSection:
    heading: str
    anchor: str
    level: int
    line: int
    is_references: bool = False
    blocks: list[Block] = field(default_factory=list)
    paragraphs: int = 0


class _DocumentParser:
    """Walks markdown-it's token stream once, building sections and passages together."""

    def __init__(self, path: Path, meta: dict[str, Any], body: str, body_line: int) -> None:
        self.path = path
        self.meta = meta
        self.slug = slugify(path.stem)
        self.title: str = meta["title"].strip()
        self.body = body
        self.offset = body_line
        self.sections: list[_OpenSection] = []
        self.passages: list[Passage] = []
        self.references: list[str] = []
        self.problems: list[Problem] = []
        self.anchors: dict[str, int] = {}
        self.h2 = ""
        self.mode: Literal["article", "faq", "references"] = "article"
        self.faq_question: tuple[str, int] | None = None
        self.faq_answer: list[tuple[str, str]] = []

    def parse(self) -> Document:
        tokens = _MARKDOWN.parse(self.body)
        _link_articles(tokens)
        self._open_section(self.title, 1, 1)
        i = 0
        while i < len(tokens):
            i = self._block(tokens, i)
        self._close_faq_question()
        for n, section in enumerate(self.sections):
            if section.blocks or section.level == 1 or section.is_references:
                continue
            # A section whose only content is its subsections ("## Recovery" holding
            # "### Sleep" and "### Food") is a real shape; only a bare heading is empty.
            following = self.sections[n + 1] if n + 1 < len(self.sections) else None
            if following is None or following.level <= section.level:
                self._problem(section.line, f"section '{section.heading}' is empty")
        if not self.passages and not self.problems:
            self._problem(1, "document has no content to answer from")
        for passage in self.passages:
            if len(passage.text) > MAX_PASSAGE_CHARS:
                message = (
                    f"passage is {len(passage.text)} characters, over the limit of "
                    f"{MAX_PASSAGE_CHARS}: split it into paragraphs or sections"
                )
                self._problem(passage.line, message)
        return Document(
            slug=self.slug,
            title=self.title,
            summary=str(self.meta.get("summary", "")).strip(),
            disclaimer=(self.meta.get("disclaimer") or "").strip() or None,
            source_url=(self.meta.get("source_url") or "").strip() or None,
            path=self.path,
            sections=tuple(
                Section(s.heading, s.anchor, s.level, tuple(s.blocks))
                for s in self.sections
                if not s.is_references
            ),
            passages=tuple(self.passages),
            references=tuple(self.references),
            links=tuple(self._links(tokens)),
        )

    # -- token walking -------------------------------------------------------------

    def _block(self, tokens: list[Token], i: int) -> int:
        token = tokens[i]
        line = self._line(token)
        end = _matching_close(tokens, i)
        if token.type == "heading_open":
            self._heading(token.tag, _inline(tokens[i + 1])[0], line)
        elif token.type == "paragraph_open":
            self._paragraph(tokens[i + 1], line)
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            self._list(tokens[i:end], ordered=token.type == "ordered_list_open", line=line)
        elif token.type == "blockquote_open":
            # A quotation's paragraphs and lists are the article's text like any other.
            j = i + 1
            while j < end:
                j = self._block(tokens, j)
        elif token.type != "hr":
            self._problem(line, f"unsupported Markdown block ({token.type.removesuffix('_open')})")
        return end + 1

    def _heading(self, tag: str, text: str, line: int) -> None:
        level = int(tag[1])
        if level == 1:
            # A scraped page often repeats its title as a level-1 heading.
            if text.strip().lower() != self.title.lower():
                self._problem(line, "use the front matter 'title' instead of a level-1 heading")
            return
        if self.mode == "faq" and level >= 3:
            self._close_faq_question()
            self.faq_question = (text, line)
            self._reserve_anchor(f"faq-{slugify(text)}", line)
            return
        self._close_faq_question()
        if level == 2:
            self.h2 = text
            key = text.lower().strip()
            self.mode = (
                "faq"
                if key in FAQ_HEADINGS
                else "references"
                if key in REFERENCE_HEADINGS
                else "article"
            )
        # Deeper headings (####…) are subsections too: a passage is cited under its
        # closest heading and searched under its section's as well.
        self._open_section(text, level, line)

    def _paragraph(self, inline: Token, line: int) -> None:
        text, html = _inline(inline)
        section = self.sections[-1]
        if self.mode == "references":
            self.references.append(text)
            return
        if self.mode == "faq":
            if self.faq_question is None:
                self._problem(line, "FAQ text must follow a '### question' heading")
                return
            self.faq_answer.append((text, f"<p>{html}</p>"))
            return
        section.paragraphs += 1
        anchor = self._reserve_anchor(f"{section.anchor}-p{section.paragraphs}", line)
        section.blocks.append(Block("paragraph", anchor, html=html))
        self._add_passage(anchor, text, section.heading, line)

    def _list(self, tokens: list[Token], *, ordered: bool, line: int) -> None:
        section = self.sections[-1]
        items = [(text, html, item_line) for text, html, item_line in self._list_items(tokens)]
        if self.mode == "references":
            self.references.extend(text for text, _, _ in items)
            return
        if self.mode == "faq":
            if self.faq_question is None:
                self._problem(line, "lists in the FAQ must follow a '### question' heading")
                return
            # An answer may go on as a list; it is quoted with the rest of the answer.
            marks = [f"{n}." if ordered else "-" for n in range(1, len(items) + 1)]
            tag = "ol" if ordered else "ul"
            self.faq_answer.append(
                (
                    "\n".join(f"{m} {t}" for m, (t, _, _) in zip(marks, items, strict=True)),
                    f"<{tag}>" + "".join(f"<li>{h}</li>" for _, h, _ in items) + f"</{tag}>",
                )
            )
            return
        if ordered:
            anchor = self._reserve_anchor(f"{section.anchor}-steps", line)
            steps = [ListItem("", html) for _, html, _ in items]
            section.blocks.append(Block("steps", anchor, items=tuple(steps)))
            text = "\n".join(f"{n}. {t}" for n, (t, _, _) in enumerate(items, 1))
            self._add_passage(anchor, text, section.heading, line)
            return
        list_items = []
        for n, (text, html, item_line) in enumerate(items, 1):
            label = _label(text)
            suffix = slugify(label) if label else f"i{n}"
            anchor = self._reserve_anchor(f"{section.anchor}-{suffix}", item_line)
            list_items.append(ListItem(anchor, html))
            title = f"{section.heading}: {label}" if label else section.heading
            self._add_passage(anchor, text, section.heading, item_line, title=title)
        section.blocks.append(Block("bullets", "", items=tuple(list_items)))

    def _list_items(self, tokens: list[Token]) -> Iterator[tuple[str, str, int]]:
        # Only top-level items count; a nested list's text joins its parent item.
        i = 1
        while i < len(tokens) - 1:
            if tokens[i].type == "list_item_open":
                end = _matching_close(tokens, i)
                parts = [_inline(t) for t in tokens[i:end] if t.type == "inline"]
                text = " ".join(p[0] for p in parts).strip()
                html = " ".join(p[1] for p in parts)
                line = self._line(tokens[i])
                if not text:
                    self._problem(line, "list item is empty")
                else:
                    yield text, html, line
                i = end
            i += 1

    # -- bookkeeping ----------------------------------------------------------------

    def _open_section(self, heading: str, level: int, line: int) -> None:
        anchor = "top" if level == 1 else self._reserve_anchor(slugify(heading), line)
        is_references = self.mode == "references"
        self.sections.append(_OpenSection(heading, anchor, level, line, is_references))

    def _close_faq_question(self) -> None:
        if self.faq_question is None:
            return
        question, line = self.faq_question
        self.faq_question = None
        answers, self.faq_answer = self.faq_answer, []
        if not answers:
            self._problem(line, f"FAQ question '{question}' has no answer")
            return
        section = self.sections[-1]
        anchor = f"faq-{slugify(question)}"
        html = "".join(h for _, h in answers)
        section.blocks.append(Block("faq", anchor, html=html, question=question))
        text = "\n\n".join(t for t, _ in answers)
        self.passages.append(
            Passage(
                id=f"{self.slug}#{anchor}",
                document=self.slug,
                section=section.heading,
                kind="faq",
                text=text,
                anchor=anchor,
                title=question,
                headings=(question,),
                line=line,
                question=question,
            )
        )

    def _add_passage(
        self, anchor: str, text: str, section: str, line: int, *, title: str | None = None
    ) -> None:
        headings = tuple(dict.fromkeys(h for h in (self.h2, section) if h))
        self.passages.append(
            Passage(
                id=f"{self.slug}#{anchor}",
                document=self.slug,
                section=section,
                kind="article",
                text=text,
                anchor=anchor,
                title=title or section,
                headings=headings,
                line=line,
                informative=is_informative(text),
            )
        )

    def _reserve_anchor(self, anchor: str, line: int) -> str:
        if anchor in self.anchors:
            self._problem(
                line, f"duplicate anchor '{anchor}' (first used on line {self.anchors[anchor]})"
            )
        else:
            self.anchors[anchor] = line
        return anchor

    def _line(self, token: Token) -> int:
        return self.offset + (token.map[0] + 1 if token.map else 1)

    def _links(self, tokens: list[Token]) -> Iterator[Link]:
        """Every same-site link (no scheme, no other host), for the cross-document check."""
        lines = self.body.splitlines()
        for token in tokens:
            if token.type != "inline" or not token.map:
                continue
            start, end = token.map
            for child in token.children or ():
                href = str(child.attrGet("href") or "") if child.type == "link_open" else ""
                if not href or urlsplit(href).scheme or href.startswith("//"):
                    continue
                # markdown-it knows the block's lines; the link is on the first naming it.
                written = str((child.meta or {}).get("written", href))
                line = next((i for i in range(start, end) if written in lines[i]), start)
                yield Link(href, self.offset + line + 1)

    def _problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))


def _matching_close(tokens: list[Token], i: int) -> int:
    if tokens[i].nesting != 1:
        return i
    depth = 0
    for j in range(i, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


def _link_articles(tokens: list[Token]) -> None:
    """Turn a link to another document's file (`other.md`, `other.md#anchor`) into the
    link to that article's page, where the reader can follow it."""
    for token in tokens:
        for child in token.children or ():
            href = str(child.attrGet("href") or "") if child.type == "link_open" else ""
            target = urlsplit(href)
            if target.scheme or target.netloc or not target.path.endswith(".md"):
                continue
            slug = slugify(Path(target.path).stem)
            child.meta = {**(child.meta or {}), "written": href}
            fragment = f"#{target.fragment}" if target.fragment else ""
            child.attrSet("href", f"{article_path(slug)}{fragment}")


def _inline(token: Token) -> tuple[str, str]:
    """Plain text and HTML of an inline token."""
    parts: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    text = re.sub(r"[ \t]+", " ", "".join(parts)).strip()
    renderer = cast(RendererHTML, _MARKDOWN.renderer)
    html = renderer.renderInline(token.children or [], _MARKDOWN.options, {})
    return text, html.strip()


def _label(text: str) -> str:
    """The bold lead of a bullet ("Pain Relief: ..."), if it has one."""
    head, sep, _ = text.partition(": ")
    return head if sep and len(head) <= 60 else ""
