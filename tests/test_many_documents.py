"""A knowledge folder of several documents: each loaded, cited and disclaimed on its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chatbot.app import create_app
from chatbot.settings import DEFAULT_DISCLAIMER, Settings
from chatbot.validation import load_validated_knowledge
from tests.conftest import FIXTURES, AppFactory

MANY = FIXTURES / "many"
KETTLE = "kettle-descaling"
STARTER = "sourdough-starter"


@pytest.fixture
def many_client(app_factory: AppFactory) -> TestClient:
    return TestClient(app_factory(knowledge_dir=MANY))


CITATIONS = [
    (
        "How often should I descale my kettle?",
        KETTLE,
        "Descaling a Kettle",
        "faq-how-often-should-i-descale-my-kettle",
        "Fixture disclaimer for kettle descaling.",
    ),
    (
        "Why does my starter smell of vinegar?",
        STARTER,
        "Keeping a Sourdough Starter",
        "faq-why-does-my-starter-smell-of-vinegar",
        DEFAULT_DISCLAIMER,
    ),
    (
        "my levain smells sour like nail polish",  # an alternate phrasing from alternates.yaml
        STARTER,
        "Keeping a Sourdough Starter",
        "faq-why-does-my-starter-smell-of-vinegar",
        DEFAULT_DISCLAIMER,
    ),
]


@pytest.mark.parametrize(
    ("question", "slug", "title", "anchor", "disclaimer"),
    CITATIONS,
    ids=["kettle faq", "starter faq", "starter alternate"],
)
def test_each_document_is_cited_with_its_own_title_link_and_disclaimer(
    many_client: TestClient, question: str, slug: str, title: str, anchor: str, disclaimer: str
) -> None:
    body = many_client.post("/ask", json={"question": question}).json()
    assert body["answered"] is True
    assert body["source"]["document"] == slug
    assert body["source"]["title"] == title
    assert body["source"]["url"] == f"/articles/{slug}#{anchor}"
    assert body["disclaimer"] == disclaimer
    page = many_client.get(f"/articles/{slug}")
    assert page.status_code == 200
    assert f'id="{anchor}"' in page.text
    assert disclaimer in page.text


def test_both_documents_are_loaded_and_listed(many_client: TestClient) -> None:
    health = many_client.get("/healthz").json()
    assert health["documents"] == 2
    page = many_client.get("/").text
    assert f"/articles/{KETTLE}" in page
    assert f"/articles/{STARTER}" in page


def test_document_disclaimer_overrides_the_configured_default(app_factory: AppFactory) -> None:
    client = TestClient(app_factory(knowledge_dir=MANY, default_disclaimer="Configured default."))
    kettle = client.post("/ask", json={"question": "Is limescale harmful to the kettle?"}).json()
    starter = client.post("/ask", json={"question": "Why does my starter smell of vinegar?"})
    assert kettle["disclaimer"] == "Fixture disclaimer for kettle descaling."
    assert starter.json()["disclaimer"] == "Configured default."


def test_knowledge_dir_setting_points_the_bot_at_another_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHATBOT_KNOWLEDGE_DIR", str(MANY))
    client = TestClient(create_app(Settings()))
    assert client.get("/healthz").json()["documents"] == 2
    assert client.get(f"/articles/{KETTLE}").status_code == 200


def _ids(folder: Path, slug: str) -> list[str]:
    knowledge = load_validated_knowledge(folder)
    return [p.id for p in knowledge.passages if p.document == slug]


@pytest.mark.parametrize("change", ["add a document", "remove a document", "edit a document"])
def test_passage_ids_stay_stable_when_other_documents_change(tmp_path: Path, change: str) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(MANY, folder)
    before = _ids(folder, KETTLE)
    (folder / "alternates.yaml").unlink()  # it names a passage of the starter document
    if change == "add a document":
        (folder / "aaa-first.md").write_text("---\ntitle: First\n---\n\n## Intro\n\nSome text.\n")
    elif change == "remove a document":
        (folder / f"{STARTER}.md").unlink()
        (folder / "synonyms.yaml").unlink()
    else:
        path = folder / f"{STARTER}.md"
        path.write_text(path.read_text().replace("## Feeding", "## Intro\n\nNew.\n\n## Feeding"))
    assert _ids(folder, KETTLE) == before
    assert len(before) == 5
