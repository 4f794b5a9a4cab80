"""The JSON API: `POST /ask`, `POST /feedback` and `GET /healthz`."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from starlette.concurrency import run_in_threadpool

from chatbot.deps import get_engine, get_question_log, get_settings, require_json
from chatbot.engine import Engine
from chatbot.question_log import QuestionLog, record_answer_async
from chatbot.response import (
    AskRequest,
    AskResponse,
    ErrorResponse,
    FeedbackRequest,
    FeedbackResponse,
    to_response,
)
from chatbot.settings import Settings

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
    # the log's writer thread commits the record, with any others queued beside it.
    answer = engine.ask(body.question, body.history)
    answer_id = await record_answer_async(log, answer)
    return to_response(answer, engine.knowledge, settings.public_url, answer_id)


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
    """Thumbs up or down on an /ask reply, identified by its `answer_id`; with a thumbs-down,
    optionally why (`reason`). The last vote on a reply replaces the one before."""
    if log is None:
        raise HTTPException(
            status_code=404, detail="Feedback is not recorded: the question log is turned off."
        )
    try:
        recorded = await run_in_threadpool(
            log.add_feedback, body.answer_id, body.helpful, body.reason
        )
    except log.errors as error:
        logger.exception("could not write feedback to the question log at %s", log.where)
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
