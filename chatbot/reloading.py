"""Reloading the knowledge base in a running server: a new engine, checked, swapped in.

Used by `POST /admin/reload` and by SIGHUP; under `chatbot serve --workers` a sound
edit also asks the supervisor to replace every worker.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType

from fastapi import FastAPI

from chatbot.engine import Engine
from chatbot.problems import KnowledgeError
from chatbot.settings import Settings

# Set for worker processes to the pid of the uvicorn supervisor `chatbot serve` runs,
# so a reload in one worker knows whom to ask to replace them all.
SUPERVISOR_VARIABLE = "CHATBOT_SERVE_SUPERVISOR_PID"
_reload_lock = threading.Lock()
_server_log = logging.getLogger("uvicorn.error")


def reload_engine(app: FastAPI) -> tuple[str, ...]:
    """Build a new engine beside the serving one and swap it in only if it is sound.

    Returns the problems found; when there are any, nothing was changed.
    """
    settings: Settings = app.state.settings
    with _reload_lock:
        try:
            engine = Engine.from_settings(settings)
        except KnowledgeError as error:
            return tuple(str(p) for p in error.problems)
        # One attribute store: a request sees the old engine or the new one, never a mix.
        app.state.engine = engine
    if os.environ.get(SUPERVISOR_VARIABLE) == str(os.getppid()):
        # The other workers still serve the old version; the supervisor `chatbot serve
        # --workers` started replaces them all (this one too), each new one up before
        # the old one leaves.
        os.kill(os.getppid(), signal.SIGHUP)
    return ()


def reload_on_hangup(app: FastAPI) -> None:
    """Make SIGHUP reload the knowledge base, as POST /admin/reload does.

    No token is needed: only the machine's own administrators can signal the process.
    The build runs on its own thread so the server keeps answering meanwhile.
    """
    if not hasattr(signal, "SIGHUP"):
        return

    def on_hangup(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=_reload_and_log, args=(app,), name="knowledge-reload").start()

    signal.signal(signal.SIGHUP, on_hangup)


def _reload_and_log(app: FastAPI) -> None:
    problems = reload_engine(app)
    if problems:
        _server_log.error("%s\n%s", kept_message(problems), "\n".join(problems))
        return
    knowledge = app.state.engine.knowledge
    _server_log.info(
        "Reloaded the knowledge base: %d document(s), %d passages.",
        len(knowledge.documents),
        len(knowledge.passages),
    )


def kept_message(problems: tuple[str, ...]) -> str:
    return (
        f"The knowledge base has {len(problems)} problem(s); nothing was changed and "
        "the previous version is still being served."
    )
