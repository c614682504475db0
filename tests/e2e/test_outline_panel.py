"""The page's outline in the panel ("In this article", issue 20) in Chromium.

Two sources for the answer:

- a stand-in service answering exactly as the contract of the outline says (nesting, a section
  without a sentence, ``outline_truncated``, ``outline_kind`` "sections"), so that every case of
  the contract is shown whatever the real ranker picks;
- the real service on the listicle fixture (site/listicle.html), compared with what the service
  answers for the same page.

The fixture has a table of contents above the article that holds every heading's text again:
a click on a heading must land on the article's heading, never on that copy.
"""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from conftest import tab_to
from newsgist.stories.render import _md as md_escape  # the Markdown the extension writes too
from test_locate_article_copy import HIGHLIGHT_PLACE_JS, PANEL, norm

OUTLINE = f"{PANEL} details.outline"
SHADOW = "document.getElementById('newsgist-root').shadowRoot"

def flat(s: str) -> str:
    return " ".join(s.split())


def outline_rows(entries, depth=0):
    """(depth, heading, sentence text or None) of every entry, in page order."""
    for e in entries:
        yield depth, e["heading"], (e["sentence"] or {}).get("text")
        yield from outline_rows(e["children"], depth + 1)


def outline_markdown(entries) -> str:
    """The nested list Copy Markdown must add, written independently of the extension."""
    lines = []
    for depth, heading, sentence in outline_rows(entries):
        said = f": {md_escape(sentence)}" if sentence else ""
        lines.append(f"{'  ' * depth}- **{md_escape(heading)}**{said}")
    return "\n".join(lines)


def panel_outline(page) -> list[tuple[int, str, str | None]]:
    """(depth, heading, sentence) as the panel shows them, read from its DOM."""
    return [tuple(row) for row in page.evaluate(f"""() => {{
      const rows = [];
      const walk = (ol, depth) => {{
        for (const li of ol.children) {{
          rows.push([depth, li.querySelector(':scope > .outline-heading').textContent,
                     li.querySelector(':scope > .outline-sentence')?.textContent ?? null]);
          const sub = li.querySelector(':scope > ol');
          if (sub) walk(sub, depth + 1);
        }}
      }};
      walk({SHADOW}.querySelector('details.outline > ol'), 0);
      return rows;
    }}""")]


def wait_done(page):
    page.wait_for_selector(f"{PANEL}:is([data-state=done], [data-state=error])", state="attached")
    state = page.locator(PANEL).get_attribute("data-state")
    assert state == "done", page.locator(f"{PANEL} .error").text_content()


def open_panel(sw, page):
    page.bring_to_front()
    tab = sw.evaluate("async () => (await chrome.tabs.query({active: true, lastFocusedWindow: true}))[0].id")
    sw.evaluate("async id => chrome.action.onClicked.dispatch(await chrome.tabs.get(id))", tab)
    wait_done(page)


def click_and_wait(page, button, text):
    """Clicks `button` and waits for `text` to be highlighted on screen; returns where."""
    button.click()
    page.wait_for_function(f"""() => {{ const h = ({HIGHLIGHT_PLACE_JS})();
        return h && h.text.replace(/\\s+/g, '') === {norm(text)!r} && h.top >= 0 && h.bottom <= h.viewport; }}""")
    return page.evaluate(HIGHLIGHT_PLACE_JS)


def settle(page):
    """Waits for a smooth scroll to end (a screenshot taken during one shows the panel moved)."""
    page.wait_for_function("""() => new Promise((done) => { const y = scrollY;
        requestAnimationFrame(() => requestAnimationFrame(() => done(scrollY === y))); })""")


def copied_markdown(page) -> str:
    page.evaluate("navigator.clipboard.writeText('')")
    page.locator(f"{PANEL} .action", has_text="Copy Markdown").click()
    page.wait_for_function(f"{SHADOW}.querySelector('.status').textContent.includes('Markdown')")
    return page.evaluate("navigator.clipboard.readText()")


# -- against the contract: a stand-in service ---------------------------------------------

def _sentence(text, index):
    return {"text": text, "index": index, "paragraph": index, "kind": "paragraph", "start": 0,
            "end": len(text), "score": 0.5, "why": {"centroid_similarity": 0.5},
            "context": {"before": "", "after": ""}}


