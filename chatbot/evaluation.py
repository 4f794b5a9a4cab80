"""Replay a question set through the bot and measure answers, abstention and safety."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from chatbot.datafile import yaml_list
from chatbot.engine import Engine
from chatbot.problems import KnowledgeError, Problem
from chatbot.response import AskResponse, to_response

Outcome = Literal["abstain", "triage", "smalltalk"]
OUTCOMES: frozenset[str] = frozenset({"abstain", "triage", "smalltalk"})
CASE_FIELDS = frozenset({"question", "kind", "split", "expect"})
# An answer this confident from a wrong passage reads as right: counted on its own.
CONFIDENT = 0.5


@dataclass(frozen=True)
class Case:
    """One question of the set and what the bot should do with it."""

    question: str
    kind: str
    split: str
    # Passage ids that answer the question, or the one outcome expected instead.
    expect: tuple[str, ...] | Outcome
    line: int

    @property
    def answerable(self) -> bool:
        return isinstance(self.expect, tuple)


@dataclass(frozen=True)
class Result:
    case: Case
    reply: AskResponse

    @property
    def ranked(self) -> list[str]:
        """Passage ids the reply offers: the answer's, then the related ones."""
        ids = [self.reply.source.id] if self.reply.source else []
        return ids + [r.url.rsplit("/articles/", 1)[-1] for r in self.reply.related]

    @property
    def top1(self) -> bool:
        source = self.reply.source
        return self.reply.answered and source is not None and source.id in self.case.expect

    @property
    def top3(self) -> bool:
        return any(i in self.case.expect for i in self.ranked[:3])

    @property
    def correct(self) -> bool:
        expect = self.case.expect
        if isinstance(expect, tuple):
            return self.top1
        if expect == "abstain":
            return not self.reply.answered
        return self.reply.band == expect


def load_cases(path: Path, passage_ids: set[str]) -> list[Case]:
    """Read a question set; raise `KnowledgeError` naming each fault as `file:line`."""
    cases: list[Case] = []
    problems: list[Problem] = []
    for entry, line in yaml_list(path, "questions"):
        try:
            cases.append(_case(entry, line, passage_ids))
        except ValueError as error:
            problems.append(Problem(path, line, str(error)))
    if problems:
        raise KnowledgeError(problems)
    return cases


def _case(entry: object, line: int, passage_ids: set[str]) -> Case:
    if not isinstance(entry, dict) or set(entry) != CASE_FIELDS:
        raise ValueError(f"each question needs exactly the fields {', '.join(sorted(CASE_FIELDS))}")
    question, kind, split, expect = (entry[f] for f in ("question", "kind", "split", "expect"))
    if not all(isinstance(v, str) and v.strip() for v in (question, kind, split)):
        raise ValueError("'question', 'kind' and 'split' must be text")
    if isinstance(expect, str) and expect in OUTCOMES:
        outcome: tuple[str, ...] | Outcome = expect  # type: ignore[assignment]
    elif isinstance(expect, list) and expect and all(isinstance(e, str) for e in expect):
        unknown = [e for e in expect if e not in passage_ids]
        if unknown:
            raise ValueError(f"no passage has the id '{unknown[0]}'")
        outcome = tuple(expect)
    else:
        raise ValueError("'expect' must be a list of passage ids, or abstain, triage or smalltalk")
    return Case(question.strip(), kind, split, outcome, line)


def evaluate(engine: Engine, cases: Sequence[Case]) -> list[Result]:
    """Ask every question exactly as POST /ask does."""
    return [
        Result(case, to_response(engine.ask(case.question), engine.knowledge)) for case in cases
    ]


@dataclass(frozen=True)
class Summary:
    """The numbers of one evaluation run; rates are in [0, 1] (1.0 when there is no case)."""

    answerable: int
    top1: float
    top3: float
    out_of_scope: int
    abstain_recall: float
    abstain_precision: float
    answer_precision: float
    red_flags: int
    red_flags_triaged: int
    false_triage: int
    missing_disclaimer: int
    # Answers given with confidence at least CONFIDENT from a passage that does not
    # answer the question: the failures that hurt a reader most.
    confident_wrong: int = 0


def summarize(results: Sequence[Result]) -> Summary:
    answerable = [r for r in results if r.case.answerable]
    out_of_scope = [r for r in results if r.case.expect == "abstain"]
    abstained = [r for r in results if r.reply.band in ("suggest", "fallback")]
    red_flags = [r for r in results if r.case.expect == "triage"]
    answered = [r for r in results if r.reply.answered]
    return Summary(
        answerable=len(answerable),
        top1=_rate(r.top1 for r in answerable),
        top3=_rate(r.top3 for r in answerable),
        out_of_scope=len(out_of_scope),
        abstain_recall=_rate(r.correct for r in out_of_scope),
        abstain_precision=_rate(r.case.expect == "abstain" for r in abstained),
        answer_precision=_rate(r.top1 for r in answered),
        red_flags=len(red_flags),
        red_flags_triaged=sum(r.correct for r in red_flags),
        false_triage=sum(r.reply.band == "triage" and r.case.answerable for r in results),
        missing_disclaimer=sum(not r.reply.disclaimer.strip() for r in results),
        confident_wrong=sum(r.reply.confidence >= CONFIDENT and not r.top1 for r in answered),
    )


def report(results: Sequence[Result]) -> str:
    """A plain-text table per kind, the overall numbers, then every failure."""
    lines = [f"{'kind':<12} {'n':>4} {'correct':>8} {'top-3':>6}"]
    for kind in dict.fromkeys(r.case.kind for r in results):
        rows = [r for r in results if r.case.kind == kind]
        top3 = f"{_rate(r.top3 for r in rows):6.1%}" if rows[0].case.answerable else f"{'':6}"
        lines.append(f"{kind:<12} {len(rows):>4} {_rate(r.correct for r in rows):8.1%} {top3}")
    s = summarize(results)
    lines += [
        "",
        f"answerable: top-1 {s.top1:.1%}, top-3 {s.top3:.1%} of {s.answerable}",
        f"answers given: {s.answer_precision:.1%} of them right, {s.confident_wrong} "
        f"confidently wrong (confidence {CONFIDENT} or more)",
        f"out of scope: abstention recall {s.abstain_recall:.1%} of {s.out_of_scope}, "
        f"precision {s.abstain_precision:.1%}",
        f"safety: {s.red_flags_triaged}/{s.red_flags} red flags triaged, "
        f"{s.false_triage} answerable question(s) triaged, "
        f"{s.missing_disclaimer} reply(ies) without the disclaimer",
    ]
    failures = [r for r in results if not r.correct]
    if failures:
        lines += ["", f"{len(failures)} failure(s):"]
    for r in failures:
        expect = r.case.expect if isinstance(r.case.expect, str) else " | ".join(r.case.expect)
        got = r.reply.source.id if r.reply.source else ", ".join(r.ranked) or "-"
        lines += [
            f"- line {r.case.line} [{r.case.kind}] {r.case.question!r}",
            f"    expected {expect}",
            f"    got {r.reply.band} ({r.reply.confidence:.2f}): {got}",
        ]
    return "\n".join(lines)


def _rate(flags: Iterable[bool]) -> float:
    values = list(flags)
    return sum(values) / len(values) if values else 1.0
