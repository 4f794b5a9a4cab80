"""`chatbot import`: saved article pages (HTML) → knowledge documents (Markdown).

readability-lxml finds the main content after the page's own boilerplate (navigation,
footers, sidebars, ads, forms, "related posts") is dropped; lxml walks what is left.
Everything the bot cannot quote (tables, images, code, embedded forms) is reported, item
by item, rather than silently lost. Needs the `import` extra.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

INSTALL_HINT = "chatbot import needs the 'import' extra: pip install 'chatbot[import]'"
# Class or id words of page furniture, never of an article's text.
_BOILERPLATE = re.compile(
    r"(^|[-_ ])(nav|navbar|menu|breadcrumbs?|footer|sidebar|widget|related|share|sharing|"
    r"social|comments?|newsletter|subscribe|advert|ads?|sponsor|promo|cookie|quiz|byline|"
    r"author|tags|pagination|popup|modal)($|[-_ ])",
    re.IGNORECASE,
)
_DROPPED_TAGS = {
    "nav": "navigation",
    "header": "page header",
    "footer": "footer",
    "aside": "sidebar",
    "form": "form",
    "script": "script",
    "style": "style",
    "noscript": "script",
    "iframe": "embedded frame",
    "template": "template",
    "svg": "drawing",
    "button": "button",
}
_RELATED_HEADING = re.compile(
    r"^(related( posts| articles| reading)?|you (may|might) also like|read (more|next)|"
    r"more from|popular( posts)?|recommended( for you)?|leave a (comment|reply)|comments?)\b",
    re.IGNORECASE,
)
_FAQ_HEADING = re.compile(r"^(frequently asked questions|faqs?)$", re.IGNORECASE)
_REFERENCES_HEADING = re.compile(r"^(references|sources|further reading)$", re.IGNORECASE)
_DISCLAIMER = re.compile(r"^(medical )?disclaimer:\s*", re.IGNORECASE)
_QA = re.compile(r"^(q|question):\s*", re.IGNORECASE)
_AA = re.compile(r"^(a|answer):\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# Characters Markdown would read as emphasis, code or links inside a sentence.
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<])")
_LINE_START_MARKUP = re.compile(r"^([#>+-]|\d+[.)])(\s|$)")


class ImportUnavailableError(RuntimeError):
    """The `import` extra (readability-lxml, lxml) is not installed."""


@dataclass(frozen=True)
class Skipped:
    """One item of a page that was not imported, and why."""

    what: str
    why: str


@dataclass
class Section:
    heading: str
    level: int  # 2 or 3
    blocks: list[str] = field(default_factory=list)


@dataclass
class ImportedPage:
    """A page turned into a knowledge document, with everything left out of it."""

    source: Path
    slug: str
    title: str
    markdown: str
    faq_entries: int
    sections: int
    skipped: list[Skipped]
    dropped: Counter[str]


def _require() -> tuple[Any, Any]:
    try:
        import lxml.html
        from readability import Document
    except ImportError as error:  # pragma: no cover - the extra is installed in tests
        raise ImportUnavailableError(INSTALL_HINT) from error
    return lxml.html, Document


def _text(element: Any) -> str:
    return _SPACES.sub(" ", element.text_content()).strip()


def _escape(text: str) -> str:
    """A paragraph's text as Markdown that reads back as the same text."""
    text = _escape_item(text)
    match = _LINE_START_MARKUP.match(text)
    if match is None:
        return text
    marker = match.group(1)
    if marker[-1] in ".)":
        # "1. Rest" would start a numbered list: escape the dot, not the digits.
        return f"{marker[:-1]}\\{marker[-1]}{text[len(marker) :]}"
    return "\\" + text


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80].strip("-") or "page"


def _classes(element: Any) -> str:
    return f"{element.get('class', '')} {element.get('id', '')}"