def _entry(heading, level, sentence, children=()):
    return {"heading": heading, "level": level, "start": 0, "end": len(heading),
            "sentence": sentence, "children": list(children)}


STUB_OUTLINE = [
    _entry("Larkpad", 2, _sentence("Search covers thousands of notes in well under a second on an "
                                   "ordinary laptop.", 6)),
    _entry("Fernbook", 2, None),
    _entry("Tallynote", 2, _sentence("It costs nothing and runs on every major system, including "
                                     "older tablets.", 13), [
        _entry("Syncing Tallynote between devices", 3, _sentence(
            "Conflicts are shown side by side, and nothing is overwritten without asking first.", 16)),
        _entry("Tallynote plugins", 3, None),
    ]),
    _entry("Quirebook", 2, _sentence("Students writing a thesis were its keenest users in our test "
                                     "group.", 22)),
]


def stub_answer(kind: str, truncated: bool) -> dict:
    sentences = [_sentence("Open-source note apps keep your writing in files you own, and several "
                           "of them now match the big names on features.", 1)]
    return {"title": "Five open-source note apps worth switching to", "url": None,
            "sentences": sentences, "warnings": [], "truncated": False,
            "stats": {"sentences_total": 30, "reading_minutes_article": 3,
                      "reading_minutes_summary": 0.2},
            "outline": STUB_OUTLINE, "outline_truncated": truncated, "outline_kind": kind}


