"""Errors with a stable code, a human message and the HTTP status they map to.

Raised anywhere below the faces; ``api`` turns them into JSON and ``cli`` into
a message and a non-zero exit.  Nothing here imports Flask.
"""

from __future__ import annotations


class NewsGistError(Exception):
    """Base class: ``code`` is stable (clients switch on it), ``message`` is for people."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.headers = headers or {}

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class InvalidInput(NewsGistError):
    status = 400
    code = "invalid_input"


class NoArticle(NewsGistError):
    """The input holds no readable article (too little text, not HTML, a wall...)."""

    status = 422
    code = "no_article"


class PageTooLarge(NewsGistError):
    """One page of a digest is larger than a summary's body may be (it is listed as failed)."""

    status = 413
    code = "page_too_large"


class ModelNotReady(NewsGistError):
    status = 503
    code = "model_loading"


class Overloaded(NewsGistError):
    status = 503
    code = "overloaded"


class DeadlineExceeded(NewsGistError):
    """The request ran past ``request_timeout``; its work was stopped."""

    status = 504
    code = "timeout"


class ClientGone(NewsGistError):
    """The client closed the connection before the answer: its work was stopped.

    Nobody receives this answer; the status (nginx's 499 convention) is for the log."""

    status = 499
    code = "client_closed"


class WorkerFailed(NewsGistError):
    """The process that extracts the article stopped on this page (it is replaced)."""

    status = 500
    code = "internal_error"


class ModelLoadError(NewsGistError):
    """The configured model could not be loaded (start-up stops with this message)."""

    status = 503
    code = "model_unavailable"
