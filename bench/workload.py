"""What the benchmarks ask: real questions, and synthetic knowledge bases of any size."""

from __future__ import annotations

import random
import re
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.documents import Passage  # noqa: E402
from chatbot.knowledge import load_knowledge  # noqa: E402

PASSAGES_PER_DOCUMENT = 25
SYNTHETIC_VOCABULARY = 20_000
REAL_QUESTIONS = [
    "sitting all day tight hips why",
    "What are the hip flexors?",
    "how do I massage my hip flexors step by step",
    "How can I stretch my hip flexors?",
    "is a foam roller good for hip pain",
    "how often should i massage tight hip flexors",
    "what causes tight hip flexors",
    "can tight hips cause lower back pain",
    "What is the capital of Australia?",
    "hpi flexsors masage",
]


def real_passages() -> tuple[list[Passage], dict[str, str], dict[str, list[str]]]:
    knowledge = load_knowledge(ROOT / "knowledge")
    alternates = {key: list(value) for key, value in knowledge.alternates.items()}
    return list(knowledge.passages), dict(knowledge.synonyms), alternates


def synthetic_passages(size: int, rng: random.Random) -> tuple[list[Passage], list[str]]:
    """`size` passages over a Zipf-distributed vocabulary seeded from the real articles."""
    real, _, _ = real_passages()
    words = sorted({w for p in real for w in re.findall(r"[a-z]{3,}", p.text.lower())})
    syllables = ["ka", "lo", "mi", "ren", "tus", "ab", "or", "el", "vin", "sto", "pra", "dex"]
    while len(words) < SYNTHETIC_VOCABULARY:
        words.append("".join(rng.choices(syllables, k=rng.randint(2, 4))))
    rng.shuffle(words)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    cumulative = [0.0]
    for weight in weights:
        cumulative.append(cumulative[-1] + weight)
    cumulative.pop(0)

    def phrase(low: int, high: int) -> str:
        return " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(low, high)))

    passages: list[Passage] = []
    questions: list[str] = []
    for index in range(size):
        document = f"doc-{index // PASSAGES_PER_DOCUMENT}"
        title = phrase(3, 6).capitalize()
        if rng.random() < 0.3:
            question = phrase(5, 10).capitalize() + "?"
            questions.append(question)
            kind, section, anchor = "faq", "Frequently Asked Questions", f"faq-{index}"
        else:
            question, kind, section, anchor = None, "article", title, f"p-{index}"
        passages.append(
            Passage(
                id=f"{document}#{anchor}",
                document=document,
                section=section,
                kind=kind,  # type: ignore[arg-type]
                text=phrase(25, 70) + ".",
                anchor=anchor,
                title=question or title,
                headings=(document, section),
                line=index,
                question=question,
            )
        )
    queries = [*rng.sample(questions, min(50, len(questions)))]
    queries += [phrase(2, 8) for _ in range(100)] + REAL_QUESTIONS
    rng.shuffle(queries)
    return passages, queries


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
