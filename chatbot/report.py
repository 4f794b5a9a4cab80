"""The editors' report over the question log: what went unanswered and what did not help.

The report only suggests; nothing here changes the knowledge base. Questions are
grouped by their normalised text, so "Why are my hips tight?" and "why are my hips
tight" count as one. The reasons given with a thumbs-down are counted per passage and
per article. Every question is one of three outcomes, counted the same way
everywhere: answered, unanswered (a suggestion or a fallback, which new content could
fix) or other (a referral to a professional, small talk).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from chatbot.log_rows import FEEDBACK_REASONS
from chatbot.question_log import LoggedQuestion, LogSnapshot
from chatbot.rules import plain
from chatbot.scoring import SCORING

# Bands the knowledge base could fix by adding content; triage and small talk are not gaps.
UNANSWERED_BANDS = frozenset({"suggest", "fallback"})
# Characters a terminal acts on rather than shows (escapes, OSC 8 links, line breaks,
# bidirectional overrides); visitors type the questions, so the report shows these
# escaped instead.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Zl", "Zp"})
LOW_CONFIDENCE = SCORING.low_confidence
TOP = 10
# How the report and /admin name each reason; the chat page's buttons say the same
# (web/static/messages.js).
REASON_LABELS = {
    "wrong": "Wrong answer",
    "unanswered": "Didn't answer my question",
    "too_general": "Too general",
}


@dataclass(frozen=True)
class QuestionCount:
    question: str  # the most frequent wording in the group
    count: int
    passage_id: str | None = None  # the passage most often given to the group


@dataclass(frozen=True)
class PassageFeedback:
    passage_id: str | None  # None: feedback on replies that quoted nothing
    thumbs_down: int
    thumbs_up: int


@dataclass(frozen=True)
class ReasonCount:
    """How often each reason was given about one passage or one article."""

    key: str | None  # a passage id or a document id; None: replies that quoted nothing
    counts: tuple[int, ...]  # one per reason, in the order of FEEDBACK_REASONS

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class DayCount:
    day: date
    answered: int
    unanswered: int
    other: int

    @property
    def total(self) -> int:
        return self.answered + self.unanswered + self.other


@dataclass(frozen=True)
class Report:
    questions: int
    answered: int
    unanswered: tuple[QuestionCount, ...]
    low_confidence: tuple[QuestionCount, ...]
    thumbs_down: tuple[PassageFeedback, ...]
    days: tuple[DayCount, ...]
    low_confidence_below: float
    reasons_by_passage: tuple[ReasonCount, ...] = ()
    reasons_by_article: tuple[ReasonCount, ...] = ()

    @property
    def unanswered_total(self) -> int:
        return sum(d.unanswered for d in self.days)

    @property
    def other_total(self) -> int:
        return sum(d.other for d in self.days)


def build_report(
    snapshot: LogSnapshot, *, low_confidence: float = LOW_CONFIDENCE, top: int = TOP
) -> Report:
    if top < 1:
        raise ValueError("top must be at least 1")
    questions = snapshot.questions
    unanswered = [q for q in questions if outcome(q) == "unanswered"]
    shaky = [q for q in questions if q.band == "answer" and q.confidence < low_confidence]
    return Report(
        questions=len(questions),
        answered=sum(outcome(q) == "answered" for q in questions),
        unanswered=_most_frequent(unanswered, top),
        low_confidence=_most_frequent(shaky, top),
        thumbs_down=_thumbs_down(snapshot, top),
        days=_per_day(questions),
        low_confidence_below=low_confidence,
        reasons_by_passage=_reasons(snapshot, top, _passage),
        reasons_by_article=_reasons(snapshot, top, _article),
    )


def _most_frequent(questions: list[LoggedQuestion], top: int) -> tuple[QuestionCount, ...]:
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    passages: dict[str, Counter[str | None]] = defaultdict(Counter)
    for logged in questions:
        groups[plain(logged.question)][logged.question] += 1
        passages[plain(logged.question)][logged.passage_id] += 1
    counts = [
        QuestionCount(
            wordings.most_common(1)[0][0], wordings.total(), passages[key].most_common(1)[0][0]
        )
        for key, wordings in groups.items()
    ]
    counts.sort(key=lambda c: (-c.count, c.question.lower()))
    return tuple(counts[:top])


def _thumbs_down(snapshot: LogSnapshot, top: int) -> tuple[PassageFeedback, ...]:
    passage_of = {q.id: q.passage_id for q in snapshot.questions}
    down: Counter[str | None] = Counter()
    up: Counter[str | None] = Counter()
    for feedback in snapshot.feedback:
        if feedback.answer_id in passage_of:
            (up if feedback.helpful else down)[passage_of[feedback.answer_id]] += 1
    rows = [PassageFeedback(passage, count, up[passage]) for passage, count in down.items()]
    rows.sort(key=lambda r: (-r.thumbs_down, r.thumbs_up, r.passage_id or ""))
    return tuple(rows[:top])


def _passage(passage_id: str | None) -> str | None:
    return passage_id


def _article(passage_id: str | None) -> str | None:
    return None if passage_id is None else passage_id.partition("#")[0]


def _reasons(
    snapshot: LogSnapshot, top: int, key: Callable[[str | None], str | None]
) -> tuple[ReasonCount, ...]:
    """Reasons given per passage (or article), most given first; one vote per reply."""
    passage_of = {q.id: q.passage_id for q in snapshot.questions}
    tally: dict[str | None, Counter[str]] = defaultdict(Counter)
    for feedback in snapshot.feedback:
        if feedback.reason is not None and feedback.answer_id in passage_of:
            tally[key(passage_of[feedback.answer_id])][feedback.reason] += 1
    rows = [
        ReasonCount(name, tuple(counts[reason] for reason in FEEDBACK_REASONS))
        for name, counts in tally.items()
    ]
    rows.sort(key=lambda r: (-r.total, r.key or ""))
    return tuple(rows[:top])


def _per_day(questions: tuple[LoggedQuestion, ...]) -> tuple[DayCount, ...]:
    if not questions:
        return ()
    tally: dict[date, Counter[str]] = defaultdict(Counter)
    for logged in questions:
        tally[logged.asked_at.date()][outcome(logged)] += 1
    first, last = min(tally), max(tally)
    # Quiet days are shown as zero rather than skipped, so the chart's time axis is honest.
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return tuple(
        DayCount(day, tally[day]["answered"], tally[day]["unanswered"], tally[day]["other"])
        for day in days
    )


def outcome(logged: LoggedQuestion) -> str:
    """answered, unanswered or other: the one place a question's outcome is decided."""
    if logged.answered:
        return "answered"
    return "unanswered" if logged.band in UNANSWERED_BANDS else "other"


