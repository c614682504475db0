"""The reading history in headless Chromium against the real service and model: the options
switch, "New since you read" in the panel, and the history page (search, list by day,
forget, export, clear; keyboard; dark mode)."""

from __future__ import annotations

import json
import urllib.request

from test_extension import PANEL, click_toolbar, wait_state

FIRST = "Wildfire forces evacuations in Carrow Valley"


def history(service, method: str = "GET", path: str = "/v1/history") -> dict:
    request = urllib.request.Request(service.url + path, method=method)
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)


def tab_of(sw, page) -> int:
    page.bring_to_front()
    return sw.evaluate("async () => (await chrome.tabs.query({active: true, "
                       "lastFocusedWindow: true}))[0].id")


def summarize_in_panel(sw, open_tab, url):
    page = open_tab(url)
    click_toolbar(sw, tab_of(sw, page))
    wait_state(page, "done")
    return page


def test_nothing_is_remembered_while_history_is_off_or_in_a_private_window(sw, open_tab, site,
                                                                            live_service):
    history(live_service, "DELETE")
    page = summarize_in_panel(sw, open_tab, f"{site}/history/fire-1.html")
    assert history(live_service)["entries"] == []            # off after install
    # The first panel offers it, once.
    offer = page.locator(f"{PANEL} .offer")
    offer.get_by_role("button", name="No, thanks").click()
    offer.get_by_text("Nothing will be remembered").wait_for()
    stored = sw.evaluate("chrome.storage.sync.get(null)")
    assert stored["historyOffered"] is True and stored.get("rememberHistory") is not True
    page = summarize_in_panel(sw, open_tab, f"{site}/history/fire-1.html")
    assert page.locator(f"{PANEL} .offer").is_hidden()
    assert history(live_service)["entries"] == []
    sw.evaluate("chrome.storage.sync.set({historyOffered: false})")
    page = summarize_in_panel(sw, open_tab, f"{site}/history/fire-1.html")
    page.locator(f"{PANEL} .offer").get_by_role("button", name="Remember my reading").click()
    page.locator(f"{PANEL} .offer").get_by_text("Your reading history is on").wait_for()
    assert sw.evaluate("chrome.storage.sync.get(null)")["rememberHistory"] is True
    page = open_tab(f"{site}/history/fire-1.html")
    answer = sw.evaluate("([id]) => __newsgist.summarizeFor(id, {mode: 'page'}, true)",
                         [tab_of(sw, page)])                 # as from a private window
    assert answer["ok"] and "since" not in answer["data"]
    assert history(live_service)["entries"] == []


def test_a_later_page_shows_what_is_new_and_the_history_page_manages_it(
        browser_context, sw, ext_id, open_tab, site, live_service, artifacts):
    history(live_service, "DELETE")
    sw.evaluate("chrome.storage.sync.set({rememberHistory: true})")
    first = summarize_in_panel(sw, open_tab, f"{site}/history/fire-1.html")
    assert first.locator(f"{PANEL} .since").is_hidden()
    assert [e["title"] for e in history(live_service)["entries"]][0].startswith(FIRST)

    later = summarize_in_panel(sw, open_tab, f"{site}/history/fire-2.html")
    since = later.locator(f"{PANEL} .since")
    since.wait_for()
    assert since.locator("h3").text_content().startswith("New since you read")
    assert since.locator("h3 em").text_content().startswith(FIRST)
    fresh = since.locator(".since-new li").all_text_contents()
    page_text = later.locator("article").text_content()
    assert fresh and all(" ".join(s.split()) in " ".join(page_text.split()) for s in fresh)
    later.screenshot(path=str(artifacts / "panel-since.png"))
    # Another length asks again: the page is not stored twice and keeps its "since".
    later.locator(f"{PANEL} .length[data-length=medium]").click()
    wait_state(later, "done")
    assert len(later.locator(f"{PANEL} .sentence").all()) == 5
    assert since.locator(".since-new li").all_text_contents() == fresh
    assert len(history(live_service)["entries"]) == 2

    page = browser_context.new_page()
    try:
        page.goto(f"chrome-extension://{ext_id}/history/history.html")
        entries = page.locator(".entry")
        entries.nth(1).wait_for()
        assert entries.count() == 2 and page.locator(".day h2").count() == 1
        assert page.locator("#off").is_hidden()
        # Keyboard: "/" goes to the search box; Enter searches.
        page.keyboard.press("/")
        page.keyboard.type("evacuation of villages")
        page.keyboard.press("Enter")
        page.locator("#status", has_text="found").wait_for()
        assert page.locator(".entry").count() >= 1
        page.locator("#q").fill("")
        page.locator("#q").dispatch_event("input")
        page.locator(".day").wait_for()
        # Forget one with the keyboard.
        page.locator("button.forget").first.focus()
        page.keyboard.press("Enter")
        page.locator("#status", has_text="Forgot").wait_for()
        assert page.locator(".entry").count() == 1
        assert len(history(live_service)["entries"]) == 1
        # Export Markdown: a download of the service's export.
        with page.expect_download() as download:
            page.get_by_role("button", name="Export Markdown").click()
        text = open(download.value.path(), encoding="utf-8").read()
        assert text.startswith("# NewsGist reading history") and "](<" in text
        # Dark mode follows the system.
        page.emulate_media(color_scheme="dark")
        dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
        page.emulate_media(color_scheme="light")
        assert dark != page.evaluate("getComputedStyle(document.body).backgroundColor")
        # Clear all, confirmed in the dialog.
        page.get_by_role("button", name="Clear all").first.click()
        page.locator("dialog[open]").get_by_role("button", name="Clear all").click()
        page.locator("#status", has_text="Deleted 1").wait_for()
        assert page.locator(".entry").count() == 0
        assert history(live_service)["entries"] == []
    finally:
        page.close()
