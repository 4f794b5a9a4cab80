"""Red-flag triage: questions sent to a professional before any search is done."""

from __future__ import annotations

from pathlib import Path

from chatbot import defaults
from chatbot.answers import Answer
from chatbot.rules import RuleSet, load_rules

SAFETY_FILE = "safety.yaml"


def load_red_flags(knowledge_dir: Path) -> RuleSet:
    """The package's red-flag rules with the knowledge folder's additions: a folder
    without safety.yaml, or one that leaves a rule out, still has every default rule."""
    return load_rules(knowledge_dir / SAFETY_FILE, base=load_rules(defaults.RED_FLAGS))


def triage(question: str, red_flags: RuleSet, disclaimer: str, covered: str = "") -> Answer | None:
    """The professional-care reply when `question` raises a red flag, else None.

    Never a passage and never related questions: nothing here may read as advice.
    """
    rule = red_flags.match(question, covered=covered)
    if rule is None:
        return None
    return Answer(
        question=question,
        band="triage",
        answered=False,
        text=red_flags.reply(rule),
        confidence=0.0,
        passage=None,
        related=(),
        disclaimer=disclaimer,
    )
