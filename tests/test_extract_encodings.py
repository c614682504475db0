"""Every encoding a browser can read, as bytes (a file given to the CLI) and as text
(what the extension and the API's JSON hand over): tests/fixtures/pages/encodings/,
written by its make_fixtures.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsgist.errors import NoArticle
from newsgist.extract import decode_html, extract_article
from newsgist.extract.parse import decode_bytes, declared_charset

ENCODINGS = Path(__file__).parent / "fixtures" / "pages" / "encodings"

# fixture -> (the codec it was written in, words that only come out right when decoded right)
CASES = {
    "xhtml_utf8.xhtml": ("utf-8", ["café", "Zoë", "€40,000", "“We weren’t sure"]),
    "xhtml_latin1.xhtml": ("cp1252", ["café", "Zoë", "€40,000", "“We weren’t sure"]),
    "bom_utf8.html": ("utf-8-sig", ["café", "crème brûlée", "naïve"]),
    "bom_utf16le.html": ("utf-16", ["café", "crème brûlée", "naïve"]),
    "declared_latin1_label.html": ("cp1252", ["café", "“We weren’t sure", "€40,000"]),
    "declared_shift_jis.html": ("cp932", ["港町の古い図書館", "「洪水の後"]),
    "declared_koi8r.html": ("koi8-r", ["Старая библиотека", "волонтёров"]),
    "undeclared_cp1252.html": ("cp1252", ["café", "naïve", "señora’s"]),
    "utf8_declared_as_latin1.html": ("utf-8", ["café", "naïve", "señora’s"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_page_bytes_are_decoded_as_a_browser_would(name):
    _, words = CASES[name]
    article = extract_article((ENCODINGS / name).read_bytes())
    for word in words:
        assert word in article.text, (name, word)
    assert "\ufffd" not in article.text
    assert len(article.blocks) == 4


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_page_as_text_gives_the_same_article(name):
    codec, words = CASES[name]
    text = (ENCODINGS / name).read_bytes().decode(codec)
    from_text = extract_article(text)
    assert from_text == extract_article((ENCODINGS / name).read_bytes())
    for word in words:
        assert word in from_text.text


def test_xhtml_with_an_encoding_declaration_as_text_is_read():
    # lxml alone refuses this str: "Unicode strings with encoding declaration are not supported".
    import lxml.html
    text = (ENCODINGS / "xhtml_utf8.xhtml").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="encoding declaration"):
        lxml.html.document_fromstring(text)
    article = extract_article(text)
    assert article.title == "The café by the river reopens" and article.lang == "en"


def test_a_text_that_declares_a_legacy_charset_is_not_decoded_twice():
    text = (ENCODINGS / "declared_latin1_label.html").read_bytes().decode("cp1252")
    assert "charset=iso-8859-1" in text
    assert "café" in extract_article(text).text and "cafÃ©" not in extract_article(text).text


@pytest.mark.parametrize("label, codec", [
    (b'<meta charset="utf-8">', "utf-8"),
    (b"<meta charset=ISO-8859-1>", "cp1252"),       # WHATWG: latin-1 labels mean windows-1252
    (b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gb18030"),
    (b'<meta charset="shift_jis">', "cp932"),
    (b'<?xml version="1.0" encoding="windows-1251"?><html>', "cp1251"),
    (b'<meta charset="utf-16">', "utf-8"),           # an ASCII page cannot be UTF-16
    (b'<meta charset="no-such-charset">', None),
    (b"<html><body>no declaration</body></html>", None),
])
def test_declared_charset_labels(label, codec):
    assert declared_charset(label) == codec


def test_boms_win_over_declarations_and_utf16_without_bom_is_recognised():
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>Ünïcödé</p></body></html>'
    assert "Ünïcödé" in decode_bytes(b"\xef\xbb\xbf" + page.encode("utf-8"))
    assert "Ünïcödé" in decode_bytes(page.encode("utf-16-be"))  # no BOM, big endian
    assert "Ünïcödé" in decode_bytes(page.encode("utf-16-le"))
    assert decode_html("\ufeff<?xml version='1.0' encoding='utf-8'?><html/>") == "<html/>"


def test_binary_bytes_are_refused_before_any_decoding():
    with pytest.raises(NoArticle) as err:
        extract_article(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    assert err.value.code == "not_html"
    with pytest.raises(NoArticle) as err:
        extract_article(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    assert err.value.code == "pdf_document"


@pytest.mark.slow
def test_cli_summarizes_a_page_file_in_a_legacy_charset():
    r = subprocess.run([sys.executable, "-m", "newsgist", "summarize", "--json", "-n", "2",
                        str(ENCODINGS / "undeclared_cp1252.html")],
                       capture_output=True, timeout=600)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode("utf-8")
    assert "\ufffd" not in out and ("café" in out or "crème" in out or "naïve" in out
                                    or "€40,000" in out or "señora" in out)
