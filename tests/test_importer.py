"""`chatbot import`: saved web pages of several shapes become documents `chatbot check` accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatbot.cli import cli
from chatbot.importer import import_page
from chatbot.parser import load_document
from tests.conftest import FIXTURES

PAGES = FIXTURES / "pages"
runner = CliRunner()


def _imported(tmp_path: Path, name: str) -> tuple[str, Path]:
    page = import_page(PAGES / name)
    target = tmp_path / f"{page.slug}.md"
    target.write_text(page.markdown, encoding="utf-8")
    return page.markdown, target


def test_every_fixture_page_imports_into_a_folder_that_passes_check(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    pages = sorted(str(p) for p in PAGES.glob("*.html"))
    result = runner.invoke(cli, ["import", *pages, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.md"))) == len(pages)
    checked = runner.invoke(cli, ["check", str(out)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith("ok: 5 document(s)")


def test_seed_article_page_keeps_the_article_and_drops_the_site_around_it(tmp_path: Path) -> None:
    markdown, target = _imported(tmp_path, "seed-article.html")
    document = load_document(target)
    assert document.title == "Why Massage Hip Flexors?"
    assert document.source_url == "https://hiphealth.example.org/why-massage-hip-flexors/"
    assert len([p for p in document.passages if p.kind == "faq"]) == 10
    assert "\n## Your Step-by-Step Guide" not in markdown  # a subsection, kept as ###
    assert "### Your Step-by-Step Guide to Hip Flexor Massage\n\n1. Find a Comfortable" in markdown
    for furniture in ("About us", "Related posts", "Check my answer", "Subscribe", "©", "Share on"):
        assert furniture not in markdown
    assert "Where are your hip flexors?" not in markdown  # the quiz
    assert document.disclaimer is not None
    assert document.disclaimer.startswith("This article is intended for informational purposes")


def test_seed_article_report_names_each_image_left_out() -> None:
    page = import_page(PAGES / "seed-article.html")
    images = [s for s in page.skipped if s.what.startswith("image ")]
    assert [s.what for s in images] == [
        "image 'hip flexors - illustration' in 'The Importance of Hip Flexors'",
        "image 'psoas muscle' in 'Understanding Your Hip Flexors: The Psoas Connection'",
        "image 'hip pain from tight hip flexors - illustration' in 'The Healing Power of Massage'",
    ]
    assert page.dropped["quiz"] == 4
    assert page.dropped["navigation"] == 1


def test_blog_without_article_markup_loses_its_ads_sidebar_and_related_links(
    tmp_path: Path,
) -> None:
    markdown, _ = _imported(tmp_path, "blog-knee-walking.html")
    assert "Walking is one of the kindest exercises" in markdown
    assert "- Stop if a knee swells or gives way." in markdown
    for furniture in ("Sponsored", "newsletter", "Stairs and sore knees", "Copyright", "Shop"):
        assert furniture not in markdown
    page = import_page(PAGES / "blog-knee-walking.html")
    assert any("You might also like" in s.what for s in page.skipped)


def test_faq_page_json_ld_gives_the_entries_once(tmp_path: Path) -> None:
    markdown, target = _imported(tmp_path, "faq-jsonld-sleep.html")
    questions = [p.title for p in load_document(target).passages if p.kind == "faq"]
    assert questions == [
        "What is the best sleeping position for a sore back?",
        "Should my pillow be high or low?",
        "Is sleeping on your stomach bad for your neck?",
    ]
    assert "The pillow keeps the hips level" in markdown  # the JSON-LD answer's 2nd paragraph


def test_question_headings_become_faq_entries_with_their_answers(tmp_path: Path) -> None:
    markdown, target = _imported(tmp_path, "question-headings-ankle.html")
    faq = {p.title: p.text for p in load_document(target).passages if p.kind == "faq"}
    assert set(faq) == {
        "How long does a mild ankle sprain take to heal?",
        "Should I put ice on a sprained ankle?",
        "When can I walk normally again?",
    }
    assert "Never put ice straight on the skin." in faq["Should I put ice on a sprained ankle?"]
    assert "## Ankle Exercises" in markdown  # a heading that does not ask stays a section
    assert "source_url: https://footfacts.example.org/ankle-sprain-questions" in markdown


def test_tables_images_and_code_are_reported_item_by_item(tmp_path: Path) -> None:
    markdown, _ = _imported(tmp_path, "tables-images-wrist.html")
    page = import_page(PAGES / "tables-images-wrist.html")
    reasons = {s.what: s.why for s in page.skipped}
    assert "tables are not imported" in reasons["table (3 rows) in 'Stretch Schedule'"]
    assert "image 'Chart of typing hours against wrist pain' in 'Chart'" in reasons
    assert "code block in 'Steps'" in reasons
    assert reasons["section 'Chart'"] == "nothing under it to import"
    assert "not a full http(s) address" in reasons["canonical URL '/guides/wrist-stretch-guide'"]
    assert "source_url" not in markdown
    assert "Prayer stretch" not in markdown
    assert "## Chart" not in markdown


def test_text_that_looks_like_markdown_reads_back_as_the_same_text(tmp_path: Path) -> None:
    _, target = _imported(tmp_path, "tables-images-wrist.html")
    texts = [p.text for p in load_document(target).passages]
    assert (
        "1. This sentence only looks like a list item and must stay a paragraph with *stars* kept."
        in texts
    )


def test_the_command_prints_a_line_per_item_not_imported(tmp_path: Path) -> None:
    page = PAGES / "tables-images-wrist.html"
    result = runner.invoke(cli, ["import", str(page), "--out", str(tmp_path)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert (
        lines[0]
        == f"{page}: wrote {tmp_path / 'wrist-stretch-guide.md'} (2 sections, 0 FAQ entries)"
    )
    assert (
        "  not imported: code block in 'Steps': code is not health text the bot can quote" in lines
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "the file is empty"), (b"<html><body><p>Only a line.</p></body></html>", "no title")],
)
def test_a_file_that_is_not_an_article_page_is_a_plain_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    page = tmp_path / "bad.html"
    page.write_bytes(content)
    result = runner.invoke(cli, ["import", str(page), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert f"{page}: error: {message}" in result.output
    assert "Traceback" not in result.output


def test_a_missing_file_is_a_plain_error(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["import", str(tmp_path / "nope.html"), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "cannot read it" in result.output
