"""The editors' inbox: unanswered and shaky questions of the log, grouped by similarity,
with the passages that could answer them, and the two edits that settle a group.

An edit goes to the knowledge folder's `alternates.yaml` or `scope.yaml` (ruamel.yaml
keeps its comments and order), then the knowledge base is reloaded; an edit the checks
of `chatbot check` refuse is undone and the previous version keeps being served.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from chatbot.documents import Passage
from chatbot.engine import Engine
from chatbot.knowledge import ALTERNATES_FILE
from chatbot.question_log import LoggedQuestion, LogSnapshot
from chatbot.reloading import reload_engine
from chatbot.report import LOW_CONFIDENCE, outcome
from chatbot.rules import plain
from chatbot.vocabulary import ENGLISH_STOP_WORDS, stem

SCOPE_FILE = "scope.yaml"
# Two questions whose stemmed words have at least this TF-IDF cosine are one group:
# "why are my hips tight" and "tight hips why" (1.0), not "hip pain" and "knee pain".
SIMILAR = 0.5
MAX_GROUPS = 20
CLOSEST = 3
MAX_WORDINGS = 5
# One edit of the folder at a time: two editors' clicks must not interleave a
# read-modify-write of the same file.
_edit_lock = threading.Lock()


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    confidence: float


@dataclass(frozen=True)
class Group:
    """Questions asked in (nearly) the same words, most frequent wording first."""

    key: str  # stable across page loads: the form fields and element ids use it
    question: str
    count: int
    wordings: tuple[tuple[str, int], ...]
    given: Passage | None  # the passage most often given to the group, if any
    candidates: tuple[Candidate, ...]  # the given passage first, then the closest


def _words(text: str) -> list[str]:
    return [stem(w) for w in plain(text).split() if w not in ENGLISH_STOP_WORDS]


def needs_editor(logged: LoggedQuestion, low_confidence: float = LOW_CONFIDENCE) -> bool:
    """Unanswered (a suggestion or fallback) or answered below the low-confidence mark."""
    return outcome(logged) == "unanswered" or (
        logged.band == "answer" and logged.confidence < low_confidence
    )


def group_questions(questions: Sequence[LoggedQuestion]) -> list[list[LoggedQuestion]]:
    """Similar questions together, the largest group first (greedy, in frequency order)."""
    by_text: dict[str, list[LoggedQuestion]] = defaultdict(list)
    for logged in questions:
        by_text[plain(logged.question)].append(logged)
    texts = sorted(by_text, key=lambda t: (-len(by_text[t]), t))
    if not texts:
        return []
    # scikit-learn is loaded when an editor opens the inbox, not when the server starts.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectorizer = TfidfVectorizer(analyzer=_words, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # only stop words everywhere: group by exact text alone
        return [by_text[t] for t in texts]
    similarity = cosine_similarity(matrix)
    leaders: list[int] = []
    members: dict[int, list[int]] = {}
    for n in range(len(texts)):
        leader = next((lead for lead in leaders if similarity[n, lead] >= SIMILAR), None)
        if leader is None:
            leaders.append(n)
            members[n] = [n]
        else:
            members[leader].append(n)
    groups = [[q for m in members[lead] for q in by_text[texts[m]]] for lead in leaders]
    groups.sort(key=lambda g: -len(g))
    return groups


def build_inbox(
    snapshot: LogSnapshot,
    engine: Engine,
    *,
    low_confidence: float = LOW_CONFIDENCE,
    limit: int = MAX_GROUPS,
) -> list[Group]:
    """The groups an editor can still act on, largest first.

    A group leaves the inbox once it is settled: its question is now answered with
    confidence, is an alternate phrasing already, or names something out of scope.
    """
    alternates = {plain(p) for phrasings in engine.knowledge.alternates.values() for p in phrasings}
    passages = {p.id: p for p in engine.knowledge.passages}
    inbox: list[Group] = []
    for members in group_questions(
        [q for q in snapshot.questions if needs_editor(q, low_confidence)]
    ):
        wordings = Counter(q.question for q in members).most_common()
        question = wordings[0][0]
        if plain(question) in alternates or engine.retriever.scope.outside(question):
            continue
        now = engine.ask(question)
        if now.band == "answer" and now.confidence >= low_confidence:
            continue
        given_id = Counter(q.passage_id for q in members).most_common(1)[0][0]
        given = passages.get(given_id) if given_id else None
        hits = engine.retriever.search(question, k=CLOSEST + 1)
        candidates = [Candidate(given, _score(hits, given.id))] if given else []
        candidates += [Candidate(h.passage, h.score) for h in hits if h.passage != given]
        inbox.append(
            Group(
                key=hashlib.sha256(plain(question).encode()).hexdigest()[:12],
                question=question,
                count=len(members),
                wordings=tuple(wordings[:MAX_WORDINGS]),
                given=given,
                candidates=tuple(candidates[: CLOSEST + (1 if given else 0)]),
            )
        )
        if len(inbox) >= limit:
            break
    return inbox


def _score(hits: Sequence[Any], passage_id: str) -> float:
    return next((float(h.score) for h in hits if h.passage.id == passage_id), 0.0)


class EditError(ValueError):
    """The edit cannot be made: a plain message for the editor."""


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, order and flow style survive
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    return yaml


def _load(path: Path) -> tuple[CommentedMap, str | None]:
    if not path.is_file():
        return CommentedMap(), None
    text = path.read_text(encoding="utf-8")
    try:
        data = _yaml().load(text)
    except YAMLError as error:
        raise EditError(f"{path.name} cannot be read as YAML; fix it by hand first") from error
    if data is None:
        return CommentedMap(), text
    if not isinstance(data, CommentedMap):
        raise EditError(f"{path.name} is not a mapping; fix it by hand first")
    return data, text


def _append(data: CommentedMap, key: str, value: str, file: str) -> bool:
    """Add `value` to the list under `key`; False when it is there already."""
    items = data.get(key)
    if items is None:
        items = CommentedSeq()
        data[key] = items
    if not isinstance(items, list):
        raise EditError(f"{file}: '{key}' is not a list; fix it by hand first")
    if any(plain(str(item)) == plain(value) for item in items):
        return False
    items.append(value)
    return True


def _apply(app: FastAPI, path: Path, change: Callable[[CommentedMap], bool]) -> tuple[str, ...]:
    """Write the change, reload, and undo the write if the new folder has problems."""
    with _edit_lock:
        data, before = _load(path)
        if not change(data):
            return ()
        with path.open("w", encoding="utf-8") as out:
            _yaml().dump(data, out)
        problems = reload_engine(app)
        if problems:
            if before is None:
                path.unlink()
            else:
                path.write_text(before, encoding="utf-8")
        return problems


def _one_line(text: str, what: str, limit: int) -> str:
    text = " ".join(text.split())
    if not text:
        raise EditError(f"The {what} is empty.")
    if len(text) > limit:
        raise EditError(f"The {what} is longer than {limit} characters.")
    return text


def add_alternate(app: FastAPI, folder: Path, passage_id: str, phrasing: str) -> tuple[str, ...]:
    """Attach `phrasing` to the passage in alternates.yaml and reload; the problems, if any."""
    phrasing = _one_line(phrasing, "phrasing", 1000)
    engine: Engine = app.state.engine
    if engine.knowledge.passage(passage_id) is None:
        raise EditError(f"No passage '{passage_id}'.")
    return _apply(
        app, folder / ALTERNATES_FILE, lambda d: _append(d, passage_id, phrasing, ALTERNATES_FILE)
    )


def add_not_covered(app: FastAPI, folder: Path, term: str) -> tuple[str, ...]:
    """List `term` under not_covered in scope.yaml and reload; the problems, if any."""
    term = _one_line(term, "term", 200)
    return _apply(app, folder / SCOPE_FILE, lambda d: _append(d, "not_covered", term, SCOPE_FILE))
