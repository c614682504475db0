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


def test_the_cache_directory_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert Settings().cache_dir == str(tmp_path / "newsgist")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert Settings().cache_dir == str(tmp_path / "home" / ".cache" / "newsgist")


def test_no_other_module_reads_the_environment():
    import re
    from pathlib import Path

    import newsgist

    readers = re.compile(r"os\.environ\.get|os\.getenv|os\.environ\[")
    package = Path(newsgist.__file__).parent
    offenders = [str(p.relative_to(package)) for p in sorted(package.rglob("*.py"))
                 if p.name != "config.py" and readers.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_budget_is_configurable_from_the_environment():
    settings = Settings.from_env({"NEWSGIST_MAX_ARTICLE_SENTENCES": "250"})
    assert settings.max_article_sentences == 250


def test_every_setting_is_in_the_documented_table_once():
    """The configuration table (README or docs/) lists each setting, and nothing else."""
    import re
    from dataclasses import fields
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    documented = [name for doc in [root / "README.md", *sorted((root / "docs").glob("*.md"))]
                  for name in re.findall(r"^\|\s*`NEWSGIST_([A-Z_]+)`\s*\|",
                                         doc.read_text(encoding="utf-8"), re.M)]
    assert sorted(documented) == sorted(f.name.upper() for f in fields(Settings))
