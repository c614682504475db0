"""The Summary a pipeline answers: its sentences, its statistics and its JSON.

``pipeline.Pipeline`` makes them; ``Summary.to_dict`` is the answer of
``POST /v1/summarize`` (and of ``newsgist summarize --json``, and of a digest's
page left alone).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .document import Article
from .outline import Outline

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
    # The page's headings, each with the sentence that stands for its section; None
    # for a page not built of sections (``newsgist.outline``).
    outline: Outline[SummarySentence] | None = None

    def to_dict(self, include_text: bool = False) -> dict:
        """The JSON answer of ``POST /v1/summarize`` (and ``newsgist summarize --json``)."""
        a = self.article
        out = {
            "title": a.title, "byline": a.byline, "lang": a.lang, "url": a.url,
            "sentences": [_sentence(s) for s in self.sentences],
            "stats": asdict(self.stats), "model": self.model, "timings_ms": self.timings_ms,
            "truncated": self.truncated, "cached": self.cached, "warnings": self.warnings,
            "outline": None if self.outline is None else [
                _outline_entry(e) for e in self.outline.entries],
            "outline_truncated": bool(self.outline and self.outline.truncated),
            "outline_kind": self.outline.kind if self.outline else None,
        }
        if include_text:
            out["text"] = a.text
            out["blocks"] = [{"kind": kind, "start": start, "end": end}
                             for kind, start, end in block_spans(a)]
        return out


def _sentence(s: SummarySentence) -> dict:
    return {"text": s.text, "index": s.index, "paragraph": s.paragraph, "kind": s.kind,
            "start": s.start, "end": s.end, "score": s.score,
            "why": {"centroid_similarity": s.similarity, "position_weight": s.position_weight},
            "context": {"before": s.before, "after": s.after}}


def _outline_entry(entry) -> dict:
    return {"heading": entry.heading, "level": entry.level, "start": entry.start,
            "end": entry.end,
            "sentence": None if entry.sentence is None else _sentence(entry.sentence),
            "children": [_outline_entry(c) for c in entry.children]}


def block_spans(article: Article) -> list[tuple[str, int, int]]:
    """``(kind, start, end)`` of each block in ``article.text``."""
    return [(block.kind, start, start + len(block.text))
            for block, start in zip(article.blocks, article.block_starts)]


def reading_minutes(words: int) -> float:
    return round(words / WORDS_PER_MINUTE, 1)
