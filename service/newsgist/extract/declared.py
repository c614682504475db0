"""What the page says it is: its own declared type, read from its metadata.

A shop's product page declares itself a product to search engines, in
schema.org JSON-LD (``"@type": "Product"`` or ``"ProductGroup"``, also inside
``@graph`` or a ``mainEntity``), in microdata (``itemtype=".../Product"``) or
in Open Graph (``og:type`` ``product``, ``product.group``, ...).  readability
looks for one best block of prose, and on a product page that is often one
review or one blurb; trafilatura keeps the description and the specifications
as well, which is what the page's main content is (see ``extract_article`` and
docs/extraction.md, "Pages that are not articles", for the measurement).
A page that also declares an article anywhere (``NewsArticle``, ``BlogPosting``,
... in JSON-LD or microdata) is an article about a product, a review: it is
read as an article.  ``og:type`` "article" does not count, shops' templates
set it on product pages.
"""

from __future__ import annotations

import json

import lxml.etree
import lxml.html

PRODUCT_TYPES = frozenset({"product", "productgroup"})
_JSON_LD = lxml.etree.XPath('//script[@type="application/ld+json"]')
_OG_TYPE = lxml.etree.XPath('//meta[@property="og:type"]/@content')
_ITEMTYPES = lxml.etree.XPath("//@itemtype")
# A page's JSON-LD is small; a bound keeps a hostile page from costing much.
MAX_JSON_LD_CHARS = 200_000
MAX_NODES = 2_000


def declares_product(root: lxml.html.HtmlElement) -> bool:
    """Does the page declare itself a product (JSON-LD, microdata or og:type),
    and no article?"""
    types = json_ld_types(root) | {_short(t) for v in _ITEMTYPES(root) for t in str(v).split()}
    if any(_is_article(t) for t in types):
        return False
    og = [v.strip().lower() for v in _OG_TYPE(root)]
    return bool(PRODUCT_TYPES & types) or any(v == "product" or v.startswith("product.")
                                              for v in og)


def _is_article(schema_type: str) -> bool:
    """schema.org's Article and its kinds (NewsArticle, TechArticle, ...), blog posts."""
    return schema_type.endswith("article") or schema_type.endswith("blogposting")


def json_ld_types(root: lxml.html.HtmlElement) -> set[str]:
    """The lower-cased schema.org ``@type``s in the page's JSON-LD (top level,
    ``@graph`` and ``mainEntity``), unparsable scripts skipped."""
    types: set[str] = set()
    for script in _JSON_LD(root):
        text = script.text_content()
        if len(text) > MAX_JSON_LD_CHARS:
            continue
        try:
            stack = [json.loads(text)]
        except ValueError:
            continue
        seen = 0
        while stack and seen < MAX_NODES:
            node = stack.pop()
            seen += 1
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                declared = node.get("@type")
                for t in declared if isinstance(declared, list) else [declared]:
                    if isinstance(t, str):
                        types.add(_short(t))
                stack.extend(node[k] for k in ("@graph", "mainEntity") if k in node)
    return types


def _short(schema_type: str) -> str:
    """``https://schema.org/Product`` or ``schema:Product`` -> ``product``."""
    return schema_type.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
