"""Red-flag triage: questions sent to a professional before any search is done."""

from __future__ import annotations

import re
from pathlib import Path

from chatbot import defaults
from chatbot.answers import Answer
from chatbot.rules import RuleSet, load_rules, plain

SAFETY_FILE = "safety.yaml"
# A symptom the message says is absent ("no swelling or anything", "without numbness or
# tingling", "it isn't swollen") raises no red flag; every other word still counts.
_SYMPTOM = (
    r"(swelling|swollen|swells?|numbness|numb|tingling|tingles?|pins and needles|fever|"
    r"temperature|redness|bruising|bruises?|bleeding|weakness)"
)
_ABSENT = re.compile(
    rf"\b(no|not|without|never|nor|zero|dont have|doesnt have|didnt have|havent had|"
    rf"hasnt had|isnt|wasnt|arent|not been)( any| much| real| obvious| signs? of)? "
    rf"{_SYMPTOM}(( or| and| nor)? (any )?{_SYMPTOM})*\b"
)


def present_symptoms(question: str) -> str:
    """The question as red-flag rules read it, without the symptoms it says are absent."""
    return " ".join(_ABSENT.sub(" ", plain(question)).split())


def load_red_flags(knowledge_dir: Path) -> RuleSet:
    """The package's red-flag rules with the knowledge folder's additions: a folder
    without safety.yaml, or one that leaves a rule out, still has every default rule."""
    return load_rules(knowledge_dir / SAFETY_FILE, base=load_rules(defaults.RED_FLAGS))


def triage(question: str, red_flags: RuleSet, disclaimer: str, covered: str = "") -> Answer | None:
    """The professional-care reply when `question` raises a red flag, else None.

    Never a passage and never related questions: nothing here may read as advice.
    """
    rule = red_flags.match(present_symptoms(question), covered=covered)
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
