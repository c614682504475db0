"""Reading an archive: JSONL, WARC / WARC.gz, a folder of pages, gzip, stdin -> Records.

Every reader streams: it holds one record at a time, so memory does not grow
with the size of the archive.  Pages and fields are read through the input
boundary (``newsgist.inputs``), as the API and the CLI read them.  A record that
cannot be read (a line that is not JSON, a page over the body-size limit, one
with no content) becomes a Record carrying its error (a ``NewsGistError``), so
it gets its own error line in the output and never stops the job.

Ids are stable from one run to the next (``--resume`` relies on it): the
record's own ``id`` (JSONL), its ``WARC-Record-ID`` (WARC), else where it comes
from: ``PATH:LINE`` for a JSONL line, the file's path for a folder's page.
Positions count every record of every input, in order, from 0.
"""

from __future__ import annotations

import io
import json
import os
import sys
from dataclasses import dataclass
from typing import IO, Any, Iterator

from ..errors import BodyTooLarge, InvalidInput, NewsGistError
from ..inputs import (STDIN, clean_optional, clean_text, gunzipped, json_object,
                      optional_field, page_field, page_text, read_file, within_limit)

PAGE_SUFFIXES = (".html", ".htm", ".txt")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class Record:
    """One page or text to summarize (or, with ``error``, one that could not be read)."""

    id: Any  # a str or an int, written back as it was given
    position: int = 0
    html: str | None = None
    text: str | None = None
    url: str | None = None
    title: str | None = None
    error: NewsGistError | None = None  # why it could not be read (a code of errors.CODES)

    def to_row(self) -> dict:
        """A flat, Arrow-friendly dict (Ray Data rows); ``Record.from_row`` inverts it."""
        return {"id": json.dumps(self.id), "position": self.position, "html": self.html,
                "text": self.text, "url": self.url, "title": self.title,
                "error_code": self.error.code if self.error else None,
                "error_message": self.error.message if self.error else None}

    @classmethod
    def from_row(cls, row: dict) -> "Record":
        code = row.get("error_code")
        return cls(id=json.loads(row["id"]), position=int(row["position"]),
                   html=row.get("html"), text=row.get("text"), url=row.get("url"),
                   title=row.get("title"),
                   error=NewsGistError(row.get("error_message") or "", code=code)
                   if code else None)


def id_key(record_id: Any) -> str:
    """The id as compared by ``--resume`` (so 7 and "7" stay different ids)."""
    return json.dumps(record_id)


# -- the entry point -----------------------------------------------------------------
def input_kind(source: str) -> str:
    """'folder', 'warc' or 'jsonl' (stdin and unknown names: sniffed when read)."""
    if source != STDIN and os.path.isdir(source):
        return "folder"
    if source.lower().endswith(WARC_SUFFIXES):
        return "warc"
    return "jsonl"


def read_records(sources: list[str] | str, max_bytes: int = 8 * 1024 * 1024,
                 start: int = 0, stdin: IO[bytes] | None = None,
                 base: str | None = None) -> Iterator[Record]:
    """Every record of every source, in order, positions from ``start``.

    ``max_bytes`` is the body-size limit (a JSONL line, a page): a larger
    one yields an error Record ``body_too_large`` without being read whole.
    Relative sources are found in ``base`` (default: the working directory)
    while ids keep the paths as given.  Raises OSError when a source cannot
    be opened."""
    if isinstance(sources, str):
        sources = [sources]
    position = start
    for source in sources:
        for record in _read_one(source, max_bytes, stdin, base):
            yield _at(record, position)
            position += 1


def _at(record: Record, position: int) -> Record:
    return Record(id=record.id, position=position, html=record.html, text=record.text,
                  url=record.url, title=record.title, error=record.error)


def _read_one(source: str, max_bytes: int, stdin: IO[bytes] | None,
              base: str | None = None) -> Iterator[Record]:
    path = os.path.join(base, source) if base and source != STDIN else source
    kind = input_kind(path)
    if kind == "folder":
        yield from read_folder(path, max_bytes, name=source)
        return
    raw = (stdin or sys.stdin.buffer) if source == STDIN else open(path, "rb")
    try:
        if kind == "warc":
            yield from read_warc(raw, max_bytes)
            return
        stream = gunzipped(raw)
        if _peek(stream, 5) == b"WARC/":  # stdin, or a WARC without the usual name
            yield from read_warc(stream, max_bytes)
        else:
            yield from read_jsonl(stream, max_bytes, name=source)
    finally:
        if raw is not stdin and source != STDIN:
            raw.close()


def _peek(stream: io.BufferedReader, n: int) -> bytes:
    return stream.peek(n)[:n]


