"""newsgist.errors: stable codes, and errors that survive a trip between processes."""

from __future__ import annotations

import pickle

import pytest

from newsgist.errors import (CODES, ClientGone, ModelNotReady, NewsGistError, NoArticle,
                             WorkerFailed)


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


# -- the one list of codes -------------------------------------------------------------
def _raised_codes() -> dict[str, set[str]]:
    """Every error code the package's source can produce, with where (found by reading
    the source, so a new code cannot slip past)."""
    from pathlib import Path

    import newsgist

    package = Path(newsgist.__file__).parent
    return _codes_in({str(path.relative_to(package)): path.read_text(encoding="utf-8")
                      for path in sorted(package.rglob("*.py"))})


def _codes_in(sources: dict[str, str]) -> dict[str, set[str]]:
    """The codes in ``sources`` (where -> Python source): ``code="..."`` arguments, codes
    passed positionally to a function of these sources whose parameter is named ``code``,
    ``code = "..."`` class attributes, and the api's map of Werkzeug's refusals."""
    import ast

    trees = {where: ast.parse(text) for where, text in sources.items()}
    # Where each function taking a `code` parameter expects it among positional arguments;
    # not the native host's host_error: its replies have codes of their own (HOST_ERRORS,
    # checked by test_host.py).
    code_at: dict[str, set[int]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    node.name != "host_error":
                params = [a.arg for a in node.args.posonlyargs + node.args.args]
                if "code" in params:
                    bound = 1 if params[0] in ("self", "cls") else 0  # called as a method
                    code_at.setdefault(node.name, set()).add(params.index("code") - bound)

    def assigned(node, name: str) -> bool:
        return isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets)

    found: dict[str, set[str]] = {}
    for where, tree in trees.items():
        for node in ast.walk(tree):
            values = []
            if isinstance(node, ast.keyword) and node.arg == "code":
                values.append(node.value)
            elif isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                values.extend(node.args[i] for i in code_at.get(name, ())
                              if 0 <= i < len(node.args))
            elif isinstance(node, ast.ClassDef):      # class Overloaded: code = "overloaded"
                values.extend(n.value for n in node.body if assigned(n, "code"))
            elif assigned(node, "HTTP_CODES"):
                values.extend(node.value.values)
            elif assigned(node, "code") and isinstance(node.value, ast.BoolOp):
                # code = HTTP_CODES.get(status) or ("bad_request" if ... else "internal_error")
                values.extend(v for v in ast.walk(node.value) if isinstance(v, ast.IfExp))
            for value in values:
                for leaf in ast.walk(value):
                    if isinstance(leaf, ast.Constant) and isinstance(leaf.value, str):
                        found.setdefault(leaf.value, set()).add(where)
    return found


def test_every_code_raised_is_declared_with_its_status():
    undeclared = {code: where for code, where in _raised_codes().items() if code not in CODES}
    assert undeclared == {}


def test_every_declared_code_is_raised_somewhere():
    raised = _raised_codes()
    assert [code for code in CODES if code not in raised] == []


def test_the_scan_sees_what_it_should():
    """The two tests above are only as good as the scan: it finds codes of every kind."""
    raised = _raised_codes()
    assert "paywall" in raised                      # a keyword argument (extraction)
    assert "timeout" in raised                      # a class attribute (DeadlineExceeded)
    assert "method_not_allowed" in raised           # the api's map of Werkzeug's refusals
    assert raised["bad_request"] >= {"api.py", "server.py"}

    passed = _codes_in({"a.py": "def line(record, code, message):\n    pass\n",
                        "b.py": "class Out:\n    def fail(self, message, code='x'):\n"
                                "        pass\n",
                        "c.py": "line(r, 'positional_code', 'm')\nOut().fail('m', 'method_code')"
                                "\nline(r, code='keyword_code', message='m')\n"})
    assert passed == {"positional_code": {"c.py"}, "method_code": {"c.py"},
                      "keyword_code": {"c.py"}}


def test_a_code_takes_its_declared_status():
    for code, status in CODES.items():
        assert NewsGistError("x", code=code).status == status
    assert NoArticle("x", code="paywall").status == 422
    assert NoArticle("x", code="some_future_code").status == 422  # its class's status
    assert NewsGistError("x", code="not_found", status=404).status == 404


def test_the_openapi_document_lists_exactly_the_declared_codes():
    from newsgist.openapi import ERROR_CODES, openapi_document

    enum = openapi_document()["components"]["schemas"]["Error"]["properties"]["error"][
        "properties"]["code"]["enum"]
    assert sorted(enum) == sorted(CODES)
    assert {code: status for status, codes in ERROR_CODES.items() for code in codes} == CODES


def test_the_api_maps_werkzeugs_refusals_to_codes_of_the_same_status():
    from newsgist.api import HTTP_CODES

    assert {status: CODES[code] for status, code in HTTP_CODES.items()} == \
        {status: status for status in HTTP_CODES}


def test_the_documented_error_table_agrees_with_the_codes():
    """The user documentation's table (status | codes | when) lists each code once,
    under its status."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    documented: dict[str, int] = {}
    for doc in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        for line in doc.read_text(encoding="utf-8").splitlines():
            row = re.match(r"\|\s*(\d{3})\s*\|([^|]*)\|", line)
            if row:
                for code in re.findall(r"`([a-z_]+)`", row.group(2)):
                    assert code not in documented, f"{code} listed twice"
                    documented[code] = int(row.group(1))
    assert documented == CODES
