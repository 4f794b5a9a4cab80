"""The public JSON contract of `POST /ask`: request and response models."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from chatbot.answers import Answer
from chatbot.documents import KnowledgeBase, Passage
from chatbot.log_rows import FeedbackReason
from chatbot.urls import passage_url

MAX_QUESTION_CHARS = 1000
# Earlier questions a follow-up may lean on; older ones are not sent.
MAX_HISTORY = 10


def _trimmed(text: str) -> str:
    """The question without surrounding spaces; one of spaces only is empty."""
    text = text.strip()
    if not text:
        raise PydanticCustomError("string_too_short", "String should have at least 1 character")
    return text


# The length is checked as sent, then trimmed: the schema's maxLength is the limit a
# client sees, so " " + 1000 characters is refused like 1001 characters.
Question = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_QUESTION_CHARS),
    AfterValidator(_trimmed),
]


class AskRequest(BaseModel):
    model_config = ConfigDict(
        strict=True,
        json_schema_extra={"examples": [{"question": "Why are my hamstrings tight?"}]},
    )

    question: Question = Field(
        description="What the person asked: at most 1000 characters, not only spaces."
    )
    history: list[Question] = Field(
        default_factory=list,
        max_length=MAX_HISTORY,
        description="The conversation's earlier questions, oldest first (optional, at most "
        f"{MAX_HISTORY}): a short follow-up such as 'and how often?' is understood with them.",
    )


class Source(BaseModel):
    id: str = Field(description="Stable id of the quoted passage.")
    document: str = Field(description="Id (slug) of the document the passage is from.")
    title: str = Field(description="Title of that document.")
    section: str = Field(description="Heading of the section the passage is in.")
    kind: Literal["faq", "article"] = Field(description="An FAQ entry or article text.")
    url: str = Field(description="Link to the passage on the article page.")
    source_url: str | None = Field(
        default=None,
        description="Where the article was first published (its `source_url`), if known.",
    )


class Related(BaseModel):
    id: str = Field(description="Stable id of the passage.")
    title: str = Field(description="A question or topic worth asking about.")
    url: str = Field(description="Link to its passage on the article page.")


class AskResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "answer_id": "0f8e4c2a9b7d4e61a3c5b2d1e0f9a8b7",
                    "question": "Why are my hamstrings tight?",
                    "answered": True,
                    "band": "answer",
                    "answer": "Sitting for long periods and sports such as running keep "
                    "the hamstrings short, so they feel tight when you stand and move.",
                    "confidence": 1.0,
                    "source": {
                        "id": "stretching-your-hamstrings#faq-why-are-my-hamstrings-tight",
                        "document": "stretching-your-hamstrings",
                        "title": "Stretching Your Hamstrings",
                        "section": "Frequently Asked Questions",
                        "kind": "faq",
                        "url": "/articles/stretching-your-hamstrings"
                        "#faq-why-are-my-hamstrings-tight",
                        "source_url": "https://example.org/stretching-your-hamstrings",
                    },
                    "related": [
                        {
                            "id": "stretching-your-hamstrings"
                            "#faq-how-long-should-i-hold-a-hamstring-stretch",
                            "title": "How long should I hold a hamstring stretch?",
                            "url": "/articles/stretching-your-hamstrings"
                            "#faq-how-long-should-i-hold-a-hamstring-stretch",
                        }
                    ],
                    "disclaimer": "This information is educational and is not medical advice. …",
                }
            ]
        }
    )

    answer_id: str | None = Field(
        description="Id of this reply in the question log, to send feedback about it; "
        "null when the reply was not logged."
    )
    question: str = Field(description="The question as received, trimmed.")
    answered: bool = Field(description="True when `answer` quotes the knowledge base.")
    band: Literal["answer", "suggest", "fallback", "triage", "smalltalk"] = Field(
        description="What kind of reply this is, so clients can render each kind."
    )
    answer: str = Field(description="The passage, verbatim; or a polite fallback.")
    confidence: float = Field(ge=0.0, le=1.0, description="How well the passage matched.")
    source: Source | None = Field(description="Where the answer is quoted from; null if none.")
    related: list[Related] = Field(
        max_length=3, description="Up to three other questions or topics to try."
    )
    disclaimer: str = Field(min_length=1, description="The medical disclaimer; always present.")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        strict=True,
        json_schema_extra={
            "examples": [
                {"answer_id": "0f8e4c2a9b7d4e61a3c5b2d1e0f9a8b7", "helpful": True},
                {
                    "answer_id": "0f8e4c2a9b7d4e61a3c5b2d1e0f9a8b7",
                    "helpful": False,
                    "reason": "too_general",
                },
            ],
            # The schema says what the validator below enforces, so clients (and the
            # schema-driven fuzz test) know a thumbs-up carries no reason.
            "if": {"properties": {"helpful": {"const": True}}, "required": ["helpful"]},
            "then": {"properties": {"reason": {"type": "null"}}},
        },
    )

    answer_id: Annotated[
        str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    ] = Field(description="The `answer_id` of the /ask reply this is about.")
    helpful: bool = Field(description="Thumbs up (true) or down (false).")
    reason: FeedbackReason | None = Field(
        default=None,
        description="Why it did not help, only with `helpful` false (optional): `wrong` "
        "(a wrong answer), `unanswered` (it did not answer the question) or `too_general`. "
        "It replaces the reply's earlier vote, as any vote does.",
    )

    @field_validator("reason")
    @classmethod
    def _only_with_thumbs_down(cls, reason: str | None, info: ValidationInfo) -> str | None:
        if reason is not None and info.data.get("helpful") is True:
            raise PydanticCustomError(
                "reason_with_thumbs_up",
                "a reason can only be given with helpful false (a thumbs-down)",
            )
        return reason


class FeedbackResponse(BaseModel):
    status: Literal["accepted"] = "accepted"


class ErrorResponse(BaseModel):
    detail: str = Field(description="What was wrong with the request, in plain words.")


def to_response(
    answer: Answer,
    knowledge: KnowledgeBase,
    url_prefix: str = "",
    answer_id: str | None = None,
) -> AskResponse:
    """The JSON reply for `answer`; `answer_id` is set only when the reply was logged."""
    source = None
    if answer.passage is not None:
        passage = answer.passage
        document = knowledge.document(passage.document)
        source = Source(
            id=passage.id,
            document=passage.document,
            title=document.title if document else passage.document,
            section=passage.section,
            kind=passage.kind,
            url=passage_url(passage, url_prefix),
            source_url=document.source_url if document else None,
        )
    return AskResponse(
        answer_id=answer_id,
        question=answer.question,
        answered=answer.answered,
        band=answer.band,
        answer=answer.text,
        confidence=answer.confidence,
        source=source,
        related=[related(p, url_prefix) for p in answer.related],
        disclaimer=answer.disclaimer,
    )


def related(passage: Passage, url_prefix: str = "") -> Related:
    return Related(id=passage.id, title=passage.title, url=passage_url(passage, url_prefix))
