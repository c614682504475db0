"""The Summary a pipeline answers: its sentences, its statistics and its JSON.

``pipeline.Pipeline`` makes them; ``Summary.to_dict`` is the answer of
``POST /v1/summarize`` (and of ``newsgist summarize --json``, and of a digest's
page left alone).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .document import BLOCK_SEPARATOR, Article

# Adult silent reading speed for non-fiction (Brysbaert, 2019: ~238 wpm).
WORDS_PER_MINUTE = 238


@dataclass(frozen=True)
class SummarySentence:
    text: str
    index: int
    paragraph: int
    start: int
    end: int
    score: float
    similarity: float
    position_weight: float
    kind: str = "paragraph"   # the kind of its block (``Article.blocks[paragraph]``)
    before: str = ""          # up to pipeline.CONTEXT_CHARS of article text before it
    after: str = ""           # ... and after it


@dataclass(frozen=True)
class Stats:
    sentences_total: int
    words_total: int
    summary_words: int
    reading_minutes_article: float
    reading_minutes_summary: float


@dataclass(frozen=True)
class Summary:
    article: Article
    sentences: list[SummarySentence]
    stats: Stats
    model: str
    timings_ms: dict[str, float] = field(default_factory=dict)
    truncated: bool = False
    warnings: list[str] = field(default_factory=list)
    cached: bool = False

    def to_dict(self, include_text: bool = False) -> dict:
        """The JSON answer of ``POST /v1/summarize`` (and ``newsgist summarize --json``)."""
        a = self.article
        out = {
            "title": a.title, "byline": a.byline, "lang": a.lang, "url": a.url,
            "sentences": [{"text": s.text, "index": s.index, "paragraph": s.paragraph,
                           "kind": s.kind, "start": s.start, "end": s.end, "score": s.score,
                           "why": {"centroid_similarity": s.similarity,
                                   "position_weight": s.position_weight},
                           "context": {"before": s.before, "after": s.after}}
                          for s in self.sentences],
            "stats": asdict(self.stats), "model": self.model, "timings_ms": self.timings_ms,
            "truncated": self.truncated, "cached": self.cached, "warnings": self.warnings,
        }
        if include_text:
            out["text"] = a.text
            out["blocks"] = [{"kind": kind, "start": start, "end": end}
                             for kind, start, end in block_spans(a)]
        return out


def block_spans(article: Article) -> list[tuple[str, int, int]]:
    """``(kind, start, end)`` of each block in ``article.text``."""
    spans, start = [], 0
    for block in article.blocks:
        spans.append((block.kind, start, start + len(block.text)))
        start += len(block.text) + len(BLOCK_SEPARATOR)
    return spans


def reading_minutes(words: int) -> float:
    return round(words / WORDS_PER_MINUTE, 1)
