"""Properties that must hold for *any* input (hypothesis):

* ``extract_article`` never raises on arbitrary HTML, except the documented
  ``NoArticle`` when there is nothing to read;
* every sentence span satisfies ``text[start:end] == sentence``;
* a summary is a subset of the article's sentences, in article order, at most
  N long;
* the HTTP API answers any JSON body with a summary or a documented 4xx error.

Generated pages mix article-like prose with the debris of the web: scripts,
styles, comments, entities (defined, numeric, undefined), broken and unclosed
tags, attributes that mark boilerplate, right-to-left and zero-width
characters, and plain garbage.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgist.api import create_app
from newsgist.config import Settings
from newsgist.errors import NoArticle
from newsgist.extract import Article, article_from_text, extract_article
from newsgist.openapi import ERROR_CODES
from newsgist.pipeline import Pipeline, unique_sentences
from newsgist.document import BLOCK_SEPARATOR
from newsgist.segment import segment
from support import HashingEncoder

PROPS = settings(max_examples=100, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

WORDS = ["the", "council", "approved", "budget", "for", "buses", "on", "Monday", "mayor",
         "said", "U.S.", "Mr.", "3.5%", "\u00e9t\u00e9", "\u0645\u062c\u0644\u0633",
         "\u05e2\u05d9\u05e8", "\u5e02\u957f", "\U0001F600", "\u200b", "\u00ad", "\ufeff",
         "\u202e", "e.g.", "...", "\u201cquote\u201d", "&amp;", "&#x1F600;", "&bogus;", "<",
         ">", "&"]
TAGS = ["p", "div", "span", "a", "b", "i", "article", "section", "main", "h1", "h2", "li",
        "ul", "table", "tr", "td", "blockquote", "figure", "figcaption", "aside", "nav",
        "footer", "header", "script", "style", "noscript", "template", "iframe", "svg", "br",
        "hr", "img", "button", "form", "time", "title", "pre", "code"]
CLASSES = ["byline", "share", "related", "caption", "ad", "story-body", "article-content",
           "newsletter", "twitter-tweet", "credit", ""]

words = st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=8))
sentence = st.builds(lambda ws, end: " ".join(ws) + end,
                     st.lists(words, min_size=1, max_size=14),
                     st.sampled_from([".", "!", "?", "", "...", "\u3002", "\u061f", ".\u201d"]))
prose = st.lists(sentence, min_size=1, max_size=6).map(" ".join)

attrs = st.builds(lambda c, extra: (f' class="{c}"' if c else "") + extra,
                  st.sampled_from(CLASSES),
                  st.sampled_from(["", ' id="main"', ' lang="ar"', ' dir="rtl"',
                                   ' href="javascript:x"', ' style="display:none"',
                                   ' data-x="<p>"', " hidden", ' onload="x()"']))
debris = st.sampled_from([
    "<!-- a comment -->", "<![CDATA[ data ]]>", "<!DOCTYPE html>", "<", "</", "</p>",
    "<p", "<div class=", "&", "&#", "&#x;", "&#xD800;", "&#0;", "&#1114112;", "\x00",
    "<?xml version='1.0'?>", "<script>var s = '</p>';</script>", "<style>p{}</style>",
    "<br/>", "<img src=x onerror=alert(1)>", "\r\n", "\t", "\u2028", "<html><body>",
    "</body></html>", "<meta charset='latin-1'>", "<base href='http://evil.example/'>"])


def element(children):
    return st.builds(lambda tag, a, kids: f"<{tag}{a}>{''.join(kids)}</{tag}>",
                     st.sampled_from(TAGS), attrs, st.lists(children, max_size=4))


fragments = st.recursive(st.one_of(prose, debris, st.text(max_size=30)), element,
                         max_leaves=25)
articleish = st.builds(
    lambda title, paras, noise_before, noise_after: (
        f"<html><head><title>{title}</title></head><body>{noise_before}<article>"
        + "".join(f"<p>{p}</p>" for p in paras) + f"</article>{noise_after}</body></html>"),
    prose, st.lists(prose, min_size=1, max_size=8), fragments, fragments)
html_pages = st.one_of(
    articleish,
    st.lists(fragments, max_size=6).map("".join),
    st.text(max_size=300),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
)


def extract_or_none(html: str) -> Article | None:
    try:
        return extract_article(html)
    except NoArticle as exc:  # the documented refusal: a stable code and a message
        assert exc.code in ERROR_CODES[422] and exc.message.strip()
        return None


def check_spans(article: Article) -> None:
    sentences = segment(article.paragraphs, article.lang)
    assert article.text == BLOCK_SEPARATOR.join(article.paragraphs)
    previous_end = 0
    for i, s in enumerate(sentences):
        assert s.index == i
        assert article.text[s.start:s.end] == s.text
        assert s.text.strip() == s.text and s.text
        assert s.start >= previous_end  # in order, never overlapping
        previous_end = s.end
        assert article.paragraphs[s.paragraph] in article.text


@PROPS
@given(html_pages)
def test_extract_article_never_raises_and_every_span_holds(html):
    article = extract_or_none(html)  # anything but NoArticle fails the test
    if article is not None:
        assert isinstance(article, Article)
        assert all(p.strip() for p in article.paragraphs)
        check_spans(article)


@PROPS
@given(st.text(max_size=2000))
def test_every_span_holds_for_arbitrary_text(text):
    check_spans(article_from_text(text))


_pipeline = Pipeline(Settings(min_article_sentences=1), encoder=HashingEncoder())


def check_summary_is_a_subsequence(article_sentences, summary, k: int) -> None:
    by_index = {s.index: s for s in article_sentences}
    chosen = [s.index for s in summary.sentences]
    assert chosen == sorted(set(chosen)), "not in article order, or repeated"
    for s in summary.sentences:
        original = by_index[s.index]
        assert (s.text, s.start, s.end, s.paragraph) == \
            (original.text, original.start, original.end, original.paragraph)
        assert summary.article.text[s.start:s.end] == s.text
    # At most N; fewer only when the article has fewer sentences that are not
    # repeats or near-repeats of one already chosen.
    available = len(unique_sentences(article_sentences[:_pipeline.settings.max_article_sentences]))
    assert 1 <= len(summary.sentences) <= min(k, available)


def check_summaries(inputs, summarize) -> None:
    """The subsequence property on generated inputs; an input with no article must be
    refused with a documented code, and at least a tenth of the inputs must reach a
    summary, so the property is checked and not skipped."""
    reached = []

    @PROPS
    @given(inputs, st.integers(min_value=1, max_value=20))
    def check(content, k):
        try:
            summary = summarize(content, sentences=k)
        except NoArticle as exc:
            assert exc.code in ERROR_CODES[422] and exc.message.strip()
            return
        reached.append(k)
        article_sentences = segment(summary.article.paragraphs, summary.article.lang)
        check_summary_is_a_subsequence(article_sentences, summary, k)

    check()
    assert len(reached) >= PROPS.max_examples // 10, f"only {len(reached)} summaries checked"


def test_summary_is_a_subset_of_the_article_in_order():
    check_summaries(html_pages, _pipeline.summarize_html)


def test_text_summary_is_a_subset_of_the_text_in_order():
    check_summaries(st.lists(prose, min_size=1, max_size=10).map("\n\n".join),
                    _pipeline.summarize_text)


# -- the HTTP face --------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                               max_size=4),
    max_leaves=10)
FIELDS = ["html", "text", "url", "title", "sentences", "length", "include_text"]
bodies = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(FIELDS), st.one_of(json_values, html_pages, prose,
                                                       st.just({}), st.just([]),
                                                       st.integers(-5, 30),
                                                       st.sampled_from(["short", "long"])),
                    max_size=5),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_any_json_body_gets_a_summary_or_a_documented_error(body):
    client = _api_client()
    r = client.post("/v1/summarize", data=json.dumps(body), content_type="application/json")
    assert r.is_json, r.data[:200]
    payload = r.get_json()
    if r.status_code == 200:
        assert isinstance(payload["sentences"], list)
        if isinstance(body, dict) and body.get("include_text") is True:
            for s in payload["sentences"]:
                assert payload["text"][s["start"]:s["end"]] == s["text"]
    else:
        assert r.status_code in (400, 422), (r.status_code, payload)
        assert payload["error"]["code"] in ERROR_CODES[r.status_code]


_client = None


def _api_client():
    global _client
    if _client is None:
        settings_ = Settings()
        _client = create_app(settings_, Pipeline(settings_, encoder=HashingEncoder())) \
            .test_client()
    return _client
