"""A digest of many pages: the stories behind them, each summarized once across its sources.

The flow, for up to ``max_digest_pages`` pages:

1. **read** each page as ``/v1/summarize`` would (extract, split; in the
   service's worker processes, a few at a time).  A page that gives no
   article, or runs past its own deadline, goes to ``failed`` with its error
   code and message; it never fails the digest.
2. **embed** the sentences of every page read, and their headlines, in one
   encoder call; each page's embeddings are cached as a summary would cache
   them, so digesting the same tabs again, or summarizing one of them
   afterwards, costs no model call.
3. **group** pages by their lead-weighted centroids and headlines
   (``grouping``): groups of two or more pages are stories.
4. **summarize** each story by centroid coverage over all its pages'
   sentences (``summary``), and each page left alone exactly as
   ``/v1/summarize`` would.

``Pipeline`` supplies the stages; nothing here knows about HTTP.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Sequence
from urllib.parse import urlsplit

import numpy as np

from ..deadline import Deadline
from ..multilingual import shared_language
from ..errors import ClientGone, DeadlineExceeded, NewsGistError, PageTooLarge
from ..pipeline import Pipeline, Prepared, Summary, check_sentence_count
from ..workers import InThreadRunner
from ..rank import lead_weighted_centroid
from ..real_sentences import summary_mask
from .grouping import GroupingParams, group, page_similarity
from .summary import story_summary

__all__ = ["Digest", "Failure", "Page", "Single", "Source", "Story", "StorySentence",
           "build_digest", "GroupingParams"]

log = logging.getLogger("newsgist.digest")


@dataclass(frozen=True)
class Page:
    """One page (a browser tab) to digest: ``html`` or ``text``, with its URL and title."""

    html: str | None = None
    text: str | None = None
    url: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Source:
    page: int           # index of the page in the request
    url: str | None
    title: str | None
    site: str | None    # the URL's host name, without "www."


@dataclass(frozen=True)
class StorySentence:
    text: str
    source: int                 # index into the story's sources
    index: int                  # position among that article's sentences
    paragraph: int
    start: int                  # offsets into that article's text
    end: int
    score: float                # share of the story's weight it added to the summary
    also_in: tuple[int, ...]    # other sources carrying a near-identical sentence


@dataclass(frozen=True)
class Story:
    title: str
    sources: list[Source]
    sentences: list[StorySentence]


@dataclass(frozen=True)
class Single:
    page: int
    site: str | None
    summary: Summary


@dataclass(frozen=True)
class Failure:
    page: int
    url: str | None
    title: str | None
    site: str | None
    code: str
    message: str


@dataclass(frozen=True)
class Digest:
    stories: list[Story]
    singles: list[Single]
    failed: list[Failure]
    model: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    cached: bool = False

    def to_dict(self) -> dict:
        """The JSON answer of ``POST /v1/digest`` (and ``newsgist digest --json``)."""
        return {
            "stories": [{
                "title": s.title,
                "sources": [{"page": src.page, "url": src.url, "title": src.title,
                             "site": src.site} for src in s.sources],
                "sentences": [{"text": x.text, "source": x.source, "index": x.index,
                               "paragraph": x.paragraph, "start": x.start, "end": x.end,
                               "score": x.score, "also_in": list(x.also_in)}
                              for x in s.sentences],
            } for s in self.stories],
            "singles": [{"page": one.page, "site": one.site, **one.summary.to_dict()}
                        for one in self.singles],
            "failed": [{"page": f.page, "url": f.url, "title": f.title, "site": f.site,
                        "error": {"code": f.code, "message": f.message}} for f in self.failed],
            "model": self.model, "timings_ms": self.timings_ms, "cached": self.cached,
            "warnings": self.warnings,
        }


# A story's summary compares every sentence of its sources with every other one:
# it chooses from at most this many, each source's first share (at least 50), so
# that thirty long pages on one event stay a matter of megabytes, not gigabytes.
# News puts its facts first: past the first 50 a sentence's weight is under 2%.
STORY_SENTENCE_BUDGET = 2000
MIN_SENTENCES_PER_SOURCE = 50

# What separates a headline from the site name in a <title>: "Headline | Site".
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|•)\s+")


def headline(title: str | None) -> str | None:
    """The headline in a page title: the longest part between site-name separators."""
    if not title or not title.strip():
        return None
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(" ".join(title.split())) if p.strip()]
    return max(parts, key=len) if parts else None


def site_of(url: str | None) -> str | None:
    try:
        host = urlsplit(url or "").hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def build_digest(pipeline: Pipeline, pages: Sequence[Page], sentences: int | None = None,
                 deadline: Deadline | None = None,
                 params: GroupingParams | None = None) -> Digest:
    """Group ``pages`` into stories and summarize each story (and each other page)."""
    settings = pipeline.settings
    k = check_sentence_count(sentences, settings)
    params = params or GroupingParams()
    deadline = deadline or Deadline(settings.digest_timeout)
    started = time.perf_counter()
    timings: dict[str, float] = {}

    # 1. read every page; a page that fails is reported, not raised
    t = time.perf_counter()
    outcomes = _read_pages(pipeline, pages, deadline)
    timings["read"] = _ms_since(t)
    failed = [_failure(i, pages[i], exc) for i, exc in enumerate(outcomes)
              if isinstance(exc, NewsGistError)]
    read = {i: p for i, p in enumerate(outcomes) if isinstance(p, Prepared)}
    for stage in ("extract", "segment"):
        timings[stage] = round(sum(p.timings.get(stage, 0.0) for p in read.values()), 2)
    order = sorted(read)

    # 2. embed every page read and their headlines, in one call
    deadline.check("embedding")
    t = time.perf_counter()
    candidates = {i: pipeline.candidates(read[i]) for i in order}
    heads = {i: headline(read[i].article.title or pages[i].title) for i in order}
    head_texts = sorted({h for h in heads.values() if h})
    documents = [[s.text for s in candidates[i]] for i in order]
    # One encoder for every page, so that they can be compared (newsgist.multilingual).
    lang = shared_language(pipeline.multilingual, [read[i].article.lang for i in order])
    embedded = pipeline.embed_documents(documents + ([head_texts] if head_texts else []),
                                        deadline, lang) if documents else []
    vectors = {i: embedded[n][0] for n, i in enumerate(order)}
    head_vectors = dict(zip(head_texts, embedded[-1][0])) if head_texts else {}
    cached = all(hit for _, hit in embedded)
    timings["embed"] = _ms_since(t)

    # 3. group pages into stories
    deadline.check("grouping")
    t = time.perf_counter()
    keys = {i: _content_key(read[i], heads[i]) for i in order}
    groups: list[list[int]] = []
    if order:
        centroids = np.stack([lead_weighted_centroid(vectors[i], pipeline.ranker.position_decay)
                              .vector for i in order])
        dim = centroids.shape[1]
        head_matrix = np.stack([head_vectors[heads[i]] if heads[i] else np.zeros(dim)
                                for i in order])
        sim = page_similarity(centroids, head_matrix, [bool(heads[i]) for i in order],
                              params.headline_weight)
        groups = [[order[j] for j in g]
                  for g in group([keys[i] for i in order], sim, params.threshold, params.linkage)]
    timings["group"] = _ms_since(t)

    # 4. a summary per story, and per page left alone
    deadline.check("ranking")
    t = time.perf_counter()
    stories, singles, warnings = [], [], []
    for members in groups:
        if len(members) == 1:
            i = members[0]
            summary = pipeline.summarize_prepared(read[i], k, deadline)
            singles.append(Single(page=i, site=site_of(summary.article.url or pages[i].url),
                                  summary=summary))
            continue
        per_source = max(MIN_SENTENCES_PER_SOURCE, STORY_SENTENCE_BUDGET // len(members))
        stories.append(_story(pipeline, members, pages, read, candidates, vectors, heads,
                              head_vectors, keys, k, per_source))
        warnings += _source_warnings(pipeline, members, read, candidates, per_source, lang)
    timings["rank"] = _ms_since(t)
    timings["total"] = _ms_since(started)
    stories.sort(key=lambda s: (-len(s.sources), s.sources[0].page))
    return Digest(stories=stories, singles=singles, failed=failed,
                  model=pipeline.encoder_for(lang).name,
                  timings_ms=timings, warnings=warnings, cached=cached and bool(order))


def _source_warnings(pipeline: Pipeline, members: list[int], read: dict[int, Prepared],
                     candidates: dict, per_source: int,
                     digest_lang: str | None = None) -> list[str]:
    """What the reader should know about a story's sources (singles carry their own);
    ``digest_lang`` chose the encoder the stories were grouped and ranked with."""
    encoder = pipeline.encoder_for(digest_lang)
    out = []
    for i in members:
        total = read[i].total
        if len(candidates[i]) > per_source:
            out.append(f"Page {i} has {total} sentences; its story was summarized from the "
                       f"first {per_source} of each of its {len(members)} sources.")
        elif total > pipeline.settings.max_article_sentences:
            out.append(f"Page {i} has {total} sentences; only the first "
                       f"{pipeline.settings.max_article_sentences} were considered (setting "
                       "NEWSGIST_MAX_ARTICLE_SENTENCES).")
        lang = read[i].article.lang
        if pipeline.language_warning(lang, encoder) is not None:
            out.append(f"Page {i} is in '{lang}', a language the model {encoder.name} "
                       "does not know: its story's grouping and sentences may not be the best "
                       "(setting NEWSGIST_MODEL).")
    return out


def _read_pages(pipeline: Pipeline, pages: Sequence[Page],
                deadline: Deadline) -> list[Prepared | NewsGistError]:
    """Each page read (a Prepared) or why not (a NewsGistError), in page order."""
    settings = pipeline.settings

    def read(page: Page) -> Prepared | NewsGistError:
        # Each page has the time a summary has, within what is left of the digest's.
        limit, remaining = settings.request_timeout or None, deadline.remaining()
        if remaining is not None:
            limit = remaining if limit is None else min(limit, remaining)
        own = Deadline(max(limit, 1e-3) if limit is not None else None,
                       cancelled=lambda: deadline.cancelled)
        size = len((page.html if page.html is not None else page.text or "").encode(
            "utf-8", "surrogatepass"))
        if size > settings.max_body_bytes:
            return PageTooLarge(f"The page is {size} bytes, over the limit of "
                                f"{settings.max_body_bytes} for one page (setting "
                                "NEWSGIST_MAX_BODY_BYTES).")
        try:
            return pipeline.prepare_page(page.html, page.text, page.url, page.title, own)
        except ClientGone:
            raise
        except NewsGistError as exc:
            return exc
        except Exception as exc:  # noqa: BLE001 - one bad page never fails the digest
            # Where it failed, never the message: it may quote the page.
            log.error("unexpected %s while reading a page of a digest", type(exc).__name__)
            return NewsGistError("NewsGist failed on this page; please report it.",
                                 code="internal_error", status=500)

    # Worker processes read pages side by side; in-process, threads would only
    # take turns on the interpreter lock.
    parallel = not isinstance(pipeline.runner, InThreadRunner)
    workers = max(1, min(len(pages), settings.extract_workers)) if parallel else 1
    if workers == 1:
        return [read(p) for p in pages]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="digest-read") as pool:
        return list(pool.map(read, pages))


def _failure(i: int, page: Page, exc: NewsGistError) -> Failure:
    message = exc.message
    if isinstance(exc, DeadlineExceeded):
        message = ("Reading this page took too long and was stopped (setting "
                   "NEWSGIST_REQUEST_TIMEOUT for each page, NEWSGIST_DIGEST_TIMEOUT for all).")
    return Failure(page=i, url=page.url, title=page.title, site=site_of(page.url),
                   code=exc.code, message=message)


def _story(pipeline: Pipeline, members: list[int], pages: Sequence[Page],
           read: dict[int, Prepared], candidates: dict, vectors: dict, heads: dict,
           head_vectors: dict, keys: dict, k: int, per_source: int) -> Story:
    # Sources are listed in page order; they are ranked in content order, so that
    # which of two identical sentences is credited does not depend on tab order.
    ranked = sorted(members, key=lambda i: (keys[i], i))
    picks = story_summary([vectors[i][:per_source] for i in ranked],
                          [[s.words for s in candidates[i][:per_source]] for i in ranked], k,
                          pipeline.ranker,
                          [summary_mask([s.text for s in candidates[i][:per_source]],
                                        [s.kind for s in candidates[i][:per_source]],
                                        read[i].article.lang) for i in ranked])
    position = {i: n for n, i in enumerate(members)}
    sources = [Source(page=i, url=read[i].article.url or pages[i].url,
                      title=read[i].article.title or pages[i].title,
                      site=site_of(read[i].article.url or pages[i].url)) for i in members]
    chosen = []
    for p in picks:  # reading order: leads first, then by content order (not tab order)
        page = ranked[p.source]
        s = candidates[page][p.row]
        chosen.append((p.row / max(min(len(candidates[page]), per_source), 1), p.source,
                       StorySentence(text=s.text, source=position[page], index=s.index,
                                     paragraph=s.paragraph, start=s.start, end=s.end,
                                     score=round(p.score, 4),
                                     also_in=tuple(sorted(position[ranked[o]]
                                                          for o in p.also_in)))))
    chosen.sort(key=lambda c: c[:2])
    sentences = [c[2] for c in chosen]
    return Story(title=_central_headline(members, heads, head_vectors, keys)
                 or (sentences[0].text if sentences else ""),
                 sources=sources, sentences=sentences)


def _central_headline(members: list[int], heads: dict, head_vectors: dict,
                      keys: dict) -> str | None:
    """The headline closest to the story's other headlines (ties: content order)."""
    titled = sorted((i for i in members if heads[i]), key=lambda i: (keys[i], i))
    if not titled:
        return None
    matrix = np.stack([np.asarray(head_vectors[heads[i]], dtype=np.float64) for i in titled])
    centrality = (matrix @ matrix.T).sum(axis=1)
    return heads[titled[int(np.argmax(np.round(centrality, 9)))]]


def _content_key(prepared: Prepared, head: str | None) -> str:
    h = hashlib.sha256((head or "").encode("utf-8", "surrogatepass"))
    h.update(b"\x00" + prepared.article.text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _ms_since(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
