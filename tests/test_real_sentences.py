"""Summaries are made of real sentences: block kinds travel from the article to every
sentence and into the answer, and the ranker never picks a heading, a caption, a table
cell, a list fragment or a line without a final stop while the article has real sentences."""

from __future__ import annotations

import numpy as np
import pytest
from support import HashingEncoder

import newsgist.pipeline as pipeline_module
from newsgist.document import Article, Block
from newsgist.errors import NoArticle
from newsgist.rank import CentroidRanker
from newsgist.real_sentences import (count_prose, ends_a_sentence, is_real_sentence,
                                     opens_with_quote, summary_choices,
                                     summary_mask)
from newsgist.segment import segment


# -- final punctuation, in several scripts ------------------------------------------------
@pytest.mark.parametrize("text", [
    "The council approved the budget.",
    "Will the council approve the budget?",
    "The council approved the budget!",
    'She said: "The council approved the budget."',
    "She said: \u201cThe council approved the budget.\u201d",
    "The budget was approved (after a long debate.)",
    "\u00abLe conseil a approuv\u00e9 le budget.\u00bb",
    "The council approved the budget.[3]",
    "The council approved the budget.[citation needed]",
    "The council approved the budget.\u00b2",
    "And then the lights went out\u2026",
    "\u5e02\u8b70\u4f1a\u306f\u4e88\u7b97\u3092\u627f\u8a8d\u3057\u305f\u3002",          # Japanese 。
    "\u092a\u0930\u093f\u0937\u0926 \u0928\u0947 \u092c\u091c\u091f \u092a\u093e\u0938 "
    "\u0915\u093f\u092f\u093e\u0964",                                                 # Hindi ।
    "\u0647\u0644 \u0648\u0627\u0641\u0642 \u0627\u0644\u0645\u062c\u0644\u0633\u061f",  # Arabic ؟
    "The *budget* passed.**",
])
def test_sentence_ends(text):
    assert ends_a_sentence(text)


@pytest.mark.parametrize("text", [
    "Best Windows laptops under $500",
    "organic cotton | linen | hemp",
    "Here is what you need to know:",
    "Physical activity improves mental health",
    "Read more \u2192",
    '"A quote with no stop"',
    "",
    "   ",
])
def test_not_sentence_ends(text):
    assert not ends_a_sentence(text)


def test_greek_question_mark_only_in_greek():
    question = "\u03a4\u03b9 \u03b1\u03c0\u03bf\u03c6\u03ac\u03c3\u03b9\u03c3\u03b5 \u03c4\u03bf "
    question += "\u03c3\u03c5\u03bc\u03b2\u03bf\u03cd\u03bb\u03b9\u03bf;"
    assert ends_a_sentence(question, "el")
    assert not ends_a_sentence("Some items; others", "en")
    assert ends_a_sentence(question.replace(";", "\u037e"), None)


def test_kinds_that_never_make_a_summary_sentence():
    full = "The council approved the new budget on Tuesday."
    for kind in ("heading", "caption", "table_cell", "code"):
        assert not is_real_sentence(full, kind)
    for kind in ("paragraph", "quote", "list_item"):
        assert is_real_sentence(full, kind)


def test_list_item_must_be_a_full_sentence():
    assert not is_real_sentence("organic cotton, linen and hemp.", "list_item")
    assert not is_real_sentence("Organic cotton, linen and hemp", "list_item")
    assert is_real_sentence("Organic cotton keeps its shape after many washes.", "list_item")
    # in running text, a lower-case start is the segmenter's business, not a fragment
    assert is_real_sentence("iPhone sales fell by a tenth in the spring.", "paragraph")


def test_mask_falls_back_when_no_real_sentence():
    texts = ["Heading one", "A line without a stop", "Another one"]
    assert summary_mask(texts, ["heading", "paragraph", "list_item"]) == [False, True, True]
    assert summary_mask(texts, ["heading", "heading", "caption"]) == [True, True, True]
    assert summary_mask(["Real sentence here.", "No stop"]) == [True, False]


