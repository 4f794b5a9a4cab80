"""The knowledge folder refuses what it must not read: links leading out of it, pipes and
devices, and files or passages over the size limits, each as a `file:line: message`."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from chatbot.knowledge import read_knowledge
from chatbot.parser import MAX_DOCUMENT_BYTES, MAX_PASSAGE_CHARS

ARTICLE = "---\ntitle: Elsewhere\n---\n\n## Section\n\nA paragraph about a sore elbow at work.\n"


def _messages(directory: Path) -> list[str]:
    _, problems = read_knowledge(directory)
    return [str(problem) for problem in problems]


def test_a_link_to_a_file_outside_the_folder_is_refused(
    knowledge_dir: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "private.md"
    outside.write_text(ARTICLE, encoding="utf-8")
    (knowledge_dir / "elbow.md").symlink_to(outside)
    messages = _messages(knowledge_dir)
    assert any(
        "elbow.md:0: is a link to" in m and "outside the knowledge folder" in m for m in messages
    )
    knowledge, _ = read_knowledge(knowledge_dir)
    assert knowledge.document("elbow") is None


def test_a_link_inside_the_folder_is_read(knowledge_dir: Path) -> None:
    (knowledge_dir / "drafts").mkdir()
    (knowledge_dir / "drafts" / "elbow.md").write_text(ARTICLE, encoding="utf-8")
    (knowledge_dir / "elbow.md").symlink_to(knowledge_dir / "drafts" / "elbow.md")
    assert _messages(knowledge_dir) == []


def test_a_pipe_is_refused_without_hanging(knowledge_dir: Path) -> None:
    os.mkfifo(knowledge_dir / "stuck.md")
    result: list[list[str]] = []
    reader = threading.Thread(target=lambda: result.append(_messages(knowledge_dir)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert result, "reading the folder hung on a pipe"
    assert any("stuck.md:0: is not a regular file" in m for m in result[0])


@pytest.mark.parametrize("name", ["zero.md", "synonyms.yaml"])
def test_a_link_to_a_device_is_refused(knowledge_dir: Path, name: str) -> None:
    target = knowledge_dir / name
    target.unlink(missing_ok=True)
    target.symlink_to("/dev/zero")
    messages = _messages(knowledge_dir)
    assert any(f"{name}:0: is a link to /dev/zero" in m for m in messages)


def test_a_file_over_the_size_limit_is_refused(knowledge_dir: Path) -> None:
    big = ARTICLE + ("More words about elbows and wrists.\n\n" * (MAX_DOCUMENT_BYTES // 30))
    (knowledge_dir / "big.md").write_text(big, encoding="utf-8")
    messages = _messages(knowledge_dir)
    assert any("big.md:0: file is over the limit of" in m for m in messages)


def test_a_passage_over_the_size_limit_is_a_problem_at_its_line(knowledge_dir: Path) -> None:
    long_paragraph = " ".join(["elbow"] * (MAX_PASSAGE_CHARS // 5))
    text = f"---\ntitle: Long\n---\n\n## Section\n\n{long_paragraph}\n"
    (knowledge_dir / "long.md").write_text(text, encoding="utf-8")
    messages = _messages(knowledge_dir)
    assert any("long.md:7: passage is" in m and "over the limit" in m for m in messages)
