"""The engine: a knowledge base, its retriever and the answer policy, built together.

Data flows one way: documents → passages → index → answer. An engine is immutable
once built, so a server can swap in a new one without locking readers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chatbot.answers import Answer, Hit
from chatbot.documents import KnowledgeBase
from chatbot.policy import Policy, answer_question
from chatbot.retrieval import Retriever
from chatbot.rules import RuleSet
from chatbot.safety import load_red_flags, triage
from chatbot.scope import load_scope
from chatbot.settings import Settings
from chatbot.smalltalk import load_smalltalk, smalltalk
from chatbot.validation import load_validated_knowledge

SEARCH_DEPTH = 8


@dataclass(frozen=True)
class Engine:
    knowledge: KnowledgeBase
    retriever: Retriever
    policy: Policy
    red_flags: RuleSet = field(default_factory=lambda: RuleSet({}))
    chat: RuleSet = field(default_factory=lambda: RuleSet({}))

    @classmethod
    def build(cls, knowledge_dir: Path, policy: Policy) -> Engine:
        """Load and index `knowledge_dir`; raises `KnowledgeError` on a broken document."""
        knowledge = load_validated_knowledge(knowledge_dir)
        retriever = Retriever(
            knowledge.passages,
            knowledge.synonyms,
            knowledge.alternates,
            load_scope(knowledge_dir),
        )
        red_flags = load_red_flags(knowledge_dir)
        return cls(knowledge, retriever, policy, red_flags, load_smalltalk(knowledge_dir))

    @classmethod
    def from_settings(cls, settings: Settings) -> Engine:
        return cls.build(settings.knowledge_dir, policy_from(settings))

    def ask(self, question: str) -> Answer:
        """Triage first, so a red flag never reaches the search; then small talk; then search."""
        return (
            triage(question, self.red_flags, self.policy.default_disclaimer)
            or smalltalk(question, self.chat, self.knowledge, self.policy.default_disclaimer)
            or answer_question(question, self._search, self.knowledge, self.policy)
        )

    def _search(self, question: str) -> list[Hit]:
        return self.retriever.search(question, k=SEARCH_DEPTH)


def policy_from(settings: Settings) -> Policy:
    return Policy(
        answer_threshold=settings.answer_threshold,
        suggest_threshold=settings.suggest_threshold,
        default_disclaimer=settings.default_disclaimer,
    )
