"""The whole flow: extract -> segment -> embed -> rank, and the Summary it yields
(``summary``).

``Pipeline`` owns the encoder (loaded once) and a small cache of document
embeddings, so asking again for the same page with another length costs no
model call.  ``api`` and ``cli`` are thin faces over it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Sequence

import numpy as np

from .config import Settings
from .embed import Encoder, load_encoder
from .multilingual import LanguageEncoders
from .deadline import Deadline, ms_since as _ms_since  # (the name the stages below use)
from .errors import InvalidInput, NoArticle
from .document import Article
from .extract import article_from_text, extract_article
from .inputs import clean_optional, page_text
from .outline import build_outline, section_ids
from .rank import CentroidRanker, Choice
from .real_sentences import count_prose, summary_choices, summary_mask
from .segment import Sentence, segment
from .summary import Stats, Summary, SummarySentence, reading_minutes
from .runner import InThreadRunner, Runner

# The encoder reads a sentence's first 256 tokens only; tokenizing megabytes of
# one run-on "sentence" to throw all but those away costs seconds.
EMBED_MAX_CHARS = 4096

# Article text sent on each side of a summary sentence, so the extension can tell the
# article's copy of the sentence from an earlier one (a table of contents, a teaser).
CONTEXT_CHARS = 80


# -- extraction and segmentation: page or text -> article + sentences ---------------------
# Module-level functions: ``newsgist serve`` runs them in worker processes
# (``newsgist.workers``), which receive them by name.
@dataclass(frozen=True)
class Prepared:
    """The article, its first ``budget`` sentences, how many it has in all, and timings."""

    article: Article
    sentences: list[Sentence]
    total: int
    timings: dict[str, float] = field(default_factory=dict)


def prepare_html(html: str, url: str | None = None, budget: int | None = None) -> Prepared:
    t = time.perf_counter()
    article = extract_article(html, url=url)
    return _segmented(article, budget, {"extract": _ms_since(t)})


def prepare_text(text: str, title: str | None = None, budget: int | None = None) -> Prepared:
    t = time.perf_counter()
    article = article_from_text(text, title=title)
    return _segmented(article, budget, {"extract": _ms_since(t)})


def _segmented(article: Article, budget: int | None, timings: dict[str, float]) -> Prepared:
    t = time.perf_counter()
    sentences = segment(article.blocks, article.lang)
    timings["segment"] = _ms_since(t)
    total = len(sentences)
    if budget is not None and total > budget:
        sentences = sentences[:budget]  # only these are ranked; no need to ship the rest
    return Prepared(article=article, sentences=sentences, total=total, timings=timings)


class EmbeddingCache:
    """LRU of document -> sentence embeddings, keyed by a hash of the sentences."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(model: str, texts: Sequence[str]) -> str:
        h = hashlib.sha256(model.encode())
        for t in texts:
            h.update(b"\x00" + t.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: np.ndarray) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)


