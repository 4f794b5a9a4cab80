"""FastAPI dependencies: what a route reads from the app, in one place.

Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency
in the thread pool, and that hop costs more than the lookup itself.
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from chatbot.engine import Engine
from chatbot.question_log import QuestionLog
from chatbot.settings import Settings


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_question_log(request: Request) -> QuestionLog | None:
    """The question log, or None when CHATBOT_LOG_QUESTIONS is off."""
    log: QuestionLog | None = request.app.state.question_log
    return log


async def require_json(request: Request) -> None:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(
            status_code=415,
            detail="Send the question as JSON with the header Content-Type: application/json.",
        )
