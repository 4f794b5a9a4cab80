"""The `chatbot` command: serve the app, ask from the terminal, check knowledge, report.

`chatbot --help` and argument errors must answer at once, so this module imports only
typer and the standard library; each command imports what it needs (pydantic, the web
stack, scikit-learn) when it runs.
"""

from __future__ import annotations

import errno
import json
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:
    from chatbot.question_log import LogSnapshot
    from chatbot.settings import Settings

T = TypeVar("T")

cli = typer.Typer(
    help="An FAQ bot that answers from its knowledge base, verbatim and with sources.",
    no_args_is_help=True,
    add_completion=False,
    # Plain help: Rich's panels label every flag `<bool>`, and importing Rich is slow.
    rich_markup_mode=None,
)

KnowledgeOption = Annotated[
    Path | None,
    typer.Option(
        "--knowledge",
        help="Folder of knowledge documents (default: CHATBOT_KNOWLEDGE_DIR, else "
        "knowledge/ in the current folder).",
        file_okay=False,
    ),
]


def load_settings(knowledge: Path | None = None) -> Settings:
    """Settings from the environment, with a clear message instead of a traceback."""
    from pydantic import ValidationError

    from chatbot.settings import Settings

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


def knowledge_settings(knowledge: Path | None, how: str = "pass --knowledge") -> Settings:
    """Settings whose knowledge folder exists; `how` says how to name another folder."""
    settings = load_settings(knowledge)
    if not settings.knowledge_dir.is_dir():
        # The default is relative to the current folder, so say where it was looked for.
        typer.echo(
            f"error: no knowledge folder at {settings.knowledge_dir.resolve()} "
            f"(set CHATBOT_KNOWLEDGE_DIR or {how})",
            err=True,
        )
        raise typer.Exit(2)
    return settings


def check_listen(host: str, port: int) -> None:
    """Raise `OSError` when `host:port` cannot be listened on right now (busy, not an
    address of this machine, or a port that needs privileges).

    A quick bind, closed at once, on every address `host` resolves to, as the server
    binds them; with `SO_REUSEADDR`, as uvicorn sets it, so connections of a server
    that just stopped (TIME_WAIT) do not count as busy, while a listener does.
    """
    addresses = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
    )
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                # As asyncio does, so "::" and "0.0.0.0" are probed apart.
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            probe.bind(address)


def built_or_exit(build: Callable[[Settings], T], settings: Settings) -> T:
    """Build the engine or app, printing each knowledge problem as `file:line: message`."""
    from chatbot.problems import KnowledgeError
    from chatbot.question_log import QuestionLogError

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
    settings = knowledge_settings(knowledge)
    host = host or settings.host
    port = settings.port if port is None else port
    web = settings.web_dir
    if not ((web / "templates").is_dir() and (web / "static").is_dir()):
        typer.echo(
            f"error: {web.resolve()} has no templates/ and static/ folders (set "
            "CHATBOT_WEB_DIR to the folder holding them, or leave it unset)",
            err=True,
        )
        raise typer.Exit(2)

    # Before the knowledge base loads, which takes seconds: a busy port fails at once.
    try:
        check_listen(host, port)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            message = f"port {port} is already in use on {host}; choose another with --port"
        else:
            reason = error.strerror or str(error)
            message = f"cannot listen on {host}:{port} ({reason}); check --host and --port"
        typer.echo(f"error: {message}", err=True)
        raise typer.Exit(1) from None

    from chatbot.app import create_app
    from chatbot.reloading import reload_on_hangup
    from chatbot.serving import serve_app

    app = built_or_exit(create_app, settings)
    workers = settings.workers if workers is None else workers
    if workers == 1:
        # With several workers uvicorn's supervisor owns SIGHUP: it restarts them all.
        reload_on_hangup(app)
    serve_app(app, settings, host=host, port=port, workers=workers)


