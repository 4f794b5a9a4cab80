"""The index saved on disk is read back only when it is current and whole."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from chatbot import retrieval
from chatbot.engine import Engine
from chatbot.index_cache import CACHE_FILE
from tests.conftest import MakeSettings

QUESTIONS = ["typing all day stiff wrists why", "wirst flexsors masage", "why", "hello"]


def replies(engine: Engine) -> list[tuple[str, str | None, float]]:
    answers = [engine.ask(q) for q in QUESTIONS]
    return [(a.band, a.passage.id if a.passage else None, a.confidence) for a in answers]


def never_build(*args: object) -> None:
    raise AssertionError("the index was built, not read from the cache")


def test_a_fresh_cache_is_read_and_gives_the_same_answers(
    make_settings: MakeSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(index_cache_dir=str(tmp_path / "cache"))
    built = Engine.from_settings(settings)
    assert (tmp_path / "cache" / CACHE_FILE).exists()
    monkeypatch.setattr(retrieval, "build_index", never_build)
    read = Engine.from_settings(settings)
    assert replies(read) == replies(built)


def test_no_cache_dir_means_no_file(make_settings: MakeSettings, tmp_path: Path) -> None:
    Engine.from_settings(make_settings())
    assert not list(tmp_path.rglob(CACHE_FILE))


def test_a_cache_of_other_knowledge_is_rebuilt(
    make_settings: MakeSettings,
    knowledge_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = str(tmp_path / "cache")
    Engine.from_settings(make_settings(knowledge_dir=knowledge_dir, index_cache_dir=cache))
    page = next(knowledge_dir.glob("*.md"))
    page.write_text(page.read_text() + "\n\nWrist splints are worn at night for tingling.\n")
    with caplog.at_level(logging.INFO, logger="chatbot.index_cache"):
        engine = Engine.from_settings(
            make_settings(knowledge_dir=knowledge_dir, index_cache_dir=cache)
        )
    assert [r.message for r in caplog.records if "other knowledge" in r.message]
    fresh = Engine.from_settings(make_settings(knowledge_dir=knowledge_dir))
    assert replies(engine) == replies(fresh)
    hits = engine.retriever.search("wrist splints at night tingling", k=1)
    assert hits
    assert "Wrist splints" in hits[0].passage.text


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_damaged_cache_is_rebuilt_with_one_log_line(
    make_settings: MakeSettings, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    settings = make_settings(index_cache_dir=str(tmp_path / "cache"))
    expected = replies(Engine.from_settings(settings))
    path = tmp_path / "cache" / CACHE_FILE
    data = path.read_bytes()
    damaged = {"garbage": b"not an index" * 100, "truncated": data[: len(data) // 2], "empty": b""}
    path.write_bytes(damaged[damage])
    with caplog.at_level(logging.INFO, logger="chatbot.index_cache"):
        engine = Engine.from_settings(settings)
    lines = [r.message for r in caplog.records if r.name == "chatbot.index_cache"]
    assert len(lines) == 1
    assert "unreadable" in lines[0]
    assert replies(engine) == expected
    assert path.read_bytes() == data, "the rebuilt index is saved again"


def test_a_cache_with_a_flipped_byte_is_not_trusted(
    make_settings: MakeSettings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(index_cache_dir=str(tmp_path / "cache"))
    expected = replies(Engine.from_settings(settings))
    path = tmp_path / "cache" / CACHE_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.INFO, logger="chatbot.index_cache"):
        engine = Engine.from_settings(settings)
    assert replies(engine) == expected
    assert [r for r in caplog.records if r.name == "chatbot.index_cache"]
