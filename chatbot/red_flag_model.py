"""A second net under the red-flag patterns: a linear model of word and character
n-grams, learnt from the package's examples of red flags and everyday questions, that
sends to a professional the stories the patterns miss ("felt something go", "since
they did my knee").

Patterns say why they fire and are tested one by one; the model catches wordings no
one wrote a pattern for, at the cost of sending some everyday questions to a
professional too. It only ever adds a red flag, never removes one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from chatbot import defaults
from chatbot.datafile import compose_yaml, node_value
from chatbot.problems import KnowledgeError, Problem
from chatbot.scoring import SCORING

LABELS = {"triage": True, "ok": False}
FIELDS = frozenset({"question", "label"})
OPTIONAL_FIELDS = frozenset({"set", "source", "category"})
# How strongly the model fits its examples (scikit-learn's C): chosen by how many red
# flags of a fresh blind batch it caught for how many everyday questions it flagged.
FIT_STRENGTH = 4.0


@dataclass(frozen=True)
class Example:
    question: str
    red_flag: bool


class RedFlagModel:
    """Learnt once from `examples`; `probability` is read-only and thread-safe."""

    def __init__(self, examples: Sequence[Example], threshold: float) -> None:
        kinds = {e.red_flag for e in examples}
        if kinds != {True, False}:
            raise ValueError("the red-flag model needs examples of both red flags and others")
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"the red-flag threshold must be between 0 and 1, not {threshold}")
        # Imported here: starting the command line needs none of scikit-learn.
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        self.threshold = threshold
        self.size = len(examples)
        features = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True),
        )
        classifier = LogisticRegression(
            C=FIT_STRENGTH, class_weight="balanced", max_iter=5000, random_state=0
        )
        pipeline = make_pipeline(features, classifier)
        pipeline.fit([e.question for e in examples], [e.red_flag for e in examples])
        self._pipeline: Any = pipeline
        # Scored by hand, as chatbot/cosine.py scores TF-IDF: predict_proba costs
        # milliseconds a question, mostly scikit-learn's checks on one row.
        weights = classifier.coef_[0]
        self._parts: list[tuple[Callable[[str], list[str]], dict[str, tuple[float, float]]]] = []
        start = 0
        for _, vectorizer in features.transformer_list:
            names = vectorizer.get_feature_names_out()
            part = weights[start : start + len(names)]
            table = {
                str(n): (float(i), float(w))
                for n, i, w in zip(names, vectorizer.idf_, part, strict=True)
            }
            self._parts.append((vectorizer.build_analyzer(), table))
            start += len(names)
        self._intercept = float(classifier.intercept_[0])

    def probability(self, question: str) -> float:
        """How likely the model finds it that `question` is a red flag (0 to 1)."""
        score, known = self._intercept, False
        for analyze, table in self._parts:
            counts = Counter(f for f in analyze(question) if f in table)
            if not counts:
                continue
            known = True
            tfidf = [(1.0 + math.log(c)) * table[f][0] for f, c in counts.items()]
            norm = math.sqrt(sum(v * v for v in tfidf))
            score += sum(v * table[f][1] for v, f in zip(tfidf, counts, strict=True)) / norm
        # Nothing the examples ever said is no evidence of a red flag.
        return 1.0 / (1.0 + math.exp(-score)) if known else 0.0

    def probability_by_scikit_learn(self, question: str) -> float:
        """The same probability as scikit-learn computes it (for tests)."""
        return float(self._pipeline.predict_proba([question])[0][1])

    def flags(self, question: str) -> bool:
        return self.probability(question) >= self.threshold


def read_examples(path: Path) -> list[Example]:
    """The examples of a file: a list of entries with `question` and `label` (`triage`
    or `ok`). Every fault raises `KnowledgeError`, each as `file:line: message`."""
    root = compose_yaml(path)
    if not isinstance(root, yaml.SequenceNode) or not root.value:
        line = 1 + root.start_mark.line if root is not None else 1
        raise KnowledgeError([Problem(path, line, "must be a list of examples")])
    examples: list[Example] = []
    problems: list[Problem] = []
    for node in root.value:
        entry = node_value(node)
        line = 1 + node.start_mark.line
        if not isinstance(entry, dict) or not FIELDS <= set(entry) <= FIELDS | OPTIONAL_FIELDS:
            problems.append(Problem(path, line, "each example needs a question and a label"))
            continue
        question, label = entry["question"], entry["label"]
        if not (isinstance(question, str) and question.strip()):
            problems.append(Problem(path, line, "an example's question must be text"))
        elif label not in LABELS:
            problems.append(Problem(path, line, f"the label must be triage or ok, not {label!r}"))
        else:
            examples.append(Example(question.strip(), LABELS[label]))
    if problems:
        raise KnowledgeError(problems)
    return examples


def load_red_flag_model(
    path: Path = defaults.RED_FLAG_EXAMPLES, threshold: float = SCORING.red_flag_threshold
) -> RedFlagModel:
    """The model learnt from `path` (the package's examples), learnt once per file
    version and threshold. A missing or broken file raises `KnowledgeError`: the
    safety net never goes quietly missing."""
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        raise KnowledgeError([Problem(path, 1, "the red-flag examples are missing")]) from None
    return _learnt(path, version, threshold)


@lru_cache(maxsize=4)
def _learnt(path: Path, version: int, threshold: float) -> RedFlagModel:
    try:
        return RedFlagModel(read_examples(path), threshold)
    except ValueError as error:
        raise KnowledgeError([Problem(path, 1, str(error))]) from None
