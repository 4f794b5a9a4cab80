"""Small talk: short friendly replies to greetings, thanks and "what can you do"."""

from __future__ import annotations

from pathlib import Path

from chatbot import defaults
from chatbot.answers import Answer
from chatbot.documents import KnowledgeBase
from chatbot.rules import RuleSet, load_rules

SMALLTALK_FILE = "smalltalk.yaml"


def load_smalltalk(knowledge_dir: Path) -> RuleSet:
    """The package's small-talk rules with the knowledge folder's additions."""
    return load_rules(knowledge_dir / SMALLTALK_FILE, base=load_rules(defaults.SMALLTALK))


def smalltalk(
    question: str, rules: RuleSet, knowledge: KnowledgeBase, disclaimer: str
) -> Answer | None:
    """A friendly reply naming what the bot knows about, when the whole question is chat."""
    rule = rules.match(question, whole=True)
    if rule is None:
        return None
    topics = ", ".join(d.title.rstrip("?") for d in knowledge.documents)
    return Answer(
        question=question,
        band="smalltalk",
        answered=False,
        text=rules.reply(rule).replace("{topics}", topics),
        confidence=0.0,
        passage=None,
        related=knowledge.starters(),
        disclaimer=disclaimer,
    )
