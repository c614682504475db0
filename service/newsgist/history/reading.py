"""``History``: the reading history of one data directory, as the faces use it.

Opens the store on first use (so a service that never remembers a page never
creates the file), remembers a page and tells what is new in its story, lists,
searches, forgets and clears.  Thread-safe.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Sequence

import numpy as np

from ..config import Settings
from ..rank import CentroidRanker, Choice
from .search import MeaningIndex, search_ids
from .since import MIN_NOVELTY, Earlier, find_story, new_sentences
from .store import Entry, NewEntry, Recent, Store

# The story test looks at most at this many of the recent pages (the newest).
RECENT_LIMIT = 500


class History:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time,
                 min_novelty: float = MIN_NOVELTY):
        self.settings = settings
        self.clock = clock
        self.min_novelty = min_novelty
        self._store: Store | None = None
        self._index: MeaningIndex | None = None
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether pages may be stored (NEWSGIST_HISTORY); reading and deleting always work."""
        return self.settings.history

    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                self._store = Store(self.settings.data_dir)
                self._index = MeaningIndex(self._store)
            return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

    # -- remembering ---------------------------------------------------------------------
    def story_of(self, entry: NewEntry) -> tuple[int | None, list[Recent]]:
        """The story ``entry`` belongs to among the pages read in the last
        ``history_story_days`` days, and that story's pages (newest first)."""
        days = self.settings.history_story_days
        recent = self.store.recent(entry.model, entry.read_at - days * 86400.0, RECENT_LIMIT) \
            if days > 0 else []
        return find_story(recent, entry.vector, entry.headline)

    def remember(self, entry: NewEntry, vectors: np.ndarray, k: int, words: Sequence[int],
                 eligible: Sequence[bool], ranker: CentroidRanker
                 ) -> tuple[int, list[Earlier] | None, list[Choice]]:
        """Store ``entry``; answers its id, the story's earlier pages (None when it has
        none) and the page's sentences (rows of ``vectors``) that are new to the reader."""
        story, members = self.story_of(entry)
        earlier, new = None, []
        if story is not None:
            seen = self.store.shown_vectors([m.id for m in members])
            new = new_sentences(ranker, vectors, seen, k, words, eligible, self.min_novelty)
            earlier = [Earlier(m.id, m.url, m.title, m.read_at) for m in members]
        entry_id = self.store.add(entry, story)
        return entry_id, earlier, new

    # -- reading ----------------------------------------------------------------------------
    def entries(self, before: float | None = None, limit: int = 50) -> list[Entry]:
        return self.store.entries(before=before, limit=limit)

    def search(self, q: str, model: str, embed: Callable[[str], np.ndarray] | None,
               before: float | None = None, limit: int = 50) -> list[Entry]:
        store = self.store
        ids = search_ids(store, self._index, q, model, embed)
        found = store.entries(ids=ids)
        if before is not None:
            found = [e for e in found if e.read_at < before]
        return found[:limit]

    def forget(self, entry_id: int) -> bool:
        return self.store.forget(entry_id)

    def clear(self) -> int:
        return self.store.clear()
