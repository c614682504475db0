"""The OpenAPI 3.1 description of the HTTP API, served at ``/openapi.json``.

Kept as data beside the code it describes; ``tests/test_openapi.py`` checks
real answers against it, so it cannot drift silently.
"""

from __future__ import annotations

from . import __version__
from .config import LENGTH_PRESETS, Settings
from .document import BLOCK_KINDS
from .errors import CODES
from .outline import OUTLINE_MAX_ENTRIES

# The error codes by HTTP status, from errors.CODES (the one list).
ERROR_CODES: dict[int, list[str]] = {}
for _code, _status in CODES.items():
    ERROR_CODES.setdefault(_status, []).append(_code)

# Why a page of a digest is listed in `failed` (the digest itself succeeds).
PAGE_FAILURE_CODES = ERROR_CODES[422] + ["page_too_large", "timeout", "internal_error"]

_DESCRIPTIONS = {
    400: "Malformed JSON or an invalid field.",
    403: "The Host or Origin header is not allowed (only localhost and the extension).",
    404: "No such route.",
    405: "Method not allowed on this route.",
    413: "The request body is over the size limit.",
    415: "The body is not `application/json` (or is compressed).",
    422: "The input holds no readable article; the message says what was found.",
    500: "An unexpected failure; the service keeps running.",
    503: "The model is loading or the service is busy; see Retry-After.",
    504: "The request ran past its deadline.",
}


def openapi_document(settings: Settings | None = None) -> dict:
    document = _core_document(settings or Settings())
    # The reading history's routes and fields (newsgist.history.openapi).
    from .history import openapi as history
    document["paths"].update(history.history_paths())
    schemas = document["components"]["schemas"]
    schemas.update(history.history_schemas())
    schemas["SummarizeRequest"]["properties"].update(history.REMEMBER_FIELD)
    schemas["Summary"]["properties"].update(history.SUMMARY_FIELDS)
    return document


