"""Small helpers shared by the benchmarks: the dev-set reader, the sentence
splitter for its PTB-tokenized text, and an on-disk embedding cache.

Kept deliberately small; the benchmarks own everything else.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"          # git-ignored
DEFAULT_SUMMARIZATION_DATA = REPO.parent / "shared" / "data" / "summarization" / "cnndm_dev.jsonl"

if str(REPO / "service") not in sys.path:      # run from a checkout without `pip install -e`
    sys.path.insert(0, str(REPO / "service"))

_TERMINATORS = frozenset({".", "!", "?"})
_CLOSING_BRACKETS = frozenset({")", "]", "}"})
_QUOTES = frozenset({'"', "'", "\u201d", "\u2019", "`"})


def read_jsonl(path: str | os.PathLike, limit: int | None = None) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
                if limit is not None and len(rows) >= limit:
                    break
    return rows


def split_tokenized(text: str) -> list[str]:
    """Sentences of lower-cased, PTB-tokenized text (the CNN/DailyMail dump).

    A sentence ends at a standalone ``.``/``!``/``?`` token, together with any
    further terminators and the closing brackets or closing quotes right after
    it (a quote token closes when the sentence so far holds an odd number of
    that quote character).  Casing-based splitters fail on this text (see the
    data set's README); real pages go through ``newsgist.segment`` instead.
    """
    tokens = text.split()
    sentences: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(tokens):
        current.append(tokens[i])
        if tokens[i] in _TERMINATORS:
            i += 1
            while i < len(tokens):
                t = tokens[i]
                if t in _TERMINATORS or t in _CLOSING_BRACKETS or (
                        t in _QUOTES and current.count(t) % 2 == 1):
                    current.append(t)
                    i += 1
                else:
                    break
            sentences.append(" ".join(current))
            current = []
            continue
        i += 1
    if current:
        if sentences and all(t in _QUOTES or t in _CLOSING_BRACKETS for t in current):
            sentences[-1] += " " + " ".join(current)   # a multi-sentence quote closing
        else:
            sentences.append(" ".join(current))
    return sentences


class CachedEncoder:
    """Wraps an encoder; remembers each document's embeddings on disk.

    Keyed by the model name, its backend (int8 and fp32 vectors differ) and
    the exact sentences, so a change of splitter, model or backend never
    reuses stale vectors.  Also remembers how long the model
    took for each document, so benchmarks can report embedding cost even when
    the vectors come from the cache.
    """

    def __init__(self, encoder, path: Path | None):
        self.inner = encoder
        self.name = encoder.name
        self.backend = getattr(encoder, "backend", "unknown")
        self.identity = f"{self.name}|{self.backend}"   # int8 and fp32 vectors differ
        self.path = path
        self.store: dict[str, tuple[np.ndarray, float]] = {}
        self.dirty = False
        self.hits = self.misses = 0
        if path is not None and path.exists():
            with open(path, "rb") as f:
                self.store = pickle.load(f)

    def key(self, sentences: Sequence[str]) -> str:
        h = hashlib.sha256(self.identity.encode())
        for s in sentences:
            h.update(b"\x00" + s.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    @property
    def languages(self):
        return self.inner.languages

    def encode(self, sentences: Sequence[str], between_batches=None) -> np.ndarray:
        k = self.key(sentences)
        hit = self.store.get(k)
        if hit is not None:
            self.hits += 1
            return hit[0]
        self.misses += 1
        t = time.perf_counter()
        vectors = np.asarray(self.inner.encode(list(sentences)), dtype=np.float32)
        self.store[k] = (vectors, (time.perf_counter() - t) * 1000.0)
        self.dirty = True
        return vectors

    def embed_ms(self, sentences: Sequence[str]) -> float | None:
        hit = self.store.get(self.key(sentences))
        return hit[1] if hit is not None else None

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            pickle.dump(self.store, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)
        self.dirty = False


def progress(items: Sequence, label: str, every: int = 50) -> Iterator:
    n = len(items)
    for i, item in enumerate(items):
        if i and i % every == 0:
            print(f"  {label}: {i}/{n}", file=sys.stderr, flush=True)
        yield item
