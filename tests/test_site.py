"""Any site, any article: a knowledge folder of its own gets its own name, wording,
scope and answers, and can never lose the red-flag rules."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from chatbot.app import create_app
from chatbot.cli import cli
from chatbot.engine import Engine
from chatbot.folder import load_folder, read_folder
from chatbot.policy import Policy
from chatbot.problems import KnowledgeError
from chatbot.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
HAMSTRINGS = FIXTURES / "hamstrings"
POLICY = Policy(answer_threshold=0.115, suggest_threshold=0.05, default_disclaimer="Not advice.")
# Words of the sample knowledge base's topic, which no other site should show.
SAMPLE_TOPIC = re.compile(r"\bhips?\b|flexor|psoas|massag", re.IGNORECASE)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of a folder holding one new article and nothing else."""
    target = tmp_path / "knowledge"
    shutil.copytree(HAMSTRINGS, target)
    return target


@pytest.fixture
def engine(folder: Path) -> Engine:
    return Engine.build(folder, POLICY)


def client_for(folder: Path, tmp_path: Path) -> TestClient:
    settings = Settings(knowledge_dir=folder, db=tmp_path / "q.db", rate_limit_per_minute=0)
    return TestClient(create_app(settings))


def problems_of(folder: Path) -> list[str]:
    return [str(p) for p in read_folder(folder)[1]]


# -- a folder with one article and nothing else --------------------------------------


def test_one_article_alone_passes_every_check(folder: Path) -> None:
    assert problems_of(folder) == []


@pytest.mark.parametrize(
    "question",
    [
        "Why are my hamstrings tight?",
        "How long should I hold a hamstring stretch?",
        "Should a hamstring stretch hurt?",
    ],
)
def test_its_own_faq_questions_are_answered_from_their_entries(
    engine: Engine, question: str
) -> None:
    answer = engine.ask(question)
    assert answer.band == "answer"
    assert answer.passage is not None
    assert answer.passage.question == question
    assert answer.confidence >= 0.95


def test_red_flags_are_triaged_without_a_safety_file(engine: Engine, folder: Path) -> None:
    assert not (folder / "safety.yaml").exists()
    answer = engine.ask("I fell and can't put weight on my leg")
    assert answer.band == "triage"
    assert "emergency" in answer.text


def test_chat_page_shows_the_sites_own_title_and_no_sample_topic(
    folder: Path, tmp_path: Path
) -> None:
    client = client_for(folder, tmp_path)
    page = client.get("/").text
    assert "<title>Stretching Your Hamstrings</title>" in page
    assert not SAMPLE_TOPIC.search(page)
    fallback = client.post("/ask", json={"question": "What is the capital of Peru?"}).json()
    assert fallback["band"] == "fallback"
    assert "Stretching Your Hamstrings" in fallback["answer"]
    assert not SAMPLE_TOPIC.search(fallback["answer"])


def test_a_body_part_in_the_title_is_a_subject_not_off_topic(engine: Engine) -> None:
    assert engine.ask("what makes hamstrings tight").band == "answer"
    assert engine.retriever.scope.outside("my hamstrings hurt") == []
    assert engine.retriever.scope.outside("my neck hurts") == ["neck"]


def test_source_url_is_in_the_answer_and_on_the_article_page(folder: Path, tmp_path: Path) -> None:
    client = client_for(folder, tmp_path)
    body = client.post("/ask", json={"question": "Why are my hamstrings tight?"}).json()
    assert body["source"]["source_url"] == "https://example.org/stretching-your-hamstrings"
    page = client.get("/articles/stretching-your-hamstrings").text
    assert 'First published at <a href="https://example.org/stretching-your-hamstrings"' in page


# -- site.yaml -----------------------------------------------------------------------


def test_site_file_sets_the_pages_wording(folder: Path, tmp_path: Path) -> None:
    (folder / "site.yaml").write_text(
        "name: Leg Care Answers\nheading: Ask about your legs\nplaceholder: e.g. tight legs?\n"
        "covers: stretching the backs of your legs\nemergency: 000 in Australia\n"
        "starters: ['Should a hamstring stretch hurt?']\n"
    )
    client = client_for(folder, tmp_path)
    page = client.get("/").text
    assert "<title>Leg Care Answers</title>" in page
    assert ">Ask about your legs</h1>" in page
    assert 'placeholder="e.g. tight legs?"' in page
    fallback = client.post("/ask", json={"question": "What is the capital of Peru?"}).json()
    assert "questions about stretching the backs of your legs." in fallback["answer"]
    assert [r["title"] for r in fallback["related"]] == ["Should a hamstring stretch hurt?"]
    triage = client.post("/ask", json={"question": "I fell off a ladder"}).json()
    assert "Please call 000 in Australia" in triage["answer"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("colour: blue\n", "site.yaml:1: unknown field 'colour'"),
        ("name: [a, b]\n", "site.yaml:1: 'name' must be text"),
        ("starters: ['What is love?']\n", "site.yaml:1: starter 'What is love?' is not an FAQ"),
        ("- a list\n", "site.yaml:1: must map some of"),
    ],
)
def test_site_file_problems_are_located(folder: Path, content: str, problem: str) -> None:
    (folder / "site.yaml").write_text(content)
    assert any(problem in p for p in problems_of(folder)), problems_of(folder)


