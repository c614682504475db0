"""The extension's shared names (extension/lib/constants.js) and the copies that cannot read them.

constants.js is evaluated in node; its lists are compared with the manifest (commands,
permissions, host access), the service's values (config.LENGTH_PRESETS and the health answer,
the default address and port, the allowed hosts, the digest page limit, the native host's
name), the _locales messages named after them, and the scripts, which must use the names
rather than spell them again.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from newsgist.config import LENGTH_PRESETS, Settings
from newsgist.host import HOST_NAME

EXT = Path(__file__).resolve().parents[1] / "extension"
CONSTANTS = EXT / "lib" / "constants.js"
NODE = shutil.which("node")

# The constants file runs in a fresh context whose globalThis is `ctx`, as a classic script does.
_EVAL = """
const vm = require('vm');
const ctx = {};
vm.runInNewContext(require('fs').readFileSync(process.argv[1], 'utf8'), ctx);
process.stdout.write(JSON.stringify(ctx.NewsGist));
"""


@pytest.fixture(scope="module")
def constants() -> dict:
    if NODE is None:
        pytest.skip("node is not installed (make lint-extension installs web-ext with it)")
    out = subprocess.run([NODE, "-e", _EVAL, str(CONSTANTS)], capture_output=True, text=True,
                         check=True, timeout=60)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((EXT / "manifest.json").read_text())


@pytest.fixture(scope="module")
def messages() -> dict:
    return json.loads((EXT / "_locales" / "en" / "messages.json").read_text())


def scripts() -> dict[str, str]:
    """Every script but constants.js, by path relative to extension/."""
    return {str(p.relative_to(EXT)): p.read_text() for p in sorted(EXT.rglob("*.js"))
            if p != CONSTANTS}


def test_lengths_are_the_services(constants):
    assert constants["LENGTHS"] == LENGTH_PRESETS
    assert list(constants["LENGTHS"]) == list(LENGTH_PRESETS)  # the order the buttons show


def test_health_tells_the_lengths(client, constants):
    assert client.get("/v1/health").get_json()["lengths"] == constants["LENGTHS"]


def test_each_length_has_its_labels(constants, messages):
    for key, count in constants["LENGTHS"].items():
        assert f"length_{key}" in messages
        option = messages[f"lengthOption_{key}"]
        # The count comes from LENGTHS (options.js), not from a number written in the label.
        assert "$COUNT$" in option["message"] and not re.search(r"\d", option["message"])
    labelled = {k.split("_", 1)[1] for k in messages if k.startswith(("length_", "lengthOption_"))}
    assert labelled == set(constants["LENGTHS"])


def test_manifest_commands_are_the_constants(constants, manifest):
    assert set(manifest["commands"]) == set(constants["COMMANDS"].values())


def test_error_titles_are_the_error_kinds(constants, messages):
    titled = {k.removeprefix("errorTitle_") for k in messages if k.startswith("errorTitle_")}
    assert titled == set(constants["ERROR_KINDS"])


def test_scripts_make_only_known_error_kinds(constants):
    kinds = set(constants["ERROR_KINDS"])
    used = {}
    for path, text in scripts().items():
        # kind: 'x'  and  kind === 'x'  /  kind !== 'x'
        for kind in re.findall(r"\bkind\s*(?::|[!=]==)\s*'(\w+)'", text):
            used.setdefault(kind, path)
    status_kinds = re.search(r"KIND_BY_STATUS = \{([^}]*)\}", (EXT / "lib" / "api.js").read_text())
    for kind in re.findall(r"'(\w+)'", status_kinds.group(1)):
        used.setdefault(kind, "lib/api.js")
    assert {"unreachable", "timeout", "busy", "capture", "empty_selection"} <= set(used)
    assert {k: p for k, p in used.items() if k not in kinds} == {}


def test_scripts_spell_no_shared_name_again(constants):
    names = [*constants["COMMANDS"].values(), *constants["MESSAGES"].values(),
             constants["PANEL_HOST_ID"]]
    spelled = {(path, name) for path, text in scripts().items() for name in names
               if re.search(rf"""['"`#]{re.escape(name)}['"`]""", text)}
    assert spelled == set()


@pytest.mark.parametrize("group", ["COMMANDS", "MESSAGES"])
def test_scripts_use_only_defined_names(constants, group):
    used = {(path, name) for path, text in scripts().items()
            for name in re.findall(rf"\b{group}\.(\w+)", text)}
    assert used, f"no script uses {group}"
    assert {(p, n) for p, n in used if n not in constants[group]} == set()


def test_every_message_is_both_sent_and_heard(constants):
    text = "\n".join(scripts().values())
    for name in constants["MESSAGES"]:
        sent = re.search(rf"type:\s*MESSAGES\.{name}\b", text)
        heard = re.search(rf"msg\.type === MESSAGES\.{name}\b", text)
        assert sent and heard, name


def test_constants_load_first(manifest):
    assert manifest["background"]["scripts"][0] == "lib/constants.js"
    worker = (EXT / "background.js").read_text()
    assert re.search(r"importScripts\('lib/constants.js',", worker)
    assert re.search(r"PANEL_SCRIPTS = \['lib/constants.js',", worker)
    assert re.search(r"LOCATE_SCRIPTS = \['/lib/constants.js',",
                     (EXT / "digest" / "digest.js").read_text())
    for page in EXT.rglob("*.html"):
        srcs = re.findall(r'<script src="([^"]+)"', page.read_text())
        assert srcs and srcs[0] == "../lib/constants.js", page


# -- the values the service also holds ------------------------------------------------------

def test_default_service_url_is_the_services(constants):
    defaults = Settings()
    assert constants["DEFAULT_SERVICE_URL"] == f"http://{defaults.host}:{defaults.port}"


def test_service_hosts_are_the_manifests_and_allowed_by_the_service(constants, manifest):
    hosts = constants["SERVICE_HOSTS"]
    assert manifest["host_permissions"] == [f"http://{host}/*" for host in hosts]
    assert set(hosts) <= set(Settings().allowed_hosts)


def test_page_origins_are_the_manifests_optional_host_access(constants, manifest):
    assert constants["PAGE_ORIGINS"] == manifest["optional_host_permissions"]


def test_digest_page_limit_is_the_services(constants):
    assert constants["DIGEST_MAX_PAGES"] == Settings().max_digest_pages


def test_native_host_and_permission(constants, manifest):
    assert constants["NATIVE_HOST"] == HOST_NAME
    assert constants["NATIVE_PERMISSION"] in manifest["optional_permissions"]
    assert constants["NATIVE_PERMISSION"] not in manifest["permissions"]  # asked for when needed


def test_scripts_spell_no_shared_value_again(constants):
    """The values above are read from constants.js, never written again in a script."""
    values = [constants["DEFAULT_SERVICE_URL"], constants["NATIVE_HOST"], constants["NATIVE_PERMISSION"],
              *constants["SERVICE_HOSTS"], *constants["PAGE_ORIGINS"]]
    spelled = {(path, value) for path, text in scripts().items() for value in values
               if re.search(rf"""['"]{re.escape(value)}['"]""", text)}  # `...` in comments is fine
    assert spelled == set()
    limit = constants["DIGEST_MAX_PAGES"]
    assert [p for p, text in scripts().items() if re.search(rf"MAX_PAGES\s*=\s*{limit}\b", text)] == []
