"""The one input boundary: how every face receives a page.

The API, ``newsgist summarize`` and ``digest``, the batch readers (JSONL, WARC,
folders, stdin) and the Python API all take a page through here, so a page
reads the same whichever way it came:

* **bytes** are read at most ``limit + 1`` at a time (``read_limited``,
  ``read_file``): a larger input is refused (``BodyTooLarge``) without being read
  whole; a file that cannot be read is ``Unreadable``;
* bytes become text exactly as a browser decodes them (``page_text``, through
  ``extract.parse.decode_bytes``: byte-order mark, HTTP charset, declared charset
  with WHATWG label meanings so ``iso-8859-1`` is windows-1252, UTF-8, else a guess);
* a JSON object (the API's body, a JSONL line) gives its page with
  ``json_object``, ``page_field`` and ``optional_field``, checked the same way;
* text is **cleaned** (``clean_text``): lone surrogates, legal in JSON escapes but
  not in UTF-8, become "?", and the text is in NFC, so that "é" typed as one
  character or as "e" + a combining accent reads the same.

Every error raised here has a code of ``errors.CODES``.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
import unicodedata
from typing import IO

from .errors import BodyTooLarge, InvalidInput, PageTooLarge, Unreadable
from .extract.parse import decode_bytes

STDIN = "-"
_GZIP_MAGIC = b"\x1f\x8b"


def clean_text(text: str) -> str:
    """Text as the pipeline reads it: lone surrogates -> "?", then NFC."""
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def clean_optional(text: str | None) -> str | None:
    return clean_text(text) if text else text


def page_text(content: str | bytes, content_type: str = "") -> str:
    """A page (or plain text) as the pipeline reads it: bytes decoded as a browser
    would (``content_type``: the HTTP header they came with, if any), then cleaned."""
    if isinstance(content, (bytes, bytearray, memoryview)):
        content = decode_bytes(bytes(content), content_type)
    return clean_text(content)


def byte_size(content: str | bytes) -> int:
    """The size of a page in bytes, as the size limit counts it (text: as UTF-8)."""
    if isinstance(content, (bytes, bytearray, memoryview)):
        return len(content)
    return len(content.encode("utf-8", "surrogatepass"))


def looks_like_html(content: str) -> bool:
    """Whether a file's text is a page (else it is read as plain text)."""
    head = content[:2048].lstrip().lower()
    return head.startswith(("<!doctype", "<html", "<?xml")) or "<body" in content[:65536].lower() \
        or "<p" in head


# -- a JSON object: the API's body, a JSONL line --------------------------------------------
def json_object(raw: bytes, what: str = "The body", bom: bool = False) -> dict:
    """``raw`` as a JSON object in UTF-8 (with ``bom``, after a byte-order mark if there is
    one: a JSONL file may start with one; JSON itself has none); InvalidInput if it is not."""
    try:
        text = raw.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{what} is not valid UTF-8 (byte {exc.start}).",
                           code="invalid_encoding") from None
    try:
        body = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(f"{what} is not valid JSON: {exc}"[:300], code="invalid_json") from None
    if not isinstance(body, dict):
        raise InvalidInput(f"{what} must be a JSON object.", code="invalid_json")
    return body


def page_field(body: dict) -> tuple[str, str]:
    """``("html" or "text", its value)``: exactly one of the two, a string."""
    present = [k for k in ("html", "text") if body.get(k) is not None]
    if len(present) != 1:
        raise InvalidInput("Send exactly one of 'html' (a page) or 'text' (plain text).",
                           code="missing_content" if not present else "ambiguous_content")
    kind = present[0]
    value = body[kind]
    if not isinstance(value, str):
        raise InvalidInput(f"'{kind}' must be a string.", code="invalid_field")
    return kind, value


def optional_field(body: dict, name: str) -> str | None:
    """A short string field (``url``, ``title``): at most 2048 characters, absent if empty."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"'{name}' must be a string.", code="invalid_field")
    return value[:2048] or None


# -- bytes, within the size limit ------------------------------------------------------------
def within_limit(data: bytes, limit: int, what: str = "The page") -> bytes:
    """``data``, or BodyTooLarge when it is over ``limit`` bytes."""
    if len(data) > limit:
        raise BodyTooLarge(limit, what=what)
    return data


def check_page_size(content: str | bytes, limit: int) -> None:
    """PageTooLarge when one page of several (a digest's) is over ``limit`` bytes."""
    size = byte_size(content)
    if size > limit:
        raise PageTooLarge(f"The page is {size} bytes, over the limit of {limit} for one page "
                           "(setting NEWSGIST_MAX_BODY_BYTES).")


def read_limited(stream: IO[bytes], limit: int, what: str = "The page") -> bytes:
    """All of ``stream``, or BodyTooLarge once it is past ``limit`` bytes (never read whole)."""
    return within_limit(stream.read(limit + 1), limit, what)


def read_file(path: str, limit: int, stdin: IO[bytes] | None = None,
              gunzip: bool = False) -> bytes:
    """The bytes of the file at ``path`` (``-``: standard input), gzip undone when
    ``gunzip``: at most ``limit + 1`` of them, so a caller tells (``within_limit``) a
    file over the limit without reading it whole.  Unreadable when it cannot be read."""
    try:
        if path == STDIN:
            return (stdin or sys.stdin.buffer).read(limit + 1)
        with open(path, "rb") as raw:
            return (gunzipped(raw) if gunzip else raw).read(limit + 1)
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise Unreadable(f"The file {path} could not be read: {reason}.") from None


def gunzipped(raw: IO[bytes]) -> io.BufferedReader:
    """``raw`` as a buffered stream, decompressed if it is gzip (sniffed, not by name)."""
    stream = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(raw)
    if stream.peek(2)[:2] == _GZIP_MAGIC:
        return io.BufferedReader(gzip.GzipFile(fileobj=stream, mode="rb"))
    return stream
