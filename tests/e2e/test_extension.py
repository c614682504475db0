"""The extension in headless Chromium against the real service and the real model.

The toolbar click, the keyboard command and the context menu are fired from the extension's
service worker with the browsers' own event objects (`chrome.action.onClicked.dispatch(tab)`,
...): Playwright cannot press browser-level shortcuts. Everything after that is the real code
path: injection, capture of the live page, POST from the worker, panel in a shadow root.
"""

from __future__ import annotations

import re
import socket
import threading

import pytest
from conftest import tab_to

PANEL = "#newsgist-root"
SENTENCES = f"{PANEL} .sentence"
MENU_ID = "newsgist-summarize-selection"

# Reads the highlight the extension registered (the registry is per document, so the page's
# own world sees it too).
HIGHLIGHT_JS = """() => {
  const h = CSS.highlights.get('newsgist-sentence');
  if (!h || h.size !== 1) return null;
  const r = [...h][0];
  const rect = r.getBoundingClientRect();
  return {text: r.toString(), top: rect.top, bottom: rect.bottom, viewport: innerHeight, scrollY: scrollY};
}"""


def norm(s: str) -> str:
    """Whitespace-insensitive form (the service may normalize whitespace, nbsp, soft hyphens)."""
    return re.sub(r"[\s\u00ad\u200b]+", "", s)


def click_toolbar(sw, tab_id):
    sw.evaluate("async id => chrome.action.onClicked.dispatch(await chrome.tabs.get(id))", tab_id)


def press_shortcut(sw, tab_id):
    sw.evaluate("async id => chrome.commands.onCommand.dispatch('summarize-page', await chrome.tabs.get(id))",
                tab_id)


def wait_state(page, state):
    """Waits for the panel to reach `state`; a panel that ends in another state fails at once."""
    if state == "loading":
        page.wait_for_selector(f"{PANEL}[data-state=loading]", state="attached")
        return
    page.wait_for_selector(f"{PANEL}:is([data-state=done], [data-state=error])", state="attached")
    panel = page.locator(PANEL)
    got = panel.get_attribute("data-state")
    if got != state:
        detail = panel.locator(".error").text_content() if got == "error" else panel_sentences(page)
        pytest.fail(f"panel ended in state {got!r}, not {state!r}: {detail}")


def panel_sentences(page) -> list[str]:
    return page.locator(SENTENCES).all_text_contents()


def capture(page) -> dict:
    """What the extension captures: the live page's HTML, URL and title."""
    return page.evaluate("() => ({html: document.documentElement.outerHTML, url: location.href,"
                         " title: document.title})")


def expected_sentences(service, **body) -> list[str]:
    status, data = service.summarize(**body)
    assert status == 200, data
    return [s["text"] for s in data["sentences"]]


def find_in_page(sw, tab_id, sentences):
    """Runs the extension's own locator (content/locate.js, in its isolated world)."""
    return sw.evaluate("""async ([tabId, sentences]) => {
      await chrome.scripting.executeScript({target: {tabId}, files: ['content/locate.js']});
      const [r] = await chrome.scripting.executeScript({
        target: {tabId}, args: [sentences],
        func: (ss) => ss.map((s) => { const hit = __newsgistLocate.find(s); return hit && hit.exact ? hit.range.toString() : null; }),
      });
      return r.result;
    }""", [tab_id, sentences])


def test_manifest_and_shortcut_registered(sw, ext_id):
    assert sw.url == f"chrome-extension://{ext_id}/background.js"
    manifest = sw.evaluate("chrome.runtime.getManifest()")
    assert sorted(manifest["permissions"]) == ["activeTab", "contextMenus", "scripting", "storage"]
    assert sorted(manifest["host_permissions"]) == ["http://127.0.0.1/*", "http://localhost/*"]
    commands = {c["name"]: c["shortcut"] for c in sw.evaluate("chrome.commands.getAll()")}
    assert commands["summarize-page"] == "Alt+Shift+S"


