"""Red-flag triage: questions sent to a professional before any search is done."""

from __future__ import annotations

import re
from pathlib import Path

from chatbot import defaults
from chatbot.answers import Answer
from chatbot.red_flag_model import RedFlagModel
from chatbot.rules import RuleSet, load_rules

SAFETY_FILE = "safety.yaml"
# A symptom the message plainly says is absent ("no swelling or anything", "without
# numbness or tingling") raises no red flag of the professional kind. Only a symptom
# right after the negation counts, and those joined to it by "or"/"nor": a comma, a full
# stop or "and" ends the list ("no fever, numbness in my groin" keeps the numbness).
# "Isn't", "never" and "not" are left alone: they are as often questions or before-and-
# after stories ("it never swells but today it did"). "No pain" counts only where the
# clause ends with it ("she has no pain at all", "no pain, just stiff"): "no pain in the
# day but cries at night" and "without pain" (a day without pain) keep it. An emergency
# is never hidden.
_SYMPTOM = (
    r"(swelling|swollen|numbness|numb|tingling|pins and needles|fever|temperature|"
    r"redness|bruising|bleeding|weakness|"
    r"pain(?= at all\b| whatsoever\b| or | nor |\s*[,.;:!?]|\s*$))"
)
_ABSENT = re.compile(
    rf"\b(no|without|with no|neither|nor|dont have any|doesnt have any|didnt have any|"
    rf"havent had any|hasnt had any|havent noticed any|no signs? of)( any| obvious)? "
    rf"{_SYMPTOM}( (or|nor) (any )?{_SYMPTOM})*\b"
)
# "I can't sit for long without numbness": there, "without" says the symptom is present.
_CANNOT = re.compile(r"\b(cant|cannot|can not|couldnt|unable to)\b[^.,;:!?]*$")
EMERGENCY = "emergency"
# The reply of a question the red-flag model flags: it cannot tell an emergency.
PROFESSIONAL = "professional"


def without_absent_symptoms(question: str) -> str:
    """The question with the symptoms it says are absent taken out (lower-cased)."""
    text = re.sub(r"['’`]", "", question.lower())

    def drop(found: re.Match[str]) -> str:
        if found.group(1) == "without" and (
            "pain" in found.group(0) or _CANNOT.search(text[: found.start()])
        ):
            return found.group(0)
        return " "

    return _ABSENT.sub(drop, text)


def load_red_flags(knowledge_dir: Path) -> RuleSet:
    """The package's red-flag rules with the knowledge folder's additions: a folder
    without safety.yaml, or one that leaves a rule out, still has every default rule."""
    return load_rules(knowledge_dir / SAFETY_FILE, base=load_rules(defaults.RED_FLAGS))


def triage(
    question: str,
    red_flags: RuleSet,
    disclaimer: str,
    covered: str = "",
    model: RedFlagModel | None = None,
) -> Answer | None:
    """The professional-care reply when `question` raises a red flag, else None: when
    a rule matches, or else when the red-flag `model` flags it.

    Never a passage and never related questions: nothing here may read as advice.
    """
    rule = red_flags.match(question, covered=covered)
    if rule is not None and rule.reply != EMERGENCY:
        rule = red_flags.match(without_absent_symptoms(question), covered=covered)
    if rule is not None:
        text = red_flags.reply(rule)
    elif model is not None and PROFESSIONAL in red_flags.replies and model.flags(question):
        text = red_flags.replies[PROFESSIONAL]
    else:
        return None
    return Answer(
        question=question,
        band="triage",
        answered=False,
        text=text,
        confidence=0.0,
        passage=None,
        related=(),
        disclaimer=disclaimer,
    )
