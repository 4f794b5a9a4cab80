"""The web application factory: `create_app(settings)` builds a ready-to-serve app.

All work happens inside the factory (loading and indexing the knowledge base), never
at import time, so tests build apps over small fixture knowledge bases.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatbot import __version__, admin, api, pages
from chatbot.engine import Engine
from chatbot.limits import LimitsMiddleware, RateLimiter
from chatbot.question_log import PURGE_INTERVAL, QuestionLog
from chatbot.settings import Settings

logger = logging.getLogger(__name__)
DESCRIPTION = """
Ask a question about the knowledge base and get the passage that answers it,
quoted verbatim, with a link to its source and the medical disclaimer.
The bot never generates advice and never diagnoses.
"""

# Scripts and styles come only from this origin, so injected markup cannot run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
# The one page other sites may frame (the widget's chat), and only those of
# CHATBOT_EMBED_ORIGINS; with none, frame-ancestors 'none' makes the browser refuse it.
EMBED_PATH = "/embed"


def embed_policy(origins: tuple[str, ...]) -> str:
    """The CSP of the embed page: the app's, with its frame-ancestors the allowed origins."""
    ancestors = " ".join(origins) or "'none'"
    return CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


# The interactive API docs (CHATBOT_API_DOCS): Swagger UI's files come with the
# swagger-ui-py package and are served from here, never from a CDN. Their page alone
# allows inline styles, which Swagger UI sets; scripts stay 'self' only.
DOCS_PATH = "/docs"
DOCS_FILES = {
    "/docs/swagger-ui-bundle.js": ("swagger-ui-bundle.js", "text/javascript"),
    "/docs/swagger-ui.css": ("swagger-ui.css", "text/css"),
}
DOCS_SCRIPT_PATH = "/docs/start.js"
DOCS_PATHS = frozenset({DOCS_PATH, DOCS_SCRIPT_PATH, *DOCS_FILES})
DOCS_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
DOCS_PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>FAQ chatbot - API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="{DOCS_SCRIPT_PATH}"></script>
</body>
</html>
"""
DOCS_SCRIPT = """window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
});
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; raises `KnowledgeError` rather than serve a broken knowledge base."""
    settings = settings or Settings()
    engine = Engine.from_settings(settings)
    question_log = (
        QuestionLog(settings.log_location, settings.retention_days)
        if settings.log_questions
        else None
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if question_log is None:
            yield
            return
        # Records also expire on a server that gets no questions to trigger a purge.
        purging = asyncio.create_task(_purge_periodically(question_log))
        yield
        purging.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await purging
        question_log.close()

    app = FastAPI(
        title="FAQ chatbot",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=[{"name": "ask", "description": "Questions and answers."}],
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.api_docs else None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.question_log = question_log
    app.state.templates = pages.make_templates(settings.web_dir / "templates")
    app.mount("/static", StaticFiles(directory=settings.web_dir / "static"), name="static")
    app.include_router(api.router)
    # Load balancers probe with HEAD; GET's answer without its body.
    app.add_api_route("/healthz", api.healthz, methods=["HEAD"], include_in_schema=False)
    if settings.api_docs:
        _add_docs(app)
    app.include_router(pages.router)
    if settings.admin_token.get_secret_value():
        # Without a token the admin routes do not exist at all, for any method.
        app.include_router(admin.router)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected_error)
    # Built here, not on the first request, so an unusable rate-limit store stops start-up.
    limiter = RateLimiter.from_settings(settings)
    app.add_middleware(LimitsMiddleware, settings=settings, limiter=limiter)
    app.add_middleware(SecurityHeadersMiddleware, embed_origins=settings.embed_origin_list)
    if settings.allowed_host_list != ["*"]:
        # Outermost: a forged Host never reaches a page that builds links from it.
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_host_list)
    return app


def _add_docs(app: FastAPI) -> None:
    """Swagger UI at /docs, from the package's own copy under the app's CSP."""
    static = Path(str(resources.files("swagger_ui") / "static"))

    async def docs_page() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    async def docs_script() -> Response:
        return Response(DOCS_SCRIPT, media_type="text/javascript")

    app.add_api_route(DOCS_PATH, docs_page, methods=["GET"], include_in_schema=False)
    app.add_api_route(DOCS_SCRIPT_PATH, docs_script, methods=["GET"], include_in_schema=False)
    for path, (name, media_type) in DOCS_FILES.items():
        app.add_api_route(
            path, _file_route(static / name, media_type), methods=["GET"], include_in_schema=False
        )


def _file_route(file: Path, media_type: str) -> Callable[[], Awaitable[FileResponse]]:
    async def send_file() -> FileResponse:
        return FileResponse(file, media_type=media_type)

    return send_file


async def _purge_periodically(log: QuestionLog) -> None:
    while True:
        await asyncio.sleep(PURGE_INTERVAL.total_seconds())
        try:
            await run_in_threadpool(log.purge)
        except log.errors:
            logger.exception("could not purge old records from %s", log.where)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": describe_errors(exc.errors())}, status_code=422)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Starlette answers this outside every middleware, so the headers are added here.
    return JSONResponse(
        {"detail": "Something went wrong on our side. Please try again."},
        status_code=500,
        headers={
            **{name.decode(): value.decode() for name, value in SECURITY_HEADERS},
            "content-security-policy": CONTENT_SECURITY_POLICY,
        },
    )


def describe_errors(errors: object) -> str:
    """One plain sentence per validation error, instead of pydantic's raw list."""
    messages: list[str] = []
    for error in errors if isinstance(errors, list | tuple) else []:
        kind = error.get("type", "")
        field = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        if kind == "json_invalid":
            messages.append("The request body is not valid JSON.")
        elif (kind == "missing" and not field) or kind in (
            "model_attributes_type",
            "dict_type",
            "model_type",
        ):
            # A missing body is reported as the body itself missing, a field named ''.
            messages.append('The request body must be a JSON object like {"question": "…"}.')
        elif kind == "missing":
            messages.append(f"The field '{field}' is required.")
        elif kind == "string_type":
            messages.append(f"The field '{field}' must be a string.")
        elif kind == "string_too_short":
            messages.append(f"The field '{field}' must not be empty.")
        elif kind == "string_too_long":
            limit = error.get("ctx", {}).get("max_length")
            messages.append(f"The field '{field}' must be at most {limit} characters.")
        else:
            messages.append(f"{field or 'body'}: {error.get('msg', 'is invalid')}.")
    return " ".join(dict.fromkeys(messages)) or "The request is invalid."


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, embed_origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.embed_headers = [
            *(h for h in SECURITY_HEADERS if h[0] != b"x-frame-options"),
            (b"content-security-policy", embed_policy(embed_origins).encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = list(SECURITY_HEADERS)
        if scope.get("path") == EMBED_PATH:
            # X-Frame-Options has no list of origins: frame-ancestors alone decides.
            headers = list(self.embed_headers)
        elif scope.get("path") in DOCS_PATHS:
            headers.append((b"content-security-policy", DOCS_POLICY.encode()))
        else:
            headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
