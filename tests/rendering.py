"""Renders one reply with the server's partial, outside a request, for the tests that
check what the page without JavaScript shows."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI, Request

from chatbot.response import AskResponse


def render_reply(app: FastAPI, reply: AskResponse, history: Sequence[str] = ()) -> str:
    """The partial `partials/_answer.html` for `reply`, as the chat page renders it."""
    scope = {
        "type": "http",
        "app": app,
        "router": app.router,
        "path": "/",
        "root_path": "",
        "headers": [],
        "query_string": b"",
        "scheme": "http",
        "server": ("testserver", 80),
    }
    template = app.state.templates.env.get_template("partials/_answer.html")
    html: str = template.render(
        request=Request(scope), reply=reply, history_for_buttons=list(history)
    )
    return html