def _faq_from_json_ld(page: Any, html: Any) -> list[tuple[str, list[str]]]:
    """schema.org FAQPage entries: (question, answer paragraphs)."""
    entries: list[tuple[str, list[str]]] = []
    for script in page.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except json.JSONDecodeError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            node = stack.pop(0)
            if not isinstance(node, dict):
                continue
            stack.extend(node.get("@graph", []) if isinstance(node.get("@graph"), list) else [])
            kinds = node.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if "FAQPage" not in kinds:
                continue
            main = node.get("mainEntity", [])
            for question in main if isinstance(main, list) else [main]:
                if not isinstance(question, dict):
                    continue
                name = _SPACES.sub(" ", str(question.get("name", ""))).strip()
                answer = question.get("acceptedAnswer", {})
                answer = answer[0] if isinstance(answer, list) and answer else answer
                raw = str(answer.get("text", "")) if isinstance(answer, dict) else ""
                fragment = html.fragment_fromstring(raw or "<p></p>", create_parent="div")
                paragraphs = [_text(p) for p in fragment.xpath(".//p|.//li") if _text(p)] or (
                    [_text(fragment)] if _text(fragment) else []
                )
                if name and paragraphs:
                    entries.append((name, paragraphs))
    return entries


def _metadata(page: Any) -> tuple[str, str | None, str | None]:
    """Title, canonical URL and summary from the page's head."""

    def first(xpath: str) -> str | None:
        values = [_SPACES.sub(" ", v).strip() for v in page.xpath(xpath)]
        return next((v for v in values if v), None)

    title = (
        first("//meta[@property='og:title']/@content")
        or first("//h1//text()")
        or first("//title/text()")
        or ""
    )
    title = re.split(r"\s+[|–—]\s+", title)[0] if title == first("//title/text()") else title
    canonical = first("//link[@rel='canonical']/@href") or first(
        "//meta[@property='og:url']/@content"
    )
    summary = first("//meta[@name='description']/@content") or first(
        "//meta[@property='og:description']/@content"
    )
    return title, canonical, summary


def _drop_boilerplate(element: Any, dropped: Counter[str]) -> None:
    """Drop the page's furniture, counting each piece once (not what it holds)."""
    for child in list(element):
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        kind = _DROPPED_TAGS.get(tag)
        if kind is None and tag not in ("html", "body", "main", "article"):
            match = _BOILERPLATE.search(_classes(child))
            kind = match.group(2).lower() if match else None
        if kind is None and child.get("role") in ("navigation", "complementary", "contentinfo"):
            kind = "navigation"
        if kind is None:
            _drop_boilerplate(child, dropped)
        else:
            dropped[kind] += 1
            child.drop_tree()


def import_page(path: Path) -> ImportedPage:
    """Read one saved page; raises `ValueError` with a plain message when it is not one."""
    html, document_class = _require()
    source = path.read_bytes()
    if not source.strip():
        raise ValueError("the file is empty")
    page = html.document_fromstring(source)
    title, canonical, summary = _metadata(page)
    skipped: list[Skipped] = []
    dropped: Counter[str] = Counter()
    json_ld_faq = _faq_from_json_ld(page, html)
    body = page.find("body")
    if body is None:
        raise ValueError("no <body>: this is not a saved web page")
    _drop_boilerplate(body, dropped)
    # readability-lxml picks the main content from what is left; a page whose article
    # is already marked up as <article> or <main> keeps it whole.
    marked = body.xpath(".//article") or body.xpath(".//main")
    if marked:
        content = marked[0]
    else:
        summary_html = document_class(html.tostring(page, encoding="unicode")).summary(
            html_partial=True
        )
        content = html.fragment_fromstring(summary_html, create_parent="div")
    if not title:
        raise ValueError("no title: the page has no <h1>, og:title or <title>")

    walker = _Walker(title, skipped)
    walker.walk(content)
    faq = _merge_faq(json_ld_faq, walker.faq, skipped)
    if canonical is not None:
        canonical = urljoin(canonical, canonical)
        if urlsplit(canonical).scheme not in ("http", "https"):
            skipped.append(
                Skipped(f"canonical URL {canonical!r}", "not a full http(s) address; left out")
            )
            canonical = None
    else:
        skipped.append(
            Skipped("source_url", "the page names no canonical URL (<link rel=canonical>)")
        )
    markdown = _markdown(title, summary, canonical, walker, faq, skipped)
    slug_source = urlsplit(canonical).path.rstrip("/").rsplit("/", 1)[-1] if canonical else ""
    slug = slugify(re.sub(r"\.[a-z]+$", "", slug_source) or title)
    return ImportedPage(
        source=path,
        slug=slug,
        title=title,
        markdown=markdown,
        faq_entries=len(faq),
        sections=sum(1 for s in walker.sections if s.blocks),
        skipped=skipped,
        dropped=dropped,
    )


