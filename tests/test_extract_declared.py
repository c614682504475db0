"""Pages that declare their own type: a declared product is read by trafilatura.

The rule (``extract.declared``, used by ``extract_article``) was chosen on the
tuning half of the WCXB developer set; these tests check what it does, on a
page written for it and on small declarations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsgist.extract import clean_blocks, extract_article, page_metadata, parse_html
from newsgist.extract.declared import declares_product, json_ld_types
from newsgist.extract.second import trafilatura_blocks

PAGES = Path(__file__).parent / "fixtures" / "pages"
PRODUCT = (PAGES / "declared_product.html").read_text(encoding="utf-8")
JSON_LD = re.compile(r'<script type="application/ld\+json">.*?</script>', re.S)


def head(inner: str) -> str:
    return f"<html><head>{inner}</head><body><p>Text.</p></body></html>"


@pytest.mark.parametrize("inner", [
    '<script type="application/ld+json">{"@type": "Product", "name": "Kettle"}</script>',
    '<script type="application/ld+json">[{"@type": ["Thing", "ProductGroup"]}]</script>',
    '<script type="application/ld+json">{"@graph": [{"@type": "WebPage",'
    ' "mainEntity": {"@type": "https://schema.org/Product"}}]}</script>',
    '<meta property="og:type" content="product">',
    '<meta property="og:type" content="Product.Group">',
])
def test_a_page_declared_a_product_is_one(inner):
    assert declares_product(parse_html(head(inner)))


def test_microdata_declares_a_product():
    html = ('<html><body><div itemscope itemtype="https://schema.org/Product">'
            '<p itemprop="name">Kettle</p></div></body></html>')
    assert declares_product(parse_html(html))


@pytest.mark.parametrize("inner", [
    '<script type="application/ld+json">{"@type": "NewsArticle", "about":'
    ' {"@type": "Product"}}</script>',  # a product mentioned, not the page's type
    '<script type="application/ld+json">{"@type": "BlogPosting"}</script>',
    '<script type="application/ld+json">{"@type": "Product",</script>',  # broken JSON
    '<meta property="og:type" content="article">',
    '<script type="application/ld+json">[{"@type": "Product"}, {"@type": "Review"},'
    ' {"@type": "BlogPosting"}]</script>',  # a review of a product is an article
    '<meta property="og:type" content="website">',
    '',
])
def test_other_pages_are_not_declared_products(inner):
    assert not declares_product(parse_html(head(inner)))


def test_a_product_inside_an_article_in_microdata_is_an_article():
    html = ('<html><body><article itemscope itemtype="http://schema.org/NewsArticle">'
            '<div itemscope itemtype="http://schema.org/CreativeWork http://schema.org/Product">'
            '</div><p>Text.</p></article></body></html>')
    assert not declares_product(parse_html(html))


def test_og_type_article_does_not_hide_a_declared_product():
    assert declares_product(parse_html(head(
        '<meta property="og:type" content="article"><script type="application/ld+json">'
        '{"@type": "Product"}</script>')))


def test_json_ld_types_are_short_and_lower_case():
    root = parse_html(head('<script type="application/ld+json">{"@graph": ['
                           '{"@type": "schema:BreadcrumbList"}, {"@type": "FAQPage"}]}</script>'))
    assert json_ld_types(root) == {"breadcrumblist", "faqpage"}


def _trafilatura_text(html: str) -> str:
    root = parse_html(html)
    meta = page_metadata(root)
    blocks = clean_blocks(trafilatura_blocks(root), title=meta["title"], byline=meta["byline"])
    return " ".join(b.text for b in blocks)


def test_a_declared_product_page_is_read_by_the_second_opinion():
    article = extract_article(PRODUCT)
    assert " ".join(b.text for b in article.blocks) == _trafilatura_text(PRODUCT)
    assert "Capacity 1.7 litres" in article.text
    assert "every morning for six months" in article.text


def test_the_same_page_without_its_declaration_stays_with_readability():
    plain = JSON_LD.sub("", PRODUCT)
    assert not declares_product(parse_html(plain))
    article = extract_article(plain)
    assert " ".join(b.text for b in article.blocks) != _trafilatura_text(plain)
    assert "Removable limescale filter that rinses clean" in article.text
