"""What every benchmark shares, so that one idea lives in one place:

* **the bootstrap**: importing this module puts this checkout's ``service/`` first on
  ``sys.path`` (a bench measures the code beside it, installed or not) and ``tests/`` last
  (for ``processes``, the process helpers the tests use too, and ``support``'s fake
  encoder); it also keeps the Hugging Face hub offline.  Every bench starts with
  ``import bench_support`` (run as ``python bench/NAME.py``, ``bench/`` is on the path);
* **the data sets and their paths**: each lives in ``../shared/data/`` beside the
  repository (or under ``$NEWSGIST_BENCH_DATA``: a worktree elsewhere, or a user's own
  copy), and a tiny own-written stand-in in ``tests/fixtures/bench/`` (same format)
  serves ``--smoke``;
* **one reader per format**, and one decoding of page bytes: the service's own, as a
  browser decodes (``newsgist.extract.parse.decode_bytes``);
* **one split of WCXB** into a tuning and a validation half, by domain;
* **the command-line convention** (``BenchArguments``): ``--data PATH`` (and other data
  flags), ``--smoke``;
* the splitter of the CNN/DailyMail dump's tokenized text, an on-disk embedding cache
  and a progress printer.

A new bench::

    from bench_support import BenchArguments, read_sections   # first: the bootstrap

    SMOKE = {"limit": 2}                      # what --smoke changes: a few inputs
    ap = BenchArguments(__doc__, smoke=SMOKE)
    ap.add_data("--data", "sections")         # --data PATH, default the real set
    ap.add_argument("--limit", type=int)
    args = ap.parse_args(argv)                # args.data: a Path that exists
    rows = read_sections(args.data, args.limit)

and a line in ``tests/test_benches.py``'s ``FIGURES``: what its smoke run must print.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"          # git-ignored
# The measurement data: beside the checkout, or where NEWSGIST_BENCH_DATA says.
SHARED = Path(os.environ.get("NEWSGIST_BENCH_DATA") or REPO.parent / "shared" / "data")
FIXTURES = REPO / "tests" / "fixtures" / "bench"

# -- the bootstrap: the only sys.path change of the benches ---------------------------------
if str(REPO / "service") not in sys.path:
    sys.path.insert(0, str(REPO / "service"))
if str(REPO / "tests") not in sys.path:
    sys.path.append(str(REPO / "tests"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


# -- the data sets ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DataSet:
    """A data set: where the real one is, where its smoke stand-in is, what it holds."""

    path: Path
    smoke: Path
    what: str


DATA_SETS = {
    "extraction": DataSet(SHARED / "extraction", FIXTURES / "extraction",
                          "news pages with their true article text (ground-truth.json, html/)"),
    "wcxb": DataSet(SHARED / "extraction-wcxb-dev", FIXTURES / "wcxb",
                    "WCXB pages of seven types with their main content (ground-truth.json, "
                    "html/)"),
    "summarization": DataSet(SHARED / "summarization" / "cnndm_dev.jsonl",
                             FIXTURES / "summarization.jsonl",
                             "CNN/DailyMail articles with reference highlights (JSONL)"),
    "sections": DataSet(SHARED / "sections" / "scisummnet_dev.jsonl",
                        FIXTURES / "sections.jsonl",
                        "sectioned papers with their abstracts (JSONL)"),
    "multilingual": DataSet(SHARED / "multilingual" / "orangesum_dev.jsonl",
                            FIXTURES / "multilingual.jsonl",
                            "non-English news with reference summaries (JSONL)"),
}


def data_path(name: str, smoke: bool = False) -> Path:
    """Where data set ``name`` is: the real one, or its smoke stand-in."""
    data = DATA_SETS[name]
    return data.smoke if smoke else data.path


# -- pages: the extraction set and WCXB ---------------------------------------------------------
TUNE, VALID = "tune", "valid"


def domain_half(domain: str) -> str:
    """TUNE or VALID: WCXB split by domain, so a site is in one half only.

    The first byte of the SHA-256 of the lower-cased domain, even or odd (a page without
    a domain hashes ""): the split of docs/extraction.md's figures (718 tuning and 638
    validation pages; 377 and 333 article pages, those of the hygiene figures).
    ``bench/hygiene.py`` used to hash the page id when there was no domain, which put one
    of the three such pages, a forum page, in the other half: no article page moves."""
    digest = hashlib.sha256(domain.lower().encode("utf-8")).digest()
    return TUNE if digest[0] % 2 == 0 else VALID


def decode_page(raw: bytes) -> str:
    """Page bytes as text, decoded as a browser would: the service's own decoder."""
    from newsgist.extract.parse import decode_bytes

    return decode_bytes(raw)


@dataclass(frozen=True)
class Page:
    """One page of a page data set.  ``html`` is ``raw`` decoded as a browser would (what
    the extension hands over); ``truth`` the true article or main content (None in a
    folder without ground truth); ``half`` TUNE/VALID for WCXB, "all" otherwise."""

    id: str
    raw: bytes
    html: str
    url: str | None
    truth: str | None
    type: str = "article"
    half: str = "all"


