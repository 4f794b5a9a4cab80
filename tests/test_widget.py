"""The embeddable widget: the script's routes and caching, and who may frame /embed."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from chatbot.settings import PROJECT_ROOT
from tests.conftest import AppFactory

WIDGET = PROJECT_ROOT / "web" / "static" / "widget.js"
ALLOWED = "https://www.example.org"


def _frame_ancestors(csp: str) -> str:
    match = re.search(r"frame-ancestors ([^;]+)", csp)
    assert match
    return match.group(1).strip()


def test_embed_page_is_framed_only_by_the_allowed_origins(app_factory: AppFactory) -> None:
    client = TestClient(app_factory(embed_origins=f"{ALLOWED}, http://127.0.0.1:8001/"))
    response = client.get("/embed")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert _frame_ancestors(csp) == f"{ALLOWED} http://127.0.0.1:8001"
    assert "x-frame-options" not in response.headers
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp


def test_embed_page_is_refused_to_every_site_by_default(app_factory: AppFactory) -> None:
    response = TestClient(app_factory()).get("/embed")
    assert _frame_ancestors(response.headers["content-security-policy"]) == "'none'"


def test_other_pages_stay_unframeable_when_embedding_is_allowed(app_factory: AppFactory) -> None:
    response = TestClient(app_factory(embed_origins=ALLOWED)).get("/")
    assert _frame_ancestors(response.headers["content-security-policy"]) == "'none'"
    assert response.headers["x-frame-options"] == "DENY"


def test_embed_page_has_no_inline_script_or_style(app_factory: AppFactory) -> None:
    html = TestClient(app_factory(embed_origins=ALLOWED)).get("/embed").text
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert "<style" not in html
    assert " style=" not in html
    assert '<base target="_blank">' in html  # links leave the frame


def test_widget_script_is_served_cacheable_and_versioned(app_factory: AppFactory) -> None:
    client = TestClient(app_factory())
    plain = client.get("/widget.js")
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/javascript")
    assert plain.headers["cache-control"] == "public, max-age=300"
    assert plain.content == WIDGET.read_bytes()
    version = plain.headers["etag"].strip('"')
    pinned = client.get(f"/widget-{version}.js")
    assert pinned.status_code == 200
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert pinned.content == plain.content


def test_an_unknown_widget_version_is_a_plain_404(app_factory: AppFactory) -> None:
    response = TestClient(app_factory()).get("/widget-000000000000.js")
    assert response.status_code == 404
    assert "No widget version" in response.json()["detail"]


def test_widget_script_stays_small() -> None:
    # Every host page downloads it: a budget keeps it from growing unnoticed.
    assert WIDGET.stat().st_size < 6000
