"""`chatbot check`: every fault in a knowledge folder named as `file:line: message`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatbot.cli import cli
from tests.conftest import CLINIC, FIXTURES

runner = CliRunner()
MANY = FIXTURES / "many"
KETTLE = "kettle-descaling.md"
STARTER = "sourdough-starter.md"
KETTLE_FAQ = "### Is limescale harmful to the kettle?\n"
KETTLE_LINK = "/articles/kettle-descaling#faq-how-often-should-i-descale-my-kettle"

# (fault, file, text to replace, replacement, text on the reported line, message)
FAULTS = [
    (
        "duplicate question across documents",
        STARTER,
        "## Frequently Asked Questions\n",
        "## Frequently Asked Questions\n\n### How often should I descale my kettle?\n\nNo.\n",
        "### How often should I descale",
        "duplicate question 'How often should I descale my kettle?' (also at ",
    ),
    (
        "link to a missing article",
        STARTER,
        KETTLE_LINK,
        KETTLE_LINK.replace("kettle-descaling", "kettle-cleaning"),
        "/articles/kettle-cleaning",
        "broken link '/articles/kettle-cleaning#faq-how-often-should-i-descale-my-kettle': "
        "no article 'kettle-cleaning'",
    ),
    (
        "link to a missing anchor in another article",
        STARTER,
        KETTLE_LINK,
        "/articles/kettle-descaling#faq-how-often",
        "#faq-how-often)",
        "article 'kettle-descaling' has no anchor 'faq-how-often'",
    ),
    (
        "link to a missing anchor in the same article",
        STARTER,
        "[feeding](#feeding)",
        "[feeding](#feed)",
        "[feeding](#feed)",
        "broken link '#feed': article 'sourdough-starter' has no anchor 'feed'",
    ),
    (
        "synonym that points nowhere",
        "synonyms.yaml",
        "starter: [levain, mother]\n",
        "starter: [levain, mother]\nkettlebell: [weights]\n",
        "kettlebell",
        "synonym 'kettlebell' points nowhere",
    ),
    (
        "alternate phrasing that points nowhere",
        "alternates.yaml",
        "sourdough-starter#faq-why-does-my-starter-smell-of-vinegar:",
        "sourdough-starter#faq-why-is-it-sour:",
        "faq-why-is-it-sour",
        "no passage has the id 'sourdough-starter#faq-why-is-it-sour'",
    ),
    (
        "FAQ entry without an answer",
        KETTLE,
        KETTLE_FAQ + "\nThick limescale makes the element work harder, so the kettle boils more "
        "slowly.\n",
        KETTLE_FAQ,
        KETTLE_FAQ.strip(),
        "FAQ question 'Is limescale harmful to the kettle?' has no answer",
    ),
    (
        "empty section",
        KETTLE,
        "## Descaling With Vinegar\n",
        "## Rinsing\n\n## Descaling With Vinegar\n",
        "## Rinsing",
        "section 'Rinsing' is empty",
    ),
    (
        "duplicate anchor",
        STARTER,
        "- **Water:** Use",
        "- **Flour:** Use",
        "- **Flour:** Use",
        "duplicate anchor 'feeding-flour' (first used on line ",
    ),
    ("missing title", KETTLE, "title: Descaling a Kettle\n", "", "---", "needs a 'title'"),
    (
        "unknown front matter field",
        KETTLE,
        "summary:",
        "author: Someone\nsummary:",
        "author:",
        "unknown front matter field 'author'",
    ),
    (
        "empty front matter field",
        KETTLE,
        "summary: A small fixture document about limescale in kettles.",
        "summary:",
        "summary:",
        "front matter field 'summary' must be text",
    ),
]


# Faults that also break other files' references: the starter's link and the data
# files' words and ids that lived in the kettle document.
CASCADES = {"needs a 'title'": 3}


def _break(folder: Path, name: str, old: str, new: str, needle: str) -> tuple[Path, int]:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"the fixture changed: {old!r} is not in {name} exactly once"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    line = next(n for n, content in enumerate(text.splitlines(), 1) if needle in content)
    return path, line


@pytest.mark.parametrize(
    ("name", "old", "new", "needle", "message"),
    [f[1:] for f in FAULTS],
    ids=[f[0] for f in FAULTS],
)
def test_each_fault_is_reported_as_file_line_message(
    tmp_path: Path, name: str, old: str, new: str, needle: str, message: str
) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(MANY, folder)
    path, line = _break(folder, name, old, new, needle)
    result = runner.invoke(cli, ["check", str(folder)])
    assert result.exit_code == 1, result.output
    problems = [row for row in result.output.splitlines() if not row.startswith("error:")]
    # A document that cannot be loaded also breaks what points into it, reported after it.
    expected = CASCADES.get(message, 1)
    assert len(problems) == expected, result.output
    assert problems[0].startswith(f"{path}:{line}: "), result.output
    assert message in problems[0]
    assert f"the knowledge base has {expected} problem(s)" in result.output
    assert "Traceback" not in result.output


def test_two_documents_with_the_same_id_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(MANY, folder)
    (folder / "Kettle Descaling.md").write_text("---\ntitle: Other\n---\n\nOther words here.\n")
    result = runner.invoke(cli, ["check", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / KETTLE}:1: document id 'kettle-descaling' is already used by " in (
        result.output
    )


@pytest.mark.parametrize("folder", [MANY, CLINIC], ids=["many", "clinic"])
def test_a_sound_folder_passes_with_a_summary(folder: Path) -> None:
    result = runner.invoke(cli, ["check", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")
    assert "red-flag model: learnt from " in result.output


def test_check_defaults_to_the_configured_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATBOT_KNOWLEDGE_DIR", str(MANY))
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    assert "ok: 2 document(s)" in result.output


def test_serve_refuses_to_start_on_a_cross_document_fault(tmp_path: Path) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(MANY, folder)
    _break(folder, STARTER, "[feeding](#feeding)", "[feeding](#nowhere)", "#nowhere")
    result = runner.invoke(cli, ["serve", "--knowledge", str(folder), "--port", "1"])
    assert result.exit_code == 1
    assert "has no anchor 'nowhere'" in result.output
