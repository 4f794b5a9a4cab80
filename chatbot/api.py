"""The JSON API: `POST /ask` and `GET /healthz`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request

from chatbot.engine import Engine
from chatbot.schemas import (
    AskRequest,
    AskResponse,
    ErrorResponse,
    FeedbackRequest,
    FeedbackResponse,
    to_response,
)
from chatbot.settings import Settings

router = APIRouter()

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
def ask(
    body: AskRequest,
    engine: Annotated[Engine, Depends(get_engine)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> AskResponse:
    """Quote the passage that answers the question, with its source and the disclaimer.

    When no passage is close enough, `answered` is false, `source` is null and
    `related` offers questions that can be answered.
    """
    return to_response(engine.ask(body.question), engine, settings.public_url)


@router.post(
    "/feedback",
    tags=["ask"],
    status_code=202,
    response_model=FeedbackResponse,
    responses=ERRORS,
    dependencies=[Depends(require_json)],
    summary="Say whether an answer helped",
)
def feedback(body: FeedbackRequest) -> FeedbackResponse:
    """Thumbs up or down on an /ask reply, identified by its `answer_id`."""
    return FeedbackResponse()


@router.get("/healthz", tags=["ops"], summary="Liveness and readiness probe")
def healthz(engine: Annotated[Engine, Depends(get_engine)]) -> dict[str, Any]:
    return {
        "status": "ok",
        "documents": len(engine.knowledge.documents),
        "passages": len(engine.knowledge.passages),
    }
