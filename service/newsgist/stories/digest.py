"""Making a digest: read the pages, embed them, group them into stories, summarize.

The steps are those of the package's documentation (``newsgist.stories``); each page
read becomes a :class:`PageReading`, which the later steps share.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Sequence
from urllib.parse import urlsplit

import numpy as np

from ..deadline import Deadline, ms_since
from ..errors import ClientGone, DeadlineExceeded, NewsGistError
from ..inputs import check_page_size
from ..multilingual import shared_language
from ..pipeline import Pipeline, Prepared, check_sentence_count, truncation_warning
from ..rank import lead_weighted_centroid
from ..real_sentences import summary_choices_of
from ..segment import Sentence
from .grouping import GroupingParams, group, page_similarity
from .model import Digest, Failure, Page, Single, Source, Story, StorySentence
from .summary import story_summary

log = logging.getLogger("newsgist.digest")

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


@dataclass(frozen=True)
class PageReading:
    """One page of the digest, read and embedded: what grouping and summarizing use."""

    page: int                  # index of the page in the request
    prepared: Prepared
    candidates: list[Sentence]  # the sentences a summary chooses from
    vectors: np.ndarray         # their embeddings
    head: str | None            # the headline of its title
    key: str                    # a hash of headline and text: orders pages by content
    url: str | None             # the article's, else the one the page came with
    title: str | None

    @property
    def site(self) -> str | None:
        return site_of(self.url)


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
    timings["read"] = ms_since(t)
    failed = [_failure(i, pages[i], exc) for i, exc in enumerate(outcomes)
              if isinstance(exc, NewsGistError)]
    read = {i: p for i, p in enumerate(outcomes) if isinstance(p, Prepared)}
    for stage in ("extract", "segment"):
        timings[stage] = round(sum(p.timings.get(stage, 0.0) for p in read.values()), 2)

    # 2. embed every page read and their headlines, in one call
    deadline.check("embedding")
    t = time.perf_counter()
    # One encoder for every page, so that they can be compared (newsgist.multilingual).
    lang = shared_language(pipeline.multilingual, [p.article.lang for p in read.values()])
    readings, head_vectors, cached = _embed(pipeline, pages, read, deadline, lang)
    timings["embed"] = ms_since(t)

    # 3. group pages into stories
    deadline.check("grouping")
    t = time.perf_counter()
    groups = _group(pipeline, readings, head_vectors, params)
    timings["group"] = ms_since(t)

    # 4. a summary per story, and per page left alone
    deadline.check("ranking")
    t = time.perf_counter()
    stories, singles, warnings = [], [], []
    for members in groups:
        if len(members) == 1:
            one = members[0]
            singles.append(Single(page=one.page, site=one.site,
                                  summary=pipeline.summarize_prepared(one.prepared, k, deadline)))
            continue
        per_source = max(MIN_SENTENCES_PER_SOURCE, STORY_SENTENCE_BUDGET // len(members))
        stories.append(_story(pipeline, members, head_vectors, k, per_source))
        warnings += _source_warnings(pipeline, members, per_source, lang)
    timings["rank"] = ms_since(t)
    timings["total"] = ms_since(started)
    stories.sort(key=lambda s: (-len(s.sources), s.sources[0].page))
    return Digest(stories=stories, singles=singles, failed=failed,
                  model=pipeline.encoder_for(lang).name,
                  timings_ms=timings, warnings=warnings, cached=cached and bool(read))


def _embed(pipeline: Pipeline, pages: Sequence[Page], read: dict[int, Prepared],
           deadline: Deadline, lang: str | None = None
           ) -> tuple[list[PageReading], dict[str, np.ndarray], bool]:
    """The pages read, in page order, with their embeddings (by the encoder ``lang``
    chooses); the headlines' embeddings; whether every embedding came from the cache."""
    order = sorted(read)
    candidates = {i: pipeline.candidates(read[i]) for i in order}
    heads = {i: headline(read[i].article.title or pages[i].title) for i in order}
    head_texts = sorted({h for h in heads.values() if h})
    documents = [[s.text for s in candidates[i]] for i in order]
    embedded = pipeline.embed_documents(documents + ([head_texts] if head_texts else []),
                                        deadline, lang) if documents else []
    head_vectors = dict(zip(head_texts, embedded[-1][0])) if head_texts else {}
    readings = [PageReading(page=i, prepared=read[i], candidates=candidates[i],
                            vectors=embedded[n][0], head=heads[i],
                            key=_content_key(read[i], heads[i]),
                            url=read[i].article.url or pages[i].url,
                            title=read[i].article.title or pages[i].title)
                for n, i in enumerate(order)]
    return readings, head_vectors, all(hit for _, hit in embedded)