# -- segmentation keeps kind and block ----------------------------------------------------
ARTICLE = Article(title="Flood", byline=None, lang="en", blocks=(
    Block("Flood waters rise across the valley", "heading"),
    Block("Heavy rain flooded the river valley overnight. Hundreds of families left home."),
    Block("Residents wade through a flooded street", "caption"),
    Block("What the river did", "heading"),
    Block("Crews used boats to reach villages cut off by the river water.", "list_item"),
    Block("river gauges and sandbags", "list_item"),
    Block("Level | 4.2 m", "table_cell"),
    Block("The governor declared a state of emergency on Tuesday.", "quote"),
))


def test_segment_keeps_block_index_kind_and_offsets():
    sentences = segment(ARTICLE.blocks, ARTICLE.lang)
    assert [(s.paragraph, s.kind) for s in sentences] == [
        (0, "heading"), (1, "paragraph"), (1, "paragraph"), (2, "caption"), (3, "heading"),
        (4, "list_item"), (5, "list_item"), (6, "table_cell"), (7, "quote")]
    for s in sentences:
        assert ARTICLE.text[s.start:s.end] == s.text
        assert s.text in ARTICLE.blocks[s.paragraph].text
    # plain strings are paragraphs, as before
    assert {s.kind for s in segment(ARTICLE.paragraphs, "en")} == {"paragraph"}
    assert count_prose(sentences) == 5


# -- the ranker --------------------------------------------------------------------------
def _vectors(texts):
    return HashingEncoder().encode(texts)


def test_ranker_never_picks_what_the_mask_excludes():
    texts = [s.text for s in segment(ARTICLE.blocks)]
    kinds = [s.kind for s in segment(ARTICLE.blocks)]
    mask = summary_mask(texts, kinds, "en")
    words = [len(t.split()) for t in texts]
    for k in range(1, len(texts) + 1):
        chosen = [c.index for c in CentroidRanker().select(_vectors(texts), k, words, mask)]
        assert chosen and all(mask[i] for i in chosen)
    # without the mask the same ranker does pick the heading: the mask is what keeps it out
    blind = [c.index for c in CentroidRanker().select(_vectors(texts), 9, words)]
    assert any(not mask[i] for i in blind)


def test_ineligible_sentences_still_shape_the_centroid():
    texts = ["Flood waters rise across the river valley tonight",
             "Flood waters rose in the river valley as rain kept falling.",
             "The local football team won its match on Saturday afternoon."]
    mask = [False, True, True]
    vectors = _vectors(texts)
    inside = CentroidRanker().select(vectors, 1, [8, 11, 10], mask)
    outside = CentroidRanker(ineligible_in_centroid=False).select(vectors, 1, [8, 11, 10], mask)
    assert [c.index for c in inside] == [1]
    assert inside[0].similarity != outside[0].similarity


def test_ranker_checks_the_mask_length():
    with pytest.raises(ValueError):
        CentroidRanker().select(np.eye(3), 1, None, [True, False])


# -- the pipeline and the answer ---------------------------------------------------------
@pytest.fixture
def article_pipeline(monkeypatch, pipeline):
    """The pipeline, fed a hand-made Article instead of extracting one from HTML."""
    def use(article):
        monkeypatch.setattr(pipeline_module, "extract_article", lambda html, url=None: article)
        return pipeline
    return use