def _core_document(settings: Settings) -> dict:
    error_ref = {"$ref": "#/components/schemas/Error"}

    def errors(*statuses: int) -> dict:
        return {str(s): {"description": _DESCRIPTIONS[s],
                         "content": {"application/json": {"schema": error_ref}}}
                for s in statuses}

    number = {"type": "number"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "NewsGist", "version": __version__,
                 "description": "Local extractive summaries of news pages."},
        "servers": [{"url": f"http://127.0.0.1:{settings.port}"}],
        "paths": {
            "/v1/summarize": {"post": {
                "operationId": "summarize",
                "summary": "Summarize a page's HTML or plain text.",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/SummarizeRequest"}}}},
                "responses": {
                    "200": {"description": "The summary.", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Summary"}}}},
                    **errors(400, 403, 413, 415, 422, 500, 503, 504)},
            }},
            "/v1/digest": {"post": {
                "operationId": "digest",
                "summary": "Group several pages (a window of tabs) into stories and summarize "
                           "each story once across its sources.",
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/DigestRequest"}}}},
                "responses": {
                    "200": {"description": "The digest. Pages without an article are listed "
                                           "in `failed`; they never fail the digest.",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Digest"}}}},
                    **errors(400, 403, 413, 415, 500, 503, 504)},
            }},
            "/v1/health": {"get": {
                "operationId": "health", "summary": "Whether the model is loaded.",
                "responses": {"200": {"description": "Service status.", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
                    **errors(403)}}},
            "/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document.",
                "responses": {"200": {"description": "OpenAPI 3.1 document.",
                                      "content": {"application/json": {
                                          "schema": {"type": "object"}}}},
                              **errors(403)}}},
        },
        "components": {"schemas": {
            "SummarizeRequest": {
                "type": "object",
                "description": "Exactly one of `html` or `text`; `sentences` or `length`, "
                               "not both.",
                "properties": {
                    "html": {"type": "string", "description": "The page's HTML."},
                    "text": {"type": "string",
                             "description": "Plain text; paragraphs separated by blank lines."},
                    "url": {"type": "string"},
                    "title": {"type": "string",
                              "description": "Used when the page has no title of its own."},
                    "sentences": {"type": "integer", "minimum": 1,
                                  "maximum": settings.max_sentences,
                                  "default": settings.default_sentences},
                    "length": {"enum": list(LENGTH_PRESETS),
                               "description": "short, medium, long = "
                                              + ", ".join(map(str, LENGTH_PRESETS.values()))
                                              + " sentences."},
                    "include_text": {"type": "boolean", "default": False},
                },
                "oneOf": [{"required": ["html"], "not": {"required": ["text"]}},
                          {"required": ["text"], "not": {"required": ["html"]}}],
                "not": {"required": ["sentences", "length"]},
            },
            "SummarySentence": {
                "type": "object",
                "required": ["text", "index", "paragraph", "kind", "start", "end", "score",
                             "why", "context"],
                "properties": {
                    "text": {"type": "string", "description": "Verbatim from the article text."},
                    "index": {"type": "integer", "minimum": 0,
                              "description": "Position among the article's sentences."},
                    "paragraph": {"type": "integer", "minimum": 0,
                                  "description": "Index of the block that holds it "
                                                 "(`blocks`, with `include_text`)."},
                    "kind": {"enum": list(BLOCK_KINDS), "description": "Its block's kind. "
                             "Only sentences of prose blocks are chosen while the article "
                             "has any."},
                    "context": {"type": "object", "required": ["before", "after"],
                                "description": "Article text next to the sentence (up to 80 "
                                "characters each side), to tell its copy in the article from "
                                "one elsewhere on the page.",
                                "properties": {"before": {"type": "string"},
                                               "after": {"type": "string"}}},
                    "start": {"type": "integer", "minimum": 0,
                              "description": "Offset into the article text (`text`)."},
                    "end": {"type": "integer", "minimum": 0},
                    "score": {**number, "minimum": 0, "maximum": 1,
                              "description": "The share of the lead-weighted article this "
                              "sentence adds to the summary's coverage (0..1; the scores of a "
                              "summary add up to its coverage). See docs/method.md."},
                    "why": {"type": "object", "required": ["centroid_similarity",
                                                           "position_weight"],
                            "properties": {
                                "centroid_similarity": {
                                    **number, "description": "Cosine between the sentence and "
                                    "the lead-weighted centroid of the article."},
                                "position_weight": {
                                    **number, "description": "The sentence's position weight: "
                                    "1 / (1 + its position among the article's distinct "
                                    "sentences), normalised to sum to 1 (news puts the main "
                                    "facts first). Its weight in the centroid is this times "
                                    "its centrality (mean cosine to the other sentences)."}}},
                },
            },
            "OutlineEntry": {
                "type": "object",
                "required": ["heading", "level", "start", "end", "sentence", "children"],
                "properties": {
                    "heading": {"type": "string", "description": "The heading's text."},
                    "level": {"type": "integer", "minimum": 1, "maximum": 6,
                              "description": "1-6, from <h1>-<h6> (or aria-level; a bold "
                                             "line: one below the heading before it)."},
                    "start": {"type": "integer", "minimum": 0,
                              "description": "The heading's offset in the article text."},
                    "end": {"type": "integer", "minimum": 0},
                    "sentence": {"oneOf": [{"$ref": "#/components/schemas/SummarySentence"},
                                           {"type": "null"}],
                                 "description": "The real sentence of the section's own text "
                                 "that best stands for it (null when it holds none); `score` "
                                 "and `why` are within the section."},
                    "children": {"type": "array", "description": "Its subsections' entries.",
                                 "items": {"$ref": "#/components/schemas/OutlineEntry"}},
                },
            },
            "Summary": {
                "type": "object",
                "required": ["title", "byline", "lang", "url", "sentences", "stats", "model",
                             "timings_ms", "truncated", "warnings", "outline",
                             "outline_truncated", "outline_kind"],
                "properties": {
                    "title": {"type": ["string", "null"]},
                    "byline": {"type": ["string", "null"]},
                    "lang": {"type": ["string", "null"]},
                    "url": {"type": ["string", "null"]},
                    "sentences": {"type": "array",
                                  "items": {"$ref": "#/components/schemas/SummarySentence"}},
                    "stats": {"type": "object", "required": [
                        "sentences_total", "words_total", "summary_words",
                        "reading_minutes_article", "reading_minutes_summary"],
                        "properties": {"sentences_total": {"type": "integer"},
                                       "words_total": {"type": "integer"},
                                       "summary_words": {"type": "integer"},
                                       "reading_minutes_article": number,
                                       "reading_minutes_summary": number}},
                    "model": {"type": "string"},
                    "timings_ms": {"type": "object", "additionalProperties": number},
                    "truncated": {"type": "boolean",
                                  "description": "Only the first sentences (a configurable "
                                                 "budget) were considered."},
                    "cached": {"type": "boolean",
                               "description": "The embeddings came from the cache."},
                    "warnings": {"type": "array", "items": {"type": "string"}},
                    "outline": {
                        "type": ["array", "null"], "maxItems": OUTLINE_MAX_ENTRIES,
                        "items": {"$ref": "#/components/schemas/OutlineEntry"},
                        "description": "A page built of sections (at least 3 headings of its "
                        "own with text under them): its headings in page order, nested by "
                        f"level, at most {OUTLINE_MAX_ENTRIES} entries in all. null for any "
                        "other page (a news story). See docs/method.md."},
                    "outline_truncated": {"type": "boolean", "description": "The page has "
                                          f"more than {OUTLINE_MAX_ENTRIES} sections."},
                    "outline_kind": {"enum": ["list", "sections", None], "description":
                                     "`list` when most sections are headed by the names of "
                                     "items (a \"10 best ...\" page), `sections` for other "
                                     "pages with an outline, null without one."},
                    "text": {"type": "string", "description": "The article text, when "
                             "`include_text` was true; sentence offsets point into it."},
                    "blocks": {"type": "array", "description": "With `include_text`: the "
                               "article's blocks in order, with offsets into `text`.",
                               "items": {"type": "object", "required": ["kind", "start", "end"],
                                         "properties": {
                                             "kind": {"enum": list(BLOCK_KINDS)},
                                             "start": {"type": "integer", "minimum": 0},
                                             "end": {"type": "integer", "minimum": 0}}}},
                },
            },
            "DigestRequest": {
                "type": "object", "required": ["pages"],
                "description": f"At most {settings.max_digest_pages} pages and "
                               f"{settings.max_digest_bytes} bytes in all (each page at most "
                               f"{settings.max_body_bytes}); `sentences` (per story) or "
                               "`length`, not both.",
                "properties": {
                    "pages": {"type": "array", "minItems": 1,
                              "maxItems": settings.max_digest_pages,
                              "items": {"$ref": "#/components/schemas/DigestPage"}},
                    "sentences": {"type": ["integer", "null"], "minimum": 1,
                                  "maximum": settings.max_sentences,
                                  "default": settings.default_sentences,
                                  "description": "Sentences per story (and per single)."},
                    "length": {"enum": [*LENGTH_PRESETS, None]},
                },
                # A null field counts as absent.
                "not": {"required": ["sentences", "length"],
                        "properties": {"sentences": {"type": "number"},
                                       "length": {"type": "string"}}},
            },
            "DigestPage": {
                "type": "object",
                "description": "One page: exactly one of `html` or `text` (a null field "
                               "counts as absent).",
                "properties": {"html": {"type": ["string", "null"]},
                               "text": {"type": ["string", "null"]},
                               "url": {"type": ["string", "null"]},
                               "title": {"type": ["string", "null"]}},
                "oneOf": [{"required": [a], "properties": {a: {"type": "string"}},
                           "not": {"required": [b], "properties": {b: {"type": "string"}}}}
                          for a, b in (("html", "text"), ("text", "html"))],
            },
            "Digest": {
                "type": "object",
                "required": ["stories", "singles", "failed", "model", "timings_ms", "cached",
                             "warnings"],
                "properties": {
                    "stories": {"type": "array", "description": "Groups of two or more pages "
                                "about the same event, most sources first.",
                                "items": {"$ref": "#/components/schemas/Story"}},
                    "singles": {"type": "array", "description": "Pages about a story of their "
                                "own, each summarized as `/v1/summarize` would, in page order.",
                                "items": {"allOf": [
                                    {"$ref": "#/components/schemas/Summary"},
                                    {"type": "object", "required": ["page", "site"],
                                     "properties": {"page": {"type": "integer", "minimum": 0},
                                                    "site": {"type": ["string", "null"]}}}]}},
                    "failed": {"type": "array", "description": "Pages that gave no article, "
                               "in page order.",
                               "items": {"$ref": "#/components/schemas/PageFailure"}},
                    "model": {"type": "string"},
                    "timings_ms": {"type": "object", "additionalProperties": number,
                                   "description": "read (wall clock of reading all pages), "
                                   "extract and segment (summed over pages), embed, group, "
                                   "rank, total."},
                    "cached": {"type": "boolean",
                               "description": "Every embedding came from the cache."},
                    "warnings": {"type": "array", "items": {"type": "string"}},
                },
            },
            "Story": {
                "type": "object", "required": ["title", "sources", "sentences"],
                "properties": {
                    "title": {"type": "string", "description": "The most central headline."},
                    "sources": {"type": "array", "minItems": 2, "items": {
                        "type": "object", "required": ["page", "url", "title", "site"],
                        "properties": {
                            "page": {"type": "integer", "minimum": 0,
                                     "description": "Index of the page in the request."},
                            "url": {"type": ["string", "null"]},
                            "title": {"type": ["string", "null"]},
                            "site": {"type": ["string", "null"],
                                     "description": "The URL's host, without `www.`."}}}},
                    "sentences": {"type": "array", "items": {
                        "type": "object",
                        "required": ["text", "source", "index", "paragraph", "start", "end",
                                     "score", "also_in"],
                        "properties": {
                            "text": {"type": "string"},
                            "source": {"type": "integer", "minimum": 0,
                                       "description": "Index into the story's `sources`."},
                            "index": {"type": "integer", "minimum": 0,
                                      "description": "Position among that article's "
                                                     "sentences."},
                            "paragraph": {"type": "integer", "minimum": 0},
                            "start": {"type": "integer", "minimum": 0,
                                      "description": "Offset into that article's text."},
                            "end": {"type": "integer", "minimum": 0},
                            "score": {**number, "minimum": 0, "maximum": 1,
                                      "description": "The share of the story (every source "
                                      "counting equally) this sentence adds to the summary."},
                            "also_in": {"type": "array",
                                        "items": {"type": "integer", "minimum": 0},
                                        "description": "Other sources carrying a "
                                        "near-identical sentence (cosine > 0.85)."}}}},
                },
            },
            "PageFailure": {
                "type": "object", "required": ["page", "url", "title", "site", "error"],
                "properties": {
                    "page": {"type": "integer", "minimum": 0},
                    "url": {"type": ["string", "null"]},
                    "title": {"type": ["string", "null"]},
                    "site": {"type": ["string", "null"]},
                    "error": {"type": "object", "required": ["code", "message"], "properties": {
                        "code": {"enum": PAGE_FAILURE_CODES}, "message": {"type": "string"}}},
                },
            },
            "Health": {
                "type": "object", "required": ["status", "model", "version", "lengths"],
                "properties": {"status": {"enum": ["ok", "loading"]},
                               "model": {"type": "string"}, "version": {"type": "string"},
                               "lengths": {
                                   "type": "object",
                                   "description": "Sentences in a summary of each `length`.",
                                   "properties": {k: {"const": n}
                                                  for k, n in LENGTH_PRESETS.items()},
                                   "required": list(LENGTH_PRESETS),
                                   "additionalProperties": False},
                               "languages": {
                                   "type": ["array", "null"], "items": {"type": "string"},
                                   "description": "Languages (ISO 639-1) served by a model "
                                                  "that knows them; null: many, not listed."}},
            },
            "Error": {
                "type": "object", "required": ["error"],
                "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {
                        "code": {"enum": sorted({c for cs in ERROR_CODES.values() for c in cs})},
                        "message": {"type": "string"}}}},
            },
        }},
    }