def _group(pipeline: Pipeline, readings: list[PageReading], head_vectors: dict,
           params: GroupingParams) -> list[list[PageReading]]:
    """The pages grouped by their lead-weighted centroids and headlines, in page order."""
    if not readings:
        return []
    centroids = np.stack([lead_weighted_centroid(r.vectors, pipeline.ranker.position_decay)
                          .vector for r in readings])
    dim = centroids.shape[1]
    head_matrix = np.stack([head_vectors[r.head] if r.head else np.zeros(dim)
                            for r in readings])
    sim = page_similarity(centroids, head_matrix, [bool(r.head) for r in readings],
                          params.headline_weight)
    return [[readings[j] for j in g]
            for g in group([r.key for r in readings], sim, params.threshold, params.linkage)]


def _source_warnings(pipeline: Pipeline, members: list[PageReading],
                     per_source: int, digest_lang: str | None = None) -> list[str]:
    """What the reader should know about a story's sources (singles carry their own);
    ``digest_lang`` chose the encoder the stories were grouped and ranked with."""
    encoder = pipeline.encoder_for(digest_lang)
    out = []
    for r in members:
        subject, total = f"Page {r.page}", r.prepared.total
        if len(r.candidates) > per_source:
            out.append(f"{subject} has {total} sentences; its story was summarized from the "
                       f"first {per_source} of each of its {len(members)} sources.")
        elif total > pipeline.settings.max_article_sentences:
            out.append(truncation_warning(total, pipeline.settings.max_article_sentences,
                                          subject))
        language = pipeline.language_warning(r.prepared.article.lang, subject,
                                             "its story's grouping and sentences", encoder)
        if language is not None:
            out.append(language)
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
        try:
            check_page_size(page.html if page.html is not None else page.text or "",
                            settings.max_body_bytes)
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
    workers = max(1, min(len(pages), settings.extract_workers)) if pipeline.runner.parallel \
        else 1
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


def _story(pipeline: Pipeline, members: list[PageReading], head_vectors: dict, k: int,
           per_source: int) -> Story:
    # Sources are listed in page order; they are ranked in content order, so that
    # which of two identical sentences is credited does not depend on tab order.
    ranked = sorted(members, key=lambda r: (r.key, r.page))
    firsts = [r.candidates[:per_source] for r in ranked]
    picks = story_summary([r.vectors[:per_source] for r in ranked],
                          [[s.words for s in first] for first in firsts], k, pipeline.ranker,
                          [summary_choices_of(first, r.prepared.article.lang, k)
                           for r, first in zip(ranked, firsts)])
    position = {r.page: n for n, r in enumerate(members)}
    sources = [Source(page=r.page, url=r.url, title=r.title, site=r.site) for r in members]
    chosen = []
    for p in picks:  # reading order: leads first, then by content order (not tab order)
        reading = ranked[p.source]
        s = reading.candidates[p.row]
        chosen.append((p.row / max(min(len(reading.candidates), per_source), 1), p.source,
                       StorySentence(text=s.text, source=position[reading.page], index=s.index,
                                     paragraph=s.paragraph, start=s.start, end=s.end,
                                     score=round(p.score, 4),
                                     also_in=tuple(sorted(position[ranked[o].page]
                                                          for o in p.also_in)))))
    chosen.sort(key=lambda c: c[:2])
    sentences = [c[2] for c in chosen]
    return Story(title=_central_headline(members, head_vectors)
                 or (sentences[0].text if sentences else ""),
                 sources=sources, sentences=sentences)


def _central_headline(members: list[PageReading], head_vectors: dict) -> str | None:
    """The headline closest to the story's other headlines (ties: content order)."""
    titled = sorted((r for r in members if r.head), key=lambda r: (r.key, r.page))
    if not titled:
        return None
    matrix = np.stack([np.asarray(head_vectors[r.head], dtype=np.float64) for r in titled])
    centrality = (matrix @ matrix.T).sum(axis=1)
    return titled[int(np.argmax(np.round(centrality, 9)))].head


def _content_key(prepared: Prepared, head: str | None) -> str:
    h = hashlib.sha256((head or "").encode("utf-8", "surrogatepass"))
    h.update(b"\x00" + prepared.article.text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()