def format_report(report: Report) -> str:
    """The report as plain text, for `chatbot report`."""
    lines = [
        f"Questions logged: {report.questions} (answered {report.answered}, "
        f"unanswered {report.unanswered_total}, other {report.other_total})",
        "",
        "Most frequent unanswered questions:",
        *_counted(report.unanswered),
        "",
        f"Most frequent low-confidence answers (confidence below {report.low_confidence_below}):",
        *_counted(report.low_confidence),
        "",
        "Answers with the most thumbs-down:",
        *(
            f"  {r.thumbs_down:>5} down {r.thumbs_up:>5} up  "
            f"{printable(r.passage_id) if r.passage_id else '(no answer)'}"
            for r in report.thumbs_down
        ),
        *([] if report.thumbs_down else ["  (none)"]),
        "",
        "Why answers did not help, per passage:",
        *_reason_lines(report.reasons_by_passage, "passage"),
        "",
        "Why answers did not help, per article:",
        *_reason_lines(report.reasons_by_article, "article"),
        "",
        "Questions per day (UTC):",
        f"  {'day':<10}  total answered unanswered other",
        *(
            f"  {d.day.isoformat()}  {d.total:>5} {d.answered:>8} {d.unanswered:>10} {d.other:>5}"
            for d in report.days
        ),
        *([] if report.days else ["  (none)"]),
    ]
    return "\n".join(lines)


def _reason_lines(rows: tuple[ReasonCount, ...], what: str) -> list[str]:
    if not rows:
        return ["  (none)"]
    # Each count is right-aligned under its reason's name.
    widths = [max(5, len(reason)) for reason in FEEDBACK_REASONS]
    header = " ".join(f"{r:>{w}}" for r, w in zip(FEEDBACK_REASONS, widths, strict=True))
    return [
        f"  {header}  {what}",
        *(
            "  "
            + " ".join(f"{c:>{w}}" for c, w in zip(row.counts, widths, strict=True))
            + f"  {printable(row.key) if row.key else '(no answer)'}"
            for row in rows
        ),
    ]


def _counted(counts: tuple[QuestionCount, ...]) -> list[str]:
    return [f"  {c.count:>5}  {printable(c.question)}" for c in counts] or ["  (none)"]


def printable(text: str) -> str:
    """`text` with every control character shown as an escape: ESC as `\\x1b`, a newline
    as `\\n`, so a question cannot move the cursor, recolour or forge report lines."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in _UNPRINTABLE
        else ch
        for ch in text
    )
