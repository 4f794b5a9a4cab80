"""Routes for site owners: reload the knowledge base live, and the question-log report page.

Every route needs `CHATBOT_ADMIN_TOKEN`, sent as `Authorization: Bearer <token>` or as
the password of the browser's login prompt (HTTP Basic, any user name). With no token
configured the app does not mount these routes at all. SIGHUP to `chatbot serve`
does the same reload as `POST /admin/reload`.

Under `chatbot serve --workers N` each worker holds its own index: a reload checks the
edit in the worker that got the request and, if it is sound, asks uvicorn's supervisor
(SIGHUP to the parent process) to replace every worker, one at a time, each loading
the new version.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
)
from fastapi.templating import Jinja2Templates
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from chatbot import inbox
from chatbot.engine import Engine
from chatbot.limits import client_address
from chatbot.log_rows import FEEDBACK_REASONS
from chatbot.question_log import QuestionLog
from chatbot.reloading import kept_message, reload_engine
from chatbot.report import REASON_LABELS, DayCount, build_report
from chatbot.settings import Settings
from chatbot.urls import article_path, passage_id_url

CHART_HEIGHT = 160
BAR_WIDTH = 14
CHART_MIN_WIDTH = 280
# Where the server's own messages go, so a SIGHUP reload reports next to them.
_server_log = logging.getLogger("uvicorn.error")
# One reload at a time: two editors pressing reload together would only waste a build.
_reload_lock = threading.Lock()
# Wrong admin tokens one client may send in a moving window before it must wait: enough
# for a person mistyping, far too few to guess a 16-character random token.
WRONG_TOKENS_PER_WINDOW = 20
WRONG_TOKEN_WINDOW_SECONDS = 300


def _unauthorized() -> HTTPException:
    # `Basic` makes a browser show its login prompt; a script sends the Bearer header.
    return HTTPException(
        status_code=401,
        detail="This needs the admin token (CHATBOT_ADMIN_TOKEN).",
        headers={"WWW-Authenticate": 'Basic realm="chatbot admin", charset="UTF-8"'},
    )


class _AdminBasic(HTTPBasic):
    """HTTP Basic that answers a malformed header with the same 401 as a wrong token."""

    def make_not_authenticated_error(self) -> HTTPException:
        return _unauthorized()


# auto_error=False: either scheme may be missing, as long as the other carries the token.
_basic = _AdminBasic(auto_error=False)
_bearer = HTTPBearer(auto_error=False)


def require_admin(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    basic: Annotated[HTTPBasicCredentials | None, Depends(_basic)],
) -> None:
    settings: Settings = request.app.state.settings
    token = settings.admin_token.get_secret_value()
    if not token:
        # create_app mounts these routes only with a token; an empty one must never match
        # an empty Basic password if they are ever mounted without.
        raise HTTPException(status_code=404, detail="Not Found")
    guesses = _guess_limiter(request)
    client = client_address(request.scope)
    wait = guesses.wait_seconds(client)
    if wait > 0:
        # Checked before the token, so a guesser learns nothing until the window passes.
        raise HTTPException(
            status_code=429,
            detail=f"Too many wrong admin tokens: wait {wait} seconds and try again.",
            headers={"Retry-After": str(wait)},
        )
    # The browser's prompt asks for a user name too; any will do, the password is the token.
    given = bearer.credentials if bearer else basic.password if basic else None
    if given is None or not secrets.compare_digest(given.encode(), token.encode()):
        if given is not None:
            guesses.count(client)
        raise _unauthorized()


class GuessLimiter:
    """Wrong admin tokens per client: `WRONG_TOKENS_PER_WINDOW` in any moving window of
    `WRONG_TOKEN_WINDOW_SECONDS`, then 429 until the oldest leaves it (the `limits` library)."""

    def __init__(self) -> None:
        self.item = RateLimitItemPerSecond(WRONG_TOKENS_PER_WINDOW, WRONG_TOKEN_WINDOW_SECONDS)
        self.strategy = MovingWindowRateLimiter(MemoryStorage())

    def wait_seconds(self, client: str) -> int:
        """0 when `client` may try a token, else the whole seconds until it may."""
        if self.strategy.test(self.item, "admin", client):
            return 0
        reset_at, _ = self.strategy.get_window_stats(self.item, "admin", client)
        return max(1, math.ceil(reset_at - time.time()))

    def count(self, client: str) -> None:
        self.strategy.hit(self.item, "admin", client)


def _guess_limiter(request: Request) -> GuessLimiter:
    # One per app (not per module), so apps built side by side, as tests do, count apart.
    state = request.app.state
    limiter: GuessLimiter | None = getattr(state, "admin_guesses", None)
    if limiter is None:
        limiter = state.admin_guesses = GuessLimiter()
    return limiter


router = APIRouter(prefix="/admin", include_in_schema=False, dependencies=[Depends(require_admin)])


def same_site(request: Request) -> None:
    """Refuse a state change a page on another site makes the browser send with our login."""
    fetch_site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if fetch_site is not None:
        # Set by the browser itself, so it holds behind proxies that rewrite Host.
        cross_site = fetch_site not in ("same-origin", "none")
    else:
        cross_site = origin is not None and urlsplit(origin).netloc != request.headers.get("host")
    if cross_site:
        raise HTTPException(status_code=403, detail="Cross-site admin requests are refused.")


@router.post("/reload", dependencies=[Depends(same_site)])
def reload_knowledge(request: Request) -> JSONResponse:
    """Reload the knowledge folder; 409 with the problems if the edit is broken."""
    problems = reload_engine(request.app)
    if problems:
        body = {"detail": kept_message(problems), "problems": list(problems)}
        return JSONResponse(body, status_code=409)
    knowledge = request.app.state.engine.knowledge
    return JSONResponse(
        {
            "status": "reloaded",
            "documents": len(knowledge.documents),
            "passages": len(knowledge.passages),
        }
    )


@router.post("/inbox/alternate", response_class=HTMLResponse, dependencies=[Depends(same_site)])
def inbox_alternate(
    request: Request,
    question: Annotated[str, Form()] = "",
    passage_id: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """The inbox's one-step edit: a group's question becomes an alternate phrasing."""
    settings: Settings = request.app.state.settings
    try:
        problems = inbox.add_alternate(request.app, settings.knowledge_dir, passage_id, question)
    except inbox.EditError as error:
        return _admin_page(request, str(error), status_code=422)
    if problems:
        return _admin_page(request, kept_message(problems), problems, status_code=409)
    return _admin_page(
        request, f"Added “{' '.join(question.split())}” as a phrasing of {passage_id}; reloaded."
    )


@router.post("/inbox/out-of-scope", response_class=HTMLResponse, dependencies=[Depends(same_site)])
def inbox_out_of_scope(request: Request, term: Annotated[str, Form()] = "") -> HTMLResponse:
    """The inbox's other edit: what a group asks about is listed as not covered."""
    settings: Settings = request.app.state.settings
    try:
        problems = inbox.add_not_covered(request.app, settings.knowledge_dir, term)
    except inbox.EditError as error:
        return _admin_page(request, str(error), status_code=422)
    if problems:
        return _admin_page(request, kept_message(problems), problems, status_code=409)
    return _admin_page(request, f"Listed “{' '.join(term.split())}” as not covered; reloaded.")