class Pipeline:
    """Summarizes HTML or text.  Thread-safe; create one per process."""

    def __init__(self, settings: Settings | None = None, encoder: Encoder | None = None,
                 ranker: CentroidRanker | None = None, runner: Runner | None = None,
                 multilingual: LanguageEncoders | None = None):
        self.settings = settings or Settings.from_env()
        self.multilingual = multilingual or LanguageEncoders.of(self.settings, encoder)
        # Where extraction and segmentation run: in the calling thread, or (newsgist
        # serve) in worker processes that are stopped at the deadline (newsgist.workers).
        self.runner: Runner = runner or InThreadRunner()
        self._encoder = encoder
        self._encoder_lock = threading.Lock()
        self.ranker = ranker or CentroidRanker()
        self.cache = EmbeddingCache(self.settings.cache_documents)

    # -- the encoder, loaded once -------------------------------------------------
    @property
    def ready(self) -> bool:
        return self._encoder is not None

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            with self._encoder_lock:
                if self._encoder is None:
                    s = self.settings
                    self._encoder = load_encoder(s.model, s.backend, s.threads, s.cache_dir)
        return self._encoder

    def load(self) -> Encoder:
        """Load the model now (the server does this at start-up)."""
        return self.encoder

    def encoder_for(self, lang: str | None) -> Encoder:
        """The encoder of an article in ``lang``: the multilingual model where it serves."""
        return self.multilingual.choose(lang, lambda: self.encoder)

    @property
    def model_name(self) -> str:
        return self._encoder.name if self._encoder is not None else self.settings.model

    # -- public operations ----------------------------------------------------------
    # Every operation takes the text first, then keyword-only arguments in one order:
    # url, title, sentences (how many to keep; None: the configured default), deadline.
    def summarize_html(self, html: str | bytes, *, url: str | None = None, title: str | None = None,
                       sentences: int | None = None,
                       deadline: Deadline | None = None) -> Summary:
        deadline = deadline or Deadline()
        prepared = self._prepare(html, None, url, title, deadline)
        return self._summarize(prepared, sentences, deadline)

    def summarize_text(self, text: str | bytes, *, url: str | None = None, title: str | None = None,
                       sentences: int | None = None,
                       deadline: Deadline | None = None) -> Summary:
        deadline = deadline or Deadline()
        prepared = self._prepare(None, text, url, title, deadline)
        return self._summarize(prepared, sentences, deadline)

    def rank_sentences(self, texts: Sequence[str], *,
                       sentences: int | None = None) -> list[int]:
        """Indices (ascending) of the ``sentences`` to keep from already-split ``texts``."""
        count = self.settings.default_sentences if sentences is None else sentences
        texts = list(texts)
        if not texts:
            return []
        vectors = self._embed(texts)[0]
        words = [len(t.split()) for t in texts]
        return [c.index for c in self.ranker.select(vectors, count, words, summary_mask(texts))]

    # -- building blocks of a digest of several pages (newsgist.stories) ----------------
    def prepare_page(self, html: str | bytes | None, text: str | bytes | None,
                     url: str | None = None, title: str | None = None,
                     deadline: Deadline | None = None) -> Prepared:
        """One page (``html`` or ``text``) extracted and split as the summaries do;
        NoArticle when it holds too little to summarize."""
        prepared = self._prepare(html, text, url, title, deadline or Deadline())
        prose = count_prose(prepared.sentences)
        if prose < self.settings.min_article_sentences:
            raise NoArticle(_too_little(prepared.article, prose, prepared.total))
        return prepared

    def candidates(self, prepared: Prepared) -> list[Sentence]:
        """The sentences a summary chooses from: the first ``budget``, repeats dropped."""
        return unique_sentences(prepared.sentences[:self.settings.max_article_sentences])

    def summarize_prepared(self, prepared: Prepared, sentences: int | None = None,
                           deadline: Deadline | None = None) -> Summary:
        return self._summarize(prepared, sentences, deadline or Deadline())

    def embed_documents(self, documents: Sequence[Sequence[str]],
                        deadline: Deadline | None = None,
                        lang: str | None = None) -> list[tuple[np.ndarray, bool]]:
        """Each document's sentence embeddings and whether they came from the cache.

        The documents not cached are embedded in one encoder call (batches
        of similar length across pages) and cached one by one, so summarizing
        any of them later costs no model call.  ``lang`` chooses the encoder (None: English)."""
        encoder = self.encoder_for(lang)
        texts = [[t[:EMBED_MAX_CHARS] for t in doc] for doc in documents]
        keys = [EmbeddingCache.key(encoder.name, doc) for doc in texts]
        found = {k: v for k in set(keys) if (v := self.cache.get(k)) is not None}
        missing = [k for k in dict.fromkeys(keys) if k not in found]  # each document once
        if missing:
            first = {k: texts[keys.index(k)] for k in missing}
            flat = [t for k in missing for t in first[k]]
            vectors = self._encode(flat, deadline, encoder) if flat else None
            offset = 0
            for k in missing:
                n = len(first[k])
                computed = vectors[offset:offset + n] if vectors is not None \
                    else np.zeros((0, 0), dtype=np.float32)
                offset += n
                self.cache.put(k, computed)
                found[k] = computed
        return [(found[k], k not in missing) for k in keys]

    # -- the flow ---------------------------------------------------------------------
    def _prepare(self, html: str | bytes | None, text: str | bytes | None, url: str | None,
                 title: str | None, deadline: Deadline) -> Prepared:
        # Through the input boundary here, so every face (API, CLI, Python, digest,
        # batch) reads the same input: bytes decoded as a browser would, text cleaned.
        html, text = (page_text(html) if html is not None else None), (
            page_text(text) if text is not None else None)
        url, title = clean_optional(url), clean_optional(title)
        budget = self.settings.max_article_sentences
        if html is not None:
            prepared = self.runner.run(prepare_html, (html, url, budget), deadline)
            article = prepared.article
            if title and not article.title:
                article = replace(article, title=title)
        else:
            if not (text or "").strip():
                raise NoArticle("The text is empty: there is nothing to summarize.",
                                code="empty_input")
            prepared = self.runner.run(prepare_text, (text, title, budget), deadline)
            article = prepared.article
            if url:
                article = replace(article, url=url)
        return replace(prepared, article=article)

    def _summarize(self, prepared: Prepared, sentences: int | None,
                   deadline: Deadline) -> Summary:
        article = prepared.article
        k = check_sentence_count(sentences, self.settings)
        timings = dict(prepared.timings)
        total = prepared.total  # prepared.sentences holds the first `budget` of them
        # Headings, captions and table cells alone are no article to summarize.
        prose = count_prose(prepared.sentences)
        if prose < self.settings.min_article_sentences:
            raise NoArticle(_too_little(article, prose, total))

        budget = self.settings.max_article_sentences
        truncated = total > budget
        candidates = self.candidates(prepared)

        deadline.check("embedding")
        t = time.perf_counter()
        vectors, cached = self._embed([s.text for s in candidates], deadline, article.lang)
        timings["embed"] = _ms_since(t)

        deadline.check("ranking")
        t = time.perf_counter()
        texts = [s.text for s in candidates]
        eligible = summary_mask(texts, [s.kind for s in candidates], article.lang)
        # The summary's choice (a French quote-led sentence only when needed); the
        # outline stands for each section with any real sentence of it.
        choosable = summary_choices(texts, eligible, article.lang, k)
        words = [s.words for s in candidates]
        # A page built of sections is ranked with its structure (rank.py, point 5) and
        # gets an outline; any other page takes exactly the story path.
        owners = section_ids(article, [s.paragraph for s in candidates]) \
            if article.is_sectioned else None
        choices = self.ranker.select(vectors, k, words, choosable, owners)
        if not choices and owners is not None:   # every real sentence sits in furniture
            choices = self.ranker.select(vectors, k, words, choosable)
        outline = None
        if owners is not None:
            standing = self.ranker.representatives(vectors, owners, words, eligible)
            outline = build_outline(article, {
                section: _summary_sentence(article, candidates[c.index], c)
                for section, c in standing.items()})
        timings["rank"] = _ms_since(t)

        picked = [_summary_sentence(article, candidates[c.index], c) for c in choices]
        words_total = article.words
        summary_words = sum(len(s.text.split()) for s in picked)
        stats = Stats(sentences_total=total, words_total=words_total,
                      summary_words=summary_words,
                      reading_minutes_article=reading_minutes(words_total),
                      reading_minutes_summary=reading_minutes(summary_words))
        warnings = []
        if truncated:
            warnings.append(truncation_warning(total, budget))
        if (warning := self.language_warning(article.lang)) is not None:
            warnings.append(warning)
        timings["total"] = round(sum(timings.values()), 2)
        return Summary(article=article, sentences=picked, stats=stats,
                       model=self.encoder_for(article.lang).name,
                       timings_ms=timings, truncated=truncated, warnings=warnings, cached=cached,
                       outline=outline)

    def language_warning(self, lang: str | None, subject: str = "The article",
                         risk: str = "the sentences chosen",
                         encoder: Encoder | None = None) -> str | None:
        """A warning when the model that embeds ``subject`` (``encoder``, by default
        ``encoder_for(lang)``) does not know its language ``lang``, so that its ``risk``
        (an article, a page of a digest) may not be the best."""
        encoder = encoder or self.encoder_for(lang)
        languages = encoder.languages
        if lang is None or languages is None or lang in languages:
            return None
        known = "English" if languages == {"en"} else ", ".join(sorted(languages))
        return (f"{subject} is in '{lang}' but the model {encoder.name} knows {known} "
                f"only: {risk} may not be the best (setting NEWSGIST_MODEL).")

    def _embed(self, texts: list[str], deadline: Deadline | None = None,
               lang: str | None = None) -> tuple[np.ndarray, bool]:
        return self.embed_documents([texts], deadline, lang)[0]

    def _encode(self, texts: list[str], deadline: Deadline | None,
                encoder: Encoder) -> np.ndarray:
        between_batches = None
        if deadline is not None and deadline.expires is not None:
            # Checked between batches: a huge article stops at its deadline, not after.
            between_batches = partial(deadline.check, "embedding")
        return encoder.encode(texts, between_batches=between_batches)


