"""The digest of open tabs in headless Chromium, against the real service and model.

Three fixture tabs: the same story from two sites (127.0.0.1 and localhost, two host names, so
the service counts two sites) and an unrelated article. The command is fired from the service
worker (`chrome.commands.onCommand.dispatch`), as in test_extension.py: Playwright cannot press
browser shortcuts. Everything after that is the extension's own code path.

Optional permissions: the fixture tabs are on hosts the extension may read from install
(127.0.0.1 and localhost), so reading them needs no new access and the page asks for none. The
browser's permission prompt itself cannot be answered in headless Chromium, so no test here
accepts it: one test checks that the request starts from the reader's click and that the
"without access" path lists every hidden tab; one runs a copy of the extension whose optional
permissions are granted at install (the copy's manifest makes them required), to check what the
page does once access is held.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest

# As in conftest.py (a module named conftest cannot be imported from here: tests/ has one too).
ROOT = Path(__file__).resolve().parents[2]
EXT_DIR = ROOT / "extension"

COMMAND = "summarize-tabs"
BRIDGE_A = "digest/gazette-bridge.html"     # served from 127.0.0.1
ORCHARD = "digest/gazette-orchard.html"     # served from 127.0.0.1
BRIDGE_B = "digest/courier-bridge.html"     # served from localhost

HIGHLIGHT_JS = """() => {
  const h = CSS.highlights.get('newsgist-sentence');
  if (!h || h.size !== 1) return null;
  return [...h][0].toString();
}"""


def norm(s: str) -> str:
    return re.sub(r"[\s\u00ad\u200b]+", "", s)


@pytest.fixture
def news_tabs(open_tab, site, other_site):
    """The three fixture tabs (closed afterwards)."""
    return [open_tab(url) for url in
            (f"{site}/{BRIDGE_A}", f"{site}/{ORCHARD}", f"{other_site}/{BRIDGE_B}")]


def tab_of(sw, page) -> dict:
    """The extension's view of the tab showing `page` (matched by its URL: visible to the
    extension because the fixture hosts are in its host permissions)."""
    tabs = sw.evaluate("chrome.tabs.query({})")
    return next(t for t in tabs if t.get("url") == page.url)


def active_tab_id(sw) -> int:
    """Id of the active tab of the last focused window."""
    return sw.evaluate(
        "async () => (await chrome.tabs.query({active: true, lastFocusedWindow: true}))[0].id")


def open_digest(browser_context, sw, tab_ids: list[int]):
    """Selects `tab_ids` in their window (the reader's Ctrl/Shift-click), then fires the command
    as the browser would, with the active tab; returns the digest page it opens."""
    with browser_context.expect_page() as opened:
        sw.evaluate("""async ([ids, command]) => {
          const tabs = await Promise.all(ids.map((id) => chrome.tabs.get(id)));
          await chrome.tabs.highlight({windowId: tabs[0].windowId, tabs: tabs.map((t) => t.index)});
          const [active] = await chrome.tabs.query({active: true, windowId: tabs[0].windowId});
          chrome.commands.onCommand.dispatch(command, active);
        }""", [tab_ids, COMMAND])
    digest = opened.value
    digest.wait_for_load_state()
    return digest


def wait_done(digest):
    digest.wait_for_selector("body:is([data-state=done], [data-state=error])", state="attached")
    state = digest.locator("body").get_attribute("data-state")
    if state != "done":
        pytest.fail(f"digest ended in state {state!r}: {digest.locator('#error').text_content()}")


def page_text(page) -> str:
    return norm(page.evaluate("document.querySelector('article').innerText"))


def test_command_is_registered_with_its_own_shortcut(sw):
    commands = {c["name"]: c["shortcut"] for c in sw.evaluate("chrome.commands.getAll()")}
    assert commands[COMMAND] == "Alt+Shift+D"
    assert commands["summarize-page"] == "Alt+Shift+S"
    manifest = sw.evaluate("chrome.runtime.getManifest()")
    # new access is optional: nothing more is granted at install
    assert manifest["optional_permissions"] == ["nativeMessaging", "tabs"]
    assert sorted(manifest["optional_host_permissions"]) == ["http://*/*", "https://*/*"]
    granted = sw.evaluate("chrome.permissions.getAll()")
    assert sorted(granted["origins"]) == ["http://127.0.0.1/*", "http://localhost/*"]
    assert "tabs" not in granted["permissions"]


def test_digest_groups_one_story_from_two_sites_and_jumps_to_a_sentence(
        browser_context, sw, news_tabs, live_service, artifacts):
    bridge_a, orchard, bridge_b = news_tabs
    tabs = [tab_of(sw, p) for p in news_tabs]
    digest = open_digest(browser_context, sw, [t["id"] for t in tabs])
    wait_done(digest)
    log = digest.evaluate("__newsgistDigest.progressLog")
    assert "Reading tabs: 3 of 3" in log and "Summarizing 3 pages…" in log
    assert digest.locator("h1").text_content() == "Digest of your selected tabs"
    digest.screenshot(path=str(artifacts / "digest.png"), full_page=True)

    # one story with its two sources, one single, nothing left out
    stories = digest.locator(".story")
    assert stories.count() == 1
    story = stories.first
    sources = story.locator(".sources li")
    assert sources.count() == 2
    assert sorted(sources.locator(".site").all_text_contents()) == ["127.0.0.1", "localhost"]
    assert sorted(sources.locator(".tab-link").all_text_contents()) == sorted(
        [bridge_a.title().split(" | ")[0], bridge_b.title().split(" | ")[0]])
    singles = digest.locator(".single")
    assert singles.count() == 1
    assert singles.locator("h3").text_content() == orchard.title().split(" | ")[0]
    assert digest.locator("#failed").is_hidden() and digest.locator("#unread").is_hidden()

    # every sentence of the story is labelled with the site whose page holds it
    text_of = {"127.0.0.1": page_text(bridge_a), "localhost": page_text(bridge_b)}
    buttons = story.locator(".sentence")
    assert buttons.count() == 3
    labels = []
    for i in range(buttons.count()):
        sentence = buttons.nth(i).locator(".text").text_content()
        site = buttons.nth(i).get_attribute("data-source")
        assert norm(sentence) in text_of[site], (site, sentence)
        labels.append(site)
    for i, sentence in enumerate(singles.locator(".sentence .text").all_text_contents()):
        assert norm(sentence) in page_text(orchard)

    # Copy Markdown: the whole digest in the service's format, with links to the pages
    digest.get_by_role("button", name="Copy Markdown").click()
    digest.locator("#status", has_text="Markdown").wait_for()
    md = digest.evaluate("navigator.clipboard.readText()")
    assert md.startswith(f"## {story.locator('h3').text_content()}\n\nSources: ")
    for page in news_tabs:
        assert f"](<{page.url}>)" in md
    assert md.count("\n- ") == 3 + singles.locator(".sentence").count()

    # clicking a sentence switches to its tab, scrolls to it and highlights it there
    target = labels.index("localhost") if "localhost" in labels else 0
    page = bridge_b if labels[target] == "localhost" else bridge_a
    button = buttons.nth(target)
    sentence = button.locator(".text").text_content()
    assert page.evaluate(HIGHLIGHT_JS) is None
    button.click()
    page.wait_for_function(f"({HIGHLIGHT_JS})() !== null")
    assert norm(page.evaluate(HIGHLIGHT_JS)) == norm(sentence)
    assert active_tab_id(sw) == tab_of(sw, page)["id"]
    assert page.evaluate("document.visibilityState") == "visible"
    assert button.get_attribute("aria-current") == "true"
    page.screenshot(path=str(artifacts / "digest-jump.png"))

    # keyboard: Tab to a sentence of the single, Enter: its tab comes to the front, highlighted
    digest.bring_to_front()
    single_sentence = singles.locator(".sentence").first
    digest.locator("h1").click()
    for _ in range(30):
        digest.keyboard.press("Tab")
        if digest.evaluate("document.activeElement.closest('.single') !== null"
                           " && document.activeElement.classList.contains('sentence')"):
            break
    assert digest.evaluate("document.activeElement.classList.contains('sentence')")
    digest.keyboard.press("Enter")
    orchard.wait_for_function(f"({HIGHLIGHT_JS})() !== null")
    assert norm(orchard.evaluate(HIGHLIGHT_JS)) == norm(single_sentence.locator(".text").text_content())

    digest.emulate_media(color_scheme="dark")
    digest.screenshot(path=str(artifacts / "digest-dark.png"), full_page=True)
    assert digest.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(13, 17, 23)"
    digest.close()


def test_hidden_tabs_ask_for_access_on_a_click_and_are_listed_without_it(
        browser_context, sw, site, news_tabs, artifacts):
    """A window with a tab NewsGist may not see (a browser page): the digest asks for access
    with one sentence on why. The request starts from the reader's click (the browser's prompt
    then waits; headless Chromium cannot answer it). Going on without it lists that tab."""
    browser_page = browser_context.new_page()
    browser_page.goto("chrome://version/")
    news_tabs[0].bring_to_front()
    try:
        digest = open_digest(browser_context, sw, [active_tab_id(sw)])
        digest.wait_for_selector("body[data-state=access]", state="attached")
        assert digest.locator("h1").text_content() == "Digest of your tabs"
        why = digest.locator("#accessWhy").text_content()
        assert "only to the NewsGist service on this computer" in why
        digest.screenshot(path=str(artifacts / "digest-access.png"))

        # From the click the browser prompts and waits for the reader. A request it refuses (no
        # user gesture, or a permission the manifest does not list as optional) fails at once.
        digest.get_by_role("button", name="Allow and summarize").click()
        assert digest.locator("body").get_attribute("data-state") == "asking"
        digest.wait_for_timeout(500)  # a refusal would have come back by now (it is immediate)
        assert digest.locator("body").get_attribute("data-state") == "asking"
        assert digest.locator("#accessDenied").is_hidden()

        digest.get_by_role("button", name="Summarize only the tabs NewsGist may read").click()
        wait_done(digest)
        assert digest.locator(".story").count() == 1
        assert digest.locator(".single").count() == 1
        unread = digest.locator("#unreadList li")
        reasons = unread.locator(".reason").all_text_contents()
        labels = unread.locator(".tab-link").all_text_contents()
        assert "Tab 1 in this window" in labels              # the window's first (blank) tab
        # the browser page and the window's first blank tab: hidden, so listed as such
        assert reasons.count("NewsGist may not read this tab (access not given).") == len(reasons) >= 1
        assert digest.locator("#unreadHeading").text_content() == f"Tabs not read ({len(reasons)})"
        md = digest.evaluate("__newsgistDigest.view.unread.length")
        assert md == len(reasons)
        digest.close()
    finally:
        browser_page.close()


@pytest.fixture(scope="module")
def granted_context(launch_browser):
    """A second browser with a copy of the extension whose optional permissions are granted
    at install: the copy's manifest lists them as required. This is the state after the reader
    said yes to the prompt, which headless Chromium cannot show."""
    tmp = Path(tempfile.mkdtemp(prefix="newsgist-granted-"))
    ext = tmp / "extension"
    shutil.copytree(EXT_DIR, ext)
    manifest = json.loads((ext / "manifest.json").read_text())
    manifest["permissions"] += manifest.pop("optional_permissions")
    manifest["host_permissions"] += manifest.pop("optional_host_permissions")
    (ext / "manifest.json").write_text(json.dumps(manifest))
    ctx = launch_browser(ext)
    yield ctx
    ctx.close()
    shutil.rmtree(tmp, ignore_errors=True)


def test_with_access_every_tab_is_read_or_listed_with_its_reason(
        granted_context, site, other_site, live_service, artifacts):
    ctx = granted_context
    sw = ctx.service_workers[0] if ctx.service_workers else ctx.wait_for_event("serviceworker")
    sw.evaluate("url => chrome.storage.sync.set({serviceUrl: url})", live_service.url)
    for url in (f"{site}/{BRIDGE_A}", f"{site}/{ORCHARD}", f"{other_site}/{BRIDGE_B}",
                f"{site}/{BRIDGE_A}#comments", "chrome://version/", f"{site}/no-article.html",
                f"{site}/{ORCHARD}?discarded"):
        pg = ctx.new_page()
        pg.goto(url)
    discard = sw.evaluate("""async (url) => {
      const [tab] = await chrome.tabs.query({url});
      const out = await chrome.tabs.discard(tab.id);
      return out.discarded;
    }""", f"{site}/{ORCHARD}?discarded")
    assert discard is True
    first = ctx.pages[1]
    first.bring_to_front()
    digest = open_digest(ctx, sw, [active_tab_id(sw)])
    wait_done(digest)
    digest.screenshot(path=str(artifacts / "digest-left-out.png"), full_page=True)
    assert digest.locator(".story").count() == 1
    assert digest.locator(".single").count() == 1

    failed = digest.locator("#failedList li")
    assert failed.count() == 1
    assert failed.first.get_attribute("data-reason") == "no_article"
    assert "no-article.html" in failed.first.text_content()

    unread = [(li.get_attribute("data-reason"), li.text_content()) for li in digest.locator("#unreadList li").all()]
    assert sorted(reason for reason, _ in unread) == ["browser", "browser", "discarded", "duplicate"]
    texts = dict(unread)  # the last of each reason
    browser = [text for reason, text in unread if reason == "browser"]
    assert any("chrome://version" in text for text in browser)       # with `tabs`, the address is known
    assert any("about:blank" in text for text in browser)            # the window's first tab
    assert all("A browser page: no extension may read it." in text for text in browser)
    assert "unloaded this tab to save memory" in texts["discarded"]
    assert "same page as another tab" in texts["duplicate"].lower()


def test_a_closed_source_tab_is_opened_again_for_its_sentence(browser_context, sw, news_tabs):
    bridge_a, _, bridge_b = news_tabs
    digest = open_digest(browser_context, sw, [tab_of(sw, p)["id"] for p in news_tabs])
    wait_done(digest)
    button = digest.locator(".story .sentence[data-source=localhost]").first
    sentence = button.locator(".text").text_content()
    url = bridge_b.url
    bridge_b.close()
    with browser_context.expect_page() as reopened:
        button.click()
    page = reopened.value
    page.wait_for_function(f"({HIGHLIGHT_JS})() !== null")
    assert page.url == url
    assert norm(page.evaluate(HIGHLIGHT_JS)) == norm(sentence)
    digest.close()


# Rules of lib/digest.js, run in the digest page itself (its Markdown is held to the service's
# by tests/test_extension_markdown.py).
# The page is opened for a tab id that does not exist: it lists that tab as closed, reads nothing.
RULES_JS = """() => {
  const d = NewsGist.digest;
  const cases = [
    [{url: 'https://news.example/story'}, null],
    [{url: 'http://news.example/story?id=4#top'}, null],
    [{pendingUrl: 'https://news.example/loading'}, null],
    [{}, 'hidden'],
    [{url: 'chrome://newtab/'}, 'browser'],
    [{url: 'about:blank'}, 'browser'],
    [{url: 'edge://settings/'}, 'browser'],
    [{url: 'chrome-extension://abcdef/page.html'}, 'browser'],
    [{url: 'view-source:https://news.example/'}, 'browser'],
    [{url: 'file:///home/me/article.html'}, 'file'],
    [{url: 'data:text/html,<p>hi'}, 'not_web'],
    [{url: 'https://chromewebstore.google.com/detail/x'}, 'store'],
    [{url: 'https://chrome.google.com/webstore/detail/x'}, 'store'],
    [{url: 'https://chrome.google.com/intl/en/chrome/'}, null],
    [{url: 'https://addons.mozilla.org/en-US/firefox/'}, 'store'],
    [{url: 'https://news.example/report.PDF'}, 'pdf'],
    [{url: 'https://news.example/a', discarded: true}, 'discarded'],
    [{url: 'https://news.example/a', status: 'unloaded'}, 'discarded'],
  ];
  const wrong = cases.filter(([tab, want]) => d.unreadableReason(tab) !== want)
    .map(([tab, want]) => [tab, want, d.unreadableReason(tab)]);
  const plan = d.planTabs([
    {id: 1, windowId: 1, index: 2, url: 'https://a.example/x#comments'},
    {id: 2, windowId: 1, index: 0, url: 'https://a.example/x'},
    {id: 3, windowId: 1, index: 1, url: 'chrome-extension://own/digest/digest.html'},
    {id: 4, windowId: 1, index: 3, url: 'https://b.example/y'},
    {id: 5, windowId: 1, index: 4, url: 'chrome://settings/'},
  ], 'chrome-extension://own');
  return {wrong, read: plan.read.map((t) => t.id),
          unread: plan.unread.map((u) => [u.tab.id, u.reason, u.sameAs?.id ?? null])};
}"""


def test_which_tabs_are_read(browser_context, ext_id):
    pg = browser_context.new_page()
    try:
        pg.goto(f"chrome-extension://{ext_id}/digest/digest.html?tabs=0")
        pg.wait_for_selector("body[data-state=done]", state="attached")
        assert pg.locator("#unreadList li").get_attribute("data-reason") == "closed"
        assert "nothing to summarize" in pg.locator("#status").text_content()
        got = pg.evaluate(RULES_JS)
        assert got["wrong"] == []
        assert got["read"] == [2, 4]                         # tab-strip order, own page left out
        assert got["unread"] == [[1, "duplicate", 2], [5, "browser", None]]
    finally:
        pg.close()


def test_menu_item_and_panel_button_open_the_digest_of_the_window(browser_context, sw, news_tabs):
    """The two other ways in: the context-menu item and the panel's button. Neither selects tabs
    here, so the digest is of the whole window."""
    page = news_tabs[1]
    page.bring_to_front()
    tab = tab_of(sw, page)
    sw.evaluate("async id => chrome.tabs.highlight({windowId: (await chrome.tabs.get(id)).windowId,"
                " tabs: [(await chrome.tabs.get(id)).index]})", tab["id"])
    with browser_context.expect_page() as opened:
        sw.evaluate("""async (id) => chrome.contextMenus.onClicked.dispatch(
            {menuItemId: 'newsgist-summarize-tabs', editable: false, pageUrl: ''}, await chrome.tabs.get(id))""",
                    tab["id"])
    digest = opened.value
    digest.wait_for_selector("body[data-state]:not([data-state=starting])", state="attached")
    assert digest.locator("h1").text_content() == "Digest of your tabs"
    assert "scope=window" in digest.url
    digest.close()

    page.bring_to_front()
    sw.evaluate("async id => chrome.action.onClicked.dispatch(await chrome.tabs.get(id))", tab["id"])
    button = page.locator("#newsgist-root").get_by_role("button", name="Summarize my tabs")
    with browser_context.expect_page() as opened:
        button.click()
    digest = opened.value
    digest.wait_for_selector("body[data-state]:not([data-state=starting])", state="attached")
    assert "scope=window" in digest.url
    digest_tab = sw.evaluate("async () => (await chrome.tabs.query({active: true, lastFocusedWindow: true}))[0]")
    assert digest_tab["index"] == tab_of(sw, page)["index"] + 1     # opened next to the page
    digest.close()


def test_service_not_running_then_retry(browser_context, sw, news_tabs, live_service):
    ids = [tab_of(sw, p)["id"] for p in news_tabs]
    live_service.stop()
    try:
        digest = open_digest(browser_context, sw, ids)
        digest.wait_for_selector("body[data-state=error]", state="attached")
        assert digest.locator("body").get_attribute("data-error-kind") == "unreachable"
        error = digest.locator("#error")
        assert "not running" in error.text_content() and live_service.url in error.text_content()
        assert error.locator("code").text_content() == "make serve"
    finally:
        live_service.start()
    # Retry sends the pages already read: no second read of the tabs
    log_before = len(digest.evaluate("__newsgistDigest.progressLog"))
    error.get_by_role("button", name="Retry").click()
    wait_done(digest)
    assert not any(text.startswith("Reading tabs")
                   for text in digest.evaluate("__newsgistDigest.progressLog")[log_before:])
    assert digest.locator(".story").count() == 1 and digest.locator(".single").count() == 1
    digest.close()
