"""The history routes (a Flask blueprint ``api.create_app`` registers), and the
``remember`` field of ``POST /v1/summarize``.

They run behind the app's Host and Origin guard like every route; every bad
input is a JSON 400/404 with a code of ``errors.CODES``.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.routing import BaseConverter

from ..errors import InvalidInput, NewsGistError
from .export import entry_dict, to_markdown
from .reading import History
from .remember import RememberedSummary, summarize_remembered as _summarize_remembered
from .search import query_problem
from .store import HistoryUnavailable

bp = Blueprint("history", __name__)


class EntryIdConverter(BaseConverter):
    """Any path segment but ``export`` (``/v1/history/export`` is its own route, and its
    ``Allow`` header must not offer DELETE); the route itself checks that it is a number."""

    regex = r"(?!export(?![^/]))[^/]+"


bp.record_once(lambda state: state.app.url_map.converters.setdefault("entry_id",
                                                                     EntryIdConverter))

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# The export holds every entry up to this many (10,000 is the size measured).
EXPORT_LIMIT = 100_000
MAX_ID = 2**63 - 1   # SQLite's largest integer


def history_of(app) -> History:
    """The app's History, made on first use from its settings."""
    ext = app.extensions["newsgist"]
    if "history" not in ext:
        ext["history"] = History(ext["settings"])
    return ext["history"]


def remember_flag(body: dict) -> bool:
    """The ``remember`` field of a summary request (default false)."""
    remember = body.get("remember", False)
    if not isinstance(remember, bool):
        raise InvalidInput("'remember' must be true or false.", code="invalid_field")
    return remember


def summarize_remembered(pipeline, history: History, **request) -> RememberedSummary:
    """``remember.summarize_remembered``, a database that cannot be used told as a 503."""
    try:
        return _summarize_remembered(pipeline, history, **request)
    except (HistoryUnavailable, OSError, sqlite3.Error) as exc:
        raise NewsGistError(str(exc), code="history_unavailable") from None


def _history() -> History:
    history = history_of(current_app)
    try:
        history.store
    except (HistoryUnavailable, OSError, sqlite3.Error) as exc:
        raise NewsGistError(str(exc), code="history_unavailable") from None
    return history


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(f"'limit' must be a whole number from 1 to {MAX_LIMIT}.",
                           code="invalid_limit")
    return int(raw)


def _before() -> float | None:
    raw = request.args.get("before")
    if raw is None:
        return None
    try:
        if len(raw) > 40:
            raise ValueError(raw)
        when = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw)
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return when.timestamp()
    except (ValueError, OverflowError, OSError):
        raise InvalidInput("'before' must be a date and time in ISO 8601, as an entry's "
                           "`read_at` (e.g. 2026-05-01T12:00:00Z).", code="invalid_before") \
            from None


def _query() -> str | None:
    q = request.args.get("q")
    if q is None:
        return None
    if (problem := query_problem(q)) is not None:
        raise InvalidInput(problem, code="invalid_query")
    return q


def _embedder():
    """Embeds a query with the service's model; None while it loads (keywords only)."""
    pipeline = current_app.extensions["newsgist"]["pipeline"]
    if not pipeline.ready:
        return None, pipeline.model_name
    return (lambda q: pipeline.encoder.encode([q[:1000]])[0]), pipeline.model_name


@bp.get("/v1/history")
def list_history():
    q, limit, before = _query(), _limit(), _before()
    history = _history()
    if q is None:
        entries = history.entries(before=before, limit=limit)
    else:
        embed, model = _embedder()
        entries = history.search(q, model, embed, before=before, limit=limit)
    return jsonify(entries=[entry_dict(e) for e in entries])


@bp.get("/v1/history/export")
def export_history():
    shape = request.args.get("format", "markdown")
    if shape not in ("markdown", "json"):
        raise InvalidInput("'format' must be markdown or json.", code="invalid_format")
    entries = _history().entries(limit=EXPORT_LIMIT)
    if shape == "json":
        body = json.dumps({"entries": [entry_dict(e) for e in entries]}, ensure_ascii=False)
        return Response(body, mimetype="application/json",
                        headers={"Content-Disposition": 'attachment; filename="newsgist-history.json"'})
    return Response(to_markdown(entries), mimetype="text/markdown",
                    headers={"Content-Disposition": 'attachment; filename="newsgist-history.md"'})


@bp.delete("/v1/history/<entry_id:entry_id>")
def forget_entry(entry_id: str):
    if not entry_id.isascii() or not entry_id.isdigit() or len(entry_id) > 19 \
            or int(entry_id) > MAX_ID:
        raise InvalidInput("An entry id is a whole number (an entry's `id`).", code="invalid_id")
    if not _history().forget(int(entry_id)):
        raise NewsGistError(f"There is no history entry {int(entry_id)}.", code="unknown_entry")
    return jsonify(deleted=1)


@bp.delete("/v1/history")
def clear_history():
    return jsonify(deleted=_history().clear())
