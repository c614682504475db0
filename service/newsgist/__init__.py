"""NewsGist: the few sentences that carry a news article, computed locally.

The public Python API::

    from newsgist import extract_article, summarize_html, summarize_text, rank_sentences

All four share one process-wide ``Pipeline`` whose model loads on first use.
"""

from __future__ import annotations

from typing import Sequence

from .extract import Article, extract_article
from .pipeline import Pipeline, Summary, SummarySentence, default_pipeline

__version__ = "0.1.0"

__all__ = ["Article", "Pipeline", "Summary", "SummarySentence", "__version__",
           "extract_article", "rank_sentences", "summarize_html", "summarize_text"]


def summarize_html(html: str, *, url: str | None = None, title: str | None = None,
                   sentences: int | None = None) -> Summary:
    """Summarize a page's HTML: its readable article's ``sentences`` key sentences
    (default 3)."""
    return default_pipeline().summarize_html(html, url=url, title=title, sentences=sentences)


def summarize_text(text: str, *, url: str | None = None, title: str | None = None,
                   sentences: int | None = None) -> Summary:
    """Summarize plain text (paragraphs separated by blank lines)."""
    return default_pipeline().summarize_text(text, url=url, title=title, sentences=sentences)


def rank_sentences(texts: Sequence[str], *, sentences: int | None = None,
                   k: int | None = None) -> list[int]:
    """Indices, ascending, of the ``sentences`` (default 3) that best summarize
    already-split ``texts``; ``k`` is the former name of ``sentences``."""
    return default_pipeline().rank_sentences(texts, sentences=sentences, k=k)