def test_click_shows_the_services_summary(sw, page, tab_id, live_service, artifacts):
    status, data = live_service.summarize(**capture(page), length="short")
    assert status == 200, data
    expected = [s["text"] for s in data["sentences"]]
    assert len(expected) == 3

    click_toolbar(sw, tab_id)
    wait_state(page, "done")
    assert panel_sentences(page) == expected
    panel = page.locator(PANEL)
    assert panel.locator(".title").text_content() == data["title"]
    assert "Lake Morrow" in data["title"]
    assert panel.locator("[role=dialog]").get_attribute("aria-labelledby") == "ng-title"
    total = data["stats"]["sentences_total"]
    assert re.fullmatch(rf"Article \d+ min · summary (<1|\d+) min · 3 of {total} sentences",
                        panel.locator(".meta").text_content())
    assert panel.locator(".length[aria-pressed=true]").get_attribute("data-length") == "short"
    # the service explains its choice: shown as a tooltip
    assert "centroid similarity" in page.locator(SENTENCES).first.get_attribute("title")
    page.screenshot(path=str(artifacts / "panel-summary.png"))


def test_shortcut_command_shows_the_same_summary(sw, page, tab_id, live_service):
    expected = expected_sentences(live_service, **capture(page), length="short")
    press_shortcut(sw, tab_id)
    wait_state(page, "done")
    assert panel_sentences(page) == expected


def test_click_on_sentence_scrolls_and_highlights(sw, page, tab_id, artifacts):
    click_toolbar(sw, tab_id)
    wait_state(page, "done")
    sentences = page.locator(SENTENCES)
    last = sentences.count() - 1
    target = sentences.nth(last).text_content()
    assert page.evaluate("scrollY") == 0
    assert page.evaluate(HIGHLIGHT_JS) is None

    sentences.nth(last).click()
    # wait until the (smooth) scroll has brought the highlighted sentence into view
    page.wait_for_function(f"""() => {{ const h = ({HIGHLIGHT_JS})();
        return h && h.top >= 0 && h.bottom <= h.viewport; }}""")
    hit = page.evaluate(HIGHLIGHT_JS)
    assert norm(hit["text"]) == norm(target)
    assert hit["scrollY"] > 0
    assert sentences.nth(last).get_attribute("aria-current") == "true"
    assert "highlighted" in page.locator(f"{PANEL} .status").text_content()
    page.screenshot(path=str(artifacts / "panel.png"))

    page.emulate_media(color_scheme="dark")
    page.screenshot(path=str(artifacts / "panel-dark.png"))
    page.emulate_media(color_scheme="light")

    page.locator(f"{PANEL} .icon-button").click()
    assert page.locator(PANEL).count() == 0
    assert page.evaluate("CSS.highlights.has('newsgist-sentence')") is False


def test_fallback_highlight_without_highlight_api(sw, page, tab_id):
    """Where the CSS Custom Highlight API is missing, the sentence is wrapped in <mark>s, and
    closing the panel gives the page back its exact text."""
    article_text = page.evaluate("document.querySelector('article').textContent")
    click_toolbar(sw, tab_id)
    wait_state(page, "done")
    # hide the API from the extension's own (isolated) world only
    sw.evaluate("""id => chrome.scripting.executeScript({target: {tabId: id},
        func: () => { globalThis.Highlight = undefined; }})""", tab_id)
    sentences = page.locator(SENTENCES)
    target = sentences.nth(1).text_content()
    sentences.nth(1).click()
    marks = page.locator("mark.newsgist-mark")
    marks.first.wait_for(state="attached")
    assert norm("".join(marks.all_text_contents())) == norm(target)
    assert page.evaluate("CSS.highlights.has('newsgist-sentence')") is False
    page.wait_for_function("scrollY > 0")
    page.keyboard.press("Escape")
    assert marks.count() == 0
    assert page.evaluate("document.querySelector('article').textContent") == article_text


def test_every_sentence_of_the_page_is_found(sw, page, tab_id, live_service):
    """No summary sentence the page really contains may fail to be found: ask the service for
    as many sentences as it gives and locate each in the live page (links, <em>, <strong>,
    <wbr>, nbsp, soft hyphen, line breaks inside sentences)."""
    all_sentences = expected_sentences(live_service, **capture(page), sentences=20)
    assert len(all_sentences) == 20
    found = find_in_page(sw, tab_id, all_sentences)
    missing = [s for s, r in zip(all_sentences, found) if r is None]
    assert missing == []
    assert [norm(r) for r in found] == [norm(s) for s in all_sentences]
    # and a sentence that is not in the page is not "found"
    assert find_in_page(sw, tab_id, ["The ferry was towed back to the harbour by a tugboat."]) == [None]


