"""Errors with a stable code, a human message and the HTTP status they map to.

Raised anywhere below the faces; ``api`` and the server turn them into JSON
(``NewsGistError.to_dict``) and ``cli`` into a message and a non-zero exit.
Nothing here imports Flask.
"""

from __future__ import annotations

# Every code a client can receive, with its HTTP status: the one list.  The
# OpenAPI document is derived from it, and tests check both ways that each code
# raised anywhere is here and each code here is raised somewhere.
CODES: dict[str, int] = {
    # A malformed request, body or field.
    "bad_request": 400, "invalid_json": 400, "invalid_encoding": 400, "invalid_field": 400,
    "invalid_sentences": 400, "invalid_length": 400, "missing_content": 400,
    "ambiguous_content": 400,
    # A file given to `newsgist batch` (or the CLI) could not be read: never an HTTP answer.
    "unreadable": 400,
    # A digest's list of pages is malformed or too long.
    "invalid_pages": 400, "too_many_pages": 400,
    # The Host or Origin is not allowed.
    "forbidden_host": 403, "forbidden_origin": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "body_too_large": 413,
    # One page of a digest is over the body limit: listed in the digest's `failed`.
    "page_too_large": 413,
    "unsupported_media_type": 415,
    # No readable article: the message says what was found instead.
    "no_article": 422, "empty_input": 422, "empty_page": 422, "not_html": 422,
    "pdf_document": 422, "link_list": 422, "login_wall": 422, "cookie_wall": 422,
    "bot_check": 422, "paywall": 422, "page_too_complex": 422,
    "internal_error": 500,
    "model_loading": 503, "overloaded": 503, "model_unavailable": 503,
    "timeout": 504,
    # Never received: the client had closed the connection.  Listed so that the
    # code the access log shows is documented too.
    "client_closed": 499,
}


class NewsGistError(Exception):
    """Base class: ``code`` is stable (clients switch on it), ``message`` is for people.

    The HTTP status is the code's in ``CODES`` (a code not listed there yet takes
    the status of its class's own code); ``status`` overrides it."""

    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.status = status if status is not None else \
            CODES.get(self.code) or CODES[type(self).code]
        self.headers = headers or {}

    def __reduce__(self):
        # Rebuilt from its fields, not through __init__, so that an error raised in
        # an extraction worker crosses the pipe whole (code, status, headers).
        return _restore, (type(self), self.message, dict(self.__dict__))

    def to_dict(self) -> dict:
        """The JSON body of every error answer: ``{"error": {"code", "message"}}``."""
        return {"error": {"code": self.code, "message": self.message}}


def _restore(cls: type, message: str, state: dict) -> "NewsGistError":
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class InvalidInput(NewsGistError):
    code = "invalid_field"


class BodyTooLarge(NewsGistError):
    """The request body (whether Flask or waitress saw it), or a page or record read by
    the CLI or a batch reader (``what``), is over ``max_body_bytes``."""

    code = "body_too_large"

    def __init__(self, limit: int, what: str = "The request body"):
        setting = "" if what == "The request body" else " (setting NEWSGIST_MAX_BODY_BYTES)"
        super().__init__(f"{what} is larger than the limit of {limit} bytes{setting}.")


class Unreadable(NewsGistError):
    """A file or stream could not be read (missing, no permission, a broken gzip)."""

    code = "unreadable"


class NoArticle(NewsGistError):
    """The input holds no readable article (too little text, not HTML, a wall...)."""

    code = "no_article"


class PageTooLarge(NewsGistError):
    """One page of a digest is larger than a summary's body may be (it is listed as failed)."""

    code = "page_too_large"


class PageTooComplex(NoArticle):
    """Reading the page ran out of memory or recursion depth (a hostile or huge page)."""

    code = "page_too_complex"

    def __init__(self) -> None:
        super().__init__("The page is too large or too deeply nested to read.")


class ModelNotReady(NewsGistError):
    code = "model_loading"


class Overloaded(NewsGistError):
    code = "overloaded"


class DeadlineExceeded(NewsGistError):
    """The request ran past ``request_timeout``; its work was stopped."""

    code = "timeout"


class ClientGone(NewsGistError):
    """The client closed the connection before the answer: its work was stopped.

    Nobody receives this answer; the status (nginx's 499 convention) is for the log."""

    code = "client_closed"


class WorkerFailed(NewsGistError):
    """The process that extracts the article stopped on this page (it is replaced)."""

    code = "internal_error"


class ModelLoadError(NewsGistError):
    """The configured model could not be loaded (start-up stops with this message)."""

    code = "model_unavailable"
