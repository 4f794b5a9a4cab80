"""Server-rendered HTML: the chat page (works without JavaScript) and article pages."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import jinja2
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from chatbot.answers import Band
from chatbot.deps import get_engine, get_question_log, get_settings
from chatbot.engine import Engine
from chatbot.limits import RETRY_AFTER_STATE
from chatbot.question_log import QuestionLog, record_answer
from chatbot.response import MAX_HISTORY, MAX_QUESTION_CHARS, AskResponse, to_response
from chatbot.scoring import SCORING
from chatbot.settings import Settings

router = APIRouter(include_in_schema=False)

# What JavaScript's \s and trim() count as white space, so that messages.js, which uses
# them, splits an answer into paragraphs and steps exactly as answer_blocks does.
_SPACE = "".join(
    [
        " \t\n\v\f\r\u00a0\u1680",
        *map(chr, range(0x2000, 0x200B)),
        "\u2028\u2029\u202f\u205f\u3000\ufeff",
    ]
)
_SPACE_CLASS = f"[{re.escape(_SPACE)}]"
_BLANK_LINE = re.compile(rf"\n{_SPACE_CLASS}*\n")
_STEP = re.compile(rf"^([0-9]+)\.{_SPACE_CLASS}+(.*)$", re.DOTALL)
_ITEM = re.compile(rf"^-{_SPACE_CLASS}+(.*)$", re.DOTALL)


@dataclass(frozen=True)
class BandText:
    """How the page presents one band of reply: its note, related label and thumbs."""

    note: str
    related_label: str
    rated: bool


# One table for the server-rendered partial and the page script (passed as a data
# attribute), so both build the same reply.
BAND_TEXT: dict[Band, BandText] = {
    "answer": BandText("", "Related questions", rated=True),
    "suggest": BandText("Not sure", "Did you mean…", rated=True),
    "fallback": BandText("No answer found", "You could ask", rated=True),
    "triage": BandText("Please talk to a professional", "You could also read", rated=False),
    "smalltalk": BandText("", "You could ask", rated=False),
}
# An answer below this confidence is labelled as the closest match rather than a sure one.
CLOSE_MATCH_BELOW = SCORING.low_confidence
CLOSE_MATCH_NOTE = "Closest match"


def band_note(reply: AskResponse) -> str:
    if reply.band == "answer" and reply.confidence < CLOSE_MATCH_BELOW:
        return CLOSE_MATCH_NOTE
    return BAND_TEXT[reply.band].note


def band_config() -> dict[str, object]:
    """The band table in the shape the page script reads."""
    return {
        "bands": {
            band: {"note": text.note, "related": text.related_label, "rated": text.rated}
            for band, text in BAND_TEXT.items()
        },
        "closeMatchBelow": CLOSE_MATCH_BELOW,
        "closeMatchNote": CLOSE_MATCH_NOTE,
    }


@dataclass(frozen=True)
class Turn:
    question: str
    reply: AskResponse
    # Only a reply in the question log can take feedback: the one just asked, when
    # the log is on; earlier ones are re-asked only to show the conversation.


@dataclass(frozen=True)
class TextBlock:
    kind: str  # "p", "ol" or "ul"
    lines: tuple[str, ...]


def answer_blocks(text: str) -> list[TextBlock]:
    """Split answer text into paragraphs, numbered lists and bullet lists, keeping the
    source's lists.

    web/static/messages.js (renderAnswerText) splits the same way, rule for rule.
    """
    blocks: list[TextBlock] = []
    for chunk in _BLANK_LINE.split(text.strip(_SPACE)):
        lines = [line.strip(_SPACE) for line in chunk.split("\n") if line.strip(_SPACE)]
        steps = [_STEP.match(line) for line in lines]
        items = [_ITEM.match(line) for line in lines]
        if len(lines) > 1 and all(steps):
            blocks.append(TextBlock("ol", tuple(m.group(2) for m in steps if m)))
        elif len(lines) > 1 and all(items):
            # An FAQ answer may go on as a bullet list, quoted as "- item" lines.
            blocks.append(TextBlock("ul", tuple(m.group(1) for m in items if m)))
        elif lines:
            blocks.append(TextBlock("p", (" ".join(lines),)))
    return blocks


def make_templates(directory: Path) -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["answer_blocks"] = answer_blocks
    environment.globals["band_note"] = band_note
    environment.globals["band_text"] = BAND_TEXT
    return Jinja2Templates(env=environment, context_processors=[site_context])


def site_context(request: Request) -> dict[str, object]:
    """Every page speaks for the site it serves: its name and wording come from site.yaml."""
    return {"site": request.app.state.engine.site}


def _render(
    request: Request, name: str, context: dict[str, object], status_code: int = 200
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _chat(
    request: Request,
    engine: Engine,
    turns: list[Turn],
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    starters = [p.title for p in engine.site.starters]
    documents = engine.knowledge.documents
    return _render(
        request,
        "chat.html",
        {
            "turns": turns,
            "history": [t.question for t in turns][-MAX_HISTORY:],
            "starters": starters,
            "documents": documents,
            "error": error,
            "max_chars": MAX_QUESTION_CHARS,
            "band_config": band_config(),
        },
        status_code,
    )


@router.get("/", response_class=HTMLResponse)
def chat_page(request: Request, engine: Annotated[Engine, Depends(get_engine)]) -> HTMLResponse:
    return _chat(request, engine, [])


@router.post("/", response_class=HTMLResponse)
def chat_form(
    request: Request,
    engine: Annotated[Engine, Depends(get_engine)],
    settings: Annotated[Settings, Depends(get_settings)],
    log: Annotated[QuestionLog | None, Depends(get_question_log)],
    question: Annotated[str, Form()] = "",
    history: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    """The no-JavaScript path: answer the posted question and re-render the page."""
    wait = getattr(request.state, RETRY_AFTER_STATE, None)
    if wait is not None:
        # Over the rate limit (LimitsMiddleware): the page with a plain message, not JSON,
        # and nothing asked, since not answering is the point of the limit.
        unit = "second" if wait == 1 else "seconds"
        message = f"Too many questions at once: please wait {wait} {unit} and ask again."
        page = _chat(request, engine, [], message, 429)
        page.headers["retry-after"] = str(wait)
        return page
    earlier = [q.strip() for q in (history or [])[-MAX_HISTORY:] if q.strip()]
    earlier = [q for q in earlier if len(q) <= MAX_QUESTION_CHARS]
    turns = [
        Turn(q, to_response(engine.ask(q, earlier[:n]), engine.knowledge, settings.public_url))
        for n, q in enumerate(earlier)
    ]
    question = question.strip()
    if not question:
        return _chat(request, engine, turns, "Please type a question.", 422)
    if len(question) > MAX_QUESTION_CHARS:
        message = f"Please keep your question under {MAX_QUESTION_CHARS} characters."
        return _chat(request, engine, turns, message, 422)
    answer = engine.ask(question, earlier)
    # Only the new question is logged: the earlier ones were logged when first asked.
    answer_id = record_answer(log, answer)
    reply = to_response(answer, engine.knowledge, settings.public_url, answer_id)
    turns.append(Turn(question, reply))
    return _chat(request, engine, turns)


@router.get("/articles/{slug}", response_class=HTMLResponse)
def article_page(
    request: Request, slug: str, engine: Annotated[Engine, Depends(get_engine)]
) -> HTMLResponse:
    document = engine.knowledge.document(slug)
    if document is None:
        raise HTTPException(status_code=404, detail=f"No article called '{slug}'.")
    disclaimer = document.disclaimer or engine.policy.default_disclaimer
    return _render(request, "article.html", {"document": document, "disclaimer": disclaimer})


# The widget other sites load: /widget.js is re-checked every few minutes, so a fix
# reaches every page soon; /widget-<version>.js never changes, so it is kept a year.
WIDGET_FILE = "widget.js"
WIDGET_MAX_AGE = 300
VERSIONED_MAX_AGE = 31_536_000


@dataclass(frozen=True)
class Widget:
    body: bytes
    version: str  # the first 12 hex digits of the script's SHA-256


@lru_cache(maxsize=4)
def _widget(path: Path, mtime_ns: int) -> Widget:
    body = path.read_bytes()
    return Widget(body, hashlib.sha256(body).hexdigest()[:12])


def load_widget(settings: Settings) -> Widget:
    """The widget script and its version, read again only when the file changes."""
    path = settings.web_dir / "static" / WIDGET_FILE
    return _widget(path, path.stat().st_mtime_ns)


def _script(widget: Widget, max_age: int, immutable: bool = False) -> Response:
    cache = f"public, max-age={max_age}" + (", immutable" if immutable else "")
    return Response(
        widget.body,
        media_type="text/javascript; charset=utf-8",
        headers={"cache-control": cache, "etag": f'"{widget.version}"'},
    )


@router.get("/widget.js")
def widget_script(settings: Annotated[Settings, Depends(get_settings)]) -> Response:
    return _script(load_widget(settings), WIDGET_MAX_AGE)


@router.get("/widget-{version}.js")
def versioned_widget_script(
    version: str, settings: Annotated[Settings, Depends(get_settings)]
) -> Response:
    widget = load_widget(settings)
    if version != widget.version:
        # An old version is not kept: a page pinned to it gets a plain 404, not stale code.
        raise HTTPException(status_code=404, detail=f"No widget version '{version}'.")
    return _script(widget, VERSIONED_MAX_AGE, immutable=True)


@router.get("/embed", response_class=HTMLResponse)
def embed_page(
    request: Request,
    engine: Annotated[Engine, Depends(get_engine)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> HTMLResponse:
    """The compact chat the widget frames; only CHATBOT_EMBED_ORIGINS may frame it (app.py)."""
    return _render(
        request,
        "embed.html",
        {
            "turns": [],
            "history": [],
            "starters": [p.title for p in engine.site.starters],
            "documents": engine.knowledge.documents,
            "error": None,
            "max_chars": MAX_QUESTION_CHARS,
            "band_config": band_config(),
            "embed_origins": list(settings.embed_origin_list),
        },
    )
