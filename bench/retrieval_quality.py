"""Answer quality and speed of the bot's retriever beside plain TF-IDF and BM25.

Run with `make bench`. Every system answers the same questions of
`tests/data/questions.yaml`, or of the question file given as an argument (the
answerable and out-of-scope ones; red flags and small talk are not retrieval
questions) in one run:

- top-1: the best passage is one that answers the question (ranking alone);
- answered right: top-1 and confident enough to be given as the answer;
- abstained: out-of-scope questions not answered.

The baselines have no threshold of their own, so each gets the one that does best on
the `tune` half of `tests/data/questions.yaml` (the bot's thresholds are its settings,
tuned on the same half). Latency is per query, in
milliseconds, measured over several rounds after a warm-up.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.engine import Engine  # noqa: E402
from chatbot.evaluation import Case, load_cases  # noqa: E402
from chatbot.knowledge import Passage  # noqa: E402
from chatbot.settings import Settings  # noqa: E402

QUESTIONS = ROOT / "tests" / "data" / "questions.yaml"
ROUNDS = 5

# question -> (best passage id or None, score)
Ranker = Callable[[str], tuple[str | None, float]]


@dataclass
class Row:
    name: str
    top1: float
    answered_right: float
    abstained: float
    median_ms: float
    p99_ms: float


def document_text(passage: Passage) -> str:
    return f"{passage.question} {passage.text}" if passage.question else passage.text


def tfidf_ranker(passages: Sequence[Passage]) -> Ranker:
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform([document_text(p) for p in passages])

    def rank(question: str) -> tuple[str | None, float]:
        scores = (matrix @ vectorizer.transform([question]).T).toarray().ravel()
        best = int(np.argmax(scores))
        return (passages[best].id, float(scores[best])) if scores[best] > 0 else (None, 0.0)

    return rank


def bm25_ranker(passages: Sequence[Passage]) -> Ranker:
    def tokens(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    index = BM25Okapi([tokens(document_text(p)) for p in passages])

    def rank(question: str) -> tuple[str | None, float]:
        scores = index.get_scores(tokens(question))
        best = int(np.argmax(scores))
        return (passages[best].id, float(scores[best])) if scores[best] > 0 else (None, 0.0)

    return rank


def measure(
    rank: Ranker, cases: Sequence[Case]
) -> tuple[list[tuple[str | None, float]], list[float]]:
    for case in cases:  # warm-up
        rank(case.question)
    timings: list[float] = []
    results = []
    for _ in range(ROUNDS):
        results = []
        for case in cases:
            start = time.perf_counter()
            results.append(rank(case.question))
            timings.append((time.perf_counter() - start) * 1000)
    return results, timings


def scored(
    cases: Sequence[Case], results: Sequence[tuple[str | None, float]], threshold: float
) -> tuple[float, float, float]:
    answerable = [(c, r) for c, r in zip(cases, results, strict=True) if c.answerable]
    outside = [r for c, r in zip(cases, results, strict=True) if not c.answerable]
    top1 = sum(r[0] in c.expect for c, r in answerable) / len(answerable)
    right = sum(r[0] in c.expect and r[1] >= threshold for c, r in answerable) / len(answerable)
    abstained = sum(r[1] < threshold for r in outside) / len(outside)
    return top1, right, abstained


def tuned_threshold(
    tune_cases: Sequence[Case], tune_results: Sequence[tuple[str | None, float]]
) -> float:
    candidates = sorted({r[1] for r in tune_results} | {0.0})

    def quality(t: float) -> tuple[float, float]:
        _, right, abstained = scored(tune_cases, tune_results, t)
        return min(right, abstained), right + abstained

    return max(candidates, key=quality)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "questions", nargs="?", type=Path, default=QUESTIONS, help="question file (YAML)"
    )
    questions: Path = parser.parse_args().questions.resolve()
    settings = Settings()
    engine = Engine.from_settings(settings)
    passage_ids = {p.id for p in engine.knowledge.passages}

    def retrieval_cases(path: Path) -> list[Case]:
        return [c for c in load_cases(path, passage_ids) if c.answerable or c.expect == "abstain"]

    cases = retrieval_cases(questions)
    tune_cases = [c for c in retrieval_cases(QUESTIONS) if c.split == "tune"]
    informative = [p for p in engine.knowledge.passages if p.informative]

    def bot(question: str) -> tuple[str | None, float]:
        answer = engine.ask(question)
        # Not answered counts as abstaining, whatever the confidence.
        return (answer.passage.id if answer.passage else None, 1.0 if answer.answered else 0.0)

    def bot_retriever(question: str) -> tuple[str | None, float]:
        hits = engine.retriever.search(question, k=1)
        return (hits[0].passage.id, hits[0].score) if hits else (None, 0.0)

    systems: list[tuple[str, Ranker, float | None]] = [
        ("chatbot: Engine.ask (triage, small talk, policy)", bot, 0.5),
        ("chatbot: Retriever.search", bot_retriever, settings.answer_threshold),
        ("TfidfVectorizer() defaults", tfidf_ranker(informative), None),
        ("BM25Okapi (rank-bm25)", bm25_ranker(informative), None),
    ]
    rows = []
    for name, rank, threshold in systems:
        results, timings = measure(rank, cases)
        if threshold is None:
            threshold = tuned_threshold(tune_cases, measure(rank, tune_cases)[0])
        top1, right, abstained = scored(cases, results, threshold)
        if rank is bot:  # An unanswered reply has no passage: rank by the retriever.
            top1 = scored(cases, measure(bot_retriever, cases)[0], 0.0)[0]
        timings.sort()
        rows.append(
            Row(
                name,
                top1,
                right,
                abstained,
                statistics.median(timings),
                timings[int(0.99 * (len(timings) - 1))],
            )
        )
    answerable = sum(c.answerable for c in cases)
    print(
        f"{answerable} answerable and {len(cases) - answerable} out-of-scope questions "
        f"from {questions.relative_to(ROOT) if questions.is_relative_to(ROOT) else questions}, "
        f"{ROUNDS} rounds\n"
    )
    print("| system | top-1 | answered right | abstained | median ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row.name} | {row.top1:.1%} | {row.answered_right:.1%} | {row.abstained:.1%} "
            f"| {row.median_ms:.3f} | {row.p99_ms:.3f} |"
        )


if __name__ == "__main__":
    main()
