"""Stage 1, extraction: each failure kind of plain readability-lxml has a small
fixture page written for it (tests/fixtures/pages/), and each kind of page that
is not an article has one too (tests/fixtures/pages/not_articles/).

Where a fixture stands for a failure of plain readability-lxml, the test first
checks that plain readability really fails on it, so the fixture keeps testing
what it is meant to test."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from readability import Document

from newsgist import extract_article
from newsgist.errors import NoArticle
from newsgist.extract import (RawBlock, block_paragraphs, clean_blocks, is_boilerplate_text,
                              is_date_line)
from newsgist.language import detect_language, normalize_lang
from newsgist.openapi import ERROR_CODES
from newsgist.pipeline import Pipeline

PAGES = Path(__file__).parent / "fixtures" / "pages"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def texts(blocks) -> list[str]:
    return [b.text for b in blocks]


def plain_readability_text(html: str) -> str:
    summary = Document(html).summary()
    return lxml.html.fromstring(summary).text_content() if summary.strip() else ""


# -- failure kinds of plain readability-lxml ------------------------------------------------
def test_captions_and_photo_credits_are_removed():
    html = page("captions_credits.html")
    assert "AP Photo/Luis Moreno" in plain_readability_text(html)
    article = extract_article(html)
    text = article.text
    assert "Photo:" not in text and "AP Photo" not in text
    assert "Seals rest on the rocks" not in text          # <figcaption>
    assert "A young seal swims" not in text               # div.image-caption and a bare <p>
    assert len(article.paragraphs) == 5
    assert article.paragraphs[0].startswith("A colony of harbor seals")
    assert article.paragraphs[-1].endswith("at the university.")


def test_bylines_and_updated_stamps_are_removed_but_the_byline_is_reported():
    html = page("bylines_stamps.html")
    plain = plain_readability_text(html)
    assert "By Jordan Ellis" in plain and "Updated 5:27 am" in plain
    article = extract_article(html)
    assert article.byline == "Jordan Ellis"
    assert article.title == "City council approves new bike lanes"
    for furniture in ("By Jordan Ellis", "Updated 5:27 am", "staff writer", "Posted 4:00 am",
                      "Nov. 20, 2019 4:00 AM EST"):
        assert furniture not in article.text
    # Sentences that merely start like a byline, a stamp or a share button stay.
    starts = [p.split()[0] for p in article.paragraphs]
    assert starts == ["The", "The", "By", "Updated", "Share"]


def test_related_story_teasers_and_tag_lists_are_removed():
    html = page("teaser_rail.html")
    assert "School board names new superintendent" in plain_readability_text(html)
    article = extract_article(html)
    for teaser in ("parks budget", "superintendent", "Museum night", "Related stories",
                   "Library closes for renovation", "city hall"):
        assert teaser not in article.text
    assert len(article.paragraphs) == 5
    assert "rooftop reading garden" in article.paragraphs[0]
    assert article.paragraphs[-1].endswith("like a living room.”")


def test_share_promo_read_more_and_citation_lines_are_removed():
    html = page("promo_lines.html")
    plain = plain_readability_text(html)
    assert "subject to copyright" in plain and "ON THE GO" in plain
    text = extract_article(html).text
    for line in ("Share this on WhatsApp", "Read more:", "ON THE GO", "newsletter",
                 "Citation:", "subject to copyright"):
        assert line not in text
    assert text.startswith("Astronomers have produced the first complete map")
    assert "four years." in text


def test_advertisement_labels_are_removed():
    html = page("advertisement.html")
    assert "Advertisement" in plain_readability_text(html)
    article = extract_article(html)
    assert "dvertisement" not in article.text and "ADVERTISEMENT" not in article.text
    assert len(article.paragraphs) == 5


def test_list_items_and_table_rows_are_not_glued():
    html = page("structure.html")
    plain = plain_readability_text(html)
    assert "FloridaGeorgia" in plain and "JuneAugust" in plain
    article = extract_article(html)
    assert "FloridaGeorgia" not in article.text and "JuneAugust" not in article.text
    paragraphs = article.paragraphs
    for item in ("Florida", "Georgia", "South Carolina", "June", "August", "September"):
        assert item in paragraphs
    # A table row is one line, its cells apart.
    assert "Tampa 7 0" in paragraphs and "Savannah 5 0" in paragraphs


def test_embedded_tweets_are_kept():
    html = page("embedded_posts.html")
    plain = plain_readability_text(html)
    assert "minute of silence in honour" not in plain
    assert "twenty years with dignity" not in plain
    text = extract_article(html).text
    assert "Senate resolves to observe a minute of silence" in text
    assert "He served this house for twenty years with dignity." in text
    # ... in their place in the article.
    assert text.index("shared the decision:") < text.index("Senate resolves") \
        < text.index("Members stood")


def test_article_found_where_the_full_document_summary_is_empty():
    html = page("html_partial.html")
    assert plain_readability_text(html).strip() == ""
    article = extract_article(html)
    assert len(article.paragraphs) == 5
    assert article.paragraphs[0].startswith("Residents of Millbrook voted on Tuesday")
    assert article.title == "River town votes to rebuild its flood wall"


def test_the_service_fixture_page_keeps_its_prose_and_drops_its_furniture(news_html):
    article = extract_article(news_html)
    assert article.words > 150
    for furniture in ("Previous Article", "Next Article", "Get a summary"):
        assert furniture not in article.text


def test_block_paragraphs_of_a_fragment():
    fragment = ("<div><p>First paragraph here.</p><ul><li>one</li><li>two</li></ul>"
                "<figure><img src='x'><figcaption>A caption</figcaption></figure>"
                "<div class='share-bar'>Share</div><p>Last<br>line</p></div>")
    assert block_paragraphs(fragment) == ["First paragraph here.", "one", "two", "Last", "line"]


# -- rules on text alone -----------------------------------------------------------------
@pytest.mark.parametrize("line", [
    "Advertisement", "ADVERTISEMENT", "Story continues below advertisement",
    "Photo: Dana Whitfield, Coast Daily", "Image credit: NASA", "© Jane Roe",
    "Natalie Roe | Bloomberg | Getty Images",
    "Updated 5:27 am CST, Wednesday, November 20, 2019", "Published 4:00 am, Nov. 20, 2019",
    "Nov. 19, 2019 8:31 AM EST", "segunda-feira, 22 de janeiro de 2018 às 0:13",
    "Share this on WhatsApp", "Whatsapp Facebook Pint Baixar", "Sharing is caring!",
    "Like this:", "Read more: Probe ends its mission", "Related: Ten odd galaxies",
    "(Leggi anche su: un altro articolo)", "Tags: politics, budget",
    "GET FOX BUSINESS ON THE GO BY CLICKING HERE", "CLICK HERE TO GET THE APP",
    "Sign up for our newsletter to get the best stories delivered to your inbox.",
    "This document is subject to copyright.",
    "Citation: Moon mapped (2019, November 18) retrieved 20 November 2019 from https://x.example",
    "A seal swims near the pier on Friday. (AP Photo/Luis Moreno)",
    "Image 3 of 12",
])
def test_furniture_lines(line):
    assert is_boilerplate_text(line)


@pytest.mark.parametrize("line", [
    "Share prices fell by 5 percent on Monday.",
    "By the end of the day, the market had recovered.",
    "Updated figures show that exports rose in October.",
    "The photo shows the crowd outside the court.",
    "He said the company would advertise the jobs in January.",
    "More than 200 people came to the meeting.",
    "Related companies were not affected, officials said.",
    "The U.S. AND CHINA SIGNED the deal.",
    "Subscribers to the service pay 10 dollars a month, the company said.",
    "The storm hit on Nov. 19, 2019, at 8:31 a.m. and lasted for hours.",
    "Florida",
])
def test_prose_lines(line):
    assert not is_boilerplate_text(line)


def test_date_lines():
    assert is_date_line("Wednesday, November 20, 2019 5:27 AM")
    assert not is_date_line("The vote was held in 2019 in Paris")
    assert not is_date_line("Florida")


def test_link_rails_and_tag_lists_dropped_single_links_and_urls_kept():
    prose1, prose2, prose3 = (RawBlock(f"Sentence {n} of prose, long enough to be a paragraph.")
                              for n in (1, 2, 3))
    rail = [RawBlock("Who will make the Hall of Fame in 2020?", 39, "p", 1),
            RawBlock("Fans really want the band in the Hall", 37, "p", 1)]
    tags = RawBlock("politics, budget, city hall, schools", 33, "p", 4)
    product = RawBlock("Beachbody Performance Energize", 30, "p", 1)
    url = RawBlock("http://amzn.to/2iJFhRj", 22, "p", 1)
    shout = RawBlock("SEAN SPICER ELIMINATED FROM THE SHOW", 36, "p", 1)
    out = clean_blocks([prose1, *rail, prose2, tags, product, prose3, url, shout])
    assert [b.text for b in out] == [prose1.text, prose2.text, product.text, prose3.text, url.text]


def test_headline_and_byline_are_not_repeated_as_paragraphs():
    blocks = [RawBlock("Seals return to the bay"), RawBlock("By Dana Whitfield"),
              RawBlock("Dana Whitfield"), RawBlock("Seals returned to the bay this week, counts show.")]
    kept = clean_blocks(blocks, title="Seals return to the bay", byline="Dana Whitfield")
    assert texts(kept) == [
        "Seals returned to the bay this week, counts show."]
    # A leading <h1> is the headline even when it differs from the page's title.
    blocks = [RawBlock("Seals are back in the bay", tag="h1"), blocks[-1],
              RawBlock("Where they feed", tag="h1")]
    assert texts(clean_blocks(blocks, title="Seals return to the bay")) == [
        "Seals returned to the bay this week, counts show.", "Where they feed"]


# -- pages that are not articles -----------------------------------------------------------
@pytest.mark.parametrize("name, code", [
    ("home_page.html", "link_list"),
    ("section_front.html", "link_list"),
    ("login_wall.html", "login_wall"),
    ("cookie_wall.html", "cookie_wall"),
    ("bot_check.html", "bot_check"),
    ("paywall.html", "paywall"),
    ("empty_page.html", "empty_page"),
    ("pdf_viewer.html", "pdf_document"),
    ("pdfjs_viewer.html", "pdf_document"),
])
def test_pages_that_are_not_articles(name, code):
    with pytest.raises(NoArticle) as caught:
        extract_article(page(f"not_articles/{name}"))
    error = caught.value
    assert error.code == code
    assert error.status == 422
    assert code in ERROR_CODES[422]
    assert error.message.endswith(".") and len(error.message) > 30


def test_paywall_message_says_how_much_was_shown():
    with pytest.raises(NoArticle) as caught:
        extract_article(page("not_articles/paywall.html"))
    assert "only 2 sentences" in caught.value.message


@pytest.mark.parametrize("data, code", [
    ("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "pdf_document"),
    ("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + "\x00\x01\x02\x03" * 50, "not_html"),
    ("".join(chr(i % 32) for i in range(2000)), "not_html"),
    ("", "empty_page"),
    ("  \n\t ", "empty_page"),
])
def test_binary_and_empty_input(data, code):
    with pytest.raises(NoArticle) as caught:
        extract_article(data)
    assert caught.value.code == code


@pytest.mark.parametrize("html", [
    # readability's main block of this one is a bare <style>: lxml asserted on it.
    "</table><style class='x twitter-tweet'></section><div class='cookies twitter-tweet'>"
    "<figcaption class='in twitter-tweet'>cookies vote of council sign Share tweet</figcaption>",
    "<<<>>><p>hi</p><</body>",
    "</div></div></p>",
    "<html><body>" + "<div>" * 400 + "deep text" + "</div>" * 400 + "</body></html>",
])
def test_odd_html_gives_an_article_or_no_article_and_nothing_else(html):
    try:
        extract_article(html)
    except NoArticle as error:
        assert error.code in ERROR_CODES[422]


def test_an_article_that_talks_about_cookies_and_subscriptions_is_an_article():
    prose = ["Regulators said on Monday that websites must ask before they store cookies, "
             "and that a reader who rejects them must still be able to read the page.",
             "Publishers that sell subscriptions said the rules would cost them money, and "
             "some said they would ask readers to pay or to accept the cookies.",
             "Privacy groups welcomed the decision but said that consent screens were still "
             "too hard to understand for many people.",
             "The rules take effect in March, and sites that break them may be fined."]
    html = ("<html lang='en'><head><title>Just a moment of news</title></head><body>"
            "<div class='comment-form'><p>Please complete the captcha.</p>"
            "<form><input type='password'></form></div>"
            "<div class='paywall-note'>Already a subscriber? Sign in.</div><article>"
            + "".join(f"<p>{p}</p>" for p in prose) + "</article></body></html>")
    article = extract_article(html)
    assert article.paragraphs == tuple(prose)


def test_not_an_article_is_a_422_through_the_api(client):
    response = client.post("/v1/summarize", json={"html": page("not_articles/cookie_wall.html")})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "cookie_wall"


# -- language -----------------------------------------------------------------------------
def test_lang_comes_from_the_html_lang_attribute():
    assert extract_article(page("lang_de_declared.html")).lang == "de"
    assert extract_article(page("captions_credits.html")).lang == "en"


def test_lang_is_detected_when_the_page_declares_none():
    article = extract_article(page("lang_pt_undeclared.html"))
    assert article.lang == "pt"
    assert len(article.paragraphs) == 4


def test_a_wrong_declaration_gives_way_to_a_sure_detection():
    assert extract_article(page("lang_mislabeled.html")).lang == "en"


def test_detector_abstains_on_too_little_text():
    assert detect_language("Hello there") is None
    assert detect_language("") is None
    found = detect_language("Die Bürgermeisterin sprach von einem großen Tag für die Stadt "
                            "und dankte allen, die am Bau der Brücke beteiligt waren.")
    assert found is not None and found.lang == "de"


@pytest.mark.parametrize("value, code", [
    ("en-US", "en"), ("pt_BR", "pt"), (" DE ", "de"), ("", None), (None, None),
    ("x-klingon!", None),
])
def test_normalize_lang(value, code):
    assert normalize_lang(value) == code


def test_sentences_are_split_with_the_page_language(pipeline):
    # German rules keep "am 3. Oktober" inside its sentence; English ones split there.
    summary = pipeline.summarize_html(page("lang_de_declared.html"), sentences=3)
    assert summary.article.lang == "de"
    assert summary.stats.sentences_total == 6
    assert not any(s.text.endswith("am 3.") for s in summary.sentences)


def test_warning_when_the_model_knows_english_only(settings, fake_encoder):
    fake_encoder.name = "all-MiniLM-L6-v2"
    pipeline = Pipeline(settings, encoder=fake_encoder)
    summary = pipeline.summarize_html(page("lang_pt_undeclared.html"))
    assert len(summary.warnings) == 1 and "'pt'" in summary.warnings[0]
    assert summary.to_dict()["warnings"] == summary.warnings
    assert pipeline.summarize_html(page("captions_credits.html")).warnings == []


def test_no_language_warning_with_a_multilingual_model(settings, fake_encoder):
    fake_encoder.name = "paraphrase-multilingual-MiniLM-L12-v2"
    summary = Pipeline(settings, encoder=fake_encoder).summarize_html(
        page("lang_pt_undeclared.html"))
    assert summary.warnings == []


# -- call-to-action boxes ----------------------------------------------------------------------
_PITCH = "Find out why two thousand teams trust us. Book a call with our experts today."


def test_a_call_to_action_box_beside_the_prose_is_removed():
    prose = "".join(f"<p>The harbour walk number {i} follows the old sea wall for a mile and "
                    f"ends at a cafe that serves fresh fish at noon.</p>" for i in range(6))
    html = (f"<div>{prose[:len(prose) // 2]}<div class='autoscaler-cta'><h3>{_PITCH}</h3>"
            f"<p><a href='/book'>Learn More</a></p></div>"
            f"<section data-component='block:icon-cta'><p>{_PITCH}</p></section>"
            f"{prose[len(prose) // 2:]}</div>")
    paragraphs = block_paragraphs(html)
    assert len(paragraphs) == 6
    assert not any("trust us" in p or "Learn More" in p for p in paragraphs)


def test_a_page_made_of_call_to_action_cards_keeps_them():
    # Ten cards all marked "cta" are the page's content, not boxes beside it.
    cards = "".join(f"<div class='elementor-cta'><h3>Mover number {i}</h3><p>Mover number {i} "
                    f"packs, loads and ships a whole house across the country in a week.</p>"
                    f"</div>" for i in range(10))
    paragraphs = block_paragraphs(f"<div><p>Our picks.</p>{cards}</div>")
    assert sum("packs, loads and ships" in p for p in paragraphs) == 10
