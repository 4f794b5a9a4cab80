"""One home for every tuned number: the settings, pages and report read it from there."""

from __future__ import annotations

import pytest

from chatbot import pages, report
from chatbot.scoring import SCORING, Scoring
from chatbot.settings import Settings


def test_settings_thresholds_default_to_the_scoring_configuration() -> None:
    settings = Settings()
    assert settings.answer_threshold == SCORING.answer_threshold
    assert settings.suggest_threshold == SCORING.suggest_threshold


def test_the_close_match_cut_is_the_same_on_the_page_and_in_the_report() -> None:
    assert pages.CLOSE_MATCH_BELOW == report.LOW_CONFIDENCE == SCORING.low_confidence


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"word_weight": -0.1}, "word_weight = -0.1 is out of range"),
        ({"suggest_threshold": 0.5, "answer_threshold": 0.2}, "suggest_threshold <= answer"),
    ],
)
def test_a_scoring_out_of_range_is_refused_at_construction(
    changes: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Scoring(**changes)
