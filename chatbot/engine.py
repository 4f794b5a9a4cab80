"""The engine: a knowledge base, its retriever and the answer policy, built together.

Data flows one way: documents → passages → index → answer. An engine is immutable
once built, so a server can swap in a new one without locking readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from chatbot.answers import Answer, Hit
from chatbot.asking import questions_of
from chatbot.documents import KnowledgeBase
from chatbot.folder import load_folder
from chatbot.followup import search_text
from chatbot.policy import FALLBACK_TEXT, MAX_RELATED, Policy, answer_question
from chatbot.red_flag_model import RedFlagModel
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
    red_flag_model: RedFlagModel | None = None

    @classmethod
    def build(cls, knowledge_dir: Path, policy: Policy, index_cache: Path | None = None) -> Engine:
        """Load and index `knowledge_dir`; raises `KnowledgeError` naming every problem.
        With `index_cache`, the index is read from there when it is current."""
        folder = load_folder(knowledge_dir, index_cache)
        site = folder.site
        retriever = Retriever.cached(
            index_cache,
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
            folder.red_flag_model,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Engine:
        cache = Path(settings.index_cache_dir) if settings.index_cache_dir else None
        return cls.build(settings.knowledge_dir, policy_from(settings), cache)

    def ask(self, question: str, history: Sequence[str] = ()) -> Answer:
        """Triage first, so a red flag never reaches the search; then small talk; then
        search. `history` holds the conversation's earlier questions, oldest first: a
        short follow-up that is not answered alone is searched together with the last
        question that named a subject."""
        disclaimer = self.policy.default_disclaimer
        early = triage(
            question, self.red_flags, disclaimer, self.covered, self.red_flag_model
        ) or smalltalk(question, self.chat, self.site.starters, disclaimer)
        if early is not None:
            return early
        answer = self._answer(question)
        if answer.band == "answer" or not history:
            return answer
        query = search_text(question, history, self.retriever.names_a_subject)
        if query == question:
            return answer
        follow_up = self._answer_one(question, query)
        return follow_up if follow_up.confidence > answer.confidence else answer

    def _answer(self, question: str) -> Answer:
        """The answer to a message. One that asks several questions, or tells a story
        around its question, gets the answer to the whole message, or when there is
        none, to the question answered best; the other questions' passages come first
        among the related ones."""
        whole = self._answer_one(question)
        questions = questions_of(question)
        if not questions:
            return whole
        parts = [self._answer_one(q, context=question) for q in questions]
        # The message as a whole keeps its answer when it has one: a question cut from
        # its sentence loses words, and short ones match titles too easily. Only the one
        # question of a story, answered far more confidently alone, takes its place.
        told = len(parts) == 1 and parts[0].band == "answer"
        margin = self.retriever.scoring.question_over_story
        if whole.band == "answer" and not (
            told and parts[0].confidence >= margin * whole.confidence
        ):
            best = whole
        else:
            best = max([whole, *parts], key=lambda a: (a.band == "answer", a.confidence))
        others = [
            a.passage or next(iter(a.related), None)
            for a in parts
            if a is not best and a.band in ("answer", "suggest")
        ]
        related = tuple(
            dict.fromkeys(
                p for p in (*others, *best.related) if p is not None and p != best.passage
            )
        )[:MAX_RELATED]
        return replace(best, question=question, related=related)

    def _answer_one(
        self, question: str, query: str | None = None, context: str | None = None
    ) -> Answer:
        """The policy's answer to `question`, searched as `query` when given. A question
        cut from a message has the message as `context`: what the message names beside
        the question (another body part, a subject the index lacks) still counts."""
        focus = self.retriever.scope.focus(context or question)

        def search(text: str) -> list[Hit]:
            return self.retriever.search(query or text, k=SEARCH_DEPTH, context=context)

        return answer_question(question, search, self.knowledge, self.policy, focus)


def policy_from(settings: Settings) -> Policy:
    return Policy(
        answer_threshold=settings.answer_threshold,
        suggest_threshold=settings.suggest_threshold,
        default_disclaimer=settings.default_disclaimer,
    )
