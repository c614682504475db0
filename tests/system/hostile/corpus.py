"""The hostile-input corpus: what the open web (and a careless or malicious client)
can send to ``POST /v1/summarize``, and the answers NewsGist documents for each.

Small inputs that are best read as files live beside this module (right-to-left
and mixed scripts, emoji only, zero-width characters); the large ones (5 MB of
text, 100,000 nested elements, entity floods) are generated, not committed.

Each case says which statuses are acceptable and, for errors, which codes.
Where the outcome honestly depends on the machine (a multi-megabyte page may
be read in time or stopped at the deadline), both are listed; what is never
acceptable is anything else: a 500, an HTML page, a hang, a dead server.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from support import ARTICLE  # noqa: F401  (re-exported: tests import it from here)

HERE = Path(__file__).parent
MiB = 1024 * 1024


# A small but real PDF (what a browser hands over when the "page" is a PDF).
PDF = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
       b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\n"
       b"endobj\n4 0 obj\n<< /Length 44 /Filter /FlateDecode >>\nstream\n"
       + bytes(random.Random(4).randrange(256) for _ in range(2000))
       + b"\nendstream\nendobj\nxref\n0 5\n0000000000 65535 f \ntrailer\n<< /Root 1 0 R >>\n"
         b"startxref\n0\n%%EOF\n")

# Codes each error status may carry here (the full list is in /openapi.json).
NO_ARTICLE = {"no_article", "empty_page", "not_html", "not_an_article", "pdf_document",
              "link_list", "page_too_complex", "empty_input"}


@dataclass
class Case:
    name: str
    body: bytes
    expect: dict[int, set[str] | None]  # status -> acceptable error codes (None: a summary)
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    big: bool = False  # megabytes: run with the slow tests only

    def __repr__(self) -> str:  # pytest ids and failure messages stay short
        return f"Case({self.name}, {len(self.body)} bytes)"


def _json(obj) -> bytes:
    return json.dumps(obj).encode("utf-8")


def _page(body_html: str, title: str = "Hostile page", lang: str = "en") -> str:
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}"
            f"</title></head><body>{body_html}</body></html>")


SUMMARY = {200: None}
ARTICLE_OR_NONE = {200: None, 422: NO_ARTICLE}
BIG = {200: None, 422: NO_ARTICLE, 504: {"timeout"}}  # may be stopped at the deadline


def cases(max_body_bytes: int = 8 * MiB) -> list[Case]:
    rnd = random.Random(7)
    out: list[Case] = []

    def add(name, body, expect, **kw):
        out.append(Case(name, body if isinstance(body, bytes) else _json(body), expect, **kw))

    # -- the shape of the request --------------------------------------------------
    add("empty body", b"", {400: {"invalid_json"}})
    add("empty object", {}, {400: {"missing_content"}})
    add("both html and text", {"html": _page(ARTICLE), "text": ARTICLE},
        {400: {"ambiguous_content"}})
    add("json array", [ARTICLE], {400: {"invalid_json"}})
    add("json string", ARTICLE, {400: {"invalid_json"}})
    add("json null", b"null", {400: {"invalid_json"}})
    add("html is a number", {"html": 5}, {400: {"invalid_field"}})
    add("text is a list", {"text": [ARTICLE]}, {400: {"invalid_field"}})
    add("html is an object", {"html": {"p": ARTICLE}}, {400: {"invalid_field"}})
    add("url is a number", {"text": ARTICLE, "url": 7}, {400: {"invalid_field"}})
    add("title is a list", {"text": ARTICLE, "title": ["x"]}, {400: {"invalid_field"}})
    add("include_text is a string", {"text": ARTICLE, "include_text": "yes"},
        {400: {"invalid_field"}})
    add("length is a number", {"text": ARTICLE, "length": 3}, {400: {"invalid_length"}})
    add("length is an object", {"text": ARTICLE, "length": {}}, {400: {"invalid_length"}})
    add("length is a list", {"text": ARTICLE, "length": ["short"]}, {400: {"invalid_length"}})
    add("sentences and length", {"text": ARTICLE, "sentences": 3, "length": "short"},
        {400: {"invalid_field"}})
    for value in (-1, 0, 21, "3", 3.5, True, 10**30, 1e308, [3], {"n": 3}):
        add(f"sentences={value!r}", {"text": ARTICLE, "sentences": value},
            {400: {"invalid_sentences"}})
    add("sentences=5.0 (a whole number)", {"text": ARTICLE, "sentences": 5.0}, SUMMARY)
    add("sentences=NaN", b'{"text": "%s", "sentences": NaN}' % ARTICLE.encode().replace(
        b"\n", b"\\n"), {400: {"invalid_sentences", "invalid_json"}})
    add("sentences with 5000 digits", b'{"text": "x y z", "sentences": ' + b"9" * 5000 + b"}",
        {400: {"invalid_json"}})
    add("json nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000, {400: {"invalid_json"}})
    add("utf-8 byte order mark", b"\xef\xbb\xbf" + _json({"text": ARTICLE}),
        {400: {"invalid_json"}})
    add("duplicate keys", b'{"text": 1, "text": "%s"}' % ARTICLE.encode().replace(
        b"\n", b"\\n"), SUMMARY)
    add("unknown fields are ignored", {"text": ARTICLE, "colour": "blue", "__proto__": {}},
        SUMMARY)

    # -- size ---------------------------------------------------------------------------
    filler = max_body_bytes - len(_json({"text": ""}))
    at_limit = _json({"text": ("Lorem ipsum dolor sit amet. " * (filler // 28 + 1))[:filler]})
    assert len(at_limit) == max_body_bytes
    add("body exactly at the limit", at_limit, BIG, big=True)
    add("body one byte over the limit", at_limit[:-1] + b' }', {413: {"body_too_large"}},
        big=True)

    # -- encodings and media types --------------------------------------------------------
    add("gzip body", gzip.compress(_json({"text": ARTICLE})), {415: {"unsupported_media_type"}},
        headers={"Content-Encoding": "gzip"})
    add("form body", b"text=" + ARTICLE.encode().replace(b" ", b"+"),
        {415: {"unsupported_media_type"}}, content_type="application/x-www-form-urlencoded")
    add("multipart form", b"--b\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n"
        + ARTICLE.encode() + b"\r\n--b--\r\n", {415: {"unsupported_media_type"}},
        content_type="multipart/form-data; boundary=b")
    add("text/plain json", _json({"text": ARTICLE}), {415: {"unsupported_media_type"}},
        content_type="text/plain")
    add("no content type", _json({"text": ARTICLE}), {415: {"unsupported_media_type"}},
        content_type="")
    add("invalid utf-8", b'{"text": "caf\xe9 \xff\xfe au lait"}', {400: {"invalid_encoding"}})
    add("surrogate as utf-8 bytes (CESU)", b'{"text": "\xed\xa0\x80"}',
        {400: {"invalid_encoding"}})
    add("lone surrogates in json escapes", _json({
        "text": ARTICLE.replace("budget", "bud\ud800get").replace("mayor", "\udfffmayor"),
        "title": "\ud83d", "url": "https://x.example/\udc00"}), SUMMARY)
    add("lone surrogates in html", _json({"html": _page("".join(
        f"<p>{p}</p>" for p in ARTICLE.replace("buses", "bus\ud800es").split("\n\n")))}), SUMMARY)
    add("nul bytes", {"html": _page("<p>" + ARTICLE.replace(" ", " \x00") + "</p>")},
        ARTICLE_OR_NONE)
    add("control characters", {"text": "".join(chr(c) for c in range(32)) * 50 + ARTICLE},
        SUMMARY)
    add("control characters in html", {"html": _page(
        "<div class='byline'>\x08By \x1bsomeone\x0b</div>\x08" + "".join(
            f"<p>\x01{p}\x0c\ufffe</p>\x07" for p in ARTICLE.split("\n\n")))}, SUMMARY)

    # -- pages -------------------------------------------------------------------------------
    deep = "<div>" * 100_000 + "<p>" + ARTICLE + "</p>" + "</div>" * 100_000
    add("html nested 100,000 deep", {"html": _page(deep)}, BIG, big=True)
    add("html nested 100,000 deep, never closed",
        {"html": _page("<span><b><i>" * 33_334 + ARTICLE)}, BIG, big=True)
    words = ("lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit")
    no_punct = " ".join(rnd.choice(words) for _ in range(5 * MiB // 6))
    add("5 MB of text without punctuation", {"text": no_punct}, BIG, big=True)
    add("5 MB of html without punctuation", {"html": _page("<p>" + no_punct + "</p>")}, BIG,
        big=True)
    add("5 MB of text in one line per word", {"text": no_punct.replace(" ", "\n")}, BIG,
        big=True)
    add("only scripts and styles", {"html": _page(
        "<script>var a = 'The council approved a budget.';</script>"
        "<style>p { color: red } /* The mayor said so. */</style>" * 2000
        + "<noscript><p>" + ARTICLE + "</p></noscript><template><p>" + ARTICLE
        + "</p></template>")}, {422: NO_ARTICLE})
    add("entity flood, named", {"html": _page("<p>" + "&amp;&lt;&gt;&quot;&nbsp;" * 200_000
                                              + "</p><p>" + ARTICLE + "</p>")}, BIG, big=True)
    add("entity flood, numeric", {"html": _page("<p>" + "&#x1F600;&#128512;&#0;&#xD800;"
                                                "&#x110000;" * 100_000 + "</p>")}, BIG, big=True)
    add("entity flood, undefined", {"html": _page("<p>" + "&bogus;&#;&#x;&" * 200_000
                                                  + "</p>")}, BIG, big=True)
    laughs = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
                        for i in range(1, 10))
              + "]><html><body><p>&lol9;</p><p>" + ARTICLE + "</p></body></html>")
    add("billion laughs", {"html": laughs}, ARTICLE_OR_NONE)
    garbage = bytes(rnd.randrange(256) for _ in range(200_000))
    add("binary garbage as a string", {"html": garbage.decode("latin-1")}, {422: NO_ARTICLE})
    add("binary garbage as the body", garbage, {400: {"invalid_encoding", "invalid_json"}})
    add("pdf bytes as html", {"html": PDF.decode("latin-1")}, {422: {"pdf_document", "not_html"}})
    add("pdf bytes as the body", PDF, {400: {"invalid_encoding", "invalid_json"}})
    for name in ("rtl_mixed.html", "zero_width.html", "emoji_only.html"):
        html = (HERE / name).read_text(encoding="utf-8")
        expect = {422: NO_ARTICLE} if name.startswith("emoji") else SUMMARY
        add(name, {"html": html, "include_text": True}, expect)
    add("emoji-only text", {"text": "😀😂🤣 👍🏽 🎉🎉.\n\n👨‍👩‍👧‍👦 🏳️‍🌈. 🇫🇷🇩🇪 ❤️‍🔥!" * 20},
        ARTICLE_OR_NONE)
    add("zero-width text only", {"text": "\u200b\u200c\u200d\u2060\ufeff" * 10_000},
        {422: NO_ARTICLE})
    add("whitespace only", {"html": " \n\t\r\u00a0" * 1000}, {422: NO_ARTICLE})
    add("100,000 one-sentence paragraphs",
        {"html": _page("".join(f"<p>Item {i} of the list is here.</p>" for i in range(100_000)))},
        BIG, big=True)
    add("a 1 MB title and url", {"text": ARTICLE, "title": "T" * MiB,
                                 "url": "https://x.example/" + "u" * MiB}, SUMMARY, big=True)
    add("1000 sentences of 400 words", {"text": "\n\n".join(
        f"Sentence {i} is " + "about the council and its budget for buses " * 50 + "in town."
        for i in range(1000))}, BIG, big=True)
    add("one 2 MB word", {"text": "x" * (2 * MiB) + ". " + ARTICLE}, BIG, big=True)
    add("svg and math only", {"html": _page("<svg><text>The council met.</text></svg>"
                                            "<math><mi>x</mi></math>" * 500)}, {422: NO_ARTICLE})
    add("attributes flood", {"html": "<div " + " ".join(
        f'data-a{i}="{i}"' for i in range(50_000)) + "><p>" + ARTICLE + "</p></div>"},
        BIG, big=True)
    return out


def normal_request() -> bytes:
    """The request that must be answered normally after every hostile one."""
    return _json({"text": ARTICLE, "include_text": True})
