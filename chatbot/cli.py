"""The `chatbot` command: serve the app, or ask a question from the terminal."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError

from chatbot.app import create_app
from chatbot.engine import Engine
from chatbot.knowledge import KnowledgeError
from chatbot.schemas import MAX_QUESTION_CHARS, to_response
from chatbot.settings import Settings

T = TypeVar("T")

cli = typer.Typer(
    help="An FAQ bot that answers from its knowledge base, verbatim and with sources.",
    no_args_is_help=True,
    add_completion=False,
)

KnowledgeOption = Annotated[
    Path | None,
    typer.Option(
        "--knowledge",
        help="Folder of knowledge documents (default: CHATBOT_KNOWLEDGE_DIR or ./knowledge).",
        file_okay=False,
    ),
]


def load_settings(knowledge: Path | None = None) -> Settings:
    """Settings from the environment, with a clear message instead of a traceback."""
    try:
        settings = Settings()
        if knowledge is not None:
            settings = Settings.model_validate(
                {**settings.model_dump(), "knowledge_dir": knowledge.resolve()}
            )
        return settings
    except ValidationError as error:
        for problem in error.errors():
            name = "CHATBOT_" + "_".join(str(p) for p in problem["loc"]).upper()
            typer.echo(f"error: {name}: {problem['msg']}", err=True)
        raise typer.Exit(2) from None


def built_or_exit(build: Callable[[Settings], T], settings: Settings) -> T:
    """Build the engine or app, printing each knowledge problem as `file:line: message`."""
    try:
        return build(settings)
    except KnowledgeError as error:
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"error: the knowledge base has {len(error.problems)} problem(s)", err=True)
        raise typer.Exit(1) from None


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    knowledge: KnowledgeOption = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Worker processes (default: CHATBOT_WORKERS or 1)."),
    ] = None,
) -> None:
    """Serve the chat page and the JSON API."""
    from chatbot.serving import serve_app

    settings = load_settings(knowledge)
    app = built_or_exit(create_app, settings)  # Fails before the port is bound.
    serve_app(
        app,
        settings,
        host=host or settings.host,
        port=settings.port if port is None else port,
        workers=settings.workers if workers is None else workers,
    )


@cli.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the /ask JSON.")] = False,
    knowledge: KnowledgeOption = None,
) -> None:
    """Answer one question, the same way POST /ask does."""
    question = question.strip()
    if not 1 <= len(question) <= MAX_QUESTION_CHARS:
        typer.echo(f"error: the question must be 1 to {MAX_QUESTION_CHARS} characters", err=True)
        raise typer.Exit(2)
    settings = load_settings(knowledge)
    engine = built_or_exit(Engine.from_settings, settings)
    reply = to_response(engine.ask(question), engine, settings.public_url)
    if as_json:
        typer.echo(json.dumps(reply.model_dump(), indent=2, ensure_ascii=False))
        return
    typer.echo(reply.answer)
    if reply.source:
        typer.echo(f"\nSource: {reply.source.section} — {reply.source.title} ({reply.source.url})")
    if reply.related:
        typer.echo("\nDid you mean:" if not reply.answered else "\nRelated:")
        for item in reply.related:
            typer.echo(f"  - {item.title}")
    typer.echo(f"\n{reply.disclaimer}")


def main() -> None:
    cli(prog_name="chatbot")
