"""The TF-IDF retriever over the seed article."""

from __future__ import annotations

import pytest

from chatbot.engine import Engine
from chatbot.knowledge import Passage, load_knowledge
from chatbot.retrieval import Retriever
from tests.conftest import SEED_KNOWLEDGE

SEED = load_knowledge(SEED_KNOWLEDGE)
FAQS = [p for p in SEED.passages if p.kind == "faq"]


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return Retriever(SEED.passages)


@pytest.mark.parametrize("faq", FAQS, ids=[p.anchor for p in FAQS])
def test_each_faq_question_as_written_returns_its_own_answer_first(
    retriever: Retriever, faq: Passage
) -> None:
    hits = retriever.search(faq.question or "")
    assert hits[0].passage == faq
    assert hits[0].score == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize(
    "question",
    [
        "What's the weather like in Paris tomorrow?",
        "recipe for lasagna",
        "asdkjh qwe zzxq",
        "Who won the football world cup?",
    ],
)
def test_unrelated_question_abstains(seed_engine: Engine, question: str) -> None:
    answer = seed_engine.ask(question)
    assert answer.answered is False
    assert answer.passage is None


@pytest.mark.parametrize(
    ("question", "anchor"),
    [
        ("how do I massage my hip flexors step by step", "steps"),
        ("What does heat therapy do before a massage?", "techniques-to-try-heat-therapy"),
        ("HOW DO I STRETCH MY HIP FLEXERS", "faq-how-can-i-stretch-my-hip-flexors"),
        ("what is a foam rollr", "faq-what-is-a-foam-roller"),
    ],
)
def test_article_wording_and_typos_find_the_passage(
    retriever: Retriever, question: str, anchor: str
) -> None:
    assert anchor in retriever.search(question)[0].passage.anchor


@pytest.mark.parametrize("query", ["", "   ", "the and of", "???", "🙂🙂", "مرحبا"])
def test_scores_are_within_zero_and_one_for_any_input(retriever: Retriever, query: str) -> None:
    for hit in retriever.search(query, k=10):
        assert 0.0 <= hit.score <= 1.0


def test_hits_are_ranked_best_first_and_limited(retriever: Retriever) -> None:
    hits = retriever.search("massage hip flexors pain", k=4)
    assert len(hits) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_transition_passages_are_never_indexed(retriever: Retriever) -> None:
    hits = retriever.search("in the next section we will explore", k=50)
    assert all(hit.passage.informative for hit in hits)
    assert all(not hit.passage.text.startswith("In the next section") for hit in hits)


def test_retriever_refuses_an_empty_index() -> None:
    with pytest.raises(ValueError, match="at least one informative passage"):
        Retriever([])
