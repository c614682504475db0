"""newsgist.inputs, the one input boundary: the same page reads the same through every face.

The same bytes go through the API, ``newsgist summarize`` (file and stdin), ``newsgist
digest``, the batch readers (JSONL, folder, WARC) and the Python API (``summarize_html``
and ``digest``); each answers the
same sentences.  The API and a JSONL line carry text, not bytes: they get the page as a
browser shows it (what the extension sends)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import newsgist
import newsgist.pipeline as pipeline_module
from newsgist import inputs
from newsgist.batch.records import read_records
from newsgist.batch.summarize import summarize_record
from newsgist.cli import main
from newsgist.errors import BodyTooLarge, InvalidInput, Unreadable
from newsgist.pipeline import Pipeline
from support import HashingEncoder

BODY = ("<p>The city council froze bus fares at 2 € for the whole of next year, the mayor "
        "said on Monday.</p><p>Riders at the café near the station welcomed the news. "
        "The council will pay for the freeze from its parking revenue.</p>"
        "<p>Opponents said the money should mend the roads instead. The first review of "
        "the freeze is due in the spring.</p>")
TITLE = "Bus fares frozen at 2 €"


def _html(head: str = "") -> str:
    return (f"<html><head>{head}<title>{TITLE}</title></head><body><article>"
            f"<h1>{TITLE}</h1>{BODY}</article></body></html>")


# Each page: the text a browser shows, and the bytes a file or an archive holds.
PAGES = {
    # Declared Latin-1; the euro sign is byte 0x80, which only windows-1252 gives it.
    "declared iso-8859-1": (_html("<meta charset='iso-8859-1'>"), "cp1252"),
    "utf-8, no declaration": (_html(), "utf-8"),
    "utf-8 with a byte-order mark": (_html(), "utf-8-sig"),
    "an xml declaration": ("<?xml version='1.0' encoding='windows-1252'?>\n" + _html(),
                           "cp1252"),
    "utf-16 with its mark": (_html(), "utf-16"),
}


@pytest.fixture
def faces(monkeypatch, tmp_path):
    """A function: the page bytes -> the sentences each face answers, by face."""
    encoder = HashingEncoder()
    monkeypatch.setattr(pipeline_module, "load_encoder", lambda *a, **k: encoder)
    monkeypatch.setattr(pipeline_module, "_default", None)
    pipeline = Pipeline(newsgist.config.Settings(), encoder=encoder)

    def sentences(summary: dict) -> list[str]:
        return [s["text"] for s in summary["sentences"]]

    def run_cli(args: list[str], capsys, stdin: bytes = b"") -> dict:
        monkeypatch.setattr("sys.stdin", type("In", (), {"buffer": io.BytesIO(stdin)})())
        assert main(args) == 0
        return json.loads(capsys.readouterr().out)

    def through_every_face(shown: str, data: bytes, capsys) -> dict[str, list[str]]:
        folder = tmp_path / "pages"
        folder.mkdir(exist_ok=True)
        (folder / "page.html").write_bytes(data)
        path = str(folder / "page.html")
        jsonl = tmp_path / "pages.jsonl"
        jsonl.write_text(json.dumps({"id": 1, "html": shown}) + "\n", encoding="utf-8")
        warc = _warc(tmp_path / "crawl.warc.gz", data)
        client = newsgist.api.create_app(pipeline.settings, pipeline).test_client()
        out = {
            "api": sentences(client.post("/v1/summarize", json={"html": shown,
                                                                "sentences": 20}).get_json()),
            "cli summarize": sentences(run_cli(["summarize", "--json", "-n", "20", path],
                                               capsys)),
            "cli summarize stdin": sentences(run_cli(["summarize", "--json", "-n", "20", "-"],
                                                     capsys, stdin=data)),
            "cli digest": sentences(run_cli(["digest", "--json", "-n", "20", path],
                                            capsys)["singles"][0]),
            "python": [s.text for s in newsgist.summarize_html(data, sentences=20).sentences],
            "python digest": [s.text for s in newsgist.digest([data], sentences=20)
                              .singles[0].summary.sentences],
        }
        for face, source in [("batch jsonl", jsonl), ("batch folder", folder),
                             ("batch warc", warc)]:
            [record] = read_records([str(source)])
            out[face] = sentences(summarize_record(pipeline, record, 20).line)
        return out

    return through_every_face


def _warc(path: Path, data: bytes) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://news.example/fares", "response",
                                                      payload=io.BytesIO(data),
                                                      http_headers=headers))
    return path


@pytest.mark.parametrize("name", list(PAGES))
def test_the_same_page_gives_the_same_sentences_through_every_face(name, faces, capsys):
    shown, encoding = PAGES[name]
    got = faces(shown, shown.encode(encoding), capsys)
    assert got["api"] and any("2 €" in s for s in got["api"]), got["api"]
    assert not any("\ufffd" in s for s in got["api"])
    assert {face: s for face, s in got.items() if s != got["api"]} == {}


def test_an_http_charset_is_read_as_a_browser_reads_it():
    data = "fares frozen at 2 €".encode("cp1252")
    assert inputs.page_text(data, "text/html; charset=ISO-8859-1") == "fares frozen at 2 €"
    # The HTTP header wins over the page's own declaration, as in a browser.
    page = b"<meta charset='utf-8'><p>" + data
    assert inputs.page_text(page, "text/html; charset=windows-1252").endswith("2 €")


def test_text_is_cleaned_whichever_way_it_comes():
    decomposed, lone = "cafe\u0301", "a\ud800b"
    assert inputs.page_text(decomposed) == inputs.page_text(decomposed.encode()) == "café"
    assert inputs.clean_text(lone) == "a?b"
    assert inputs.clean_optional("") == "" and inputs.clean_optional(None) is None


def test_sizes_and_unreadable_files_are_errors_with_codes(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(b"x" * 11)
    assert inputs.read_file(str(page), 10) == b"x" * 11  # one byte past the limit, no more
    with pytest.raises(BodyTooLarge) as too_big:
        inputs.within_limit(inputs.read_file(str(page), 10), 10)
    assert too_big.value.code == "body_too_large" and "NEWSGIST_MAX_BODY_BYTES" in \
        too_big.value.message
    with pytest.raises(Unreadable) as missing:
        inputs.read_file(str(tmp_path / "missing.html"), 10)
    assert missing.value.code == "unreadable" and "missing.html" in missing.value.message
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00broken")
    with pytest.raises(Unreadable):
        inputs.read_file(str(broken), 1000, gunzip=True)
    assert inputs.byte_size("€") == 3 and inputs.byte_size(b"\x80") == 1


def test_a_json_object_is_checked_the_same_for_the_api_and_a_jsonl_line():
    assert inputs.json_object(b'{"html": "<p>x</p>"}') == {"html": "<p>x</p>"}
    for raw, code in [(b"\xff", "invalid_encoding"), (b"{", "invalid_json"),
                      (b"[]", "invalid_json"), (b'\xef\xbb\xbf{"a": 1}', "invalid_json")]:
        with pytest.raises(InvalidInput) as exc:
            inputs.json_object(raw)
        assert exc.value.code == code
    assert inputs.json_object(b'\xef\xbb\xbf{"a": 1}', bom=True) == {"a": 1}
    assert inputs.page_field({"text": "t", "url": "u"}) == ("text", "t")
    for body, code in [({}, "missing_content"), ({"html": "h", "text": "t"}, "ambiguous_content"),
                       ({"html": 1}, "invalid_field")]:
        with pytest.raises(InvalidInput) as exc:
            inputs.page_field(body)
        assert exc.value.code == code
    assert inputs.optional_field({"url": "u" * 3000}, "url") == "u" * 2048
    assert inputs.optional_field({"url": ""}, "url") is None