def truncation_warning(total: int, budget: int, subject: str = "The article") -> str:
    """The warning of an article (or a page of a digest) longer than the sentence budget."""
    return (f"{subject} has {total} sentences; only the first {budget} were considered "
            "(setting NEWSGIST_MAX_ARTICLE_SENTENCES).")


def check_sentence_count(k: object, settings: Settings) -> int:
    """The summary length asked for, or the default; InvalidInput when out of range."""
    if k is None:
        return settings.default_sentences
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= settings.max_sentences:
        raise InvalidInput(f"'sentences' must be a whole number from 1 to "
                           f"{settings.max_sentences}.", code="invalid_sentences")
    return k


def unique_sentences(sentences: list[Sentence]) -> list[Sentence]:
    """Drop repeats of a sentence already seen (pages repeat pull quotes and teasers)."""
    seen: set[str] = set()
    out = []
    for s in sentences:
        key = " ".join(s.text.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def _summary_sentence(article: Article, s: Sentence, c: Choice) -> SummarySentence:
    return SummarySentence(text=s.text, index=s.index, paragraph=s.paragraph, start=s.start,
                           end=s.end, score=round(c.score, 4), similarity=round(c.similarity, 4),
                           position_weight=round(c.position_weight, 4), kind=s.kind,
                           before=_context(article.text, s.start - CONTEXT_CHARS, s.start),
                           after=_context(article.text, s.end, s.end + CONTEXT_CHARS))


def _context(text: str, start: int, end: int) -> str:
    return text[max(0, start):max(0, end)].strip()


def _too_little(article: Article, n: int, total: int) -> str:
    if n == 0 and total:
        return (f"Only headings, captions, table cells or code ({total} "
                f"line{'s' if total != 1 else ''}) were found on this page: there are no "
                f"sentences of text to summarize.")
    if n == 0:
        return "No readable article text was found on this page."
    return (f"Only {n} sentence{'s' if n != 1 else ''} ({article.words} words) of article text "
            f"{'was' if n == 1 else 'were'} found: too little to summarize.")



_default: Pipeline | None = None
_default_lock = threading.Lock()


def default_pipeline() -> Pipeline:
    """The process-wide pipeline used by the module-level functions."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Pipeline()
        return _default