def read_pages(folder: str | os.PathLike, limit: int | None = None,
               page_type: str | None = None) -> list[Page]:
    """The pages of the extraction set or of WCXB, in id order (``limit``: the first N).

    The folder holds ``ground-truth.json`` and ``html/<id>.html.gz`` (or ``.html``); a
    folder of ``.html``/``.html.gz`` pages without ground truth is read too (no truth).
    The format is told by the entries: WCXB's have ``main_content`` (and ``page_type``,
    ``domain``), the extraction set's ``articleBody``."""
    folder = Path(folder)
    pages_dir = folder / "html" if (folder / "html").is_dir() else folder
    truth_file = folder / "ground-truth.json"
    entries = json.loads(truth_file.read_text(encoding="utf-8")) if truth_file.is_file() \
        else {_page_id(p): {} for p in pages_dir.iterdir() if _page_id(p)}
    pages = []
    for page_id in sorted(entries):
        entry = entries[page_id]
        wcxb = "main_content" in entry
        kind = entry.get("page_type", "article")
        if page_type is not None and kind != page_type:
            continue
        raw = _page_bytes(pages_dir, page_id)
        pages.append(Page(id=page_id, raw=raw, html=decode_page(raw), url=entry.get("url"),
                          truth=entry["main_content"] if wcxb else entry.get("articleBody"),
                          type=kind, half=domain_half(entry.get("domain") or "") if wcxb
                          else "all"))
        if limit is not None and len(pages) >= limit:
            break
    if not pages:
        sys.exit(f"no pages in {folder}")
    return pages


def _page_id(path: Path) -> str | None:
    for suffix in (".html.gz", ".html"):
        if path.name.endswith(suffix):
            return path.name[:-len(suffix)]
    return None


def _page_bytes(folder: Path, page_id: str) -> bytes:
    packed = folder / f"{page_id}.html.gz"
    if packed.exists():
        return gzip.decompress(packed.read_bytes())
    return (folder / f"{page_id}.html").read_bytes()


# -- JSONL data sets ----------------------------------------------------------------------------
def read_jsonl(path: str | os.PathLike, limit: int | None = None,
               required: Sequence[str] = ()) -> list[dict]:
    """The rows of a JSONL file (``limit``: the first N); exits naming the first row that
    lacks a ``required`` field (a file of another format)."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            missing = [k for k in required if k not in row]
            if missing:
                sys.exit(f"{path}, line {number}: no {', '.join(missing)}: another format?")
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    return rows


def read_summarization(path: str | os.PathLike, limit: int | None = None) -> list[dict]:
    """CNN/DailyMail rows: ``id``, ``article`` (lower-cased, PTB-tokenized: split it with
    ``split_tokenized``), ``reference`` (the highlights, one sentence a line)."""
    return read_jsonl(path, limit, ("id", "article", "reference"))


def read_sections(path: str | os.PathLike, limit: int | None = None) -> list[dict]:
    """Sectioned documents: ``id``, ``title``, ``sections`` (``[{"title", "sentences"}]``,
    in order, sentences pre-split), ``abstract`` (the reference summary) and optionally
    ``human_summary`` (a second reference)."""
    return read_jsonl(path, limit, ("id", "title", "sections", "abstract"))


def read_multilingual(path: str | os.PathLike, limit: int | None = None) -> list[dict]:
    """Non-English news: ``id``, ``lang``, ``article`` (one string, no paragraph breaks),
    ``reference`` (1-2 sentences).  Score it with a Unicode tokenizer: rouge-score's
    default one drops accented letters."""
    return read_jsonl(path, limit, ("id", "lang", "article", "reference"))


# -- the command line ---------------------------------------------------------------------------
class BenchArguments(argparse.ArgumentParser):
    """The parser every bench uses: ``--smoke`` and one ``--FLAG PATH`` per data set read.

    ``--smoke`` runs the bench on the data sets' stand-ins in ``tests/fixtures/bench/``
    with the defaults given as ``smoke`` (a handful of inputs: seconds, not minutes), and
    prints the same figures; ``tests/test_benches.py`` runs every bench that way.  A data
    flag left out means the real data set (``../shared/data/...``) or, with ``--smoke``,
    its stand-in; ``parse_args`` fails with a clear message when it is not there."""

    def __init__(self, doc: str, smoke: dict | None = None, **kwargs):
        super().__init__(description=doc.strip().split("\n\n")[0], **kwargs)
        self.add_argument("--smoke", action="store_true",
                          help="a few inputs from tests/fixtures/bench/: checks that the "
                               "bench runs, measures nothing")
        self._smoke = dict(smoke or {})
        self._data: dict[str, tuple[str, bool]] = {}

    def add_data(self, flag: str = "--data", name: str = "extraction", required: bool = True,
                 help: str | None = None) -> None:
        """``flag PATH``: data set ``name`` (a key of DATA_SETS); ``required=False``: the
        bench does without it (the path is None when it is missing)."""
        dest = flag.lstrip("-").replace("-", "_")
        self.add_argument(flag, type=Path, default=None, metavar="PATH",
                          help=f"{help or DATA_SETS[name].what} (default: "
                               f"{_shown(DATA_SETS[name].path)}; with --smoke "
                               f"{_shown(DATA_SETS[name].smoke)})")
        self._data[dest] = (name, required)

    def parse_args(self, args=None, namespace=None):
        argv = list(sys.argv[1:] if args is None else args)
        if "--smoke" in argv:
            self.set_defaults(**self._smoke)
        parsed = super().parse_args(argv, namespace)
        for dest, (name, required) in self._data.items():
            path = getattr(parsed, dest)
            given = path is not None
            path = path if given else data_path(name, parsed.smoke)
            if not path.exists():
                if required or given:
                    self.error(f"no {name} data at {path} (--{dest.replace('_', '-')} PATH, "
                               f"or --smoke for the stand-in in tests/fixtures/bench/)")
                path = None
            setattr(parsed, dest, path)
        return parsed


def _shown(path: Path) -> str:
    return os.path.relpath(path, REPO)


# -- the CNN/DailyMail text ---------------------------------------------------------------------
_TERMINATORS = frozenset({".", "!", "?"})
_CLOSING_BRACKETS = frozenset({")", "]", "}"})
_QUOTES = frozenset({'"', "'", "\u201d", "\u2019", "`"})


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
