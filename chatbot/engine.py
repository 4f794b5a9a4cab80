"""The engine: a knowledge base, its retriever and the answer policy, built together.

Data flows one way: documents → passages → index → answer. An engine is immutable
once built, so a server can swap in a new one without locking readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from chatbot.answers import Answer, Hit
from chatbot.documents import KnowledgeBase
from chatbot.folder import load_folder
from chatbot.followup import search_text
from chatbot.policy import FALLBACK_TEXT, Policy, answer_question
from chatbot.retrieval import Retriever
from chatbot.rules import RuleSet
from chatbot.safety import triage
from chatbot.settings import Settings
from chatbot.site import Site
from chatbot.smalltalk import smalltalk

SEARCH_DEPTH = 8


@dataclass(frozen=True)
class Engine:
    knowledge: KnowledgeBase
    retriever: Retriever
    policy: Policy
    site: Site
    red_flags: RuleSet = field(default_factory=lambda: RuleSet({}))
    chat: RuleSet = field(default_factory=lambda: RuleSet({}))
    covered: str = ""

    @classmethod
    def build(cls, knowledge_dir: Path, policy: Policy) -> Engine:
        """Load and index `knowledge_dir`; raises `KnowledgeError` naming every problem."""
        folder = load_folder(knowledge_dir)
        site = folder.site
        retriever = Retriever(
            folder.knowledge.passages,
            folder.knowledge.synonyms,
            folder.knowledge.alternates,
            folder.scope,
        )
        policy = replace(
            policy,
            default_disclaimer=site.disclaimer or policy.default_disclaimer,
            fallback_text=FALLBACK_TEXT.format(covers=site.covers),
            starters=site.starters,
        )
        return cls(
            folder.knowledge,
            retriever,
            policy,
            site,
            folder.red_flags,
            folder.smalltalk,
            folder.covered,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Engine:
        return cls.build(settings.knowledge_dir, policy_from(settings))

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        """Triage first, so a red flag never reaches the search; then small talk; then
        search. `history` holds the conversation's earlier questions, oldest first: a
        short follow-up that is not answered alone is searched together with the last
        question that named a subject."""
        disclaimer = self.policy.default_disclaimer
        early = triage(question, self.red_flags, disclaimer, self.covered) or smalltalk(
            question, self.chat, self.knowledge, disclaimer
        )
        if early is not None:
            return early
        answer = answer_question(question, self._search, self.knowledge, self.policy)
        query = search_text(question, history, self.retriever.names_a_subject)
        if answer.band == "answer" or query == question:
            return answer
        follow_up = answer_question(
            question, lambda _: self._search(query), self.knowledge, self.policy
        )
        return follow_up if follow_up.confidence > answer.confidence else answer

    def _search(self, question: str) -> list[Hit]:
        return self.retriever.search(question, k=SEARCH_DEPTH)


def policy_from(settings: Settings) -> Policy:
    return Policy(
        answer_threshold=settings.answer_threshold,
        suggest_threshold=settings.suggest_threshold,
        default_disclaimer=settings.default_disclaimer,
    )
