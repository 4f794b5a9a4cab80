"""The JSON API: `POST /ask`, `POST /feedback` and `GET /healthz`."""

from __future__ import annotations

import logging
import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from chatbot.engine import Engine
from chatbot.policy import Answer
from chatbot.schemas import (
    AskRequest,
    AskResponse,
    ErrorResponse,
    FeedbackRequest,
    FeedbackResponse,
    to_response,
)
from chatbot.settings import Settings
from chatbot.storage import QuestionLog

router = APIRouter()
logger = logging.getLogger(__name__)

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body cannot be decoded (not UTF-8)."},
    413: {"model": ErrorResponse, "description": "The body is over CHATBOT_MAX_BODY_BYTES."},
    415: {"model": ErrorResponse, "description": "The body is not sent as JSON."},
    422: {"model": ErrorResponse, "description": "The question is missing or invalid."},
    429: {
        "model": ErrorResponse,
        "description": "Too many requests from this client; see the Retry-After header.",
    },
}


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency
# in the thread pool, and that hop costs more than the lookup itself.
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


@router.post(
    "/ask",
    tags=["ask"],
    response_model=AskResponse,
    responses=ERRORS,
    dependencies=[Depends(require_json)],
    summary="Answer a question from the knowledge base",
)
async def ask(
    body: AskRequest,
    engine: Annotated[Engine, Depends(get_engine)],
    settings: Annotated[Settings, Depends(get_settings)],
    log: Annotated[QuestionLog | None, Depends(get_question_log)],
) -> AskResponse:
    """Quote the passage that answers the question, with its source and the disclaimer.

    When no passage is close enough, `answered` is false, `source` is null and
    `related` offers questions that can be answered.
    """
    # Answering is a fraction of a millisecond of pure Python and numpy, done here;
    # only the log's disk write goes to the thread pool.
    answer = engine.ask(body.question)
    answer_id = await run_in_threadpool(record_answer, log, answer) if log else ""
    return to_response(answer, engine, settings.public_url, answer_id)


def record_answer(log: QuestionLog | None, answer: Answer) -> str:
    """Log a reply, on disk before it leaves; its id, or "" when it is not logged."""
    if log is None:
        return ""
    try:
        return log.record(answer)
    except sqlite3.Error:
        # The visitor still gets the answer; its id is then not in the log.
        logger.exception("could not write the question log at %s", log.path)
        return ""


@router.post(
    "/feedback",
    tags=["ask"],
    status_code=202,
    response_model=FeedbackResponse,
    responses={
        **ERRORS,
        404: {"model": ErrorResponse, "description": "No logged answer has that id."},
        503: {"model": ErrorResponse, "description": "The question log cannot be written."},
    },
    dependencies=[Depends(require_json)],
    summary="Say whether an answer helped",
)
async def feedback(
    body: FeedbackRequest, log: Annotated[QuestionLog | None, Depends(get_question_log)]
) -> FeedbackResponse:
    """Thumbs up or down on an /ask reply, identified by its `answer_id`."""
    if log is None:
        raise HTTPException(
            status_code=404, detail="Feedback is not recorded: the question log is turned off."
        )
    try:
        recorded = await run_in_threadpool(log.add_feedback, body.answer_id, body.helpful)
    except sqlite3.Error as error:
        logger.exception("could not write feedback to the question log at %s", log.path)
        raise HTTPException(
            status_code=503, detail="Feedback cannot be recorded right now. Please try later."
        ) from error
    if not recorded:
        raise HTTPException(
            status_code=404,
            detail=f"No logged answer has the id '{body.answer_id}'; it may have expired.",
        )
    return FeedbackResponse()


@router.get("/healthz", tags=["ops"], summary="Liveness and readiness probe")
def healthz(engine: Annotated[Engine, Depends(get_engine)]) -> dict[str, Any]:
    return {
        "status": "ok",
        "documents": len(engine.knowledge.documents),
        "passages": len(engine.knowledge.passages),
    }
