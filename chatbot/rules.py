"""Pattern rules kept as data: named regular expressions that pick a canned reply.

A rules file (`safety.yaml`, `smalltalk.yaml`) has `replies` (a name → the text to
say) and `rules`, each with a `name`, the `reply` it gives and its `patterns`.
Patterns are matched against the question lower-cased, ASCII-folded, without
apostrophes and with every other non-alphanumeric run turned into one space, so
"I can't WALK!!" is seen as "i cant walk".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from chatbot.datafile import compose_yaml, node_value
from chatbot.problems import KnowledgeError, Problem

RULE_FIELDS = frozenset({"name", "reply", "patterns"})
# `unless_covered: true` marks a rule about a subject (a condition, pregnancy) that a
# knowledge base may itself be about: there, naming the subject is no red flag.
OPTIONAL_RULE_FIELDS = frozenset({"unless_covered"})


def plain(text: str) -> str:
    """The form of a question that rule patterns are written against."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"['’`]", "", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@dataclass(frozen=True)
class Rule:
    name: str
    reply: str
    patterns: tuple[re.Pattern[str], ...]
    line: int
    unless_covered: bool = False


@dataclass(frozen=True)
class RuleSet:
    """Rules in file order; the first rule with a matching pattern wins."""

    replies: dict[str, str]
    rules: tuple[Rule, ...] = ()

    def match(self, question: str, *, whole: bool = False, covered: str = "") -> Rule | None:
        """The first rule matching anywhere in `question` (or all of it, if `whole`).

        `covered` is what the knowledge base is about (plain text of its titles,
        headings and FAQ questions): a rule marked `unless_covered` does not count a
        match made only of words of it."""
        text = plain(question)
        for rule in self.rules:
            for pattern in rule.patterns:
                found = pattern.fullmatch(text) if whole else pattern.search(text)
                if found is None:
                    continue
                if rule.unless_covered and covered and is_covered(found.group(0), covered):
                    continue
                return rule
        return None

    def reply(self, rule: Rule) -> str:
        return self.replies[rule.reply]

    def extended(self, replies: dict[str, str], rules: list[Rule]) -> RuleSet:
        """These rules and replies with `replies` and `rules` added; one with the name
        of an existing rule or reply replaces it, in its place."""
        by_name = {r.name: r for r in rules}
        kept = [by_name.pop(r.name, r) for r in self.rules]
        return RuleSet({**self.replies, **replies}, (*kept, *by_name.values()))

    def with_words(self, words: dict[str, str]) -> RuleSet:
        """The replies with each `{name}` placeholder filled in from `words`."""
        replies = dict(self.replies)
        for name, text in replies.items():
            for key, value in words.items():
                text = text.replace("{" + key + "}", value)
            replies[name] = text
        return RuleSet(replies, self.rules)


def is_covered(phrase: str, covered: str) -> bool:
    """Whether `phrase` (plain text) is among what `covered` speaks of: as a phrase, or
    word by word, a word counting when it shares its first six letters with a covered
    word or is part of one ("pregnant" and "pregnancy", "arthritis" in "osteoarthritis")."""
    if f" {phrase} " in f" {covered} ":
        return True
    words = set(covered.split())
    return all(
        any(w in c or (len(w) >= 6 and w[:6] == c[:6]) for c in words)
        for w in phrase.split()
        if len(w) > 3
    ) and any(len(w) > 3 for w in phrase.split())


def load_rules(path: Path, base: RuleSet | None = None) -> RuleSet:
    """Read a rules file. Alone, it needs `replies` and `rules`; over `base` (the package
    defaults) it may hold either, and adds to `base` or replaces a rule or reply by its
    name, so leaving a rule out never switches it off. An absent file adds nothing.
    Faults raise `KnowledgeError`."""
    if not path.is_file():
        return base or RuleSet({})
    root = compose_yaml(path)
    problems: list[Problem] = []
    sections = _mapping(root)
    required = {"replies", "rules"}
    if (
        sections is None
        or (base is None and set(sections) != required)
        or not set(sections) <= required
        or not sections
    ):
        line = 1 + root.start_mark.line if root is not None else 1
        needs = "exactly two keys" if base is None else "one or both of the keys"
        raise KnowledgeError([Problem(path, line, f"needs {needs}: replies and rules")])
    replies: dict[str, Any] = {}
    if "replies" in sections:
        replies = node_value(sections["replies"])
        if not isinstance(replies, dict) or not replies:
            problems.append(_at(path, sections["replies"], "'replies' must map names to texts"))
            replies = {}
    for name, text in replies.items():
        if not (isinstance(text, str) and text.strip()):
            problems.append(_at(path, sections["replies"], f"reply '{name}' must be text"))
    known = {**(base.replies if base else {}), **replies}
    rules: list[Rule] = []
    rules_node = sections.get("rules")
    if rules_node is not None and not isinstance(rules_node, yaml.SequenceNode):
        problems.append(_at(path, rules_node, "'rules' must be a list"))
        raise KnowledgeError(problems)
    for node in rules_node.value if rules_node is not None else ():
        rule = _rule(path, node, known, problems)
        if rule is not None:
            rules.append(rule)
    if problems:
        raise KnowledgeError(problems)
    texts = {str(k): str(v).strip() for k, v in replies.items()}
    if base is None:
        return RuleSet(texts, tuple(rules))
    return base.extended(texts, rules)


def _rule(
    path: Path, node: yaml.Node, replies: dict[str, Any], problems: list[Problem]
) -> Rule | None:
    entry = node_value(node)
    line = 1 + node.start_mark.line
    if not isinstance(entry, dict) or not RULE_FIELDS <= set(entry) <= (
        RULE_FIELDS | OPTIONAL_RULE_FIELDS
    ):
        message = "each rule needs exactly: name, reply, patterns (and may say unless_covered)"
        problems.append(Problem(path, line, message))
        return None
    unless_covered = entry.get("unless_covered", False)
    if not isinstance(unless_covered, bool):
        problems.append(Problem(path, line, "'unless_covered' must be true or false"))
    name, reply, patterns = entry["name"], entry["reply"], entry["patterns"]
    if not (isinstance(name, str) and name.strip()):
        problems.append(Problem(path, line, "a rule's 'name' must be text"))
        return None
    if not isinstance(reply, str):
        problems.append(Problem(path, line, f"rule '{name}' needs one reply name as its 'reply'"))
    elif reply not in replies:
        problems.append(Problem(path, line, f"rule '{name}' uses an unknown reply '{reply}'"))
    if not isinstance(patterns, list) or not patterns:
        problems.append(Problem(path, line, f"rule '{name}' needs a list of patterns"))
        return None
    compiled = []
    pattern_nodes = _mapping(node)["patterns"].value  # type: ignore[index]
    for pattern, pattern_node in zip(patterns, pattern_nodes, strict=True):
        where = 1 + pattern_node.start_mark.line
        try:
            compiled.append(re.compile(str(pattern)))
        except re.error as error:
            problems.append(Problem(path, where, f"pattern {pattern!r} is not valid: {error}"))
    return Rule(name.strip(), str(reply), tuple(compiled), line, unless_covered is True)


def _mapping(node: yaml.Node | None) -> dict[str, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return {str(k.value): v for k, v in node.value}


def _at(path: Path, node: yaml.Node, message: str) -> Problem:
    return Problem(path, 1 + node.start_mark.line, message)
