"""A knowledge folder read whole: documents, site, scope, red flags (with the package's
red-flag model) and small talk, with every problem of every file found in one pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from chatbot.documents import KnowledgeBase
from chatbot.problems import KnowledgeError, Problem
from chatbot.red_flag_model import RedFlagModel, load_red_flag_model
from chatbot.rules import RuleSet
from chatbot.safety import load_red_flags
from chatbot.scope import Scope, load_scope, named_by
from chatbot.site import Site, load_site
from chatbot.smalltalk import load_smalltalk
from chatbot.validation import read_validated_knowledge

T = TypeVar("T")


@dataclass(frozen=True)
class Folder:
    knowledge: KnowledgeBase
    site: Site
    scope: Scope
    red_flags: RuleSet
    smalltalk: RuleSet
    red_flag_model: RedFlagModel
    # What the documents are about (their titles, headings and FAQ questions, as plain
    # text): red-flag rules about a subject do not fire on it.
    covered: str = ""


def load_folder(directory: Path, cache_dir: Path | None = None) -> Folder:
    """Everything in `directory`, or `KnowledgeError` listing every problem of every file.
    With `cache_dir`, the red-flag model is read from there when it is current."""
    folder, problems = read_folder(directory, cache_dir)
    if problems or folder is None:
        raise KnowledgeError(problems)
    return folder


def read_folder(
    directory: Path, cache_dir: Path | None = None
) -> tuple[Folder | None, list[Problem]]:
    """Read every file even when an earlier one is broken, so one run shows every fault."""
    knowledge, problems = read_validated_knowledge(directory)
    site = _collect(lambda: load_site(directory, knowledge), problems)
    scope = _collect(lambda: load_scope(directory, knowledge), problems)
    # Red flags never depend on the documents: they load even when a document is broken.
    red_flags = _collect(lambda: load_red_flags(directory), problems)
    smalltalk = _collect(lambda: load_smalltalk(directory), problems)
    model = _collect(lambda: load_red_flag_model(cache_dir=cache_dir), problems)
    if site is None or scope is None or red_flags is None or smalltalk is None or model is None:
        return None, problems
    red_flags = red_flags.with_words({"emergency": site.emergency})
    smalltalk = smalltalk.with_words({"topics": site.covers, "example": site.example})
    return (
        Folder(knowledge, site, scope, red_flags, smalltalk, model, named_by(knowledge)),
        problems,
    )


def _collect(load: Callable[[], T], problems: list[Problem]) -> T | None:
    try:
        return load()
    except KnowledgeError as error:
        problems.extend(error.problems)
        return None