@dataclass(frozen=True)
class Bar:
    """One day's stacked bar in the chart, in SVG user units."""

    day: DayCount
    x: int
    answered_y: int
    answered_height: int
    unanswered_y: int
    unanswered_height: int


def chart_bars(days: tuple[DayCount, ...], height: int = CHART_HEIGHT) -> list[Bar]:
    """Stacked bars: answered at the bottom, everything else on top, scaled to the busiest day."""
    peak = max((d.total for d in days), default=0) or 1
    bars = []
    for n, day in enumerate(days):
        answered = round(height * day.answered / peak)
        rest = round(height * day.total / peak) - answered
        top = height - answered - rest
        bars.append(Bar(day, n * BAR_WIDTH, height - answered, answered, top, rest))
    return bars


@router.get("", response_class=HTMLResponse)
def admin_page(request: Request) -> HTMLResponse:
    return _admin_page(request)


@router.post("", response_class=HTMLResponse, dependencies=[Depends(same_site)])
def admin_page_reload(request: Request) -> HTMLResponse:
    """The page's reload button: the same reload, with the outcome shown on the page."""
    problems = reload_engine(request.app)
    if problems:
        return _admin_page(request, kept_message(problems), problems, status_code=409)
    return _admin_page(request, "Reloaded: the new version is being served.")


def _admin_page(
    request: Request,
    notice: str | None = None,
    problems: tuple[str, ...] = (),
    status_code: int = 200,
) -> HTMLResponse:
    engine: Engine = request.app.state.engine  # after a reload, the new one
    log: QuestionLog | None = request.app.state.question_log
    snapshot = log.snapshot() if log is not None else None
    report = build_report(snapshot) if snapshot is not None else None
    context: dict[str, Any] = {
        "documents": engine.knowledge.documents,
        "knowledge": engine.knowledge,
        "report": report,
        "bars": chart_bars(report.days) if report else [],
        "chart_height": CHART_HEIGHT,
        "chart_width": max(CHART_MIN_WIDTH, BAR_WIDTH * len(report.days) if report else 0),
        "bar_width": BAR_WIDTH - 2,
        "notice": notice,
        "problems": problems,
        "passage_url": passage_id_url,
        "article_url": article_path,
        "reason_labels": [REASON_LABELS[reason] for reason in FEEDBACK_REASONS],
        "inbox": inbox.build_inbox(snapshot, engine) if snapshot is not None else [],
    }
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, "admin.html", context, status_code=status_code)
    response.headers["cache-control"] = "no-store"
    return response
