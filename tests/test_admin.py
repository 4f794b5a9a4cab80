"""Admin routes: closed without the token, and live reload that never serves a broken edit."""

from __future__ import annotations

import base64
import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chatbot.app import create_app
from chatbot.reloading import SUPERVISOR_VARIABLE
from chatbot.settings import Settings
from tests.conftest import FIXTURES, AppFactory, copy_knowledge, settings_for

MANY = FIXTURES / "many"
TOKEN = "admin-test-token-0123456789"
BEARER = {"authorization": f"Bearer {TOKEN}"}
KETTLE = "kettle-descaling.md"
NEW_FAQ = "### Can I descale with lemon juice?\n\nYes, lemon juice works like vinegar."
ROUTES = [("GET", "/admin"), ("POST", "/admin"), ("POST", "/admin/reload")]


def _basic(user: str, password: str) -> dict[str, str]:
    credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"authorization": f"Basic {credentials}"}


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    return copy_knowledge(MANY, tmp_path / "knowledge")


@pytest.fixture
def admin_client(app_factory: AppFactory, knowledge: Path) -> TestClient:
    return TestClient(app_factory(knowledge_dir=knowledge, admin_token=TOKEN))


@pytest.fixture(scope="module")
def readonly_admin_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """For tests that never edit the folder: one app for the module, not one per test."""
    db = tmp_path_factory.mktemp("admin-log") / "log.db"
    return TestClient(create_app(settings_for(MANY, db, admin_token=TOKEN)))