def test_summary_has_real_sentences_only_and_reports_kinds(article_pipeline):
    summary = article_pipeline(ARTICLE).summarize_html("<html></html>", sentences=7)
    assert [s.text for s in summary.sentences] == [
        "Heavy rain flooded the river valley overnight.", "Hundreds of families left home.",
        "Crews used boats to reach villages cut off by the river water.",
        "The governor declared a state of emergency on Tuesday."]
    assert [s.kind for s in summary.sentences] == ["paragraph", "paragraph", "list_item", "quote"]
    answer = summary.to_dict(include_text=True)
    # headings, captions and cells are still in the answer, as blocks, for an outline
    assert [b["kind"] for b in answer["blocks"]] == [b.kind for b in ARTICLE.blocks]
    for s in answer["sentences"]:
        block = answer["blocks"][s["paragraph"]]
        assert s["kind"] == block["kind"]
        assert block["start"] <= s["start"] < s["end"] <= block["end"]
    # the article text on either side, across block boundaries, cut at 80 characters
    first = answer["sentences"][0]
    assert first["context"]["before"] == "Flood waters rise across the valley"
    assert first["context"]["after"] == ARTICLE.text[first["end"]:first["end"] + 80].strip()
    assert first["context"]["after"].startswith("Hundreds of families left home.\n\nResidents")
    assert summary.stats.sentences_total == 9


def test_page_of_headings_only_is_no_article(article_pipeline):
    headings = Article(title="Index", byline=None, lang="en", blocks=tuple(
        Block(f"Chapter {i}: the story of the valley", "heading") for i in range(8)))
    with pytest.raises(NoArticle) as err:
        article_pipeline(headings).summarize_html("<html></html>")
    assert err.value.code == "no_article"
    assert "headings" in err.value.message


def test_too_few_prose_sentences_among_many_headings_is_no_article(article_pipeline):
    blocks = [Block(f"Section {i} of the guide", "heading") for i in range(6)]
    blocks.append(Block("The only paragraph says one thing and stops here."))
    with pytest.raises(NoArticle) as err:
        article_pipeline(Article(None, None, "en", tuple(blocks))).summarize_html("<p></p>")
    assert "Only 1 sentence" in err.value.message


def test_article_without_sentence_stops_is_still_summarized(article_pipeline):
    """Thai marks no sentence ends: the prose blocks' sentences are summarized, never the
    heading."""
    thai = Article(title=None, byline=None, lang="th", blocks=(
        Block("\u0e02\u0e48\u0e32\u0e27\u0e40\u0e28\u0e23\u0e29\u0e10\u0e01\u0e34\u0e08", "heading"),
        *(Block(t) for t in (
            "\u0e1d\u0e19\u0e15\u0e01\u0e2b\u0e19\u0e31\u0e01\u0e17\u0e33\u0e43\u0e2b\u0e49 "
            "\u0e19\u0e49\u0e33\u0e17\u0e48\u0e27\u0e21\u0e2b\u0e21\u0e39\u0e48\u0e1a\u0e49\u0e32\u0e19 "
            "\u0e2b\u0e25\u0e32\u0e22\u0e41\u0e2b\u0e48\u0e07 \u0e43\u0e19\u0e08\u0e31\u0e07\u0e2b\u0e27\u0e31\u0e14 "
            "\u0e40\u0e0a\u0e35\u0e22\u0e07\u0e43\u0e2b\u0e21\u0e48",
            "\u0e40\u0e08\u0e49\u0e32\u0e2b\u0e19\u0e49\u0e32\u0e17\u0e35\u0e48 \u0e43\u0e0a\u0e49 "
            "\u0e40\u0e23\u0e37\u0e2d \u0e0a\u0e48\u0e27\u0e22 \u0e0a\u0e32\u0e27\u0e1a\u0e49\u0e32\u0e19 "
            "\u0e17\u0e35\u0e48 \u0e15\u0e34\u0e14\u0e2d\u0e22\u0e39\u0e48",
            "\u0e42\u0e23\u0e07\u0e40\u0e23\u0e35\u0e22\u0e19 \u0e1b\u0e34\u0e14 \u0e08\u0e19\u0e16\u0e36\u0e07 "
            "\u0e27\u0e31\u0e19\u0e28\u0e38\u0e01\u0e23\u0e4c \u0e19\u0e35\u0e49 \u0e15\u0e32\u0e21 "
            "\u0e04\u0e33\u0e2a\u0e31\u0e48\u0e07 \u0e1c\u0e39\u0e49\u0e27\u0e48\u0e32"))))
    summary = article_pipeline(thai).summarize_html("<html></html>", sentences=3)
    assert summary.sentences
    assert {s.kind for s in summary.sentences} == {"paragraph"}


