"""The retriever's index, and its copy on disk: one .npz file (arrays only, no pickle)
keyed by what the index is made from, so a restart skips rebuilding a large one."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import BinaryIO

import numpy as np
from scipy import sparse

logger = logging.getLogger(__name__)

# Raised whenever the index's layout or the way it is computed changes, so an older
# copy is rebuilt rather than read as if it were current.
FORMAT_VERSION = 1
CACHE_FILE = "retrieval-index.npz"
# Packages whose data goes into the index (word stems, English word frequencies).
_INDEX_PACKAGES = ("snowballstemmer", "pyspellchecker")


@dataclass(frozen=True)
class Index:
    """Everything `Retriever` computes from its passages before the first search."""

    views: int
    view_weights: np.ndarray
    owners: np.ndarray
    intents: np.ndarray
    word_counts: dict[str, int]
    word_features: list[str]
    word_idf: np.ndarray
    word_weighted_idf: np.ndarray
    word_matrix: sparse.csr_matrix
    char_features: list[str]
    char_idf: np.ndarray
    char_matrix: sparse.csr_matrix


def index_key(
    passages: Sequence[object],
    synonyms: Mapping[str, str],
    alternates: Mapping[str, Sequence[str]],
    scoring: object,
) -> str:
    """A hash of all the index is made from: the passages as parsed (so a change of the
    knowledge folder or of the parser shows), synonyms, alternates, the scoring
    values, the packages whose data it holds, and the format version."""
    digest = hashlib.sha256()
    packages = {name: package_version(name) for name in _INDEX_PACKAGES}
    head = [FORMAT_VERSION, packages, repr(scoring), sorted(synonyms.items())]
    head.append(sorted((k, list(v)) for k, v in alternates.items()))
    digest.update(json.dumps(head, sort_keys=True).encode())
    for passage in passages:
        digest.update(repr(passage).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def save_index(folder: Path, key: str, index: Index) -> None:
    """Write `index` under `folder`, whole or not at all (a temporary file renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "key": key,
        "views": index.views,
        "word_counts": index.word_counts,
        "word_features": index.word_features,
        "char_features": index.char_features,
    }
    arrays: dict[str, np.ndarray] = {
        "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        "view_weights": index.view_weights,
        "owners": index.owners,
        "intents": index.intents.astype("U5"),
        "word_idf": index.word_idf,
        "word_weighted_idf": index.word_weighted_idf,
        "char_idf": index.char_idf,
    }
    for name in ("word", "char"):
        matrix = sparse.csr_matrix(getattr(index, f"{name}_matrix"))
        arrays[f"{name}_data"] = matrix.data
        arrays[f"{name}_indices"] = matrix.indices
        arrays[f"{name}_indptr"] = matrix.indptr
    write_whole(folder / CACHE_FILE, lambda file: np.savez(file, allow_pickle=False, **arrays))


def write_whole(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write `path` whole or not at all: `write` fills a temporary file of its own in the
    same folder, which is then renamed, so processes starting together never read half
    a copy."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def package_version(name: str) -> str:
    """The installed version of package `name`, or "?" when it is not installed."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def load_index(folder: Path, key: str) -> Index | None:
    """The index saved under `folder` for `key`, or None (with one log line saying why)
    when there is none, or it is for other knowledge or code, or it is damaged."""
    path = folder / CACHE_FILE
    if not path.exists():
        logger.info("no index cache at %s yet: building the index", path)
        return None
    try:
        index = _read(path, key)
    except _StaleError:
        logger.warning("index cache %s is for other knowledge or code: rebuilding", path)
        return None
    except (
        OSError,
        EOFError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        zipfile.BadZipFile,
    ) as error:
        logger.warning("index cache %s is unreadable (%s): rebuilding", path, error)
        return None
    return index


class _StaleError(Exception):
    pass


def _read(path: Path, key: str) -> Index:
    # The file is opened here so it is closed even when numpy refuses its contents.
    with path.open("rb") as file, np.load(file, allow_pickle=False) as stored:
        meta = json.loads(bytes(stored["meta"]).decode())
        if not isinstance(meta, dict) or meta.get("key") != key:
            raise _StaleError
        views = int(meta["views"])
        word_features = [str(f) for f in meta["word_features"]]
        char_features = [str(f) for f in meta["char_features"]]
        matrices = {
            name: sparse.csr_matrix(
                (stored[f"{name}_data"], stored[f"{name}_indices"], stored[f"{name}_indptr"]),
                shape=(views, len(word_features if name == "word" else char_features)),
            )
            for name in ("word", "char")
        }
        index = Index(
            views=views,
            view_weights=stored["view_weights"],
            owners=stored["owners"],
            intents=stored["intents"].astype(str),
            word_counts={str(w): int(c) for w, c in dict(meta["word_counts"]).items()},
            word_features=word_features,
            word_idf=stored["word_idf"],
            word_weighted_idf=stored["word_weighted_idf"],
            word_matrix=matrices["word"],
            char_features=char_features,
            char_idf=stored["char_idf"],
            char_matrix=matrices["char"],
        )
    _check(index)
    return index


def _check(index: Index) -> None:
    """Every array the size the others say: a file cut short or edited is refused."""
    for name in ("view_weights", "owners", "intents"):
        if len(getattr(index, name)) != index.views:
            raise ValueError(f"{name} has {len(getattr(index, name))} rows, not {index.views}")
    for name in ("word", "char"):
        matrix: sparse.csr_matrix = getattr(index, f"{name}_matrix")
        matrix.check_format(full_check=True)
        for idf in {f"{name}_idf", *(["word_weighted_idf"] if name == "word" else [])}:
            if len(getattr(index, idf)) != matrix.shape[1]:
                raise ValueError(f"{idf} does not match the {name} features")
    if len(index.owners) and (index.owners[0] != 0 or np.any(np.diff(index.owners) < 0)):
        raise ValueError("owners out of order")