# -- JSONL ---------------------------------------------------------------------------
def read_jsonl(stream: IO[bytes], max_bytes: int, name: str = STDIN) -> Iterator[Record]:
    """One record per non-blank line: ``html`` or ``text``, optional ``url``, ``title``, ``id``."""
    lineno = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        lineno += 1
        fallback_id = f"{name}:{lineno}"
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest, a bounded piece at a time
                line = stream.readline(1 << 20)
            yield Record(id=fallback_id, error=BodyTooLarge(max_bytes, what="The record"))
            continue
        if not line.strip():
            continue
        yield _jsonl_record(line, fallback_id)


def _jsonl_record(line: bytes, fallback_id: str) -> Record:
    try:
        body = json_object(line, what="The line", bom=True)
    except NewsGistError as exc:
        return Record(id=fallback_id, error=exc)
    record_id = body.get("id", fallback_id)
    if record_id is None:
        record_id = fallback_id
    if isinstance(record_id, bool) or not isinstance(record_id, (str, int)):
        return Record(id=fallback_id, error=InvalidInput("'id' must be a string or an integer."))
    try:  # as the API reads its body; cleaned now, so Arrow rows (Ray) take any string
        kind, content = page_field(body)
        url, title = optional_field(body, "url"), optional_field(body, "title")
    except NewsGistError as exc:
        return Record(id=record_id, error=exc)
    return Record(id=record_id, **{kind: clean_text(content)}, url=clean_optional(url),
                  title=clean_optional(title))


# -- WARC ----------------------------------------------------------------------------
def read_warc(stream: IO[bytes], max_bytes: int) -> Iterator[Record]:
    """The ``response`` records of HTML pages (2xx), read with warcio (gzip or not)."""
    from warcio.archiveiterator import ArchiveIterator

    for rec in ArchiveIterator(stream):
        if rec.rec_type != "response" or rec.http_headers is None:
            continue
        content_type = rec.http_headers.get_header("Content-Type") or ""
        if not content_type.split(";")[0].strip().lower() in HTML_TYPES:
            continue
        status = rec.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            continue
        record_id = rec.rec_headers.get_header("WARC-Record-ID")
        url = rec.rec_headers.get_header("WARC-Target-URI")
        body = rec.content_stream().read(max_bytes + 1)  # de-chunked and decompressed
        try:
            html = page_text(within_limit(body, max_bytes), content_type)
        except NewsGistError as exc:
            yield Record(id=record_id, url=url, error=exc)
            continue
        yield Record(id=record_id, url=url, html=html)


# -- a folder of pages ---------------------------------------------------------------
def read_folder(folder: str, max_bytes: int, name: str | None = None) -> Iterator[Record]:
    """Every .html / .htm / .txt file below ``folder`` (also gzipped: ``.html.gz``), in
    sorted path order; .txt files are plain text.  Ids are the files' paths, under
    ``name`` (the folder as the user gave it) when given."""
    for path in _page_files(folder):
        record_id = path if name is None else os.path.join(name, os.path.relpath(path, folder))
        kind = "text" if path.lower().removesuffix(".gz").endswith(".txt") else "html"
        try:
            content = page_text(within_limit(read_file(path, max_bytes, gunzip=True), max_bytes))
        except NewsGistError as exc:
            yield Record(id=record_id, error=exc)
            continue
        yield Record(id=record_id, **{kind: content})


def _page_files(folder: str) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            lower = name.lower()
            if lower.endswith(PAGE_SUFFIXES) or lower.endswith(
                    tuple(s + ".gz" for s in PAGE_SUFFIXES)):
                yield os.path.join(root, name)


def count_records(sources: list[str], max_bytes: int, base: str | None = None) -> int:
    """How many records ``read_records`` will yield (a pass over the input, for the ETA
    and for Ray's read tasks).  A JSONL file is counted by its non-blank lines without
    parsing them: each gives exactly one record.  Not for stdin (it can be read once)."""
    total = 0
    for source in sources:
        path = os.path.join(base, source) if base else source
        if input_kind(path) == "jsonl":
            with open(path, "rb") as raw:
                stream = gunzipped(raw)
                if _peek(stream, 5) != b"WARC/":
                    total += _count_lines(stream)
                    continue
        total += sum(1 for _ in _read_one(source, max_bytes, None, base))
    return total


def _count_lines(stream: IO[bytes]) -> int:
    count, blank = 0, True
    while True:
        piece = stream.readline(1 << 20)
        if not piece:
            return count + (0 if blank else 1)
        if piece.strip():
            blank = False
        if piece.endswith(b"\n"):
            count += 0 if blank else 1
            blank = True

