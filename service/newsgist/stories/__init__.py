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

``Pipeline`` supplies the stages; nothing here knows about HTTP.  The modules:
``model`` (the pages and what a digest is made of), ``answer`` (its JSON),
``digest`` (the flow above), ``grouping``, ``summary`` (a story's summary) and
``render`` (Markdown and plain text).
"""

from .digest import PageReading, build_digest, headline, site_of
from .grouping import GroupingParams
from .model import Digest, Failure, Page, Single, Source, Story, StorySentence

__all__ = ["Digest", "Failure", "Page", "PageReading", "Single", "Source", "Story",
           "StorySentence", "build_digest", "GroupingParams", "headline", "site_of"]