class _Walker:
    """Block elements of the main content → sections of Markdown blocks."""

    def __init__(self, title: str, skipped: list[Skipped]) -> None:
        self.title = title
        self.skipped = skipped
        self.top = Section("", 0)
        self.sections: list[Section] = []
        self.faq: list[tuple[str, list[str]]] = []
        self.references: list[str] = []
        self.disclaimer: str | None = None
        self._mode = "text"  # "text", "faq", "references", "skip"
        self._question: tuple[str, list[str]] | None = None
        self._pending_q: str | None = None
        self._question_levels: set[int] = set()

    @property
    def current(self) -> Section:
        return self.sections[-1] if self.sections else self.top

    def walk(self, content: Any) -> None:
        # Headings of one level that are mostly questions are an FAQ in all but name;
        # those under an FAQ heading are questions anyway, so they are not counted.
        headings: list[tuple[int, str]] = []
        faq_level = 0
        for heading in content.iter("h2", "h3", "h4"):
            level, text = int(heading.tag[1]), _text(heading)
            if faq_level and level > faq_level:
                continue
            faq_level = level if _FAQ_HEADING.match(text) else 0
            headings.append((level, text))
        for level in (2, 3, 4):
            same = [text for n, text in headings if n == level]
            asked = [text for text in same if text.endswith("?")]
            if len(asked) >= 2 and len(asked) * 2 >= len(same):
                self._question_levels.add(level)
        self._children(content)
        self._end_question()

    def _children(self, element: Any) -> None:
        for child in element:
            if isinstance(child.tag, str):
                self._block(child)

    def _block(self, element: Any) -> None:
        tag = element.tag.lower()
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading(int(tag[1]), _text(element))
        elif self._mode == "skip":
            return
        elif tag == "p":
            self._paragraph(_text(element))
        elif tag in ("ul", "ol"):
            self._list(element, ordered=tag == "ol")
        elif tag == "blockquote":
            self._children(element)
        elif tag == "table":
            rows = len(element.xpath(".//tr"))
            self._skip(
                f"table ({rows} rows)", "tables are not imported: write the facts as text or a list"
            )
        elif tag in ("img", "picture", "video", "audio"):
            self._image(element)
        elif tag == "figure":
            for image in element.xpath(".//img|.//video|.//audio") or [element]:
                self._image(image)
        elif tag in ("pre", "code"):
            self._skip("code block", "code is not health text the bot can quote")
        elif tag in ("dl",):
            for term in element.xpath("./dt"):
                definition = term.getnext()
                text = _text(term) + (f": {_text(definition)}" if definition is not None else "")
                self._paragraph(text)
        elif tag in ("hr", "br"):
            return
        else:
            # div, section, span…: containers; their text outside child blocks is a paragraph.
            if element.text and element.text.strip():
                self._paragraph(_SPACES.sub(" ", element.text).strip())
            self._children(element)
        if element.tail and element.tail.strip() and tag not in ("p", "ul", "ol"):
            self._paragraph(_SPACES.sub(" ", element.tail).strip())

    def _image(self, element: Any) -> None:
        alt = (element.get("alt") or element.get("title") or "").strip()
        what = f"image '{alt}'" if alt else f"image {element.get('src', '')}".strip()
        self._skip(what, "images are not imported: the bot quotes text only")

    def _skip(self, what: str, why: str) -> None:
        heading = self.current.heading or "(top)"
        self.skipped.append(Skipped(f"{what} in '{heading}'", why))

    def _heading(self, level: int, text: str) -> None:
        if not text:
            return
        if level == 1:
            if text != self.title:
                self._skip(
                    f"heading '{text}'", "a second level-1 heading; its text is kept as a section"
                )
                level = 2
            else:
                return
        self._end_question()
        if _RELATED_HEADING.match(text):
            self._mode = "skip"
            self.skipped.append(
                Skipped(f"section '{text}'", "links to other pages, not this article")
            )
            return
        if _FAQ_HEADING.match(text):
            self._mode = "faq"
            return
        if _REFERENCES_HEADING.match(text):
            self._mode = "references"
            return
        if (self._mode == "faq" and level >= 3) or (
            level in self._question_levels and text.endswith("?")
        ):
            if self._mode != "faq":
                self._mode = "text"
            self._question = (text, [])
            return
        self._mode = "text"
        self.sections.append(Section(text, 2 if level <= 2 else 3))

    def _end_question(self) -> None:
        if self._question is not None:
            question, answer = self._question
            if answer:
                self.faq.append((question, answer))
            else:
                self.skipped.append(Skipped(f"question '{question}'", "no answer under it"))
        self._question = None

    def _paragraph(self, text: str) -> None:
        if not text:
            return
        if _DISCLAIMER.match(text):
            self.disclaimer = _DISCLAIMER.sub("", text)
            return
        if self._mode == "references":
            self.references.append(text)
            return
        # "Q: …" then "A: …" paragraphs: an FAQ written without headings.
        if _QA.match(text):
            self._end_question()
            self._pending_q = _QA.sub("", text)
            return
        if self._pending_q is not None and _AA.match(text):
            self._question = (self._pending_q, [_AA.sub("", text)])
            self._pending_q = None
            self._end_question()
            return
        if self._question is not None:
            self._question[1].append(_escape(text))
        elif self._mode != "faq":
            self.current.blocks.append(_escape(text))
        else:
            self._skip(f"paragraph '{text[:40]}…'", "FAQ text outside a question")

    def _list(self, element: Any, *, ordered: bool) -> None:
        items = []
        for n, item in enumerate(element.xpath("./li"), start=1):
            for nested in item.xpath("./ul|./ol"):
                self._skip("nested list", "flattened into its item's text")
                del nested  # its text stays in the item
            text = _text(item)
            if not text:
                continue
            marker = f"{n}." if ordered else "-"
            items.append(
                f"{marker} {_escape(text)}" if not ordered else f"{marker} {_escape_item(text)}"
            )
        if not items:
            return
        if self._mode == "references":
            self.references.extend(line.split(" ", 1)[1] for line in items)
            return
        block = "\n".join(items)
        if self._question is not None:
            self._question[1].append(block)
        elif self._mode != "faq":
            self.current.blocks.append(block)


