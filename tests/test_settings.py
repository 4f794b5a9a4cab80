"""Settings: read from CHATBOT_* variables, validated, and every one documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from chatbot.settings import PROJECT_ROOT, Settings


def test_defaults_just_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # The suite points CHATBOT_KNOWLEDGE_DIR at a fixture; the default is the project's.
    monkeypatch.delenv("CHATBOT_KNOWLEDGE_DIR")
    settings = Settings()
    assert settings.knowledge_dir == Settings.model_fields["knowledge_dir"].default
    assert (settings.web_dir / "templates" / "base.html").is_file()
    assert settings.suggest_threshold <= settings.answer_threshold


def test_settings_come_from_chatbot_variables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CHATBOT_KNOWLEDGE_DIR", str(tmp_path))
    monkeypatch.setenv("CHATBOT_PORT", "9001")
    settings = Settings()
    assert settings.knowledge_dir == tmp_path
    assert settings.port == 9001


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"suggest_threshold": 0.9, "answer_threshold": 0.5}, "CHATBOT_SUGGEST_THRESHOLD"),
        ({"answer_threshold": 2.0}, "less than or equal to 1"),
        ({"port": -1}, "greater than or equal to 0"),
        ({"no_such_setting": 1}, "Extra inputs are not permitted"),
    ],
)
def test_misuse_fails_at_construction_with_a_message(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(**overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_the_readme(name: str) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    field = Settings.model_fields[name]
    assert field.description
    rows = [line for line in readme if line.startswith(f"| `CHATBOT_{name.upper()}` |")]
    assert len(rows) == 1, "one row per setting in the README's settings table"
    assert rows[0].endswith(f"| {field.description} |"), "the row's meaning is the description"