# -- the real model on a "best of" guide --------------------------------------------------
@pytest.mark.slow
def test_real_model_summarizes_a_guide_without_its_headings(real_pipeline):
    """A listicle whose headings say the topic best: the real model would choose the first
    heading, the pipeline chooses sentences only and still reports the headings as blocks."""
    from support import FIXTURES

    html = (FIXTURES / "pages" / "best_of_guide.html").read_text(encoding="utf-8")
    summary = real_pipeline.summarize_html(html, sentences=5)
    assert len(summary.sentences) == 5
    assert all(is_real_sentence(s.text, s.kind, "en") for s in summary.sentences)
    kinds = {b["kind"] for b in summary.to_dict(include_text=True)["blocks"]}
    assert {"heading", "list_item", "table_cell", "paragraph"} <= kinds

    class MaskBlind(CentroidRanker):
        def select(self, embeddings, k, words=None, eligible=None, sections=None):
            return super().select(embeddings, k, words, None, sections)

    from newsgist.pipeline import Pipeline
    blind = Pipeline(real_pipeline.settings, encoder=real_pipeline.encoder, ranker=MaskBlind())
    chosen = blind.summarize_html(html, sentences=5).sentences
    assert any(s.kind == "heading" for s in chosen), "the page no longer tempts the ranker"


# -- a summary's choice among the real sentences ---------------------------------------------
_FRENCH = ["« Nous ne reculerons pas », a lancé la ministre devant les députés.",
           "Le gouvernement a présenté mardi un plan de rénovation des écoles.",
           "\"C'est une première\", a salué un syndicat d'enseignants.",
           "Le budget atteint deux milliards d'euros sur cinq ans."]


def test_a_french_summary_leaves_out_sentences_that_open_on_a_quotation():
    eligible = summary_mask(_FRENCH, lang="fr")
    assert all(eligible)
    assert summary_choices(_FRENCH, eligible, "fr", 2) == [False, True, False, True]


def test_quote_led_sentences_come_back_when_too_few_others_are_left():
    eligible = summary_mask(_FRENCH, lang="fr")
    assert summary_choices(_FRENCH, eligible, "fr", 3) == eligible
    # ... and a sentence that is not eligible stays out either way.
    assert summary_choices(_FRENCH, [False, True, True, True], "fr", 2) == [
        False, True, False, True]


@pytest.mark.parametrize("lang", ["en", "de", None])
def test_other_languages_keep_every_real_sentence(lang):
    eligible = summary_mask(_FRENCH, lang=lang)
    assert summary_choices(_FRENCH, eligible, lang, 2) == eligible


def test_opening_quotation_marks():
    for text in ("« Oui », dit-il.", "“Yes,” he said.", "„Ja“, sagte er.", "\"Yes.\"", "‹ Non ›."):
        assert opens_with_quote(text)
    assert not opens_with_quote("He said « oui ».")


def test_the_pipeline_summarizes_french_without_its_quoted_hook(pipeline):
    text = " ".join(_FRENCH + [
        "Les travaux commenceront dans les écoles les plus anciennes dès la rentrée.",
        "Les communes pourront demander une aide à partir du mois de mars."])
    summary = pipeline.summarize_text(text, sentences=2)
    assert summary.article.lang == "fr" and len(summary.sentences) == 2
    assert not any(opens_with_quote(s.text) for s in summary.sentences)
    # Asked for all six, it takes them all: the quoted lines too.
    assert len(pipeline.summarize_text(text, sentences=6).sentences) == 6