def _escape_item(text: str) -> str:
    return _INLINE_MARKUP.sub(r"\\\1", text)


def _merge_faq(
    json_ld: list[tuple[str, list[str]]],
    found: list[tuple[str, list[str]]],
    skipped: list[Skipped],
) -> list[tuple[str, list[str]]]:
    """JSON-LD entries first (the site's own statement of its FAQ), then the page's own."""
    entries: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for question, answer in [*((q, [_escape(p) for p in a]) for q, a in json_ld), *found]:
        key = slugify(question)
        if key in seen:
            continue
        seen.add(key)
        entries.append((question, answer))
    return entries


def _front_matter(fields: dict[str, str]) -> str:
    lines = ["---"]
    for key, value in fields.items():
        dumped = yaml.safe_dump({key: value}, allow_unicode=True, width=10_000, sort_keys=False)
        lines.append(dumped.strip())
    lines.append("---")
    return "\n".join(lines)


def _markdown(
    title: str,
    summary: str | None,
    canonical: str | None,
    walker: _Walker,
    faq: list[tuple[str, list[str]]],
    skipped: list[Skipped],
) -> str:
    fields = {"title": title}
    if summary:
        fields["summary"] = summary
    if canonical:
        fields["source_url"] = canonical
    if walker.disclaimer:
        fields["disclaimer"] = walker.disclaimer
    parts = [_front_matter(fields), ""]
    parts.extend(f"{block}\n" for block in walker.top.blocks)
    for n, section in enumerate(walker.sections):
        has_children = any(s.level > section.level for s in walker.sections[n + 1 : n + 2])
        if not section.blocks and not has_children:
            skipped.append(Skipped(f"section '{section.heading}'", "nothing under it to import"))
            continue
        parts.append(f"{'#' * section.level} {_escape_item(section.heading)}\n")
        parts.extend(f"{block}\n" for block in section.blocks)
    if faq:
        parts.append("## Frequently Asked Questions\n")
        for question, answer in faq:
            parts.append(f"### {_escape_item(question)}\n")
            parts.extend(f"{block}\n" for block in answer)
    if walker.references:
        parts.append("## References\n")
        parts.extend(f"- {_escape_item(r)}" for r in walker.references)
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def format_report(page: ImportedPage, written: Path) -> list[str]:
    """The per-page, per-item lines `chatbot import` prints."""
    lines = [
        f"{page.source}: wrote {written} ({page.sections} sections, {page.faq_entries} FAQ entries)"
    ]
    if page.dropped:
        furniture = ", ".join(f"{kind} ({n})" for kind, n in sorted(page.dropped.items()))
        lines.append(f"  dropped as page furniture: {furniture}")
    lines.extend(f"  not imported: {item.what}: {item.why}" for item in page.skipped)
    return lines
