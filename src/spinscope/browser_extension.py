"""Where the browser extension ships (inside the package, so a pip user has a copy) and how to load it.

The folder ``spinscope/extension/`` is package data, not a Python package: Chrome refuses to load an unpacked
extension holding a file or folder whose name starts with "_" (``__init__.py``, ``__pycache__``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

DEFAULT_SERVER = "http://127.0.0.1:8000"
# Chrome and Chromium-based browsers, most common first; the first found on PATH opens chrome://extensions.
BROWSERS = ("google-chrome", "google-chrome-stable", "chromium", "chromium-browser", "microsoft-edge", "brave-browser")


def extension_folder() -> Path:
    """The unpacked Manifest V3 extension inside the installed package."""
    return Path(__file__).resolve().parent / "extension"


def extension_version(folder: Path | None = None) -> str:
    manifest = json.loads(((folder or extension_folder()) / "manifest.json").read_text(encoding="utf-8"))
    return str(manifest["version"])


def serve_command(port: int = 8000) -> str:
    """The command the extension's messages name: the port only when it is not the default."""
    return "spinscope serve" if port == 8000 else f"spinscope serve --port {port}"


def load_steps(folder: Path, port: int = 8000) -> str:
    """Plain steps for someone who has never loaded an extension by hand."""
    server = f"http://127.0.0.1:{port}"
    other_port = (
        f"   You chose port {port}: in the extension's popup open Settings and set the server address to {server}.\n"
        if port != 8000
        else "   Another port: run `spinscope serve --port 8001` and, in the popup's Settings, set the server\n"
        "   address to http://127.0.0.1:8001.\n"
    )
    return (
        f"The spinscope browser extension (version {extension_version(folder)}) is in:\n\n"
        f"    {folder}\n\n"
        "To use it in Chrome, Chromium, Edge or Brave:\n\n"
        f"1. Keep the server running in a terminal while you use the extension:\n\n"
        f"       {serve_command(port)}\n\n"
        f"{other_port}"
        "2. Open chrome://extensions (edge://extensions in Edge, brave://extensions in Brave).\n"
        '3. Turn on "Developer mode" (top right). The browser may warn about developer-mode extensions: that\n'
        "   means the extension was not installed from the Chrome Web Store. This one runs only the files in\n"
        "   the folder above and sends page text only to your own spinscope server.\n"
        '4. Click "Load unpacked" and choose the folder above.\n'
        '5. Pin it: click the puzzle-piece icon in the toolbar, then the pin beside "spinscope".\n'
        '6. On a news article, click the spinscope icon, then "Analyse this page" (or press Alt+Shift+S).\n\n'
        "To update after upgrading spinscope: run `spinscope extension` again; if\n"
        "the folder above changed, remove the old spinscope extension and load the new folder; otherwise click\n"
        "the reload arrow on spinscope's card in chrome://extensions.\n"
    )


def find_browser() -> list[str] | None:
    """The command that opens a page in Chrome or Chromium here, or None (none installed, or no display)."""
    if sys.platform == "darwin":
        for app in ("Google Chrome", "Chromium", "Microsoft Edge", "Brave Browser"):
            if Path(f"/Applications/{app}.app").exists():
                return ["open", "-a", app]
        return None
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None  # a server or SSH session: a browser started here would show nowhere
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return [path, "--new-window"]
    return None


def open_extensions_page(command: list[str]) -> None:
    """Open chrome://extensions with ``command`` (from :func:`find_browser`), without waiting for the browser."""
    subprocess.Popen(  # a browser found on this machine, a fixed address
        [*command, "chrome://extensions"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
