"""The answer policy as a plain function: bands, related passages and disclaimers."""

from __future__ import annotations

import dataclasses

import pytest

from chatbot.answers import Hit
from chatbot.documents import KnowledgeBase, Passage
from chatbot.knowledge import load_knowledge
from chatbot.policy import FALLBACK_TEXT, Policy, Search, answer_question
from tests.conftest import FIXTURES

# The cast-iron fixture's passages these tests hand to the policy, by anchor.
SOAP_ANCHOR = "faq-can-i-use-soap-on-cast-iron"
RUST_ANCHOR = "faq-why-is-my-pan-rusty"
POLICY = Policy(answer_threshold=0.5, suggest_threshold=0.2, default_disclaimer="Default.")


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return load_knowledge(FIXTURES / "knowledge")


def _passage(knowledge: KnowledgeBase, anchor: str) -> Passage:
    (passage,) = (p for p in knowledge.passages if p.anchor == anchor)
    return passage


@pytest.fixture(scope="module")
def soap(knowledge: KnowledgeBase) -> Passage:
    return _passage(knowledge, SOAP_ANCHOR)


@pytest.fixture(scope="module")
def rust(knowledge: KnowledgeBase) -> Passage:
    return _passage(knowledge, RUST_ANCHOR)


@pytest.fixture(scope="module")
def oil(knowledge: KnowledgeBase) -> Passage:
    return _passage(knowledge, "seasoning-oil")


def search_returning(*scored: tuple[Passage, float]) -> Search:
    return lambda question: [Hit(p, s) for p, s in scored]


@pytest.mark.parametrize(
    ("scores", "band", "answered"),
    [
        ([(SOAP_ANCHOR, 0.9), (RUST_ANCHOR, 0.3)], "answer", True),
        ([(SOAP_ANCHOR, 0.5)], "answer", True),
        ([(SOAP_ANCHOR, 0.49), (RUST_ANCHOR, 0.3)], "suggest", False),
        ([(SOAP_ANCHOR, 0.19)], "fallback", False),
        ([], "fallback", False),
    ],
)
def test_confidence_decides_the_band(
    knowledge: KnowledgeBase, scores: list[tuple[str, float]], band: str, answered: bool
) -> None:
    search = search_returning(*((_passage(knowledge, a), s) for a, s in scores))
    answer = answer_question("q", search, knowledge, POLICY)
    assert (answer.band, answer.answered) == (band, answered)
    assert answer.disclaimer


def test_answer_quotes_the_passage_with_its_document_disclaimer(
    knowledge: KnowledgeBase, soap: Passage
) -> None:
    answer = answer_question("soap?", search_returning((soap, 0.8)), knowledge, POLICY)
    assert answer.text == soap.text
    assert answer.passage == soap
    assert answer.confidence == 0.8
    assert answer.disclaimer == "Fixture disclaimer for cast-iron care."


def test_answer_offers_other_close_passages_as_related(
    knowledge: KnowledgeBase, soap: Passage, rust: Passage, oil: Passage
) -> None:
    search = search_returning((soap, 0.8), (rust, 0.4), (oil, 0.1))
    answer = answer_question("soap?", search, knowledge, POLICY)
    assert answer.related == (rust,)


def test_related_never_repeats_the_title_of_the_answer(
    knowledge: KnowledgeBase, soap: Passage, rust: Passage, oil: Passage
) -> None:
    same_title = dataclasses.replace(oil, title=soap.title)
    search = search_returning((soap, 0.8), (same_title, 0.6), (rust, 0.4))
    answer = answer_question("soap?", search, knowledge, POLICY)
    assert answer.related == (rust,)


@pytest.mark.parametrize(
    ("question", "text", "band"),
    [
        ("how many weeks until my pan stops rusting?", "Dry it well after washing.", "suggest"),
        ("How long should I heat the oil?", "Heat the oil gently.", "suggest"),
        ("how many times should I oil it", "Oil it after every wash.", "suggest"),
        ("how many weeks until my pan stops rusting?", "Within two weeks of daily use.", "answer"),
        ("How long should I heat the oil?", "Heat it for 10 minutes.", "answer"),
        ("how do I stop my pan rusting?", "Dry it well after washing.", "answer"),
    ],
)
def test_a_question_asking_for_a_number_is_answered_only_by_a_passage_with_one(
    knowledge: KnowledgeBase, rust: Passage, question: str, text: str, band: str
) -> None:
    passage = dataclasses.replace(rust, text=text)
    answer = answer_question(question, search_returning((passage, 0.9)), knowledge, POLICY)
    assert answer.band == band
    assert (answer.passage == passage) == (band == "answer")
    if band == "suggest":
        assert answer.related == (passage,)


def test_suggest_band_offers_the_close_passages_and_no_answer_text(
    knowledge: KnowledgeBase, soap: Passage, rust: Passage
) -> None:
    search = search_returning((soap, 0.4), (rust, 0.3))
    answer = answer_question("pan?", search, knowledge, POLICY)
    assert answer.passage is None
    assert answer.related == (soap, rust)
    assert "Did you mean" in answer.text
    assert answer.disclaimer == "Default."


def test_fallback_admits_it_and_offers_starter_topics(
    knowledge: KnowledgeBase, soap: Passage, rust: Passage
) -> None:
    answer = answer_question("weather?", search_returning(), knowledge, POLICY)
    assert answer.text == POLICY.fallback_text
    assert answer.text == FALLBACK_TEXT.format(covers="the topics of our articles")
    assert answer.confidence == 0.0
    assert answer.related == (soap, rust)


@pytest.mark.parametrize(("answer_at", "suggest_at"), [(0.2, 0.5), (1.5, 0.1), (0.5, -0.1)])
def test_policy_rejects_misordered_thresholds(answer_at: float, suggest_at: float) -> None:
    with pytest.raises(ValueError, match="thresholds must satisfy"):
        Policy(answer_threshold=answer_at, suggest_threshold=suggest_at, default_disclaimer="d")
