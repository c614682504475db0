"""A French page in the panel (issue 21): the multilingual model serves French, so the
panel shows a French summary and no language warning; the furniture lines are not in it."""

from __future__ import annotations

from test_extension import PANEL, capture, click_toolbar, panel_sentences, wait_state

FURNITURE = ("Publicité", "Lire aussi", "Partager", "Suivez-nous")


def test_a_french_page_gets_a_french_summary_and_no_warning(sw, open_tab, site, live_service,
                                                           artifacts):
    page = open_tab(f"{site}/fr-article.html")
    page.bring_to_front()
    tab_id = sw.evaluate("async () => (await chrome.tabs.query({active: true, "
                         "lastFocusedWindow: true}))[0].id")
    status, data = live_service.summarize(**capture(page), length="short")
    assert status == 200, data
    assert data["lang"] == "fr" and data["model"] == "use-multilingual-v3"
    assert data["warnings"] == []

    click_toolbar(sw, tab_id)
    wait_state(page, "done")
    shown = panel_sentences(page)
    assert shown == [s["text"] for s in data["sentences"]] and len(shown) == 3
    assert not any(word in s for s in shown for word in FURNITURE)
    assert page.locator(f"{PANEL} .notes").is_hidden()
    page.screenshot(path=str(artifacts / "panel-french.png"))