@pytest.fixture(scope="module")
def client_without_token(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    db = tmp_path_factory.mktemp("no-admin-log") / "log.db"
    return TestClient(create_app(settings_for(MANY, db)))


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_admin_routes_do_not_exist_without_a_configured_token(
    client_without_token: TestClient, method: str, path: str
) -> None:
    client = client_without_token
    for headers in ({}, BEARER, {"authorization": "Bearer "}):
        # A wrong method too: a 405 would show the route exists.
        for any_method in (method, "PUT", "DELETE"):
            response = client.request(any_method, path, headers=headers)
            assert response.status_code == 404
            assert response.json() == {"detail": "Not Found"}


REFUSED = [
    ("no credentials", {}),
    ("wrong bearer", {"authorization": "Bearer not-the-token-0123456789"}),
    ("empty bearer", {"authorization": "Bearer"}),
    ("token as a prefix", {"authorization": f"Bearer {TOKEN}x"}),
    ("wrong basic password", _basic("editor", "not-the-token")),
    ("token as the basic user", _basic(TOKEN, "")),
    ("malformed basic", {"authorization": "Basic !!!"}),
    ("other scheme", {"authorization": f"Token {TOKEN}"}),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("headers", [r[1] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_admin_routes_refuse_without_the_token(
    readonly_admin_client: TestClient, method: str, path: str, headers: dict[str, str]
) -> None:
    response = readonly_admin_client.request(method, path, headers=headers)
    assert response.status_code == 401
    assert "admin token" in response.json()["detail"]
    assert response.headers["www-authenticate"].startswith("Basic ")


@pytest.mark.parametrize(
    "headers", [BEARER, _basic("editor", TOKEN), _basic("", TOKEN)], ids=["bearer", "basic", "bare"]
)
def test_admin_page_opens_with_the_token(
    readonly_admin_client: TestClient, headers: dict[str, str]
) -> None:
    response = readonly_admin_client.get("/admin", headers=headers)
    assert response.status_code == 200
    assert "Question log report" in response.text


def test_a_short_admin_token_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="CHATBOT_ADMIN_TOKEN to at least 16"):
        Settings.model_validate({"admin_token": "short"})


def _ask(client: TestClient, question: str) -> dict[str, Any]:
    response = client.post("/ask", json={"question": question})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _add_faq(knowledge: Path) -> None:
    path = knowledge / KETTLE
    path.write_text(path.read_text() + f"\n{NEW_FAQ}\n")


def test_reload_serves_an_edit_without_a_restart(admin_client: TestClient, knowledge: Path) -> None:
    question = "Can I descale with lemon juice?"
    new_id = "kettle-descaling#faq-can-i-descale-with-lemon-juice"
    assert (_ask(admin_client, question)["source"] or {}).get("id") != new_id
    _add_faq(knowledge)
    response = admin_client.post("/admin/reload", headers=BEARER)
    assert response.status_code == 200
    assert response.json() == {"status": "reloaded", "documents": 2, "passages": 12}
    body = _ask(admin_client, question)
    assert body["source"]["id"] == new_id
    article = admin_client.get("/articles/kettle-descaling").text
    assert 'id="faq-can-i-descale-with-lemon-juice"' in article


@pytest.mark.parametrize(
    ("supervisor", "signalled"),
    [
        (None, False),  # one process: nothing else to reload
        ("parent", True),  # a worker of `chatbot serve --workers`
        ("1", False),  # a variable inherited from elsewhere: not our parent
    ],
)
def test_a_reload_asks_only_its_own_supervisor_to_replace_the_workers(
    admin_client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    supervisor: str | None,
    signalled: bool,
) -> None:
    signals: list[tuple[int, int]] = []
    monkeypatch.setattr(os, "kill", lambda pid, sig: signals.append((pid, sig)))
    if supervisor is not None:
        pid = str(os.getppid()) if supervisor == "parent" else supervisor
        monkeypatch.setenv(SUPERVISOR_VARIABLE, pid)
    assert admin_client.post("/admin/reload", headers=BEARER).status_code == 200
    assert signals == ([(os.getppid(), signal.SIGHUP)] if signalled else [])


def test_a_broken_edit_is_reported_and_the_old_index_keeps_serving(
    admin_client: TestClient, knowledge: Path
) -> None:
    before = _ask(admin_client, "How often should I descale my kettle?")
    path = knowledge / KETTLE
    path.write_text(path.read_text().replace("title: Descaling a Kettle\n", ""))
    response = admin_client.post("/admin/reload", headers=BEARER)
    assert response.status_code == 409
    body = response.json()
    assert "previous version is still being served" in body["detail"]
    # The untitled document is reported first, then what pointed into it.
    assert body["problems"][0] == f"{path}:1: front matter needs a 'title'"
    after = _ask(admin_client, "How often should I descale my kettle?")
    assert after["source"] == before["source"]
    assert admin_client.get("/healthz").json()["documents"] == 2
    assert "Descaling a Kettle" in admin_client.get("/articles/kettle-descaling").text


def _wait_for_answers(statuses: Counter[int], lock: threading.Lock, more_than: int) -> None:
    with lock:
        target = statuses.total() + more_than
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with lock:
            if statuses.total() > target:
                return
        time.sleep(0.01)
    raise AssertionError("the visitors stopped getting answers")


def test_a_swap_under_concurrent_requests_drops_none(
    admin_client: TestClient, knowledge: Path
) -> None:
    path = knowledge / KETTLE
    versions = [path.read_text(), path.read_text().replace("Descaling a Kettle", "Kettle Care")]
    stop = threading.Event()
    statuses: Counter[int] = Counter()
    titles: Counter[str] = Counter()
    failures: list[str] = []
    lock = threading.Lock()

    def visitor() -> None:
        while not stop.is_set():
            response = admin_client.post(
                "/ask", json={"question": "How often should I descale my kettle?"}
            )
            with lock:
                statuses[response.status_code] += 1
                if response.status_code == 200 and response.json()["answered"]:
                    titles[response.json()["source"]["title"]] += 1
                else:
                    failures.append(response.text)

    visitors = [threading.Thread(target=visitor) for _ in range(4)]
    for thread in visitors:
        thread.start()
    try:
        for n in range(8):
            path.write_text(versions[(n + 1) % 2])
            assert admin_client.post("/admin/reload", headers=BEARER).status_code == 200
            # More answers than visitors: at least one visitor asked after this swap.
            _wait_for_answers(statuses, lock, more_than=len(visitors))
    finally:
        stop.set()
        for thread in visitors:
            thread.join(timeout=30)
    assert failures == []
    assert set(statuses) == {200}
    assert statuses[200] > 8 * len(visitors)
    # Both versions were served while the reloads ran: the swaps happened under load.
    assert set(titles) == {"Descaling a Kettle", "Kettle Care"}


def test_the_page_button_reloads_and_shows_the_outcome(
    admin_client: TestClient, knowledge: Path
) -> None:
    login = _basic("editor", TOKEN)
    _add_faq(knowledge)
    done = admin_client.post("/admin", headers=login)
    assert done.status_code == 200
    assert "Reloaded: the new version is being served." in done.text
    assert "with 12 passages" in " ".join(done.text.split())
    path = knowledge / KETTLE
    path.write_text(path.read_text().replace("title: Descaling a Kettle\n", ""))
    refused = admin_client.post("/admin", headers=login)
    assert refused.status_code == 409
    assert f"<code>{path}:1: front matter needs a &#39;title&#39;</code>" in refused.text
    assert admin_client.get("/healthz").json()["passages"] == 12


@pytest.mark.parametrize(("method", "path"), [r for r in ROUTES if r[0] == "POST"])
@pytest.mark.parametrize(
    ("sent", "status"),
    [
        ({"origin": "https://elsewhere.example"}, 403),
        ({"origin": "http://testserver"}, 200),
        ({}, 200),
        ({"sec-fetch-site": "cross-site", "origin": "http://testserver"}, 403),
        ({"sec-fetch-site": "same-site"}, 403),
        ({"sec-fetch-site": "same-origin", "origin": "https://proxy.example"}, 200),
        ({"sec-fetch-site": "none"}, 200),
    ],
)
def test_admin_changes_from_another_site_are_refused(
    readonly_admin_client: TestClient,
    method: str,
    path: str,
    sent: dict[str, str],
    status: int,
) -> None:
    # A reload of the unchanged folder: the same app can serve every case.
    headers = {**BEARER, **sent}
    response = readonly_admin_client.request(method, path, headers=headers)
    assert response.status_code == status
