"""The admin inbox: similar questions grouped, and the one-step edits that settle a group."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chatbot.inbox import group_questions, needs_editor
from chatbot.question_log import LoggedQuestion
from tests.conftest import AppFactory

TOKEN = "inbox-test-token-0123456789"
BEARER = {"authorization": f"Bearer {TOKEN}"}
RUBBER_BAND = "can i stretch my wrist with a rubber band"
STEPS = "desk-wrist-stretches#your-step-by-step-wrist-stretch-steps"
FOREARM = "my forearm feels tired after typing all day"
FOREARM_PASSAGE = "desk-wrist-stretches#faq-can-stiff-wrists-cause-forearm-pain"
CARPAL = "is typing bad for carpal tunnel"
ASKED = [
    RUBBER_BAND,
    RUBBER_BAND,
    "Can I stretch my wrist with a rubber band?",
    "wrist rubber band stretch",
    FOREARM,
    CARPAL,
    "how much does acupuncture cost",  # out of scope already: nothing to settle
    "What are the wrist flexors?",  # answered with confidence
]


def _logged(question: str, band: str = "fallback", confidence: float = 0.0) -> LoggedQuestion:
    return LoggedQuestion(
        id=question,
        asked_at=datetime(2024, 1, 1, tzinfo=UTC),
        question=question,
        band=band,
        answered=band == "answer",
        passage_id=None,
        confidence=confidence,
    )


def test_questions_in_other_words_are_one_group_and_other_subjects_are_not() -> None:
    groups = group_questions(
        [_logged(q) for q in ("why are my hips tight", "Tight hips, why?", "hip pain", "knee pain")]
    )
    texts = [sorted(q.question for q in g) for g in groups]
    assert ["Tight hips, why?", "why are my hips tight"] in texts
    assert ["hip pain"] in texts
    assert ["knee pain"] in texts


def test_only_unanswered_and_low_confidence_questions_need_an_editor() -> None:
    assert needs_editor(_logged("x", "fallback"))
    assert needs_editor(_logged("x", "suggest", 0.07))
    assert needs_editor(_logged("x", "answer", 0.2))
    assert not needs_editor(_logged("x", "answer", 0.9))
    assert not needs_editor(_logged("x", "triage"))
    assert not needs_editor(_logged("x", "smalltalk"))


@pytest.fixture
def admin(app_factory: AppFactory, knowledge_dir: Path) -> TestClient:
    client = TestClient(app_factory(knowledge_dir=knowledge_dir, admin_token=TOKEN))
    for question in ASKED:
        assert client.post("/ask", json={"question": question}).status_code == 200
    return client


def _group_heads(html: str) -> list[str]:
    return re.findall(r'<h3 id="group-[0-9a-f]{12}-title">(.*?)</h3>', html)


def test_admin_page_lists_the_groups_to_settle_largest_first(admin: TestClient) -> None:
    page = admin.get("/admin", headers=BEARER)
    assert page.status_code == 200
    heads = _group_heads(page.text)
    assert heads[0] == RUBBER_BAND  # asked four times in three wordings
    assert set(heads) == {RUBBER_BAND, FOREARM, CARPAL}
    assert "Asked 4 time(s), also as:" in page.text
    assert f'value="{FOREARM_PASSAGE}"' in page.text  # among the closest passages


def test_attaching_a_group_answers_the_same_question_next_time(
    admin: TestClient, knowledge_dir: Path
) -> None:
    assert admin.post("/ask", json={"question": RUBBER_BAND}).json()["band"] == "fallback"
    before = (knowledge_dir / "alternates.yaml").read_text()
    response = admin.post(
        "/admin/inbox/alternate",
        data={"question": RUBBER_BAND, "passage_id": STEPS},
        headers=BEARER,
    )
    assert response.status_code == 200
    assert "reloaded" in response.text
    after = (knowledge_dir / "alternates.yaml").read_text()
    # The comment and the order stay; the phrasing joins its passage's list.
    assert after.startswith(before.splitlines()[0])
    assert after.replace(f"  - {RUBBER_BAND}\n", "") == before
    reply = admin.post("/ask", json={"question": RUBBER_BAND}).json()
    assert reply["band"] == "answer"
    assert reply["source"]["id"] == STEPS
    assert RUBBER_BAND not in _group_heads(admin.get("/admin", headers=BEARER).text)


def test_marking_out_of_scope_writes_not_covered_and_settles_the_group(
    admin: TestClient, knowledge_dir: Path
) -> None:
    response = admin.post(
        "/admin/inbox/out-of-scope", data={"term": "carpal tunnel"}, headers=BEARER
    )
    assert response.status_code == 200
    scope = (knowledge_dir / "scope.yaml").read_text()
    assert scope.startswith("# Fixture scope:")
    assert "medication, medicine, carpal tunnel]" in scope
    assert CARPAL not in _group_heads(admin.get("/admin", headers=BEARER).text)


def test_an_edit_the_checks_refuse_is_undone(admin: TestClient, knowledge_dir: Path) -> None:
    # "wrist" names the documents' own subject: check refuses it as not_covered.
    before = (knowledge_dir / "scope.yaml").read_text()
    response = admin.post("/admin/inbox/out-of-scope", data={"term": "wrist"}, headers=BEARER)
    assert response.status_code == 409
    assert "nothing was changed" in response.text
    assert (knowledge_dir / "scope.yaml").read_text() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"question": RUBBER_BAND, "passage_id": "nope#nothing"}, "No passage"),
        ({"question": "   ", "passage_id": STEPS}, "The phrasing is empty."),
    ],
)
def test_bad_edits_get_a_plain_422(admin: TestClient, data: dict[str, str], message: str) -> None:
    response = admin.post("/admin/inbox/alternate", data=data, headers=BEARER)
    assert response.status_code == 422
    assert message in response.text


def test_inbox_edits_refuse_cross_site_requests(admin: TestClient, knowledge_dir: Path) -> None:
    before = (knowledge_dir / "alternates.yaml").read_text()
    response = admin.post(
        "/admin/inbox/alternate",
        data={"question": RUBBER_BAND, "passage_id": STEPS},
        headers={**BEARER, "sec-fetch-site": "cross-site"},
    )
    assert response.status_code == 403
    assert (knowledge_dir / "alternates.yaml").read_text() == before


def test_inbox_edits_need_the_admin_token(admin: TestClient) -> None:
    response = admin.post("/admin/inbox/out-of-scope", data={"term": "carpal tunnel"})
    assert response.status_code == 401