def test_length_change_asks_again_for_more_sentences(sw, page, tab_id, live_service):
    page_data = capture(page)
    click_toolbar(sw, tab_id)
    wait_state(page, "done")
    assert len(panel_sentences(page)) == 3

    page.locator(f"{PANEL} .length[data-length=long]").click()
    wait_state(page, "done")
    long_sentences = panel_sentences(page)
    assert len(long_sentences) == 7
    assert long_sentences == expected_sentences(live_service, **page_data, length="long")
    assert page.locator(f"{PANEL} .length[aria-pressed=true]").get_attribute("data-length") == "long"


def test_summarize_selection_only_uses_the_selected_text(sw, page, tab_id, live_service):
    page_data = capture(page)
    whole_page = expected_sentences(live_service, **page_data, length="short")
    selected = page.evaluate("""() => {
      const ps = document.querySelectorAll('article p');
      const i = [...ps].findIndex((p) => p.textContent.includes('Not everyone is convinced'));
      const range = document.createRange();
      range.setStartBefore(ps[i]);
      range.setEndAfter(ps[i + 2]);
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      return sel.toString();
    }""")
    # the page's own summary has sentences outside the selection, so this test can fail
    assert any(norm(s) not in norm(selected) for s in whole_page)
    expected = expected_sentences(live_service, text=selected.strip(), url=page_data["url"],
                                  title=page_data["title"], length="short")

    sw.evaluate("""async ([id, menuItemId, text]) => chrome.contextMenus.onClicked.dispatch(
        {menuItemId, selectionText: text, frameId: 0, editable: false, pageUrl: ''}, await chrome.tabs.get(id))""",
                [tab_id, MENU_ID, selected[:100]])
    wait_state(page, "done")
    shown = panel_sentences(page)
    assert shown == expected
    assert all(norm(s) in norm(selected) for s in shown)
    assert page.locator(f"{PANEL} .scope").is_visible()


def test_service_stopped_then_retry(sw, page, tab_id, live_service, artifacts):
    expected = expected_sentences(live_service, **capture(page), length="short")
    live_service.stop()
    try:
        click_toolbar(sw, tab_id)
        wait_state(page, "error")
        panel = page.locator(PANEL)
        assert panel.get_attribute("data-error-kind") == "unreachable"
        error = panel.locator(".error")
        assert error.get_attribute("role") == "alert"
        assert "not running" in error.text_content()
        assert live_service.url in error.text_content()
        assert error.locator("code").first.text_content() == "make serve"
        page.screenshot(path=str(artifacts / "panel-not-running.png"))
    finally:
        live_service.start()
    error.get_by_role("button", name="Retry").click()
    wait_state(page, "done")
    assert panel_sentences(page) == expected


def test_no_article_shows_the_services_message(sw, page, site, live_service):
    page.goto(f"{site}/no-article.html")
    status, data = live_service.summarize(**capture(page), length="short")
    assert status == 422
    tab = sw.evaluate("async () => (await chrome.tabs.query({active: true, lastFocusedWindow: true}))[0].id")
    click_toolbar(sw, tab)
    wait_state(page, "error")
    assert page.locator(PANEL).get_attribute("data-error-kind") == "no_article"
    text = page.locator(f"{PANEL} .error").text_content()
    assert "No article found" in text
    assert data["error"]["message"] in text


