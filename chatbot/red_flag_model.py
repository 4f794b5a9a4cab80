"""A second net under the red-flag patterns: a linear model of word and character
n-grams, learnt from the package's examples of red flags and everyday questions, that
sends to a professional the stories the patterns miss ("felt something go", "since
they did my knee").

Patterns say why they fire and are tested one by one; the model catches wordings no
one wrote a pattern for, at the cost of sending some everyday questions to a
professional too. It only ever adds a red flag, never removes one.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from chatbot import defaults
from chatbot.cosine import char_wb_ngrams
from chatbot.datafile import yaml_list
from chatbot.index_cache import package_version, write_whole
from chatbot.problems import KnowledgeError, Problem
from chatbot.rules import plain
from chatbot.scoring import SCORING

LABELS = {"triage": True, "ok": False}
FIELDS = frozenset({"question", "label"})
OPTIONAL_FIELDS = frozenset({"set", "source", "category"})
# How strongly the model fits its examples (scikit-learn's C): chosen by how many red
# flags of a fresh blind batch it caught for how many everyday questions it flagged.
FIT_STRENGTH = 4.0
# scikit-learn's default word token: two or more word characters.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
# Raised whenever the saved copy's layout or the way it is learnt changes.
FORMAT_VERSION = 2
# Everything else the learnt numbers depend on, for the saved copy's key.
_SETTINGS = f"plain text; words and pairs; char_wb 3-5; sublinear tf; balanced C={FIT_STRENGTH}"
# A message this short is a topic ("back pain"), not a story: the rules alone read it.
MIN_WORDS = 6
CACHE_FILE = "red-flag-model.json"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Example:
    question: str
    red_flag: bool


class RedFlagModel:
    """A learnt model as the tables scoring needs: per feature, its IDF and weight.
    `learn` fits it with scikit-learn; a copy read back from disk needs none of it."""

    def __init__(
        self,
        tables: tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]],
        intercept: float,
        threshold: float,
        size: int,
    ) -> None:
        if not 0.0 < threshold < 1.0:
            raise ValueError(f"the red-flag threshold must be between 0 and 1, not {threshold}")
        self.tables = tables
        self.intercept = intercept
        self.threshold = threshold
        self.size = size
        self._pipeline: Any = None

    @classmethod
    def learn(
        cls, examples: Sequence[Example], threshold: float, keep_pipeline: bool = False
    ) -> RedFlagModel:
        """Fit scikit-learn's TfidfVectorizer (words and pairs; character n-grams within
        words) and LogisticRegression on `examples`, and keep their numbers (and, with
        `keep_pipeline`, scikit-learn's own copy, for tests)."""
        if {e.red_flag for e in examples} != {True, False}:
            raise ValueError("the red-flag model needs examples of both red flags and others")
        # Imported here: a model read back from disk, and the command line, need none.
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline, make_union

        features = make_union(
            TfidfVectorizer(analyzer=_word_features, sublinear_tf=True),
            TfidfVectorizer(analyzer=_char_features, sublinear_tf=True),
        )
        classifier = LogisticRegression(
            C=FIT_STRENGTH, class_weight="balanced", max_iter=5000, random_state=0
        )
        pipeline = make_pipeline(features, classifier)
        pipeline.fit([plain(e.question) for e in examples], [e.red_flag for e in examples])
        weights = classifier.coef_[0]
        tables = []
        start = 0
        for _, vectorizer in features.transformer_list:
            names = vectorizer.get_feature_names_out()
            part = weights[start : start + len(names)]
            tables.append(
                {
                    str(n): (float(i), float(w))
                    for n, i, w in zip(names, vectorizer.idf_, part, strict=True)
                }
            )
            start += len(names)
        model = cls(
            (tables[0], tables[1]), float(classifier.intercept_[0]), threshold, len(examples)
        )
        if keep_pipeline:
            model._pipeline = pipeline
        return model

    def probability(self, question: str) -> float:
        """How likely the model finds it that `question` is a red flag (0 to 1). Scored
        by hand, as chatbot/cosine.py scores TF-IDF: scikit-learn's predict_proba costs
        milliseconds a question, mostly its checks on one row."""
        return self._probability_of_plain(plain(question))

    def _probability_of_plain(self, text: str) -> float:
        score, known = self.intercept, False
        for analyze, table in zip((_word_features, _char_features), self.tables, strict=True):
            counts = Counter(f for f in analyze(text) if f in table)
            if not counts:
                continue
            known = True
            tfidf = [(1.0 + math.log(c)) * table[f][0] for f, c in counts.items()]
            norm = math.sqrt(sum(v * v for v in tfidf))
            score += sum(v * table[f][1] for v, f in zip(tfidf, counts, strict=True)) / norm
        # Nothing the examples ever said is no evidence of a red flag.
        return 1.0 / (1.0 + math.exp(-score)) if known else 0.0

    def probability_by_scikit_learn(self, question: str) -> float:
        """The same probability as scikit-learn computes it (for tests of a learnt model)."""
        if self._pipeline is None:
            raise ValueError("only a model learnt with keep_pipeline has scikit-learn's copy")
        return float(self._pipeline.predict_proba([plain(question)])[0][1])

    def flags(self, question: str) -> bool:
        """Whether `question` is a story long enough to read (MIN_WORDS) that the model
        finds a red flag at its threshold."""
        text = plain(question)
        if len(_TOKEN.findall(text)) < MIN_WORDS:
            return False
        return self._probability_of_plain(text) >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        return {"tables": self.tables, "intercept": self.intercept, "size": self.size}

    @classmethod
    def from_dict(cls, data: object, threshold: float) -> RedFlagModel:
        """A model from `to_dict`'s form; ValueError when `data` is not of that form."""
        if not isinstance(data, dict) or set(data) != {"tables", "intercept", "size"}:
            raise ValueError("not a saved red-flag model")
        tables, intercept, size = data["tables"], data["intercept"], data["size"]
        if not (isinstance(tables, list) and len(tables) == 2):
            raise ValueError("a saved red-flag model needs two tables")
        if not isinstance(intercept, float | int) or not isinstance(size, int):
            raise ValueError("a saved red-flag model needs a number and a size")
        parsed: list[dict[str, tuple[float, float]]] = []
        for table in tables:
            if not isinstance(table, dict):
                raise ValueError("a saved red-flag model's table must map features")
            rows = {}
            for feature, value in table.items():
                if not (
                    isinstance(value, list)
                    and len(value) == 2
                    and all(isinstance(v, float | int) for v in value)
                ):
                    raise ValueError(f"a saved red-flag model has a bad row for {feature!r}")
                rows[str(feature)] = (float(value[0]), float(value[1]))
            parsed.append(rows)
        return cls((parsed[0], parsed[1]), float(intercept), threshold, size)


def _word_features(text: object) -> list[str]:
    """Words of two letters or more and their pairs, as scikit-learn's word analyzer."""
    words: list[str] = _TOKEN.findall(str(text).lower())
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def _char_features(text: object) -> list[str]:
    return char_wb_ngrams(str(text).lower())


def read_examples(path: Path, text: str | None = None) -> list[Example]:
    """The examples of a file (or of `text`, its contents as already read): a list of
    entries with `question` and `label` (`triage` or `ok`). Every fault raises
    `KnowledgeError`, each as `file:line: message`."""
    examples: list[Example] = []
    problems: list[Problem] = []
    for entry, line in yaml_list(path, "examples", text):
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
    path: Path = defaults.RED_FLAG_EXAMPLES,
    threshold: float = SCORING.red_flag_threshold,
    cache_dir: Path | None = None,
) -> RedFlagModel:
    """The model learnt from `path` (the package's examples), learnt once per file
    contents and threshold, and read back from `cache_dir` when a copy learnt from the
    same examples is there. A missing or broken file raises `KnowledgeError`: the
    safety net never goes quietly missing."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise KnowledgeError([Problem(path, 1, "the red-flag examples are missing")]) from None
    learnt_from = f"{text}|{FORMAT_VERSION}|{_SETTINGS}|{package_version('scikit-learn')}"
    key = hashlib.sha256(learnt_from.encode()).hexdigest()
    return _learnt(path, text, key, threshold, cache_dir)


@lru_cache(maxsize=4)
def _learnt(
    path: Path, text: str, key: str, threshold: float, cache_dir: Path | None
) -> RedFlagModel:
    saved = cache_dir / CACHE_FILE if cache_dir is not None else None
    if saved is not None and saved.is_file():
        try:
            stored = json.loads(saved.read_text(encoding="utf-8"))
            if isinstance(stored, dict) and stored.get("key") == key:
                return RedFlagModel.from_dict(stored.get("model"), threshold)
        except (OSError, ValueError) as error:
            logger.warning("relearning the red-flag model: %s is unreadable (%s)", saved, error)
    try:
        # The very text the key was made from: an edit meanwhile is learnt next time.
        model = RedFlagModel.learn(read_examples(path, text), threshold)
    except ValueError as error:
        raise KnowledgeError([Problem(path, 1, str(error))]) from None
    if saved is not None:
        _save(saved, json.dumps({"key": key, "model": model.to_dict()}))
    return model


def _save(saved: Path, text: str) -> None:
    try:
        write_whole(saved, lambda file: file.write(text.encode("utf-8")))
    except OSError as error:
        logger.warning("could not save the red-flag model in %s: %s", saved.parent, error)
