"""The loader: an article becomes clean, verbatim passages; broken files fail clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chatbot.documents import Document
from chatbot.knowledge import load_knowledge
from chatbot.parser import is_informative, load_document
from chatbot.problems import KnowledgeError
from tests.conftest import CLINIC, FIXTURES

WRIST_HEADINGS = [
    "Why Wrists Get Stiff",
    "A Simple Wrist Stretch Routine",
    "Your Step-by-Step Wrist Stretch",
    "Techniques to Try",
    "Frequently Asked Questions",
]


@pytest.fixture(scope="module")
def wrist_source() -> str:
    return (CLINIC / "desk-wrist-stretches.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def wrist_document() -> Document:
    document = load_knowledge(CLINIC).document("desk-wrist-stretches")
    assert document is not None
    return document


def test_faq_entries_become_passages_with_their_questions(wrist_document: Document) -> None:
    faqs = [p for p in wrist_document.passages if p.kind == "faq"]
    assert len(faqs) == 4
    assert faqs[0].question == "What are the wrist flexors?"
    assert faqs[-1].question == "What is a stress ball?"
    assert all(p.text and not p.text.startswith("###") for p in faqs)


def test_every_section_of_the_article_is_present_in_order(wrist_document: Document) -> None:
    assert [s.heading for s in wrist_document.sections[1:]] == WRIST_HEADINGS


def test_passage_text_is_verbatim_from_the_source(
    wrist_document: Document, wrist_source: str
) -> None:
    # The source without its Markdown marks: bold labels, bullets and numbering.
    plain = "\n".join(
        re.sub(r"^(?:- |\d+\. )", "", line).replace("**", "") for line in wrist_source.split("\n")
    )
    assert len(wrist_document.passages) > 10
    for passage in wrist_document.passages:
        for line in passage.text.split("\n"):
            if line:
                assert re.sub(r"^\d+\. ", "", line) in plain, passage.id


def test_numbered_guide_is_one_passage_with_all_five_steps(wrist_document: Document) -> None:
    guide = [p for p in wrist_document.passages if p.anchor.endswith("-steps")]
    assert len(guide) == 1
    lines = guide[0].text.split("\n")
    assert [line.split(".")[0] for line in lines] == ["1", "2", "3", "4", "5"]
    assert lines[2].startswith("3. Pull Gently: Use your other hand")


def test_bullet_items_know_their_section(wrist_document: Document) -> None:
    by_title = {p.title: p for p in wrist_document.passages}
    item = by_title["Techniques to Try: Warm Water"]
    assert item.section == "Techniques to Try"
    assert item.headings == ("A Simple Wrist Stretch Routine", "Techniques to Try")
    assert item.text.startswith("Warm Water: Soaking your hands")


def test_disclaimer_and_references_are_kept(wrist_document: Document) -> None:
    assert (wrist_document.disclaimer or "").startswith("This fixture article is for testing only")
    assert len(wrist_document.references) == 2
    assert wrist_document.references[0].startswith("Fixture Desk Health Notes")


def test_passage_ids_and_anchors_are_unique_and_stable(wrist_document: Document) -> None:
    ids = [p.id for p in wrist_document.passages]
    assert len(ids) == len(set(ids))
    assert "desk-wrist-stretches#faq-what-are-the-wrist-flexors" in ids
    assert all(p.id == f"{p.document}#{p.anchor}" for p in wrist_document.passages)


@pytest.mark.parametrize(
    ("text", "informative"),
    [
        ("Let’s break it down.", False),
        ("In the next section, we’ll explore some specific techniques.", False),
        ("But why exactly does massaging your hip flexors help?", False),
        ("Your body will thank you for it!", False),
        ("The psoas muscle connects the lower back to the thighs.", True),
        (
            "This powerful muscle plays a role in movement and back pain. "
            "Let’s delve into the psoas muscle.",
            True,
        ),
    ],
)
def test_transitions_are_not_informative(text: str, informative: bool) -> None:
    assert is_informative(text) is informative


def test_fixture_folder_loads_with_its_own_disclaimer() -> None:
    knowledge = load_knowledge(FIXTURES / "knowledge")
    (document,) = knowledge.documents
    assert document.slug == "cast-iron-care"
    assert document.disclaimer == "Fixture disclaimer for cast-iron care."
    assert {p.kind for p in document.passages} == {"faq", "article"}


BROKEN = [
    ("no-front-matter", "Just text.\n", 1, "must start with '---' front matter"),
    ("unclosed", "---\ntitle: X\n\nBody.\n", 1, "not closed"),
    ("bad-yaml", "---\ntitle: [unclosed\n---\n\nBody.\n", 3, "not valid YAML"),
    ("no-title", "---\nsummary: s\n---\n\nBody text here.\n", 1, "needs a 'title'"),
    ("unknown-field", "---\ntitle: X\nauthor: me\n---\n\nBody.\n", 3, "unknown front matter"),
    ("h1", "---\ntitle: X\n---\n\n# Title\n\nBody.\n", 5, "level-1 heading"),
    ("empty-section", "---\ntitle: X\n---\n\n## A\n\n## B\n\nText.\n", 5, "'A' is empty"),
    (
        "faq-no-answer",
        "---\ntitle: X\n---\n\n## FAQ\n\n### Why?\n\n### How?\n\nLike this.\n",
        7,
        "'Why?' has no answer",
    ),
    (
        "duplicate-anchor",
        "---\ntitle: X\n---\n\n## A\n\nOne.\n\n## A\n\nTwo.\n",
        9,
        "duplicate anchor 'a'",
    ),
    ("code-block", "---\ntitle: X\n---\n\n## A\n\n    code\n", 7, "unsupported Markdown block"),
]


@pytest.mark.parametrize(("name", "content", "line", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_document_names_file_and_line(
    tmp_path: Path, name: str, content: str, line: int, message: str
) -> None:
    path = tmp_path / f"{name}.md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        load_document(path)
    assert any(
        str(p).startswith(f"{path}:{line}: ") and message in p.message
        for p in caught.value.problems
    ), caught.value


def test_one_broken_document_stops_the_whole_folder(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("---\ntitle: Good\n---\n\nFine text here.\n")
    (tmp_path / "bad.md").write_text("---\ntitle: Bad\n---\n\n# Wrong\n")
    with pytest.raises(KnowledgeError, match=r"bad\.md:5: "):
        load_knowledge(tmp_path)


@pytest.mark.parametrize("setup", ["missing", "empty"])
def test_missing_or_empty_folder_is_an_error(tmp_path: Path, setup: str) -> None:
    folder = tmp_path / "knowledge"
    if setup == "empty":
        folder.mkdir()
    with pytest.raises(KnowledgeError):
        load_knowledge(folder)


def test_synonyms_and_alternates_are_loaded() -> None:
    knowledge = load_knowledge(CLINIC)
    assert knowledge.synonyms["tight"] == "stiff"
    assert knowledge.alternates
    assert all(pid in {p.id for p in knowledge.passages} for pid in knowledge.alternates)


GOOD_DOC = "---\ntitle: Doc\n---\n\n## FAQ\n\n### Why?\n\nBecause of reasons.\n"
BROKEN_DATA = [
    ("alternates.yaml", "doc#faq-nope:\n  - How?\n", 1, "no passage has the id 'doc#faq-nope'"),
    ("alternates.yaml", "\ndoc#faq-why: How?\n", 2, "needs a list of phrasings"),
    ("synonyms.yaml", "tight: []\n", 1, "'tight' needs a list of words"),
    ("synonyms.yaml", "tight: [stiff]\nsore: [stiff]\n", 2, "already a synonym of 'tight'"),
    ("synonyms.yaml", "- a list\n", 1, "must be a mapping"),
    ("synonyms.yaml", "tight: [unclosed\n", 2, "cannot be read"),
]


@pytest.mark.parametrize(("name", "content", "line", "message"), BROKEN_DATA)
def test_broken_synonyms_or_alternates_name_file_and_line(
    tmp_path: Path, name: str, content: str, line: int, message: str
) -> None:
    (tmp_path / "doc.md").write_text(GOOD_DOC)
    (tmp_path / name).write_text(content)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tmp_path)
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"{tmp_path / name}:{line}: ")
    assert message in problem.message
