"""Answer quality per knowledge base: the bot beside plain TF-IDF and BM25.

Run with `make bench` (or `.venv/bin/python bench/quality.py [FOLDER QUESTIONS]…`).
Each knowledge base is a folder with its question file: the shipped sample
(`knowledge/` with `knowledge/questions.yaml`) and every `examples/*/` folder with its
`questions.yaml`. For each, in one run:

- answered right: answerable questions answered (band `answer`) with a passage that
  answers them;
- right offered first: the same, or the first "Did you mean…" is a passage that answers
  them (one click away);
- abstained: out-of-scope questions not answered;
- red flags: red-flag questions sent to a professional (the baselines have no triage);
- triaged: answerable questions wrongly sent to a professional;
- confident wrong: answers given with confidence at least 0.5 from a passage that does
  not answer the question, as a share of the answers given;
- FAQ ≥ 0.95: FAQ questions asked word for word, answered from their own entry with
  confidence at least 0.95.

With `--heldout`, a second table counts, on the held-out red-flag set
(tests/data/red_flag_questions.yaml), the red flags sent to a professional and the
everyday questions sharing their words that were sent there too.

The baselines get the same passages the bot answers from, and no editorial data (the
bot uses each folder's synonyms and alternates, if any: the example folders have none).

With `--heldout`, the held-out half of the real questions is measured twice: as the
sites stand, and after an inbox pass over the dev half, the product's own loop: every
dev question the bot got wrong (and did not triage) added, as asked, to alternates.yaml
under the passage that answers it. There the baselines get the same phrasings, joined
to the passages' text.
They have no threshold of their own, so each is given the one that does best on that
very question set (the most favourable choice for them, which no real deployment
could make). Latency is the median per question, in milliseconds.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import yaml
from rank_bm25 import BM25Okapi
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.documents import Passage  # noqa: E402
from chatbot.engine import Engine  # noqa: E402
from chatbot.evaluation import Case, load_cases  # noqa: E402
from chatbot.retrieval import Retriever  # noqa: E402
from chatbot.settings import Settings  # noqa: E402

CONFIDENT = 0.5
VERBATIM = 0.95
SAMPLE = (ROOT / "knowledge", ROOT / "knowledge" / "questions.yaml")
REAL_QUESTIONS = ROOT / "tests" / "data" / "real_questions.yaml"
RED_FLAG_QUESTIONS = ROOT / "tests" / "data" / "red_flag_questions.yaml"
REAL_FOLDERS = {
    "hip-flexors": ROOT / "knowledge",
    "lower-back": ROOT / "examples" / "lower-back",
    "knee-oa": ROOT / "examples" / "knee-oa",
    "sleep-posture": ROOT / "examples" / "sleep-posture",
}

# A row of the table to make: label, folder, questions, phrasings an inbox pass added.
Run = tuple[str, Path, "Sequence[Case] | Path", "Mapping[str, Sequence[str]] | None"]
# question -> (passage id given as the answer or None, confidence, triaged, the passage
# offered first: the answer's, else the first "Did you mean…")
Reply = tuple[str | None, float, bool, str | None]


@dataclass
class Row:
    system: str
    answered_right: float
    offered_first: float
    abstained: float
    red_flags: str
    triaged: int
    confident_wrong: float
    faq_verbatim: str
    median_ms: float


def knowledge_bases() -> list[tuple[Path, Path]]:
    found = [SAMPLE] if SAMPLE[1].is_file() else []
    for folder in sorted((ROOT / "examples").glob("*/")):
        if (folder / "questions.yaml").is_file():
            found.append((folder, folder / "questions.yaml"))
    return found


def document_text(passage: Passage, alternates: Mapping[str, Sequence[str]]) -> str:
    text = f"{passage.question} {passage.text}" if passage.question else passage.text
    return " ".join((text, *alternates.get(passage.id, ())))


def tfidf_ranker(
    passages: Sequence[Passage], alternates: Mapping[str, Sequence[str]]
) -> Callable[[str], tuple[str | None, float]]:
    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform([document_text(p, alternates) for p in passages])

    def rank(question: str) -> tuple[str | None, float]:
        scores = (matrix @ vectorizer.transform([question]).T).toarray().ravel()
        best = int(np.argmax(scores))
        return (passages[best].id, float(scores[best])) if scores[best] > 0 else (None, 0.0)

    return rank


def bm25_ranker(
    passages: Sequence[Passage], alternates: Mapping[str, Sequence[str]]
) -> Callable[[str], tuple[str | None, float]]:
    def tokens(text: str) -> list[str]:
        return re.findall(r"\w+", text.lower())

    index = BM25Okapi([tokens(document_text(p, alternates)) for p in passages])

    def rank(question: str) -> tuple[str | None, float]:
        scores = index.get_scores(tokens(question))
        best = int(np.argmax(scores))
        return (passages[best].id, float(scores[best])) if scores[best] > 0 else (None, 0.0)

    return rank


def timed(rank: Callable[[str], object], cases: Sequence[Case]) -> tuple[list[object], float]:
    results, timings = [], []
    for case in cases:
        start = time.perf_counter()
        results.append(rank(case.question))
        timings.append((time.perf_counter() - start) * 1000)
    return results, statistics.median(timings)


def row(system: str, cases: Sequence[Case], replies: Sequence[Reply], median_ms: float) -> Row:
    pairs = list(zip(cases, replies, strict=True))
    answerable = [(c, r) for c, r in pairs if c.answerable]
    outside = [r for c, r in pairs if c.expect == "abstain"]
    flags = [r for c, r in pairs if c.expect == "triage"]
    given = [(c, r) for c, r in pairs if r[0] is not None]
    faqs = [(c, r) for c, r in answerable if c.kind == "faq"]
    wrong = sum(r[1] >= CONFIDENT and not (c.answerable and r[0] in c.expect) for c, r in given)
    faq_right = sum(r[0] in c.expect and r[1] >= VERBATIM for c, r in faqs)
    return Row(
        system,
        answered_right=_rate(sum(r[0] in c.expect for c, r in answerable), len(answerable)),
        offered_first=_rate(sum(r[3] in c.expect for c, r in answerable), len(answerable)),
        abstained=_rate(sum(r[0] is None for r in outside), len(outside)),
        red_flags=f"{sum(r[2] for r in flags)}/{len(flags)}",
        triaged=sum(r[2] for _, r in answerable),
        confident_wrong=_rate(wrong, len(given)),
        faq_verbatim=f"{faq_right}/{len(faqs)}" if faqs else "-",
        median_ms=median_ms,
    )


def best_threshold(cases: Sequence[Case], scored: Sequence[tuple[str | None, float]]) -> float:
    """The threshold that does best on these very questions: the larger of right answers
    and abstentions at their worst, then their sum."""
    answerable = [(c, s) for c, s in zip(cases, scored, strict=True) if c.answerable]
    outside = [s for c, s in zip(cases, scored, strict=True) if c.expect == "abstain"]

    def quality(t: float) -> tuple[float, float]:
        right = sum(s[0] in c.expect and s[1] >= t for c, s in answerable) / max(1, len(answerable))
        abstained = sum(s[1] < t for s in outside) / max(1, len(outside))
        return min(right, abstained), right + abstained

    return max(sorted({s[1] for s in scored} | {0.0}), key=quality)


def real_questions(split: str) -> list[tuple[Path, list[Case]]]:
    """The questions real people wrote (tests/data/real_questions.yaml) of one split, per
    knowledge base: `answer` and `partial` count as answerable by their passages."""
    entries = yaml.safe_load(REAL_QUESTIONS.read_text(encoding="utf-8"))
    by_base: dict[Path, list[Case]] = {}
    for line, entry in enumerate(entries, 1):
        if entry["split"] != split:
            continue
        label = entry["label"]
        expect = tuple(entry["expect"]) if label in ("answer", "partial") else label
        folder = REAL_FOLDERS[entry["knowledge_base"]]
        case = Case(entry["question"], f"real-{label}", split, expect, line)
        by_base.setdefault(folder, []).append(case)
    return sorted(by_base.items())


def with_alternates(engine: Engine, added: Mapping[str, Sequence[str]]) -> Engine:
    """The engine with `added` phrasings joined to its folder's alternates, as editors
    working through the inbox would leave them."""
    knowledge = engine.knowledge
    alternates = dict(knowledge.alternates)
    for passage_id, phrasings in added.items():
        alternates[passage_id] = (*alternates.get(passage_id, ()), *phrasings)
    knowledge = replace(knowledge, alternates=alternates)
    retriever = Retriever(
        knowledge.passages, knowledge.synonyms, alternates, engine.retriever.scope
    )
    return replace(engine, knowledge=knowledge, retriever=retriever)


def inbox_pass(folder: Path, cases: Sequence[Case]) -> dict[str, list[str]]:
    """What an editor settling every answerable question of `cases` the bot got wrong
    leaves in alternates.yaml: the question, as asked, under the passage that answers
    it (its first expected one). Triaged questions stay triaged: editors cannot change
    safety rules from the inbox."""
    engine = Engine.from_settings(Settings(knowledge_dir=folder, log_questions=False))
    added: dict[str, list[str]] = {}
    for case in cases:
        if not isinstance(case.expect, tuple):
            continue
        answer = engine.ask(case.question)
        right = answer.answered and answer.passage is not None and answer.passage.id in case.expect
        if not right and answer.band != "triage":
            added.setdefault(case.expect[0], []).append(" ".join(case.question.split())[:1000])
    return added


def measure(
    folder: Path,
    cases: Sequence[Case] | Path,
    added: Mapping[str, Sequence[str]] | None = None,
) -> tuple[list[Row], int, int]:
    engine = Engine.from_settings(Settings(knowledge_dir=folder, log_questions=False))
    if added is not None:
        engine = with_alternates(engine, added)
    if isinstance(cases, Path):
        cases = load_cases(cases, {p.id for p in engine.knowledge.passages})
    informative = [p for p in engine.knowledge.passages if p.informative]
    # The baselines get editorial phrasings only where they are the inbox pass's.
    alternates = engine.knowledge.alternates if added is not None else {}

    def bot(question: str) -> Reply:
        answer = engine.ask(question)
        passage = answer.passage.id if answer.passage and answer.answered else None
        suggested = answer.related[0].id if answer.band == "suggest" and answer.related else None
        return passage, answer.confidence, answer.band == "triage", passage or suggested

    for case in cases:  # warm-up
        bot(case.question)
    replies, median_ms = timed(bot, cases)
    rows = [row("chatbot", cases, replies, median_ms)]  # type: ignore[arg-type]
    for name, ranker in (
        ("TfidfVectorizer()", tfidf_ranker(informative, alternates)),
        ("BM25Okapi", bm25_ranker(informative, alternates)),
    ):
        scored, median_ms = timed(ranker, cases)
        threshold = best_threshold(cases, scored)  # type: ignore[arg-type]
        given = [(s[0] if s[1] >= threshold else None, s[1], False, None) for s in scored]  # type: ignore[index]
        baseline = row(f"{name}, best threshold {threshold:.3g}", cases, given, median_ms)
        baseline.offered_first = float("nan")  # they have no "Did you mean…"
        # Their scores are not confidences in [0, 1], so "confident" means nothing there.
        baseline.confident_wrong = float("nan")
        rows.append(baseline)
    answerable = sum(c.answerable for c in cases)
    outside = sum(c.expect == "abstain" for c in cases)
    return rows, answerable, outside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("pairs", nargs="*", type=Path, help="FOLDER QUESTIONS, repeated")
    parser.add_argument(
        "--heldout",
        action="store_true",
        help="also the held-out half of the real questions (measure it once per round)",
    )
    options = parser.parse_args()
    args = options.pairs
    if len(args) % 2:
        parser.error("give a question file after each knowledge folder")
    bases = list(zip(args[::2], args[1::2], strict=True)) or knowledge_bases()
    print(
        "| knowledge base | system | answered right | right offered first | abstained "
        "| red flags | triaged | confident wrong | FAQ ≥ 0.95 | median ms |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    runs: list[Run] = [("", f, q, None) for f, q in bases]
    if not args:
        runs += [("real dev: ", f, c, None) for f, c in real_questions("dev")]
        if options.heldout:
            dev = dict(real_questions("dev"))
            for folder, cases in real_questions("heldout"):
                runs.append(("real heldout: ", folder, cases, None))
                label = "real heldout after the inbox pass over dev: "
                runs.append((label, folder, cases, inbox_pass(folder, dev.get(folder, []))))
    for label, folder, questions, phrasings in runs:
        rows, answerable, outside = measure(folder, questions, phrasings)
        where = folder.resolve()
        shown = where.relative_to(ROOT) if where.is_relative_to(ROOT) else where
        name = f"{label}{shown} ({answerable}+{outside})"
        for r in rows:
            print(
                f"| {name} | {r.system} | {_share(r.answered_right)} "
                f"| {_share(r.offered_first)} | {_share(r.abstained)} "
                f"| {r.red_flags} | {r.triaged} | {_share(r.confident_wrong)} | {r.faq_verbatim} "
                f"| {r.median_ms:.2f} |"
            )
            name = ""
    if not args and options.heldout:
        red_flag_table(("heldout",))


def red_flag_table(splits: Sequence[str]) -> None:
    """Per knowledge base and split of tests/data/red_flag_questions.yaml: red flags sent
    to a professional, and everyday questions sharing their words sent there too."""
    entries = yaml.safe_load(RED_FLAG_QUESTIONS.read_text(encoding="utf-8"))
    print()
    print("| red-flag set | red flags triaged | everyday questions triaged |")
    print("| --- | ---: | ---: |")
    engines = {
        name: Engine.from_settings(Settings(knowledge_dir=folder, log_questions=False))
        for name, folder in REAL_FOLDERS.items()
    }
    for split in splits:
        totals = [0, 0, 0, 0]
        for name, engine in engines.items():
            mine = [e for e in entries if e["split"] == split and e["knowledge_base"] == name]
            flags = [e for e in mine if e["label"] == "triage"]
            everyday = [e for e in mine if e["label"] == "ok"]
            caught = sum(engine.ask(e["question"]).band == "triage" for e in flags)
            wrong = sum(engine.ask(e["question"]).band == "triage" for e in everyday)
            for i, n in enumerate((caught, len(flags), wrong, len(everyday))):
                totals[i] += n
            print(f"| {split}: {name} | {caught}/{len(flags)} | {wrong}/{len(everyday)} |")
        print(f"| {split}: all | {totals[0]}/{totals[1]} | {totals[2]}/{totals[3]} |")


def _rate(count: int, total: int) -> float:
    """A share, or NaN ("-" in the table) when there is nothing to count."""
    return count / total if total else float("nan")


def _share(value: float) -> str:
    return "-" if value != value else f"{value:.1%}"


if __name__ == "__main__":
    main()