@pytest.fixture
def stub_service(sw):
    """A stand-in for /v1/summarize; `answer` is what it says. The extension is pointed at it."""
    state = {"answer": None}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps(state["answer"]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    sw.evaluate("url => chrome.storage.sync.set({serviceUrl: url})", f"http://127.0.0.1:{httpd.server_port}")
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def listicle(open_tab, site):
    return open_tab(f"{site}/listicle.html")


def test_outline_follows_the_contract(sw, listicle, stub_service, artifacts):
    page = listicle
    stub_service["answer"] = stub_answer("sections", truncated=True)
    open_panel(sw, page)
    details = page.locator(OUTLINE)
    # closed on a page of sections that is not a list; the reader opens it
    assert details.get_attribute("open") is None
    summary = details.locator("summary")
    assert flat(summary.text_content()) == "In this article (6)"
    assert not page.locator(f"{OUTLINE} .outline-heading").first.is_visible()
    summary.click()
    assert details.get_attribute("open") == ""

    assert panel_outline(page) == list(outline_rows(STUB_OUTLINE))
    assert page.locator(f"{OUTLINE} > ol").get_attribute("aria-label").startswith("Sections of the article")
    heading = page.locator(f"{OUTLINE} .outline-heading", has_text="Quirebook")
    assert heading.get_attribute("aria-label") == "Section: Quirebook"
    assert page.locator(f"{OUTLINE} .outline-note").text_content() == "Only the first 6 sections are listed."
    # the summary's own sentences stay apart from the outline's
    assert page.locator(f"{PANEL} .sentence").count() == 1

    # a heading without a sentence of its own is found through its subsections' sentence
    place = click_and_wait(page, page.locator(f"{OUTLINE} .outline-heading").nth(2), "Tallynote")
    assert place["inArticle"] and not place["inToc"] and place["heading"] == "H2", place
    place = click_and_wait(page, page.locator(f"{OUTLINE} .outline-heading", has_text="Tallynote plugins"),
                           "Tallynote plugins")
    assert place["inArticle"] and place["heading"] == "H3", place
    assert "“Tallynote plugins” is highlighted" in page.locator(f"{PANEL} .status").text_content()
    settle(page)
    page.screenshot(path=str(artifacts / "panel-outline-sections.png"))

    md = copied_markdown(page)
    assert md.endswith("\n\n**In this article**\n\n" + outline_markdown(STUB_OUTLINE) + "\n")


def test_outline_open_on_a_list_and_absent_without_one(sw, listicle, stub_service):
    page = listicle
    stub_service["answer"] = stub_answer("list", truncated=False)
    open_panel(sw, page)
    assert page.locator(OUTLINE).get_attribute("open") == ""
    assert page.locator(f"{OUTLINE} .outline-note").count() == 0
    page.locator(f"{PANEL} .icon-button").click()

    stub_service["answer"] = {**stub_answer("list", False), "outline": None, "outline_kind": None}
    open_panel(sw, page)
    assert page.locator(OUTLINE).count() == 0
    md = copied_markdown(page)
    assert "In this article" not in md


def test_outline_by_keyboard(sw, listicle, stub_service):
    page = listicle
    stub_service["answer"] = stub_answer("sections", truncated=False)
    open_panel(sw, page)
    assert tab_to(page, "outline-title") == "outline-title"
    page.keyboard.press("Enter")
    assert page.locator(OUTLINE).get_attribute("open") == ""
    assert tab_to(page, "outline-heading", presses=1) == "outline-heading"
    page.keyboard.press("Enter")
    page.wait_for_function(f"""() => {{ const h = ({HIGHLIGHT_PLACE_JS})();
        return h && h.text === 'Larkpad' && h.inArticle; }}""")
    assert tab_to(page, "outline-sentence", presses=1) == "outline-sentence"


def test_outline_in_dark_mode(sw, listicle, stub_service, artifacts):
    page = listicle
    stub_service["answer"] = stub_answer("list", truncated=False)
    page.emulate_media(color_scheme="dark")
    try:
        open_panel(sw, page)
        colours = page.evaluate(f"""() => {{
          const r = {SHADOW};
          const css = (sel) => getComputedStyle(r.querySelector(sel));
          return {{panel: css('.panel').backgroundColor, heading: css('.outline-heading').color,
                   title: css('.outline-title').color}};
        }}""")
        assert colours["panel"] == "rgb(28, 33, 40)"  # the panel's dark background
        assert colours["heading"] == colours["title"] == "rgb(230, 237, 243)"  # palette.css dark --fg
        page.screenshot(path=str(artifacts / "panel-outline-dark.png"))
    finally:
        page.emulate_media(color_scheme="light")


# -- against the real service: the listicle -------------------------------------------------

def test_listicle_outline_from_the_service(sw, listicle, live_service, artifacts):
    page = listicle
    captured = page.evaluate("() => ({html: document.documentElement.outerHTML, url: location.href,"
                             " title: document.title})")
    status, data = live_service.summarize(**captured, length="short")
    assert status == 200, data
    assert data["outline"], "the service gives the listicle no outline"
    assert data["outline_kind"] == "list"  # five sections headed by the apps' names
    rows = [(d, flat(h), flat(s) if s else None) for d, h, s in outline_rows(data["outline"])]

    open_panel(sw, page)
    assert page.locator(OUTLINE).get_attribute("open") == ""  # a list: open at once
    shown = [(d, flat(h), flat(s) if s else None) for d, h, s in panel_outline(page)]
    assert shown == rows

    # every heading stands in the table of contents too: each click lands in the article
    headings = page.locator(f"{OUTLINE} .outline-heading")
    for i, (_, heading, _) in enumerate(rows):
        place = click_and_wait(page, headings.nth(i), heading)
        assert place["inArticle"] and not place["inToc"] and place["heading"], (heading, place)
        assert headings.nth(i).get_attribute("aria-current") == "true"
    sentences = page.locator(f"{OUTLINE} .outline-sentence")
    assert sentences.count() == sum(1 for r in rows if r[2])
    for i in range(sentences.count()):
        place = click_and_wait(page, sentences.nth(i), sentences.nth(i).text_content())
        assert place["inArticle"], place
    # the panel stays whole in the window, however long the outline
    box = page.evaluate(f"() => {{ const r = {SHADOW}.querySelector('.panel').getBoundingClientRect();"
                        " return {top: r.top, bottom: r.bottom, viewport: innerHeight}; }")
    assert box["top"] == 12 and box["bottom"] <= box["viewport"] - 12, box
    settle(page)
    page.screenshot(path=str(artifacts / "panel-outline.png"))

    md = copied_markdown(page)
    summary = "".join(f"- {md_escape(s['text'])}\n" for s in data["sentences"])
    assert md == (f"**[{md_escape(data['title'])}](<{page.url}>)**\n\n{summary}"
                  f"\n**In this article**\n\n{outline_markdown(data['outline'])}\n")
