"""A summary that is remembered: the usual summary, stored, with what is new since.

The page is read and summarized exactly as without ``remember``
(``Pipeline.prepare_page`` then ``summarize_prepared``).  Its sentences are
embedded with its headline in one encoder call just before, and the summary
finds them in the pipeline's embedding cache, so remembering costs one more
short text in that call, the story test and one SQLite transaction.  The answer is the summary's with one more field,
``since`` (``RememberedSummary.to_dict``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from datetime import datetime, timezone

from ..deadline import Deadline
from ..pipeline import Pipeline, _summary_sentence
from ..rank import lead_weighted_centroid
from ..real_sentences import summary_choices_of
from ..stories import headline, site_of
from ..summary import Summary, SummarySentence, _sentence
from .reading import History
from .since import Earlier
from .store import NewEntry, Shown

HISTORY_OFF = ("History is off in this service (setting NEWSGIST_HISTORY=0): this page was "
               "not remembered.")


def iso_time(seconds: float) -> str:
    """A stored time as ISO 8601 in UTC, to the microsecond (``before`` takes it back)."""
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(
        timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Since:
    read: list[Earlier]
    new: list[SummarySentence]

    def to_dict(self) -> dict:
        return {"read": [{"url": e.url, "title": e.title, "read_at": iso_time(e.read_at)}
                         for e in self.read],
                "new": [_sentence(s) for s in self.new]}


@dataclass(frozen=True)
class RememberedSummary(Summary):
    """A summary asked with ``remember``: ``entry`` is its id in the history (None when
    history is off), ``since`` what is new in its story (None: no story read before)."""

    entry: int | None = None
    since: Since | None = None

    def to_dict(self, include_text: bool = False) -> dict:
        out = super().to_dict(include_text)
        out["history_id"] = self.entry
        out["since"] = None if self.since is None else self.since.to_dict()
        return out


def _fields(summary: Summary) -> dict:
    return {f.name: getattr(summary, f.name) for f in fields(Summary)}


def summarize_remembered(pipeline: Pipeline, history: History, *, html: str | None = None,
                         text: str | None = None, url: str | None = None,
                         title: str | None = None, sentences: int | None = None,
                         deadline: Deadline | None = None) -> RememberedSummary:
    """Summarize ``html`` or ``text`` and, when history is on, remember it."""
    deadline = deadline or Deadline()
    prepared = pipeline.prepare_page(html, text, url, title, deadline)
    if not history.enabled:
        summary = pipeline.summarize_prepared(prepared, sentences, deadline)
        return RememberedSummary(**{**_fields(summary),
                                    "warnings": [*summary.warnings, HISTORY_OFF]})

    # The page's sentences and its headline in one encoder call; the summary then finds the
    # sentences in the cache (its `cached` and `embed` time are this call's).
    candidates = pipeline.candidates(prepared)
    head = headline(prepared.article.title or title)
    documents = [[s.text for s in candidates]] + ([[head]] if head else [])
    started = time.perf_counter()
    embedded = pipeline.embed_documents(documents, deadline)
    embed_ms = (time.perf_counter() - started) * 1000
    summary = pipeline.summarize_prepared(prepared, sentences, deadline)
    timings = {**summary.timings_ms,
               "embed": round(summary.timings_ms.get("embed", 0.0) + embed_ms, 2)}
    timings["total"] = round(sum(v for k, v in timings.items() if k != "total"), 2)
    base = {**_fields(summary), "cached": embedded[0][1], "timings_ms": timings}
    article = summary.article
    vectors = embedded[0][0]
    row = {s.index: n for n, s in enumerate(candidates)}
    deadline.check("remembering")
    entry = NewEntry(url=article.url or url, title=article.title or title,
                     site=site_of(article.url or url), language=article.lang,
                     read_at=history.clock(), model=pipeline.model_name,
                     vector=lead_weighted_centroid(vectors, pipeline.ranker.position_decay).vector,
                     headline=embedded[1][0][0] if head else None,
                     shown=[Shown(s.text, vectors[row[s.index]]) for s in summary.sentences
                            if s.index in row])
    eligible = summary_choices_of(candidates, article.lang, len(summary.sentences))
    entry_id, earlier, new = history.remember(entry, vectors, len(summary.sentences),
                                              [s.words for s in candidates], eligible,
                                              pipeline.ranker)
    since = None if earlier is None else Since(
        read=earlier, new=[_summary_sentence(article, candidates[c.index], c) for c in new])
    return RememberedSummary(**base, entry=entry_id, since=since)

