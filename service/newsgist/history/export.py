"""Entries as the faces show them: JSON objects, and the Markdown export."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Sequence

from .remember import iso_time
from .store import Entry


def entry_dict(entry: Entry) -> dict:
    """One entry of ``GET /v1/history`` and of the JSON export."""
    return {"id": entry.id, "url": entry.url, "title": entry.title, "site": entry.site,
            "lang": entry.language, "read_at": iso_time(entry.read_at), "story": entry.story,
            "summary": list(entry.summary)}


def _escape(text: str) -> str:
    """Text safe inside a Markdown link label (brackets would end it early)."""
    return " ".join(text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").split())


def to_markdown(entries: Sequence[Entry]) -> str:
    """A dated list, newest day first: each entry a link (its title) with its summary."""
    lines = ["# NewsGist reading history", ""]
    day = None
    for e in entries:
        read = datetime.fromtimestamp(e.read_at, timezone.utc)
        if read.date() != day:
            day = read.date()
            lines += [f"## {day.isoformat()}", ""]
        label = _escape(e.title or e.url or f"Entry {e.id}")
        link = f"[{label}](<{e.url}>)" if e.url and ">" not in e.url and "\n" not in e.url \
            else label
        lines.append(f"- {link} ({read.strftime('%H:%M')} UTC{', ' + e.site if e.site else ''})")
        lines += [f"  > {' '.join(s.split())}" for s in e.summary]
    return "\n".join(lines).rstrip() + "\n"
