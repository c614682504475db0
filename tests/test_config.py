from __future__ import annotations

import pytest

from newsgist.config import BUNDLED_MODEL, Settings


def test_defaults_are_safe():
    s = Settings.from_env({})
    assert s.host == "127.0.0.1" and s.port == 8765 and s.model == BUNDLED_MODEL
    assert not s.allow_remote
    assert "*" not in "".join(s.allowed_origin_prefixes)


def test_environment_then_overrides():
    env = {"NEWSGIST_PORT": "9000", "NEWSGIST_MODEL": "/models/x", "NEWSGIST_ALLOW_REMOTE": "yes",
           "NEWSGIST_ALLOWED_HOSTS": "localhost, box.local", "NEWSGIST_REQUEST_TIMEOUT": "2.5"}
    s = Settings.from_env(env, port=9100, model=None)
    assert s.port == 9100 and s.model == "/models/x" and s.allow_remote
    assert s.allowed_hosts == ("localhost", "box.local") and s.request_timeout == 2.5


@pytest.mark.parametrize("name,value", [("NEWSGIST_PORT", "eighty"), ("NEWSGIST_ALLOW_REMOTE", "maybe")])
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})