class BlackHole:
    """Accepts connections and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)

    def close(self):
        for c in self.conns:
            c.close()
        self.sock.close()


def test_loading_state_then_timeout_message(sw, page, tab_id):
    hole = BlackHole()
    try:
        # no answer and a long time limit: the loading state must be showing
        sw.evaluate("url => chrome.storage.sync.set({serviceUrl: url, timeoutSeconds: 600})", hole.url)
        click_toolbar(sw, tab_id)
        wait_state(page, "loading")
        status = page.locator(f"{PANEL} .status")
        assert "Summarizing this page" in status.text_content()
        assert page.locator(f"{PANEL} .spinner").count() == 1
        assert page.locator(f"{PANEL} [role=dialog]").get_attribute("aria-busy") == "true"

        # a 1 s limit: the reader gets a timeout message and a retry button
        sw.evaluate("chrome.storage.sync.set({timeoutSeconds: 1})")
        page.locator(f"{PANEL} .icon-button").click()
        click_toolbar(sw, tab_id)
        wait_state(page, "error")
        assert page.locator(PANEL).get_attribute("data-error-kind") == "timeout"
        text = page.locator(f"{PANEL} .error").text_content()
        assert "took too long" in text and "within 1 seconds" in text
        assert page.locator(f"{PANEL} .error").get_by_role("button", name="Retry").is_visible()
    finally:
        hole.close()


def test_keyboard_only(sw, page, tab_id):
    page.locator("h1").click()  # focus somewhere in the page first
    press_shortcut(sw, tab_id)
    wait_state(page, "done")
    assert page.evaluate("document.activeElement.id") == "newsgist-root"
    assert tab_to(page, "sentence", presses=10) == "sentence"
    page.keyboard.press("Enter")
    page.wait_for_function("CSS.highlights.has('newsgist-sentence')")
    page.keyboard.press("Escape")
    assert page.locator(PANEL).count() == 0
    assert page.evaluate("CSS.highlights.has('newsgist-sentence')") is False


def test_copy_markdown_and_text(sw, page, tab_id):
    click_toolbar(sw, tab_id)
    wait_state(page, "done")
    sentences = [re.sub(r"\s+", " ", s) for s in panel_sentences(page)]
    title = page.locator(f"{PANEL} .title").text_content()
    page.locator(f"{PANEL} .action", has_text="Copy Markdown").click()
    page.wait_for_function("document.getElementById('newsgist-root').shadowRoot"
                           ".querySelector('.status').textContent.includes('Markdown')")
    md = page.evaluate("navigator.clipboard.readText()")
    assert md == f"**[{title}](<{page.url}>)**\n\n" + "".join(f"- {s}\n" for s in sentences)
    page.locator(f"{PANEL} .action", has_text="Copy text").click()
    page.wait_for_function("document.getElementById('newsgist-root').shadowRoot"
                           ".querySelector('.status').textContent.includes('plain text')")
    assert page.evaluate("navigator.clipboard.readText()") == f"{title}\n{page.url}\n\n" + "".join(
        f"- {s}\n" for s in sentences)


def test_options_page(browser_context, sw, ext_id, live_service):
    opts = browser_context.new_page()
    try:
        opts.goto(f"chrome-extension://{ext_id}/options/options.html")
        url = opts.get_by_label("Service URL")
        assert url.input_value() == live_service.url
        url.fill("http://example.com:8765")
        opts.get_by_role("button", name="Save").click()
        assert "Only 127.0.0.1 or localhost" in opts.locator("#serviceUrlError").text_content()
        assert sw.evaluate("chrome.storage.sync.get('serviceUrl')")["serviceUrl"] == live_service.url

        url.fill(live_service.url.replace("127.0.0.1", "localhost") + "/")
        opts.get_by_label("Default summary length").select_option("medium")
        opts.get_by_role("button", name="Save").click()
        opts.locator("#status[data-kind=ok]", has_text="Saved.").wait_for()
        stored = sw.evaluate("chrome.storage.sync.get(null)")
        assert stored["serviceUrl"] == live_service.url.replace("127.0.0.1", "localhost")
        assert stored["defaultLength"] == "medium"

        opts.get_by_role("button", name="Test connection").click()
        opts.locator("#status[data-kind=ok]", has_text="Connected to").wait_for()
        assert live_service.url.replace("127.0.0.1", "localhost") in opts.locator("#status").text_content()
        assert opts.locator("#shortcut").text_content() == "Alt+Shift+S"
    finally:
        opts.close()


def test_default_length_from_options_is_used(sw, page, tab_id):
    sw.evaluate("chrome.storage.sync.set({defaultLength: 'medium'})")
    click_toolbar(sw, tab_id)
    wait_state(page, "done")
    assert len(panel_sentences(page)) == 5
    assert page.locator(f"{PANEL} .length[aria-pressed=true]").get_attribute("data-length") == "medium"


def test_browser_page_flags_the_toolbar_button(browser_context, sw):
    """Pages no extension may read (chrome://...) cannot get a panel: the button says why."""
    pg = browser_context.new_page()
    try:
        pg.goto("chrome://version/")
        pg.bring_to_front()
        tab = sw.evaluate("async () => (await chrome.tabs.query({active: true, lastFocusedWindow: true}))[0].id")
        result = sw.evaluate("async id => __newsgist.summarizePage(await chrome.tabs.get(id))", tab)
        assert result["ok"] is False
        assert sw.evaluate("id => chrome.action.getBadgeText({tabId: id})", tab) == "!"
        assert "cannot run on this page" in sw.evaluate("id => chrome.action.getTitle({tabId: id})", tab)
    finally:
        pg.close()
