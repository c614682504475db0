"""The HTTP face: a Flask application factory and the ``/v1`` blueprint.

Security is checked before any work, in this order: the Host header (DNS
rebinding), the Origin (web pages may not drive the service), then the
request's shape.  Every answer that is not a summary is JSON
``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import traceback
from typing import Any

from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from . import __version__
from .config import LENGTH_PRESETS, Settings, preset_sentences
from .deadline import Deadline
from .errors import BodyTooLarge, InvalidInput, ModelNotReady, NewsGistError, Overloaded
from .inputs import json_object, optional_field, page_field
from .memory import MemoryTrim
from .multilingual import pipeline_languages
from .stories import Page, build_digest
from .history import routes as history_routes
from .openapi import openapi_document
from .pipeline import Pipeline, check_sentence_count

log = logging.getLogger("newsgist.access")

bp = Blueprint("v1", __name__)


class Admission:
    """Bounded count of summaries in progress or waiting: more get a quick 503."""

    def __init__(self, limit: int):
        self.limit = limit
        self._count = 0
        self._lock = threading.Lock()

    def __enter__(self) -> "Admission":
        with self._lock:
            if self._count >= self.limit:
                raise Overloaded("The service is busy with other summaries; try again shortly.",
                                 headers={"Retry-After": "1"})
            self._count += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        with self._lock:
            self._count -= 1

    @property
    def in_progress(self) -> int:
        """Summaries admitted and not yet answered."""
        return self._count


def create_app(settings: Settings | None = None, pipeline: Pipeline | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, JSON_SORT_KEYS=False)
    app.extensions["newsgist"] = {
        "settings": settings,
        "pipeline": pipeline or Pipeline(settings),
        "admission": Admission(settings.max_queue),
        "memory": MemoryTrim(),
    }
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    # CORS headers only for the extension's own origins (never "*").
    CORS(app, origins=[rf"^{re.escape(p)}[A-Za-z0-9@._-]+$"
                       for p in settings.allowed_origin_prefixes],
         methods=["GET", "POST", "DELETE", "OPTIONS"], allow_headers=["Content-Type"], max_age=600)
    app.before_request(_guard)
    app.after_request(_log_request)
    app.register_blueprint(bp)
    app.register_blueprint(history_routes.bp)   # /v1/history (newsgist.history)
    app.register_error_handler(NewsGistError, _newsgist_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def _ext() -> dict:
    return current_app.extensions["newsgist"]


# -- guards -------------------------------------------------------------------------
def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _guard():
    g.started = time.perf_counter()
    g.started_monotonic = time.monotonic()
    settings: Settings = _ext()["settings"]
    host = _host_name(request.headers.get("Host", ""))
    if host not in settings.allowed_hosts:
        raise NewsGistError(f"Host {host!r} is not allowed: NewsGist answers only on localhost.",
                            code="forbidden_host")
    origin = request.headers.get("Origin")
    if origin is not None and not origin.startswith(settings.allowed_origin_prefixes):
        raise NewsGistError(f"Origin {origin!r} is not allowed: only the NewsGist browser "
                            "extension and local programs may use this service.",
                            code="forbidden_origin")
    return None


def _log_request(response):
    started = g.get("started")
    elapsed = (time.perf_counter() - started) * 1000 if started else 0.0
    # Method, path, status, sizes and time only: page contents never reach the log.
    log.info("%s %s %s in=%s out=%s %.1fms", request.method, request.path, response.status_code,
             request.content_length or 0, response.calculate_content_length() or 0, elapsed)
    _ext()["memory"].after(request.content_length or 0)
    return response


# -- errors -----------------------------------------------------------------------
# Werkzeug's own refusals, by status, as codes of errors.CODES.
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
              413: "body_too_large", 415: "unsupported_media_type"}


def _newsgist_error(exc: NewsGistError):
    response = jsonify(exc.to_dict())
    response.status_code = exc.status
    for k, v in exc.headers.items():
        response.headers[k] = v
    return response


def _http_error(exc: HTTPException):
    status = exc.code or 500
    if status == 413:
        return _newsgist_error(BodyTooLarge(request.max_content_length
                                                  or _ext()["settings"].max_body_bytes))
    # A refusal with no code of its own (none is known to happen) is a bad request,
    # or a failure of the service.
    code = HTTP_CODES.get(status) or ("bad_request" if status < 500 else "internal_error")
    # Keep the headers HTTP requires with the status (Allow on a 405).
    headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
    return _newsgist_error(NewsGistError(exc.description or exc.name, code=code, status=status,
                                         headers=headers))


def _unexpected_error(exc: Exception):
    # Where it failed, never the exception's message: it may quote the page.
    frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
    log.error("unexpected %s on %s %s (message withheld: it may hold page text)\n%s",
              type(exc).__name__, request.method, request.path, frames.rstrip())
    return _newsgist_error(NewsGistError("NewsGist failed on this request; the service is still "
                                         "running. Please report the page that caused it.",
                                         code="internal_error"))


# -- routes -----------------------------------------------------------------------
@bp.get("/v1/health")
def health():
    pipeline: Pipeline = _ext()["pipeline"]
    # lengths: what each `length` means, for any client.  The extension keeps its own copy
    # (extension/lib/constants.js, tied to config.LENGTH_PRESETS by a test) for its buttons.
    # languages: those a model that knows them serves (null: many, not listed).
    return jsonify(status="ok" if pipeline.ready else "loading", model=pipeline.model_name,
                   version=__version__, lengths=LENGTH_PRESETS,
                   languages=pipeline_languages(pipeline))


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(_ext()["settings"]))


@bp.post("/v1/summarize")
def summarize():
    settings: Settings = _ext()["settings"]
    _require_json()
    body = _json_body()
    kind, content = page_field(body)
    url = optional_field(body, "url")
    title = optional_field(body, "title")
    count = _requested_sentences(body, settings)
    include_text = body.get("include_text", False)
    if not isinstance(include_text, bool):
        raise InvalidInput("'include_text' must be true or false.", code="invalid_field")
    remember = history_routes.remember_flag(body)
    pipeline = _ready_pipeline()
    deadline = _request_deadline(settings.request_timeout)
    with _ext()["admission"]:
        if remember:
            summary = history_routes.summarize_remembered(
                pipeline, history_routes.history_of(current_app), **{kind: content}, url=url,
                title=title, sentences=count, deadline=deadline)
        elif kind == "html":
            summary = pipeline.summarize_html(content, url=url, title=title, sentences=count,
                                              deadline=deadline)
        else:
            summary = pipeline.summarize_text(content, url=url, title=title, sentences=count,
                                              deadline=deadline)
    return jsonify(summary.to_dict(include_text=include_text))


@bp.post("/v1/digest")
def digest():
    """Several pages (a window of tabs) -> the stories behind them (newsgist.stories)."""
    settings: Settings = _ext()["settings"]
    _require_json()
    request.max_content_length = settings.max_digest_bytes
    body = _json_body()
    pages = _digest_pages(body, settings)
    count = _requested_sentences(body, settings)
    pipeline = _ready_pipeline()
    deadline = _request_deadline(settings.digest_timeout)
    with _ext()["admission"]:
        result = build_digest(pipeline, pages, count, deadline)
    return jsonify(result.to_dict())


def _ready_pipeline() -> Pipeline:
    """The app's pipeline, once its model has loaded (503 with Retry-After until then)."""
    pipeline: Pipeline = _ext()["pipeline"]
    if not pipeline.ready:
        raise ModelNotReady("The model is still loading; try again in a moment.",
                            headers={"Retry-After": "1"})
    return pipeline


