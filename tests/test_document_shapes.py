"""Shapes real articles take: each is accepted and gives the passages a reader expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.documents import Document
from chatbot.parser import load_document
from chatbot.problems import KnowledgeError

FRONT = "---\ntitle: Looking After Your Feet\n---\n\n"


def parse(tmp_path: Path, body: str) -> Document:
    path = tmp_path / "feet.md"
    path.write_text(FRONT + body, encoding="utf-8")
    return load_document(path)


def test_a_section_made_only_of_subsections_is_accepted(tmp_path: Path) -> None:
    document = parse(
        tmp_path,
        "## Recovery\n\n### Sleep\n\nSleep lets tired feet recover overnight.\n\n"
        "### Food\n\nProtein helps the small muscles of the feet repair themselves.\n",
    )
    sleep = next(p for p in document.passages if p.section == "Sleep")
    assert sleep.headings == ("Recovery", "Sleep")
    assert [s.heading for s in document.sections[1:]] == ["Recovery", "Sleep", "Food"]


def test_a_bare_heading_with_nothing_under_it_is_still_empty(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="section 'Recovery' is empty"):
        parse(tmp_path, "## Recovery\n\n## Shoes\n\nShoes should fit the foot.\n")


def test_faq_answer_of_several_paragraphs_and_a_list_is_one_answer(tmp_path: Path) -> None:
    document = parse(
        tmp_path,
        "## FAQ\n\n### How do I choose walking shoes?\n\nShoes should fit the longer foot.\n\n"
        "Look for these features:\n\n- A firm heel counter\n- Room for the toes\n\n"
        "### Are sandals bad for feet?\n\nSandals with no support tire the arches.\n",
    )
    faq = document.passages[0]
    assert faq.kind == "faq"
    assert faq.text == (
        "Shoes should fit the longer foot.\n\nLook for these features:\n\n"
        "- A firm heel counter\n- Room for the toes"
    )
    block = document.sections[-1].blocks[0]
    assert "<ul><li>A firm heel counter</li><li>Room for the toes</li></ul>" in block.html


def test_deeper_headings_are_subsections(tmp_path: Path) -> None:
    document = parse(
        tmp_path,
        "## Care\n\n### Daily\n\n#### Washing\n\nWash feet daily and dry between the toes.\n",
    )
    washing = next(p for p in document.passages if p.section == "Washing")
    assert washing.headings == ("Care", "Washing")


def test_a_level_one_heading_repeating_the_title_is_skipped(tmp_path: Path) -> None:
    document = parse(
        tmp_path, "# Looking After Your Feet\n\n## Care\n\nWash feet daily and dry them well.\n"
    )
    assert [p.section for p in document.passages] == ["Care"]


def test_a_subsection_before_any_section_is_accepted(tmp_path: Path) -> None:
    document = parse(tmp_path, "### Quick tip\n\nDry between the toes after every wash.\n")
    assert document.passages[0].section == "Quick tip"


def test_a_quotation_is_article_text(tmp_path: Path) -> None:
    document = parse(tmp_path, "## Care\n\n> Dry between the toes after every single wash.\n")
    assert document.passages[0].text == "Dry between the toes after every single wash."


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("shoes.md", "/articles/shoes"),
        ("shoes.md#faq-fit", "/articles/shoes#faq-fit"),
        ("./Shoe_Care.md", "/articles/shoe-care"),
    ],
)
def test_a_link_to_another_document_file_becomes_its_article_page(
    tmp_path: Path, href: str, expected: str
) -> None:
    document = parse(tmp_path, f"## Care\n\nSee [the shoe guide]({href}) before buying.\n")
    assert document.links[0].href == expected
    assert f'href="{expected}"' in document.sections[1].blocks[0].html
    assert document.links[0].line == 7


def test_source_url_must_be_a_web_address(tmp_path: Path) -> None:
    path = tmp_path / "feet.md"
    path.write_text(
        "---\ntitle: Feet\nsource_url: javascript:alert(1)\n---\n\n## Care\n\nDry the toes.\n",
        encoding="utf-8",
    )
    with pytest.raises(KnowledgeError, match=r"feet.md:3: 'source_url' must be a full http"):
        load_document(path)