# -- red flags and small talk can only be added to ------------------------------------


def test_a_safety_file_adds_rules_and_never_removes_the_defaults(folder: Path) -> None:
    (folder / "safety.yaml").write_text(
        "rules:\n  - name: marathon tomorrow\n    reply: professional\n"
        "    patterns: ['\\bmarathon\\b']\n"
    )
    engine = Engine.build(folder, POLICY)
    assert engine.ask("can I run a marathon tomorrow").band == "triage"
    assert engine.ask("I fell down the stairs").band == "triage"


def test_a_safety_rule_with_a_default_name_replaces_it(folder: Path) -> None:
    (folder / "safety.yaml").write_text(
        "replies:\n  pregnant: Ask your midwife.\nrules:\n  - name: pregnancy\n"
        "    reply: pregnant\n    patterns: ['\\bpregnan\\w*']\n"
    )
    engine = Engine.build(folder, POLICY)
    assert engine.ask("I am pregnant, can I stretch?").text == "Ask your midwife."
    assert engine.ask("I fell down the stairs").band == "triage"


def test_a_broken_safety_file_stops_the_bot_rather_than_drop_rules(folder: Path) -> None:
    (folder / "safety.yaml").write_text("rules:\n  - name: x\n    reply: nowhere\n")
    with pytest.raises(KnowledgeError, match=r"safety\.yaml:2: each rule needs exactly"):
        load_folder(folder)


# -- scope -----------------------------------------------------------------------------


def test_a_subject_listed_as_off_topic_is_a_problem(folder: Path) -> None:
    (folder / "scope.yaml").write_text("not_covered:\n  - yoga\n  - hamstrings\n")
    assert problems_of(folder) == [
        f"{folder / 'scope.yaml'}:3: 'hamstrings' is listed as not_covered but a "
        "document's title, headings or FAQ questions are about it; remove it"
    ]


# -- every problem in one run ----------------------------------------------------------


def test_every_problem_of_every_file_is_reported_at_once(folder: Path) -> None:
    article = folder / "stretching-your-hamstrings.md"
    text = article.read_text()
    text = text.replace("summary:", "author: me\nsummary:", 1)
    text = text.replace("hold still instead.", "hold still instead. See [shoes](shoes.md).")
    text += "\n### Why are my hamstrings tight?\n\nAgain.\n\n### Is there no answer?\n"
    article.write_text(text)
    (folder / "site.yaml").write_text("colour: blue\n")
    (folder / "smalltalk.yaml").write_text("rules: 3\n")
    found = "\n".join(problems_of(folder))
    for expected in [
        "unknown front matter field 'author'",
        "broken link '/articles/shoes': no article 'shoes'",
        "FAQ question 'Is there no answer?' has no answer",
        "duplicate question 'Why are my hamstrings tight?'",
        "site.yaml:1: unknown field 'colour'",
        "smalltalk.yaml:1: 'rules' must be a list",
    ]:
        assert expected in found


@pytest.mark.parametrize("href", ["other-page.html", "/about-us", "../notes.txt"])
def test_a_link_that_leads_nowhere_on_the_article_page_is_a_problem(
    folder: Path, href: str
) -> None:
    article = folder / "stretching-your-hamstrings.md"
    article.write_text(article.read_text() + f"\n## More\n\nRead [this]({href}) too.\n")
    assert any(f"link '{href}' leads nowhere" in p for p in problems_of(folder))


def test_check_says_which_rules_and_site_are_in_force(folder: Path) -> None:
    runner = CliRunner()
    plain = runner.invoke(cli, ["check", str(folder)])
    assert plain.exit_code == 0, plain.output
    assert "red flags: " in plain.output
    assert "none added or replaced (the folder has no safety.yaml)" in plain.output
    assert "site: 'Stretching Your Hamstrings', from the documents" in plain.output
    (folder / "safety.yaml").write_text(
        "rules:\n  - name: marathon tomorrow\n    reply: professional\n"
        "    patterns: ['\\bmarathon\\b']\n"
    )
    added = runner.invoke(cli, ["check", str(folder)])
    assert f"1 added and 0 replaced by {folder / 'safety.yaml'}" in added.output


def test_small_talk_offers_the_sites_starter_questions(folder: Path) -> None:
    (folder / "site.yaml").write_text("starters: ['Should a hamstring stretch hurt?']\n")
    answer = Engine.build(folder, POLICY).ask("hello")
    assert answer.band == "smalltalk"
    assert [p.title for p in answer.related] == ["Should a hamstring stretch hurt?"]
