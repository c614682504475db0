"""The OpenAPI 3.1 description of the HTTP API, served at ``/openapi.json``.

Kept as data beside the code it describes; ``tests/test_openapi.py`` checks
real answers against it, so it cannot drift silently.
"""

from __future__ import annotations

from . import __version__
from .config import LENGTH_PRESETS, Settings
from .document import BLOCK_KINDS

ERROR_CODES = {
    400: ["invalid_input", "invalid_json", "invalid_encoding", "invalid_field", "invalid_sentences",
          "invalid_length", "missing_content", "ambiguous_content", "bad_request"],
    403: ["forbidden_host", "forbidden_origin"],
    404: ["not_found"],
    405: ["method_not_allowed"],
    413: ["body_too_large"],
    415: ["unsupported_media_type"],
    422: ["no_article", "empty_input", "empty_page", "not_html", "not_an_article",
          "pdf_document", "link_list", "login_wall", "cookie_wall", "bot_check", "paywall",
          "page_too_complex"],
    500: ["internal_error"],
    503: ["model_loading", "overloaded", "model_unavailable"],
    504: ["timeout"],
    # Never received: the client had closed the connection.  Listed so the code
    # the access log shows is documented too; no route answers it.
    499: ["client_closed"],
}

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
    settings = settings or Settings()
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
            "Summary": {
                "type": "object",
                "required": ["title", "byline", "lang", "url", "sentences", "stats", "model",
                             "timings_ms", "truncated", "warnings"],
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
            "Health": {
                "type": "object", "required": ["status", "model", "version"],
                "properties": {"status": {"enum": ["ok", "loading"]},
                               "model": {"type": "string"}, "version": {"type": "string"}},
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
