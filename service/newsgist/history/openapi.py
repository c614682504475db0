"""The history's part of the OpenAPI document (``newsgist.openapi`` merges it in)."""

from __future__ import annotations

from .routes import DEFAULT_LIMIT, MAX_ID, MAX_LIMIT
from .search import MAX_QUERY_CHARS, QUERY_PATTERN

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _error(description: str) -> dict:
    return {"description": description, "content": _ERROR}


_COMMON = {"403": _error("The Host or Origin header is not allowed."),
           "503": _error("The history database cannot be used (`history_unavailable`).")}


def history_paths() -> dict:
    entries = {"application/json": {"schema": {"$ref": "#/components/schemas/HistoryList"}}}
    return {
        "/v1/history": {
            "get": {
                "operationId": "history",
                "summary": "Remembered pages, newest first; with `q`, the best matches first "
                           "(meaning and keywords).",
                "parameters": [
                    {"name": "q", "in": "query", "required": False,
                     "schema": {"type": "string", "minLength": 1,
                                "maxLength": MAX_QUERY_CHARS, "pattern": QUERY_PATTERN},
                     "description": "What to look for (words; no query syntax; no control "
                                    "characters)."},
                    {"name": "limit", "in": "query", "required": False,
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                                "default": DEFAULT_LIMIT}},
                    {"name": "before", "in": "query", "required": False,
                     "schema": {"type": "string", "format": "date-time"},
                     "description": "Only entries read before this time (ISO 8601; an "
                                    "entry's `read_at` gives the next page)."}],
                "responses": {
                    "200": {"description": "The entries.", "content": entries},
                    "400": _error("A malformed `q`, `limit` or `before` (`invalid_query`, "
                                  "`invalid_limit`, `invalid_before`)."),
                    **_COMMON}},
            "delete": {
                "operationId": "clearHistory", "summary": "Delete every entry.",
                "responses": {
                    "200": {"description": "How many were deleted.", "content": {
                        "application/json": {"schema": {
                            "$ref": "#/components/schemas/HistoryDeleted"}}}},
                    **_COMMON}},
        },
        "/v1/history/export": {"get": {
            "operationId": "exportHistory",
            "summary": "Every entry: Markdown (a dated list of links with their summaries) "
                       "or JSON.",
            "parameters": [{"name": "format", "in": "query", "required": False,
                            "schema": {"enum": ["markdown", "json"], "default": "markdown"}}],
            "responses": {
                "200": {"description": "The export (as a download).", "content": {
                    "text/markdown": {"schema": {"type": "string"}}, **entries}},
                "400": _error("An unknown `format` (`invalid_format`)."),
                **_COMMON}}},
        "/v1/history/{entry_id}": {"delete": {
            "operationId": "forgetEntry", "summary": "Delete one entry.",
            "parameters": [{"name": "entry_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}],
            "responses": {
                "200": {"description": "Deleted.", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/HistoryDeleted"}}}},
                "400": _error("The id is not a whole number (`invalid_id`)."),
                "404": _error("No entry has this id (`unknown_entry`)."),
                **_COMMON}}},
    }


def history_schemas() -> dict:
    nullable = {"type": ["string", "null"]}
    return {
        "HistoryEntry": {
            "type": "object",
            "required": ["id", "url", "title", "site", "lang", "read_at", "story", "summary"],
            "properties": {
                "id": {"type": "integer", "minimum": 1},
                "url": nullable, "title": nullable, "site": nullable, "lang": nullable,
                "read_at": {"type": "string", "format": "date-time",
                            "description": "When it was read (UTC)."},
                "story": {"type": "integer", "description": "The id of the story's first "
                          "entry: entries with the same `story` tell one story."},
                "summary": {"type": "array", "items": {"type": "string"},
                            "description": "The summary sentences shown."}}},
        "HistoryList": {
            "type": "object", "required": ["entries"],
            "properties": {"entries": {"type": "array",
                                       "items": {"$ref": "#/components/schemas/HistoryEntry"}}}},
        "HistoryDeleted": {"type": "object", "required": ["deleted"],
                           "properties": {"deleted": {"type": "integer", "minimum": 0}}},
        "Since": {
            "type": ["object", "null"], "required": ["read", "new"],
            "description": "With `remember`: the story's pages read in the last "
                           "NEWSGIST_HISTORY_STORY_DAYS days and this page's sentences that "
                           "add what their summaries did not say; null when no page of its "
                           "story was read (or history is off).",
            "properties": {
                "read": {"type": "array", "items": {
                    "type": "object", "required": ["url", "title", "read_at"],
                    "properties": {"url": nullable, "title": nullable,
                                   "read_at": {"type": "string", "format": "date-time"}}}},
                "new": {"type": "array",
                        "items": {"$ref": "#/components/schemas/SummarySentence"}}}},
    }


# Added to SummarizeRequest's and Summary's properties.
REMEMBER_FIELD = {"remember": {"type": "boolean", "default": False,
                               "description": "Keep the page in the reading history "
                                              "(URL, title, summary, vectors; never its "
                                              "text) and answer `since`."}}
SUMMARY_FIELDS = {"since": {"$ref": "#/components/schemas/Since"},
                  "history_id": {"type": ["integer", "null"],
                                 "description": "With `remember`: the entry's id (null when "
                                                "history is off)."}}