@cli.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question to answer.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the /ask JSON.")] = False,
    knowledge: KnowledgeOption = None,
) -> None:
    """Answer one question, the same way POST /ask does."""
    from chatbot.response import MAX_QUESTION_CHARS

    question = question.strip()
    if not 1 <= len(question) <= MAX_QUESTION_CHARS:
        typer.echo(f"error: the question must be 1 to {MAX_QUESTION_CHARS} characters", err=True)
        raise typer.Exit(2)
    settings = knowledge_settings(knowledge)

    from chatbot.engine import Engine
    from chatbot.response import to_response

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
            help="Knowledge folder to check (default: CHATBOT_KNOWLEDGE_DIR, else "
            "knowledge/ in the current folder).",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Check every document and data file; print each problem as file:line: message."""
    settings = knowledge_settings(directory, how="name the folder: chatbot check FOLDER")

    from chatbot.engine import Engine

    # The whole engine, index included: a folder passes only if `serve` would start on it.
    engine = built_or_exit(Engine.from_settings, settings)
    knowledge = engine.knowledge
    typer.echo(
        f"ok: {len(knowledge.documents)} document(s), {len(knowledge.passages)} passages, "
        f"{len(knowledge.synonyms)} synonym(s), {len(knowledge.alternates)} passage(s) with "
        f"alternate phrasings in {settings.knowledge_dir}"
    )
    from chatbot import defaults
    from chatbot.rules import load_rules

    # Which rules are in force matters to an editor: a folder can only add or replace.
    for kind, rules, base, own in (
        ("red flags", engine.red_flags, defaults.RED_FLAGS, "safety.yaml"),
        ("small talk", engine.chat, defaults.SMALLTALK, "smalltalk.yaml"),
    ):
        package = {r.name: r for r in load_rules(base).rules}
        added = sum(r.name not in package for r in rules.rules)
        replaced = sum(r.name in package and r.line != package[r.name].line for r in rules.rules)
        path = settings.knowledge_dir / own
        change = (
            f"{added} added and {replaced} replaced by {path}"
            if path.is_file()
            else f"none added or replaced (the folder has no {own})"
        )
        typer.echo(
            f"{kind}: {len(rules.rules)} rules in force: the package's {len(package)}, {change}"
        )
    model = engine.red_flag_model
    if model is not None:
        typer.echo(
            f"red-flag model: learnt from {model.size} examples, flags at probability "
            f"{model.threshold} what no rule matched"
        )
    site = "site.yaml" if (settings.knowledge_dir / "site.yaml").is_file() else "the documents"
    typer.echo(f"site: {engine.site.name!r}, from {site}")


@cli.command()
def report(
    db: Annotated[
        Path | None,
        typer.Option(help="Question log to read (default: CHATBOT_DB).", dir_okay=False),
    ] = None,
    # The defaults live in chatbot.report, which this module does not import up front.
    top: Annotated[
        int | None, typer.Option(min=1, help="How many questions per list (default: 10).")
    ] = None,
    below: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=1.0, help="Answers under this confidence count as low (default: 0.5)."
        ),
    ] = None,
) -> None:
    """What visitors asked that went unanswered or did not help, and questions per day."""
    from chatbot.report import LOW_CONFIDENCE, TOP, build_report, format_report

    snapshot = _read_log_or_exit(db)
    low = LOW_CONFIDENCE if below is None else below
    typer.echo(format_report(build_report(snapshot, low_confidence=low, top=top or TOP)))


def _read_log_or_exit(db: Path | None) -> LogSnapshot:
    """The log at --db, else CHATBOT_DATABASE_URL's, else CHATBOT_DB's; exit 1 with a message."""
    import sqlite3

    from chatbot.question_log import read_log
    from chatbot.settings import redacted

    settings = load_settings()
    target: Path | str = db or settings.log_location
    where = target if isinstance(target, Path) else redacted(target)
    try:
        return read_log(target)
    except FileNotFoundError:
        typer.echo(f"error: no question log at {where} (set CHATBOT_DB, or --db)", err=True)
        raise typer.Exit(1) from None
    except sqlite3.Error as error:
        typer.echo(f"error: cannot read the question log at {where}: {error}", err=True)
        raise typer.Exit(1) from None
    except Exception as error:  # psycopg's errors, imported only with a database URL
        if type(error).__module__.partition(".")[0] != "psycopg":
            raise
        typer.echo(f"error: cannot read the question log at {where}: {error}", err=True)
        raise typer.Exit(1) from None


@cli.command()
def export(
    output_format: Annotated[
        str, typer.Option("--format", help="jsonl (one JSON object a line) or csv.")
    ] = "jsonl",
    out: Annotated[
        Path | None,
        typer.Option(help="File to write (default: standard output).", dir_okay=False),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            help="SQLite log to read (default: CHATBOT_DATABASE_URL, else CHATBOT_DB).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Every logged question with its feedback, oldest first, from either database."""
    from chatbot.question_log import EXPORT_FORMATS, write_export

    if output_format not in EXPORT_FORMATS:
        typer.echo(f"error: --format must be one of {', '.join(EXPORT_FORMATS)}", err=True)
        raise typer.Exit(2)
    snapshot = _read_log_or_exit(db)
    if out is None:
        write_export(snapshot, output_format, typer.get_text_stream("stdout"))
        return
    try:
        with out.open("w", encoding="utf-8", newline="") as file:
            write_export(snapshot, output_format, file)
    except OSError as error:
        typer.echo(f"error: cannot write {out}: {error.strerror}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{len(snapshot.questions)} questions written to {out}", err=True)


