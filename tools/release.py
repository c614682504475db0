"""Version and browser packages.

    python tools/release.py version            # print the version (and fail if a copy disagrees)
    python tools/release.py version 0.2.0      # set it everywhere
    python tools/release.py dist               # dist/newsgist-chromium.zip and -firefox.xpi

The version has one source, ``__version__`` in ``service/newsgist/__init__.py``:
``setup.cfg`` reads it (``attr: newsgist.__version__``), and ``extension/manifest.json``
carries a copy (a browser manifest cannot read a file) that ``version NEW`` writes and
``dist`` and the tests check.

``dist`` builds each package with ``web-ext build`` from a copy of ``extension/`` whose
manifest keeps only what that browser reads, and lints each with ``web-ext lint``
(errors fail the build):
  * Chromium: no ``background.scripts`` (Firefox's event-page list), no
    ``browser_specific_settings``; the ``key`` stays, so an unpacked load keeps NewsGist's id,
    which the native messaging host allows.
  * Firefox: no ``background.service_worker`` and no ``key`` (Chromium-only).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INIT = ROOT / "service" / "newsgist" / "__init__.py"
MANIFEST = ROOT / "extension" / "manifest.json"
VERSION_LINE = re.compile(r'^__version__ = "([^"]+)"$', re.M)


def source_version() -> str:
    match = VERSION_LINE.search(INIT.read_text())
    if not match:
        raise SystemExit(f"no __version__ line in {INIT}")
    return match.group(1)


def manifest_version() -> str:
    return json.loads(MANIFEST.read_text())["version"]


def set_version(new: str) -> None:
    # Browsers accept 1-4 dot-separated integers only; setuptools accepts those too.
    if not re.fullmatch(r"\d+(\.\d+){0,3}", new):
        raise SystemExit(f"{new!r}: use 1 to 4 dot-separated numbers, e.g. 0.2.0")
    INIT.write_text(VERSION_LINE.sub(f'__version__ = "{new}"', INIT.read_text()))
    text = MANIFEST.read_text()
    MANIFEST.write_text(re.sub(r'("version":\s*)"[^"]*"', rf'\g<1>"{new}"', text, count=1))


def check_version() -> str:
    version, copy = source_version(), manifest_version()
    if version != copy:
        raise SystemExit(f"version mismatch: {INIT} says {version}, {MANIFEST} says {copy}; "
                         f"run `python tools/release.py version {version}`")
    return version


def browser_manifest(manifest: dict, browser: str) -> dict:
    m = json.loads(json.dumps(manifest))
    if browser == "chromium":
        m["background"].pop("scripts", None)
        m.pop("browser_specific_settings", None)
    else:
        m["background"].pop("service_worker", None)
        m.pop("key", None)
    return m


def web_ext(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["npx", "--no-install", "web-ext", *args, "--no-config-discovery"],
                          cwd=ROOT, capture_output=True, text=True)


def lint(source: Path, browser: str) -> None:
    done = web_ext("lint", "--source-dir", str(source), "--output", "json")
    try:
        report = json.loads(done.stdout)
    except ValueError:
        raise SystemExit(f"web-ext lint ({browser}) failed:\n{done.stdout}\n{done.stderr}")
    for item in report["errors"] + report["warnings"]:
        print(f"  {browser}: {item['_type']}: {item['code']}: {item['message']}")
    if report["summary"]["errors"]:
        raise SystemExit(f"web-ext lint: {report['summary']['errors']} error(s) in the "
                         f"{browser} package")


def dist(out: Path = ROOT / "dist") -> list[Path]:
    version = check_version()
    manifest = json.loads(MANIFEST.read_text())
    work = ROOT / "build" / "extension"
    shutil.rmtree(work, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    built = []
    packages = (("chromium", "newsgist-chromium.zip"), ("firefox", "newsgist-firefox.xpi"))
    for browser, name in packages:
        source = work / browser
        shutil.copytree(ROOT / "extension", source)
        shipped = browser_manifest(manifest, browser)
        (source / "manifest.json").write_text(json.dumps(shipped, indent=2) + "\n")
        # Chromium's own rules are checked by loading the package (tests); web-ext lint checks
        # the rest of both (manifest schema, locales, unsafe code).
        lint_source = source
        if browser == "chromium":  # addons-linter needs Firefox's keys to read the manifest
            lint_source = work / "chromium-lint"
            shutil.copytree(source, lint_source)
            (lint_source / "manifest.json").write_text(json.dumps(manifest, indent=2))
        lint(lint_source, browser)
        target = out / name
        target.unlink(missing_ok=True)
        done = web_ext("build", "--source-dir", str(source), "--artifacts-dir", str(out),
                       "--filename", name, "--overwrite-dest")
        if done.returncode != 0 or not target.is_file():
            raise SystemExit(f"web-ext build ({browser}) failed:\n{done.stdout}\n{done.stderr}")
        print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target} "
              f"(version {version})")
        built.append(target)
    shutil.rmtree(work, ignore_errors=True)
    return built


def main(argv: list[str]) -> int:
    if argv[:1] == ["version"] and len(argv) == 2:
        set_version(argv[1])
        print(check_version())
    elif argv[:1] == ["version"]:
        print(check_version())
    elif argv[:1] == ["dist"]:
        dist(Path(argv[1]) if len(argv) > 1 else ROOT / "dist")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