def _request_deadline(seconds: float) -> Deadline:
    # The deadline runs from the start of the request; under waitress it also
    # notices a client that closed the connection, so abandoned work stops early.
    return Deadline(seconds, start=g.started_monotonic,
                    cancelled=request.environ.get("waitress.client_disconnected"))


def _digest_pages(body: dict, settings: Settings) -> list[Page]:
    pages = body.get("pages")
    if not isinstance(pages, list) or not pages:
        raise InvalidInput("'pages' must be a non-empty list of pages, each "
                           "{\"html\" or \"text\", \"url\", \"title\"}.", code="invalid_pages")
    if len(pages) > settings.max_digest_pages:
        raise InvalidInput(f"A digest takes at most {settings.max_digest_pages} pages, not "
                           f"{len(pages)} (setting NEWSGIST_MAX_DIGEST_PAGES).",
                           code="too_many_pages")
    out = []
    for i, page in enumerate(pages):
        if not isinstance(page, dict):
            raise InvalidInput(f"pages[{i}] must be an object.", code="invalid_pages")
        try:
            kind, content = page_field(page)
            out.append(Page(**{kind: content}, url=optional_field(page, "url"),
                            title=optional_field(page, "title")))
        except InvalidInput as exc:
            raise InvalidInput(f"pages[{i}]: {exc.message}", code=exc.code) from None
    return out


def _require_json() -> None:
    if request.mimetype != "application/json":
        raise NewsGistError("Send the request as JSON with 'Content-Type: application/json'.",
                            code="unsupported_media_type", status=415)
    if request.content_encoding:
        raise NewsGistError("Compressed request bodies are not accepted; send plain JSON.",
                            code="unsupported_media_type", status=415)


def _json_body() -> dict:
    return json_object(request.get_data(cache=False))  # get_data enforces MAX_CONTENT_LENGTH


def _requested_sentences(body: dict, settings: Settings) -> int:
    sentences, length = body.get("sentences"), body.get("length")
    if sentences is not None and length is not None:
        raise InvalidInput("Send 'sentences' or 'length', not both.", code="invalid_field")
    if length is not None:
        if not isinstance(length, str) or length not in LENGTH_PRESETS:  # {} is unhashable
            raise InvalidInput("'length' must be one of: short, medium, long.",
                               code="invalid_length")
        return preset_sentences(length, None)
    if isinstance(sentences, float) and sentences.is_integer():
        sentences = int(sentences)  # JSON has one number type: 5.0 is the whole number 5
    return check_sentence_count(sentences, settings)