@cli.command("import-log")
def import_log(
    source: Annotated[Path, typer.Argument(help="A `chatbot export --format jsonl` file.")],
) -> None:
    """Add an exported log to this one (CHATBOT_DATABASE_URL, else CHATBOT_DB); ids kept."""
    from chatbot.question_log import ExportError, QuestionLog, read_export

    settings = load_settings()
    try:
        snapshot = read_export(source)
    except OSError as error:
        typer.echo(f"error: cannot read {source}: {error.strerror}", err=True)
        raise typer.Exit(1) from None
    except ExportError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    log = built_or_exit(lambda s: QuestionLog(s.log_location, s.retention_days), settings)
    try:
        added = log.load(snapshot)
    finally:
        log.close()
    typer.echo(
        f"{added} of {len(snapshot.questions)} questions added to {log.where} "
        "(those already there kept)"
    )


@cli.command("eval")
def evaluate_questions(
    questions: Annotated[
        Path, typer.Argument(help="Question set (YAML), e.g. knowledge/questions.yaml.")
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
    # Checked before the knowledge base loads, and named as the question file, not as
    # a fault of the knowledge base.
    if not questions.is_file():
        typer.echo(f"error: no question file at {questions}", err=True)
        raise typer.Exit(2)
    settings = knowledge_settings(knowledge)

    from chatbot.datafile import DataFileError
    from chatbot.engine import Engine
    from chatbot.evaluation import evaluate, load_cases, summarize
    from chatbot.evaluation import report as format_results
    from chatbot.problems import KnowledgeError

    engine = built_or_exit(Engine.from_settings, settings)
    passage_ids = {p.id for p in engine.knowledge.passages}
    try:
        cases = load_cases(questions, passage_ids)
    except DataFileError as error:  # unreadable, not UTF-8 or not YAML
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        typer.echo(f"error: cannot read the question file {questions}", err=True)
        raise typer.Exit(2) from None
    except KnowledgeError as error:
        for problem in error.problems:
            typer.echo(str(problem), err=True)
        count = len(error.problems)
        typer.echo(f"error: the question file {questions} has {count} problem(s)", err=True)
        raise typer.Exit(1) from None
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


@cli.command("import")
def import_pages(
    pages: Annotated[
        list[Path],
        typer.Argument(help="Saved article pages (.html) to turn into knowledge documents."),
    ],
    out: Annotated[
        Path,
        typer.Option(
            help="Folder to write the Markdown documents to (created when missing).",
            file_okay=False,
        ),
    ] = Path("imported"),
) -> None:
    """Turn saved article pages into knowledge documents; report what was not imported."""
    try:
        from chatbot.importer import ImportUnavailableError, format_report, import_page
    except ImportError:  # pragma: no cover - only without the extra
        typer.echo(
            "error: chatbot import needs the 'import' extra: pip install 'chatbot[import]'",
            err=True,
        )
        raise typer.Exit(2) from None
    failed = 0
    for path in pages:
        try:
            page = import_page(path)
        except ImportUnavailableError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from None
        except OSError as error:
            typer.echo(f"{path}: error: cannot read it ({error.strerror or error})", err=True)
            failed += 1
            continue
        except ValueError as error:
            typer.echo(f"{path}: error: {error}", err=True)
            failed += 1
            continue
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{page.slug}.md"
        target.write_text(page.markdown, encoding="utf-8")
        typer.echo("\n".join(format_report(page, target)))
    if failed:
        typer.echo(f"error: {failed} page(s) could not be imported", err=True)
        raise typer.Exit(1)
    typer.echo(f"next: chatbot check {out}")


def main() -> None:
    cli(prog_name="chatbot")
