"""The TF-IDF retriever over the fixture knowledge base (two short health articles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.documents import KnowledgeBase
from chatbot.engine import Engine
from chatbot.knowledge import load_knowledge
from chatbot.problems import KnowledgeError
from chatbot.retrieval import Retriever
from chatbot.scope import load_scope
from chatbot.vocabulary import Vocabulary

# The fixture's FAQ entries, as ids for parametrize; a test checks the list is complete.
FAQ_IDS = [
    "desk-wrist-stretches#faq-what-are-the-wrist-flexors",
    "desk-wrist-stretches#faq-why-should-i-stretch-my-wrists",
    "desk-wrist-stretches#faq-can-stiff-wrists-cause-forearm-pain",
    "desk-wrist-stretches#faq-what-is-a-stress-ball",
    "foot-care#faq-how-often-should-i-trim-my-toenails",
    "foot-care#faq-why-do-my-feet-ache-after-standing-all-day",
]


@pytest.fixture(scope="module")
def knowledge(clinic_dir: Path) -> KnowledgeBase:
    return load_knowledge(clinic_dir)


@pytest.fixture(scope="module")
def retriever(knowledge: KnowledgeBase) -> Retriever:
    return Retriever(knowledge.passages)


def test_the_faq_table_lists_every_faq_of_the_fixture(knowledge: KnowledgeBase) -> None:
    assert [p.id for p in knowledge.passages if p.kind == "faq"] == FAQ_IDS


@pytest.mark.parametrize("faq_id", FAQ_IDS)
def test_each_faq_question_as_written_returns_its_own_answer_first(
    knowledge: KnowledgeBase, retriever: Retriever, faq_id: str
) -> None:
    faq = knowledge.passage(faq_id)
    assert faq is not None
    assert faq.question
    hits = retriever.search(faq.question)
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
def test_unrelated_question_abstains(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.answered is False
    assert answer.passage is None


@pytest.mark.parametrize(
    ("question", "anchor"),
    [
        ("how do I stretch my wrists step by step", "steps"),
        ("What does warm water do before stretching?", "techniques-to-try-warm-water"),
        ("WHY SHOULD I STRECH MY WRISTS", "faq-why-should-i-stretch-my-wrists"),
        ("what is a strss ball", "faq-what-is-a-stress-ball"),
    ],
)
def test_article_wording_and_typos_find_the_passage(
    retriever: Retriever, question: str, anchor: str
) -> None:
    assert anchor in retriever.search(question)[0].passage.anchor


@pytest.mark.parametrize(
    "query", ["wrists", "STRETCH", "stretch wrists!!", "toenails?", "wrist 🙂 stretch", "ache"]
)
def test_scores_are_within_zero_and_one_for_any_input(retriever: Retriever, query: str) -> None:
    hits = retriever.search(query, k=10)
    assert hits, "each of these inputs names a word of the index"
    for hit in hits:
        assert 0.0 <= hit.score <= 1.0


@pytest.mark.parametrize("query", ["", "   ", "the and of", "???", "🙂🙂", "مرحبا"])
def test_input_without_a_word_of_the_index_gets_no_hits(retriever: Retriever, query: str) -> None:
    assert retriever.search(query, k=10) == []


def test_hits_are_ranked_best_first_and_limited(retriever: Retriever) -> None:
    hits = retriever.search("stretch wrists forearm pain", k=4)
    assert len(hits) == 4
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_transition_passages_are_never_indexed(retriever: Retriever) -> None:
    hits = retriever.search("in the next section we will look at a routine", k=50)
    assert hits, "the question shares words with other passages"
    assert all(hit.passage.informative for hit in hits)
    assert all(not hit.passage.text.startswith("In the next section") for hit in hits)


def test_retriever_refuses_an_empty_index() -> None:
    with pytest.raises(ValueError, match="at least one informative passage"):
        Retriever([])


@pytest.fixture(scope="module")
def vocabulary(knowledge: KnowledgeBase) -> Vocabulary:
    return Retriever(knowledge.passages, knowledge.synonyms, knowledge.alternates).vocabulary


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("strech", "stretch"),  # a letter missing, then the synonym to the article word
        ("masage", "massage"),  # "manage" is as many edits away, but not a dropped letter
        ("flexers", "flexors"),
        ("wirst", "wrist"),  # two letters swapped
        ("ballance", "balance"),  # in the English word list, but as a rare misspelling
    ],
)
def test_typos_are_corrected_to_words_of_the_index(
    vocabulary: Vocabulary, typed: str, expected: str
) -> None:
    assert vocabulary.corrected([typed]) == [expected]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (["shoud", "massge"], ["massage"]),  # "should" misspelt is still a stop word
        (["waht", "wrist"], ["wrist"]),
        (["abotu", "necck"], ["necck"]),  # a misspelt subject the index lacks stays
    ],
)
def test_misspelt_stop_words_are_dropped(
    vocabulary: Vocabulary, typed: list[str], expected: list[str]
) -> None:
    assert vocabulary.corrected(typed) == expected


@pytest.mark.parametrize(
    "word", ["neck", "salary", "knee", "night", "flights", "bake", "rome", "lung", "tendon"]
)
def test_real_words_the_index_lacks_are_not_taken_for_typos(
    vocabulary: Vocabulary, word: str
) -> None:
    assert vocabulary.corrected([word]) == [word]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the inside of my forearm", ["wrist", "flexors"]),  # a phrase people type
        ("Where are they?", ["located"]),  # a question word standing for an article word
        ("I'm at my desk 9 hours", ["workstation", "hours"]),  # numbers carry no topic
        ("do a self-massage", ["massage"]),  # a hyphenated synonym matches typed either way
        ("do a self massage", ["massage"]),
        ("what good does massaging do", ["benefits", "massage"]),  # an idiom for benefits
    ],
)
def test_synonym_phrases_and_question_words_map_onto_article_words(
    vocabulary: Vocabulary, text: str, expected: list[str]
) -> None:
    assert vocabulary.words(text) == expected


def test_a_subject_the_index_never_mentions_lowers_confidence(engine: Engine) -> None:
    retriever = engine.retriever
    on_topic = retriever.search("how do I stretch my wrists")[0].score
    off_topic = retriever.search("how do I stretch my neck")[0].score
    assert off_topic < engine.policy.answer_threshold < on_topic


def test_words_of_chatter_lower_confidence_less_than_a_subject_would(engine: Engine) -> None:
    retriever = engine.retriever
    plain = retriever.search("how do I stretch my wrists")[0].score
    chatty = retriever.search("wondering lately how do I stretch my wrists")[0].score
    subject = retriever.search("gardening tennis how do I stretch my wrists")[0].score
    assert subject < engine.policy.answer_threshold <= chatty <= plain


def test_phrase_synonyms_from_the_knowledge_folder_reach_the_retriever(tmp_path: Path) -> None:
    (tmp_path / "doc.md").write_text(
        "---\ntitle: Doc\n---\n\n## Blood flow\n\nMassage improves blood flow to tired muscles.\n"
        "\n## Sleep\n\nGood sleep lets every muscle in the body recover overnight.\n"
    )
    (tmp_path / "synonyms.yaml").write_text("blood flow: [circulation, blood moving]\n")
    knowledge = load_knowledge(tmp_path)
    retriever = Retriever(knowledge.passages, knowledge.synonyms)
    assert retriever.search("does it get the blood moving")[0].passage.section == "Blood flow"


@pytest.mark.parametrize(
    ("question", "outside"),
    [
        ("what causes knee pain", ["knee"]),
        ("knee pain when I move my wrist", []),  # names the articles' subject too
        ("best stress ball brand", ["brand"]),
        ("how much does a physio cost", ["cost"]),
        ("does acupuncture help stiff wrists", ["acupuncture"]),  # a therapy not covered
        ("can I take ibuprofen for wrist pain", ["ibuprofen"]),  # medicines are not covered
        ("how do I stretch my wrists", []),
    ],
)
def test_scope_names_the_subjects_a_question_goes_outside(
    engine: Engine, question: str, outside: list[str]
) -> None:
    assert engine.retriever.scope.outside(question) == outside


def test_a_broken_scope_file_is_reported_as_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "scope.yaml").write_text("subjects: [hip]\nother_body_parts: knee\n")
    with pytest.raises(KnowledgeError) as error:
        load_scope(tmp_path)
    assert str(error.value.problems[0]) == (
        f"{tmp_path / 'scope.yaml'}:2: 'other_body_parts' must be a list of words"
    )


@pytest.mark.parametrize(
    ("question", "anchor"),
    [
        ("why stretch wrists daily", "faq-why-should-i-stretch-my-wrists"),
        ("how do you stretch wrists daily", "your-step-by-step-wrist-stretch-steps"),
    ],
)
def test_the_question_word_breaks_a_tie_between_phrasings(
    engine: Engine, question: str, anchor: str
) -> None:
    assert engine.retriever.search(question)[0].passage.anchor == anchor


@pytest.mark.parametrize("question", ["how long does it take", "is it a part of the body"])
def test_a_question_sharing_only_everyday_words_with_the_index_is_not_answered(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).answered is False


def test_a_weaker_second_phrasing_that_also_matches_raises_a_passage_score(
    knowledge: KnowledgeBase,
) -> None:
    faq = knowledge.passage("desk-wrist-stretches#faq-why-should-i-stretch-my-wrists")
    assert faq is not None
    question = "routine to loosen stiff wrists after typing"
    strong, weak = "Which stretches loosen stiff wrists after typing?", "Loosen stiff wrists"

    def score(*alternates: str) -> float:
        retriever = Retriever(knowledge.passages, alternates={faq.id: alternates})
        hit = retriever.search(question)[0]
        assert hit.passage == faq
        return hit.score

    assert score(weak) < score(strong) < score(strong, weak)
