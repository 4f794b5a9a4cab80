"""The site's identity, as data: its name, the chat page's wording, what the bot covers,
its starter questions, the emergency wording and the default disclaimer (`site.yaml`).

Every field is optional; without the file, neutral defaults come from the documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from chatbot.datafile import compose_yaml, node_value
from chatbot.documents import KnowledgeBase, Passage
from chatbot.problems import KnowledgeError, Problem

SITE_FILE = "site.yaml"
TEXT_FIELDS = ("name", "heading", "placeholder", "covers", "emergency", "disclaimer")
SITE_FIELDS = (*TEXT_FIELDS, "starters")
DEFAULT_EMERGENCY = "your local emergency number (such as 911, 112 or 999)"
DEFAULT_HEADING = "Ask a question"
DEFAULT_PLACEHOLDER = "Type your question"
MAX_STARTERS = 3


@dataclass(frozen=True)
class Site:
    name: str
    heading: str
    placeholder: str
    # What the bot covers, as a phrase that follows "questions about".
    covers: str
    # FAQ entries offered as first questions to ask.
    starters: tuple[Passage, ...]
    emergency: str = DEFAULT_EMERGENCY
    # Replaces the CHATBOT_DEFAULT_DISCLAIMER setting when set.
    disclaimer: str | None = None

    @property
    def example(self) -> str:
        """A question to suggest in a greeting."""
        return self.starters[0].title if self.starters else "What is this article about?"


def default_site(knowledge: KnowledgeBase) -> Site:
    """The neutral identity of a site without `site.yaml`, taken from its documents."""
    titles = [d.title.rstrip("?!. ") for d in knowledge.documents]
    covers = _listing(titles) if titles else "our articles"
    return Site(
        name=titles[0] if len(titles) == 1 else "Questions and answers",
        heading=DEFAULT_HEADING,
        placeholder=DEFAULT_PLACEHOLDER,
        covers=covers,
        starters=knowledge.starters(MAX_STARTERS),
    )


def load_site(directory: Path, knowledge: KnowledgeBase) -> Site:
    """The site of a knowledge folder; raises `KnowledgeError` naming every fault."""
    site = default_site(knowledge)
    path = directory / SITE_FILE
    if not path.is_file():
        return site
    root = compose_yaml(path)
    if root is None:
        return site
    if not isinstance(root, yaml.MappingNode):
        line = 1 + root.start_mark.line
        raise KnowledgeError([Problem(path, line, f"must map some of {', '.join(SITE_FIELDS)}")])
    fields: dict[str, str] = {}
    starters = site.starters
    problems: list[Problem] = []
    for key_node, value_node in root.value:
        key, line, value = str(key_node.value), 1 + key_node.start_mark.line, node_value(value_node)
        if key not in SITE_FIELDS:
            known = ", ".join(SITE_FIELDS)
            problems.append(Problem(path, line, f"unknown field '{key}' (known: {known})"))
        elif key == "starters":
            starters = _starters(path, value_node, knowledge, problems) or starters
        elif not (isinstance(value, str) and value.strip()):
            problems.append(Problem(path, line, f"'{key}' must be text"))
        else:
            fields[key] = " ".join(value.split())
    if problems:
        raise KnowledgeError(problems)
    return Site(
        name=fields.get("name", site.name),
        heading=fields.get("heading", site.heading),
        placeholder=fields.get("placeholder", site.placeholder),
        covers=fields.get("covers", site.covers),
        starters=starters,
        emergency=fields.get("emergency", site.emergency),
        disclaimer=fields.get("disclaimer"),
    )


def _starters(
    path: Path, node: yaml.Node, knowledge: KnowledgeBase, problems: list[Problem]
) -> tuple[Passage, ...] | None:
    """Starter questions must be FAQ questions of the documents, so each one is answered."""
    line = 1 + node.start_mark.line
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        problems.append(Problem(path, line, "'starters' must be a list of FAQ questions"))
        return None
    faqs = {_key(p.title): p for p in knowledge.passages if p.kind == "faq"}
    found: list[Passage] = []
    for item in node.value:
        text, where = str(node_value(item)), 1 + item.start_mark.line
        passage = faqs.get(_key(text))
        if passage is None:
            message = f"starter '{text}' is not an FAQ question of any document"
            problems.append(Problem(path, where, message))
        else:
            found.append(passage)
    return tuple(found)


def _key(question: str) -> str:
    return " ".join(question.lower().split()).rstrip("?")


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
