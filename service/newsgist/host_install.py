"""``newsgist host install|uninstall|status``: registers ``newsgist-host`` with the browsers.

A browser finds a native messaging host through a small JSON manifest in a per-user
folder (Linux, macOS) or a registry key naming that file (Windows).  The manifest's
``path`` is a launcher written next to it: it pins this installation's Python and the
``NEWSGIST_*`` settings in force at install time (the browser starts the host with its
own environment, not a terminal's), then runs ``newsgist-host``.  ``allowed_origins``
(Chromium) and ``allowed_extensions`` (Firefox) name NewsGist's own extension only.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from .config import Settings, newsgist_environment
from .host import CHROMIUM_ORIGIN, GECKO_ID, HOST_NAME, probe, service_url

BROWSERS = ("chrome", "chromium", "edge", "brave", "firefox")
DESCRIPTION = "NewsGist: starts the local summary service when the extension needs it"
# First line of every launcher this module writes: uninstall removes only files carrying it.
MARKER = "NewsGist native messaging host launcher, written by `newsgist host install`"

# Each browser's per-user folder (relative to the home folder) that holds its
# NativeMessagingHosts folder.  The folder's existence says the browser was used here.
_LINUX = {
    "chrome": (".config/google-chrome", "NativeMessagingHosts"),
    "chromium": (".config/chromium", "NativeMessagingHosts"),
    "edge": (".config/microsoft-edge", "NativeMessagingHosts"),
    "brave": (".config/BraveSoftware/Brave-Browser", "NativeMessagingHosts"),
    "firefox": (".mozilla", "native-messaging-hosts"),
}
_MACOS = {
    "chrome": ("Library/Application Support/Google/Chrome", "NativeMessagingHosts"),
    "chromium": ("Library/Application Support/Chromium", "NativeMessagingHosts"),
    "edge": ("Library/Application Support/Microsoft Edge", "NativeMessagingHosts"),
    "brave": ("Library/Application Support/BraveSoftware/Brave-Browser", "NativeMessagingHosts"),
    "firefox": ("Library/Application Support/Mozilla", "NativeMessagingHosts"),
}
# Windows: HKEY_CURRENT_USER\<key>\newsgist.host, its default value the manifest's path.
_WINDOWS_KEYS = {
    "chrome": r"Software\Google\Chrome\NativeMessagingHosts",
    "chromium": r"Software\Chromium\NativeMessagingHosts",
    "edge": r"Software\Microsoft\Edge\NativeMessagingHosts",
    "brave": r"Software\BraveSoftware\Brave-Browser\NativeMessagingHosts",
    "firefox": r"Software\Mozilla\NativeMessagingHosts",
}


@dataclass(frozen=True)
class Target:
    """Where one browser (or one ``--user-data-dir`` profile) looks for the host."""

    browser: str
    manifest: Path
    present: bool  # the browser's per-user folder exists (it has been used here)
    registry_key: str | None = None  # Windows only

    @property
    def launcher(self) -> Path:
        return self.manifest.parent / ("newsgist-host.bat" if os.name == "nt" else "newsgist-host")

    @property
    def firefox(self) -> bool:
        return self.browser == "firefox"


def targets(browsers: list[str], user_data_dir: str | None = None,
            home: Path | None = None, platform: str | None = None) -> list[Target]:
    platform = platform or sys.platform
    home = home or Path.home()
    if user_data_dir:
        folder = Path(user_data_dir).expanduser().resolve() / "NativeMessagingHosts"
        return [Target("profile", folder / f"{HOST_NAME}.json", present=True)]
    if platform.startswith("win"):
        base = home / "AppData" / "Local" / "NewsGist" / "NativeMessagingHosts"
        return [Target(b, base / b / f"{HOST_NAME}.json",
                       present=True, registry_key=_WINDOWS_KEYS[b] + "\\" + HOST_NAME)
                for b in browsers]
    table = _MACOS if platform == "darwin" else _LINUX
    out = []
    for b in browsers:
        profile, hosts = table[b]
        out.append(Target(b, home / profile / hosts / f"{HOST_NAME}.json",
                          present=(home / profile).is_dir()))
    return out


def host_manifest(target: Target) -> dict:
    manifest = {"name": HOST_NAME, "description": DESCRIPTION, "path": str(target.launcher),
                "type": "stdio"}
    if target.firefox:
        manifest["allowed_extensions"] = [GECKO_ID]
    else:
        manifest["allowed_origins"] = [CHROMIUM_ORIGIN]
    return manifest


def host_program() -> list[str]:
    """How the launcher runs the host: the ``newsgist-host`` entry point of this
    installation, or this Python with ``-m newsgist.host`` when there is none."""
    name = "newsgist-host.exe" if os.name == "nt" else "newsgist-host"
    for folder in (Path(sysconfig.get_path("scripts")), Path(sys.executable).parent):
        if (folder / name).is_file():
            return [str(folder / name)]
    return [sys.executable, "-m", "newsgist.host"]


def launcher_text(settings: Settings, environment: dict[str, str]) -> str:
    env = {**environment, "NEWSGIST_PORT": str(settings.port)}
    program = host_program()
    if os.name == "nt":  # pragma: no cover - not testable on this machine
        lines = ["@echo off", f"rem {MARKER}"]
        lines += [f'set "{k}={v}"' for k, v in sorted(env.items())]
        lines.append(" ".join(f'"{p}"' for p in program) + " %*")
        return "\r\n".join(lines) + "\r\n"
    lines = ["#!/bin/sh", f"# {MARKER}.",
             "# The browser starts it; it only ever starts `newsgist serve` on 127.0.0.1."]
    lines += [f"{k}={shlex.quote(v)}; export {k}" for k, v in sorted(env.items())]
    lines.append("exec " + " ".join(shlex.quote(p) for p in program) + ' "$@"')
    return "\n".join(lines) + "\n"


def install(target: Target, settings: Settings, environment: dict[str, str]) -> None:
    target.manifest.parent.mkdir(parents=True, exist_ok=True)
    target.launcher.write_text(launcher_text(settings, environment))
    target.launcher.chmod(0o755)
    target.manifest.write_text(json.dumps(host_manifest(target), indent=2) + "\n")
    if target.registry_key:  # pragma: no cover - Windows
        import winreg

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, target.registry_key) as key:
            winreg.SetValueEx(key, "", 0, winreg.REG_SZ, str(target.manifest))


def uninstall(target: Target) -> list[Path]:
    """Removes what ``install`` wrote there (files it did not write are left alone)."""
    removed = []
    if _ours(target.manifest):
        target.manifest.unlink()
        removed.append(target.manifest)
    try:
        if target.launcher.is_file() and MARKER in target.launcher.read_text(errors="replace"):
            target.launcher.unlink()
            removed.append(target.launcher)
    except OSError:
        pass
    if target.registry_key:  # pragma: no cover - Windows
        import winreg

        try:
            winreg.DeleteKey(winreg.HKEY_CURRENT_USER, target.registry_key)
        except FileNotFoundError:
            pass
    for folder in (target.manifest.parent,):  # only a folder install made and left empty
        try:
            folder.rmdir()
        except OSError:
            pass
    return removed


def _ours(manifest: Path) -> bool:
    try:
        return json.loads(manifest.read_text()).get("name") == HOST_NAME
    except (OSError, ValueError, AttributeError):
        return False


def launcher_port(target: Target) -> str | None:
    try:
        text = target.launcher.read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        for prefix in ("NEWSGIST_PORT=", 'set "NEWSGIST_PORT='):
            if line.startswith(prefix):
                return line[len(prefix):].split(";")[0].strip("'\"")
    return None


# --- the command ------------------------------------------------------------------------------

def add_host_parser(sub) -> None:
    host = sub.add_parser("host", help="register the browser helper that starts NewsGist on demand")
    actions = host.add_subparsers(dest="host_action", required=True)
    for name, text in (("install", "write the native messaging host manifests"),
                       ("uninstall", "remove everything `host install` wrote"),
                       ("status", "say what is installed where")):
        p = actions.add_parser(name, help=text)
        p.add_argument("--browser", action="append", choices=BROWSERS + ("all",),
                       help="the browser(s) (repeatable; default: install for the browsers used "
                            "on this computer, uninstall/status: all)")
        p.add_argument("--user-data-dir", metavar="DIR",
                       help="a Chromium profile started with --user-data-dir=DIR: writes into "
                            "DIR/NativeMessagingHosts/ only")
        if name == "install":
            p.add_argument("--port", type=int,
                           help="port of the service the host starts (default: NEWSGIST_PORT "
                                "or 8765)")


def host_command(args: argparse.Namespace, settings: Settings) -> int:
    chosen = args.browser or []
    if args.user_data_dir and "firefox" in chosen:
        print("newsgist: --user-data-dir is a Chromium profile folder; Firefox reads its hosts "
              "from your home folder only (leave out --user-data-dir).", file=sys.stderr)
        return 2
    browsers = list(BROWSERS) if (not chosen or "all" in chosen) else list(dict.fromkeys(chosen))
    found = targets(browsers, args.user_data_dir)
    if args.host_action == "install":
        if getattr(args, "port", None) is not None:
            settings = settings.with_(port=args.port)
        if not (1 <= settings.port <= 65535):
            print("newsgist: the host needs a fixed port (1-65535).", file=sys.stderr)
            return 2
        if not chosen and not args.user_data_dir:
            used = [t for t in found if t.present]
            found = used or found  # none used yet: every browser, so it works once one is
        environment = newsgist_environment()
        for target in found:
            install(target, settings, environment)
            print(f"{target.browser}: {target.manifest}")
        print(f"The extension can now start NewsGist by itself at {service_url(settings)}.")
        if settings.port != Settings().port:
            print(f"Set the extension's Service URL (its Settings) to {service_url(settings)}.")
        return 0
    if args.host_action == "uninstall":
        removed = [path for target in found for path in uninstall(target)]
        for path in removed:
            print(f"removed {path}")
        if not removed:
            print("Nothing to remove: the host was not installed there.")
        return 0
    return _status(found)


def _status(found: list[Target]) -> int:
    ports = set()
    for target in found:
        if _ours(target.manifest):
            port = launcher_port(target)
            ok = target.launcher.is_file() and os.access(target.launcher, os.X_OK)
            state = "installed" if ok else "BROKEN (launcher missing; run `newsgist host install`)"
            print(f"{target.browser}: {state}: {target.manifest} (port {port or '?'})")
            if port and port.isdigit():
                ports.add(int(port))
        else:
            print(f"{target.browser}: not installed")
    for port in sorted(ports):
        state = probe(port, timeout=2)
        now = ("running" if state.status == "ok" else "loading its model" if state.status
               else "in use by another program" if state.foreign else "not running")
        print(f"service at http://127.0.0.1:{port}: {now}")
    return 0
