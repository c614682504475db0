"""newsgist.errors: stable codes, and errors that survive a trip between processes."""

from __future__ import annotations

import pickle

import pytest

from newsgist.errors import ClientGone, ModelNotReady, NewsGistError, NoArticle, WorkerFailed


@pytest.mark.parametrize("error", [
    NoArticle("A cookie wall.", code="cookie_wall"),
    ModelNotReady("Loading.", headers={"Retry-After": "1"}),
    ClientGone("Gone."),
    WorkerFailed("Broken."),
    NewsGistError("Not here.", code="forbidden_origin", status=403),
])
def test_an_error_pickles_with_its_code_status_and_headers(error):
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and str(again) == str(error)
    assert (again.code, again.status, again.message, again.headers) == \
        (error.code, error.status, error.message, error.headers)
