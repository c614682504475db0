"""The reading history (issue 23, docs/history.md): pages remembered on request, found
again, and what is new in a story since the reader last read it.

``store`` keeps it in SQLite, ``since`` finds a page's story and its new sentences,
``search`` ranks entries for a query, ``reading.History`` ties them together,
``remember`` is the summary flow with ``remember``, ``routes`` the HTTP routes,
``command`` the ``newsgist history`` command.
"""

from __future__ import annotations

from .reading import History
from .remember import RememberedSummary, Since, summarize_remembered
from .store import Entry, HistoryUnavailable

__all__ = ["Entry", "History", "HistoryUnavailable", "RememberedSummary", "Since",
           "summarize_remembered"]
