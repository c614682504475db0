"""Finding an entry again: meaning (the model's vectors) fused with keywords (FTS5).

- **Meaning**: the cosine of the query's vector to each entry's article vector
  (its lead-weighted centroid); entries at ``MEANING_FLOOR`` or above are
  ranked by it.  The article vectors are held in memory, one float32 row per
  entry (1.5 kB each with a 384-dimension model: 15 MB at 10,000 entries), and
  read again only when the database changed (``Store.version``).
- **Keywords**: SQLite FTS5 over the title and the summary shown, ranked by
  bm25.  The query is never handed to FTS5's syntax: its words are quoted one
  by one and joined with OR, so no text can be a malformed (or crafted) query.
- **Fusion**: reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009),
  ``score = sum over the two rankings of 1 / (60 + rank)``: no scale to tune
  between a cosine and a bm25, and an entry found both ways comes first.
"""

from __future__ import annotations

import re
import threading
from typing import Callable, Sequence

import numpy as np

from .store import Store

MEANING_FLOOR = 0.25
RRF_K = 60
# Each ranking contributes at most this many entries to the fusion.
CANDIDATES = 200
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 32

_WORD = re.compile(r"\w+", re.UNICODE)
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_CONTROL = re.compile(f"[{_CONTROLS}]")
# What query_problem accepts, as a JSON Schema pattern (Python's re reads both).
QUERY_PATTERN = f"^[^{_CONTROLS}]*[^{_CONTROLS}\\s][^{_CONTROLS}]*$"


def query_problem(q: str) -> str | None:
    """Why ``q`` cannot be searched for, or None."""
    if not q.strip():
        return "'q' is empty; leave it out to list the history."
    if len(q) > MAX_QUERY_CHARS:
        return f"'q' is longer than {MAX_QUERY_CHARS} characters."
    if _CONTROL.search(q):
        return "'q' holds control characters."
    return None


def keyword_query(q: str) -> str:
    """``q`` as an FTS5 query: each word a quoted phrase, any of them matching."""
    words = _WORD.findall(q)[:MAX_QUERY_WORDS]
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


class MeaningIndex:
    """The article vectors of one model, reloaded when the store has changed."""

    def __init__(self, store: Store):
        self.store = store
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, 0), dtype=np.float32)

    def vectors(self, model: str) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            key = (model, self.store.version)
            if key != self._key:
                self._ids, self._matrix = self.store.article_vectors(model)
                self._key = key
            return self._ids, self._matrix

    def ranks(self, model: str, query: np.ndarray) -> list[int]:
        ids, matrix = self.vectors(model)
        if not len(ids) or matrix.shape[1] != len(query):
            return []
        norm = float(np.linalg.norm(query))
        if norm == 0:
            return []
        cosine = matrix @ (np.asarray(query, np.float32) / norm)
        keep = np.flatnonzero(cosine >= MEANING_FLOOR)
        best = keep[np.argsort(-cosine[keep], kind="stable")][:CANDIDATES]
        return [int(i) for i in ids[best]]


def fuse(rankings: Sequence[Sequence[int]]) -> list[int]:
    """Reciprocal rank fusion of rankings of entry ids (ties: the smaller id, older)."""
    score: dict[int, float] = {}
    for ranking in rankings:
        for rank, entry in enumerate(ranking):
            score[entry] = score.get(entry, 0.0) + 1.0 / (RRF_K + rank + 1)
    return sorted(score, key=lambda e: (-score[e], e))


def search_ids(store: Store, index: MeaningIndex, q: str, model: str,
               embed: Callable[[str], np.ndarray] | None) -> list[int]:
    """Entry ids for ``q``, best first; ``embed`` None: keywords only (model not loaded)."""
    rankings = [store.keyword_ranks(keyword_query(q), CANDIDATES)]
    if embed is not None:
        rankings.append(index.ranks(model, embed(q)))
    return fuse(rankings)
