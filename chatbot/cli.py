"""The `chatbot` command: serve the app, ask from the terminal, check knowledge, report."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError

from chatbot.app import create_app
from chatbot.engine import Engine
from chatbot.problems import KnowledgeError
from chatbot.question_log import QuestionLogError, read_log
from chatbot.reloading import reload_on_hangup
from chatbot.report import LOW_CONFIDENCE, TOP, build_report, format_report
from chatbot.response import MAX_QUESTION_CHARS, to_response
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
        help="Folder of knowledge documents (default: CHATBOT_KNOWLEDGE_DIR or the "
        "project's knowledge/).",
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
            where = "_".join(str(p) for p in problem["loc"]).upper()
            # A check across settings has no single variable; its message names them.
            prefix = f"CHATBOT_{where}: " if where else ""
            typer.echo(f"error: {prefix}{problem['msg']}", err=True)
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
    except QuestionLogError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(min=0, max=65535, help="Port to listen on.")] = None,
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
    workers = settings.workers if workers is None else workers
    if workers == 1:
        # With several workers uvicorn's supervisor owns SIGHUP: it restarts them all.
        reload_on_hangup(app)
    serve_app(
        app,
        settings,
        host=host or settings.host,
        port=settings.port if port is None else port,
        workers=workers,
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
    reply = to_response(engine.ask(question), engine.knowledge, settings.public_url)
    if as_json:
        typer.echo(json.dumps(reply.model_dump(), indent=2, ensure_ascii=False))
        return
    typer.echo(reply.answer)
    if reply.source:
        typer.echo(f"\nSource: {reply.source.section} — {reply.source.title} ({reply.source.url})")
    if reply.related:
        heading = {"answer": "Related:", "suggest": "Did you mean:"}.get(reply.band, "You can ask:")
        typer.echo(f"\n{heading}")
        for item in reply.related:
            typer.echo(f"  - {item.title}")
    typer.echo(f"\n{reply.disclaimer}")


@cli.command()
def check(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Knowledge folder to check (default: CHATBOT_KNOWLEDGE_DIR or the project's "
            "knowledge/).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Check every document and data file; print each problem as file:line: message."""
    settings = load_settings(directory)
    engine = built_or_exit(Engine.from_settings, settings)
    knowledge = engine.knowledge
    typer.echo(
        f"ok: {len(knowledge.documents)} document(s), {len(knowledge.passages)} passages, "
        f"{len(knowledge.synonyms)} synonym(s), {len(knowledge.alternates)} passage(s) with "
        f"alternate phrasings in {settings.knowledge_dir}"
    )


@cli.command()
def report(
    db: Annotated[
        Path | None,
        typer.Option(help="Question log to read (default: CHATBOT_DB).", dir_okay=False),
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="How many questions per list.")] = TOP,
    below: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Answers under this confidence count as low."),
    ] = LOW_CONFIDENCE,
) -> None:
    """What visitors asked that went unanswered or did not help, and questions per day."""
    path = db or load_settings().db
    try:
        snapshot = read_log(path)
    except FileNotFoundError:
        typer.echo(f"error: no question log at {path} (set CHATBOT_DB, or --db)", err=True)
        raise typer.Exit(1) from None
    except sqlite3.Error as error:
        typer.echo(f"error: cannot read the question log at {path}: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(format_report(build_report(snapshot, low_confidence=below, top=top)))


@cli.command("eval")
def evaluate_questions(
    questions: Annotated[
        Path, typer.Argument(help="Question set (YAML), e.g. tests/data/questions.yaml.")
    ],
    min_accuracy: Annotated[
        float, typer.Option(help="Fail below this top-1 accuracy on answerable questions.")
    ] = 0.0,
    min_abstain: Annotated[
        float, typer.Option(help="Fail below this abstention rate on out-of-scope questions.")
    ] = 0.0,
    split: Annotated[
        str | None, typer.Option(help="Only the questions of this split (e.g. tune, check).")
    ] = None,
    knowledge: KnowledgeOption = None,
) -> None:
    """Replay a question set as POST /ask does; exit 1 below a floor or on a safety miss."""
    from chatbot.evaluation import evaluate, load_cases, summarize
    from chatbot.evaluation import report as format_results

    settings = load_settings(knowledge)
    engine = built_or_exit(Engine.from_settings, settings)
    passage_ids = {p.id for p in engine.knowledge.passages}
    cases = built_or_exit(lambda _: load_cases(questions, passage_ids), settings)
    if split is not None:
        cases = [c for c in cases if c.split == split]
        if not cases:
            typer.echo(f"error: no question has the split '{split}'", err=True)
            raise typer.Exit(2)
    results = evaluate(engine, cases)
    typer.echo(format_results(results))
    summary = summarize(results)
    failed = [
        message
        for message, bad in (
            (f"top-1 accuracy below {min_accuracy:.1%}", summary.top1 < min_accuracy),
            (f"abstention below {min_abstain:.1%}", summary.abstain_recall < min_abstain),
            ("a red flag was not triaged", summary.red_flags_triaged < summary.red_flags),
            ("a reply had no disclaimer", summary.missing_disclaimer > 0),
        )
        if bad
    ]
    for message in failed:
        typer.echo(f"FAIL: {message}", err=True)
    if failed:
        raise typer.Exit(1)


def main() -> None:
    cli(prog_name="chatbot")
