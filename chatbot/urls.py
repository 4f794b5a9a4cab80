"""Article URLs: the one place that builds them and reads them back.

A passage is cited as `/articles/<document>#<anchor>`; its id is `<document>#<anchor>`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from chatbot.documents import Passage

ARTICLE_PREFIX = "/articles/"


def article_path(slug: str) -> str:
    """The path of a document's article page."""
    return f"{ARTICLE_PREFIX}{slug}"


def passage_url(passage: Passage, prefix: str = "") -> str:
    """The link to a passage on its article page; `prefix` is an origin or empty."""
    return f"{prefix}{article_path(passage.document)}#{passage.anchor}"


def passage_id_url(passage_id: str, prefix: str = "") -> str:
    """The link to a passage known only by its id (`<document>#<anchor>`), as in the log."""
    document, separator, anchor = passage_id.partition("#")
    return f"{prefix}{article_path(document)}{separator}{anchor}"


def article_target(href: str, current: str) -> tuple[str, str] | None:
    """(document slug, anchor) that a same-site link in document `current` points to,
    or None when it points outside the articles. `#anchor` stays in `current`."""
    target = urlsplit(href)
    if target.path and not target.path.startswith(ARTICLE_PREFIX):
        return None
    slug = target.path.removeprefix(ARTICLE_PREFIX).strip("/") or current
    return slug, target.fragment
