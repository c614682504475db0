"""NewsGist: the few sentences that carry a news article, computed locally.

The public Python API::

    from newsgist import extract_article, summarize_html, summarize_text, rank_sentences, digest

All of them share one process-wide ``Pipeline`` whose model loads on first use.
"""

from __future__ import annotations

from typing import Mapping, Sequence, Union

from .document import Article, Block
from .extract import extract_article
from .pipeline import Pipeline, Summary, SummarySentence, default_pipeline
from .stories import Digest, Page, build_digest

__version__ = "0.1.0"

__all__ = ["Article", "Block", "Digest", "Page", "Pipeline", "Summary", "SummarySentence",
           "__version__", "digest", "extract_article", "rank_sentences", "summarize_html",
           "summarize_text"]


def summarize_html(html: str | bytes, *, url: str | None = None, title: str | None = None,
                   sentences: int | None = None) -> Summary:
    """Summarize a page's HTML: its readable article's ``sentences`` key sentences
    (default 3).  Bytes are decoded as a browser would (``newsgist.inputs``)."""
    return default_pipeline().summarize_html(html, url=url, title=title, sentences=sentences)


def summarize_text(text: str | bytes, *, url: str | None = None, title: str | None = None,
                   sentences: int | None = None) -> Summary:
    """Summarize plain text (paragraphs separated by blank lines)."""
    return default_pipeline().summarize_text(text, url=url, title=title, sentences=sentences)


def rank_sentences(texts: Sequence[str], *, sentences: int | None = None) -> list[int]:
    """Indices, ascending, of the ``sentences`` (default 3) that best summarize
    already-split ``texts``."""
    return default_pipeline().rank_sentences(texts, sentences=sentences)


def digest(pages: Sequence[Union[Page, Mapping[str, str], str, bytes]], *,
           sentences: int | None = None) -> Digest:
    """Group pages (each a ``Page``, a dict with ``html`` or ``text`` and optional ``url``
    and ``title``, or the HTML of a page as text or bytes) into stories: each story
    summarized once across
    its pages, pages about a story of their own summarized alone, failures listed."""
    return build_digest(default_pipeline(), [_page(p) for p in pages], sentences=sentences)


def _page(page: Union[Page, Mapping[str, str], str, bytes]) -> Page:
    if isinstance(page, Page):
        return page
    if isinstance(page, (str, bytes)):
        return Page(html=page)
    return Page(html=page.get("html"), text=page.get("text"), url=page.get("url"),
                title=page.get("title"))
