"""Decoding and parsing: a page as bytes or text -> one lxml tree.

A page reaches NewsGist as text (the extension, the API's JSON) or as bytes
(a file given to the CLI).  Either way it is read the way a browser reads it:

* bytes: a byte-order mark wins; then the charset of the HTTP ``Content-Type``
  when there is one (a WARC record); then the charset the page declares in its
  first kilobytes (``<meta charset>``, ``<meta http-equiv="Content-Type">``,
  ``<?xml ... encoding=...?>``), with the WHATWG meaning of legacy labels
  (``iso-8859-1`` is read as windows-1252, ``gb2312`` as GB18030, ...); with no
  declaration, UTF-8 when the bytes are valid UTF-8, else the most likely
  legacy charset (charset-normalizer, a dependency of trafilatura);
* text is already decoded: a leading BOM and an XML declaration are dropped
  (lxml refuses a ``str`` that carries an encoding declaration), and a charset
  the page declares is not applied a second time.

Pages that are no HTML page (a PDF, an image, an empty input) raise
``NoArticle`` with a stable code.
"""

from __future__ import annotations

import codecs
import re

import lxml.etree
import lxml.html

from ..errors import NoArticle

_WS = re.compile(r"\s+")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def fold_whitespace(text: str) -> str:
    """One space for any run of whitespace (nbsp included), zero-width characters removed."""
    return _WS.sub(" ", _ZERO_WIDTH.sub("", text)).strip()


# -- bytes -> text -------------------------------------------------------------------------
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"),
         (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
# How far a browser looks for a declared charset (the HTML prescan reads 1024
# bytes; pages with long <head> comments put it later, so look a little further).
PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([a-zA-Z0-9_.:+-]+)""", re.I)
# WHATWG Encoding Standard: labels whose browser meaning is not Python's codec
# of the same name (a page "in iso-8859-1" is read as windows-1252 by every browser).
_WHATWG = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "l1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252", "iso_8859-1": "cp1252",
    "iso-8859-9": "cp1254", "latin5": "cp1254", "iso-8859-11": "cp874", "tis-620": "cp874",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "chinese": "gb18030",
    "big5": "big5hkscs", "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "korean": "cp949",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "windows-31j": "cp932", "ms_kanji": "cp932",
    # A page that declares UTF-16 in its markup is ASCII-compatible: a browser reads UTF-8.
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8", "unicode": "utf-8",
}


def _codec(label: bytes | str | None) -> str | None:
    """The Python codec a browser would use for a declared charset label (None if unknown)."""
    if not label:
        return None
    name = (label.decode("ascii", "ignore") if isinstance(label, bytes) else label).strip().lower()
    name = _WHATWG.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The codec named by the page's XML declaration or ``<meta>`` charset, if any."""
    head = data[:PRESCAN_BYTES]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        match = pattern.search(head)
        if match:
            codec = _codec(match.group(1))
            if codec:
                return codec
    return None


def decode_bytes(data: bytes, content_type: str = "") -> str:
    """Page bytes -> text, the way a browser picks the encoding (see the module doc);
    ``content_type``: the HTTP header the page came with, if any."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    if data[:4] in (b"<\x00?\x00", b"<\x00!\x00", b"<\x00h\x00", b"<\x00H\x00"):
        return data.decode("utf-16-le", errors="replace")  # UTF-16 without its mark
    if data[:4] in (b"\x00<\x00?", b"\x00<\x00!", b"\x00<\x00h", b"\x00<\x00H"):
        return data.decode("utf-16-be", errors="replace")
    declared = _codec(_transport_charset(content_type)) or declared_charset(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if declared is not None and declared != "utf-8":
        # A page saved again as UTF-8 often keeps its old declaration: bytes that
        # are valid UTF-8 with multi-byte characters are not legacy text by
        # chance (a browser would show mojibake; a reader wants the text).
        if text is not None and not text.isascii():
            return text
        return data.decode(declared, errors="replace")
    if text is not None:
        return text
    if declared == "utf-8":
        return data.decode("utf-8", errors="replace")
    return data.decode(_guess_legacy(data), errors="replace")


_CHARSET_PARAMETER = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:+-]+)""", re.I)


