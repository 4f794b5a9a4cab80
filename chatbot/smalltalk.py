"""Small talk: short friendly replies to greetings, thanks and "what can you do"."""

from __future__ import annotations

from pathlib import Path

from chatbot import defaults
from chatbot.answers import Answer
from chatbot.documents import Passage
from chatbot.rules import Rule, RuleSet, load_rules, plain

SMALLTALK_FILE = "smalltalk.yaml"


def load_smalltalk(knowledge_dir: Path) -> RuleSet:
    """The package's small-talk rules with the knowledge folder's additions."""
    return load_rules(knowledge_dir / SMALLTALK_FILE, base=load_rules(defaults.SMALLTALK))


def smalltalk(
    question: str, rules: RuleSet, starters: tuple[Passage, ...], disclaimer: str
) -> Answer | None:
    """A friendly reply, when the whole question is chat, with the site's starter
    questions. The replies' `{topics}` were filled in from site.yaml when they loaded."""
    rule = chat_rule(question, rules)
    if rule is None:
        return None
    return Answer(
        question=question,
        band="smalltalk",
        answered=False,
        text=rules.reply(rule),
        confidence=0.0,
        passage=None,
        related=starters,
        disclaimer=disclaimer,
    )


# Longer questions are searched as they are: chat runs to a few words, and splitting
# costs a rule match per candidate phrase.
MAX_CHAT_WORDS = 12


def chat_rule(question: str, rules: RuleSet) -> Rule | None:
    """The rule for the last phrase when the whole question is small-talk phrases.

    A question is chat when it matches a rule whole, or when it splits into phrases that
    each do: "hi, what can you do?" is a greeting then a capabilities question, and gets
    the capabilities reply; "hi, how do I stretch?" has a phrase no rule matches, so it
    is searched. Rules need not list every combination of greetings and chat.
    """
    words = plain(question).split()
    if not words or len(words) > MAX_CHAT_WORDS:
        return rules.match(question, whole=True)
    # last[i]: the rule of the last phrase when words[:i] is all small talk.
    last: dict[int, Rule] = {}
    reached = [0]
    for start in reached:
        for end in range(start + 1, len(words) + 1):
            if end in last:
                continue
            rule = rules.match(" ".join(words[start:end]), whole=True)
            if rule is not None:
                last[end] = rule
                reached.append(end)
    return last.get(len(words))