def _transport_charset(content_type: str) -> str | None:
    match = _CHARSET_PARAMETER.search(content_type) if content_type else None
    return match.group(1) if match else None


def _guess_legacy(data: bytes) -> str:
    """An undeclared, non-UTF-8 page: the most likely legacy charset (windows-1252 if unsure)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with trafilatura
        return "cp1252"
    best = from_bytes(data[:200_000]).best()
    return (_codec(best.encoding) if best is not None else None) or "cp1252"


# -- text -> tree ------------------------------------------------------------------------------
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Characters lxml parses into a tree but then refuses in any text it is given
# (drop_tree, which readability and this package use, fails with ValueError):
# C0 controls other than tab and newlines, U+FFFE/U+FFFF and lone surrogates.
# Browsers show none of them; a form feed is whitespace.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def decode_html(html: str | bytes) -> str:
    """The page as text, ready for lxml: decoded if bytes, BOM and XML declaration dropped."""
    if isinstance(html, (bytes, bytearray, memoryview)):
        data = bytes(html)
        check_binary(data[:4096].decode("latin-1"), raw=True)
        html = decode_bytes(data)
    html = html.lstrip("\ufeff")
    # lxml refuses a str that declares an encoding; the text is decoded already.
    return _XML_DECLARATION.sub("", html, count=1)


# Comments and processing instructions are no page text.  Kept as nodes, they
# change how trafilatura weighs the elements around them (it parses pages
# without them): on 13 of the 51 collection pages of the WCXB tuning half its
# reading differed, word F1 0.464 with them kept, 0.511 dropped at parse time.
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)


def parse_html(html: str | bytes) -> lxml.html.HtmlElement:
    """Parse a whole page (text or bytes); raise NoArticle for input that is no HTML page."""
    html = decode_html(html)
    check_binary(html)
    html = _NOT_XML.sub("", html.replace("\x0c", " "))
    if not html.strip():
        raise NoArticle("The page is empty: there is no text to summarize.", code="empty_page")
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise NoArticle(f"The input could not be read as HTML ({exc}).", code="not_html") from None


_PDF_MAGIC = ("%PDF-",)
_BINARY_MAGIC = ("\x89PNG", "GIF8", "\xff\xd8\xff", "PK\x03\x04", "\x1f\x8b", "ID3",
                 "OggS", "RIFF", "\x00\x00\x01\x00")
_UTF16_MARKS = ("\xff\xfe", "\xfe\xff", "<\x00", "\x00<")


def check_binary(html: str, raw: bool = False) -> None:
    """NoArticle for a PDF or other binary file sent as if it were HTML.

    ``raw``: ``html`` is undecoded bytes read as latin-1 (UTF-16 text is not binary)."""
    head = html[:16].lstrip("\ufeff\r\n\t ")
    if head.startswith(_PDF_MAGIC):
        raise NoArticle("This is a PDF document, not a web page: NewsGist summarizes the "
                        "articles of HTML news pages.", code="pdf_document")
    if raw and html.startswith(_UTF16_MARKS):
        return
    sample = html[:4096]
    if not sample:
        return
    odd = sum(1 for c in sample if (c < " " and c not in "\t\n\r\f") or c == "\ufffd")
    if head.startswith(_BINARY_MAGIC) or odd > 0.05 * len(sample):
        raise NoArticle("The input is a binary file (an image, archive or other non-text "
                        "data), not an HTML page.", code="not_html")


def visible_text(root: lxml.html.HtmlElement, limit: int = 20000) -> str:
    """The page's text as a reader sees it (no scripts, styles or templates), folded."""
    parts: list[str] = []
    size = 0
    for text in _VISIBLE_TEXT(root):
        parts.append(text)
        size += len(text)
        if size > limit:
            break
    return fold_whitespace(" ".join(parts))


_VISIBLE_TEXT = lxml.etree.XPath(
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript "
    "or ancestor::template or ancestor::svg)]")
