"""The browser extension ships inside the package, and ``spinscope extension`` tells a non-developer how to load it."""

from __future__ import annotations

import fnmatch
import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import spinscope
from spinscope import browser_extension
from spinscope.browser_extension import extension_folder
from spinscope.cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_the_folder_is_inside_the_package_and_holds_a_manifest_v3_extension() -> None:
    folder = extension_folder()
    assert folder.parent == Path(spinscope.__file__).resolve().parent
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["manifest_version"] == 3
    for name in ("background.js", "popup.html", manifest["action"]["default_popup"], *manifest["icons"].values()):
        assert (folder / name).is_file(), name
    # Chrome refuses an unpacked extension holding a name that starts with "_" (__init__.py, __pycache__)
    assert not [p for p in folder.rglob("_*")], "no Python files in the extension folder"


def test_package_data_ships_every_file_of_the_extension() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["spinscope"]
    package = Path(spinscope.__file__).resolve().parent
    for path in extension_folder().rglob("*"):
        if path.is_file():
            relative = path.relative_to(package).as_posix()
            # setuptools globs do not cross folders: "extension/*" is one level
            assert any(fnmatch.fnmatch(relative, p) and relative.count("/") == p.count("/") for p in patterns), relative


def test_command_prints_the_folder_and_the_steps() -> None:
    result = CliRunner().invoke(app, ["extension"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert str(extension_folder()) in result.output
    for step in ("spinscope serve", "chrome://extensions", "Developer mode", "Load unpacked", "pin", "Update"):
        assert step.lower() in result.output.lower(), step
    assert f"version {spinscope.__version__}" in result.output


def test_another_port_is_named_in_the_steps() -> None:
    result = CliRunner().invoke(app, ["extension", "--port", "8123"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "spinscope serve --port 8123" in result.output and "http://127.0.0.1:8123" in result.output


def test_open_without_a_browser_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser_extension, "find_browser", lambda: None)
    result = CliRunner().invoke(app, ["extension", "--open"])
    assert result.exit_code == 1
    assert "open chrome://extensions in your browser yourself" in result.output


def test_open_starts_the_browser_on_the_extensions_page(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[list[str]] = []
    monkeypatch.setattr(browser_extension, "find_browser", lambda: ["chromium", "--new-window"])
    monkeypatch.setattr(browser_extension, "open_extensions_page", opened.append)
    result = CliRunner().invoke(app, ["extension", "--open"])
    assert result.exit_code == 0, result.output
    assert opened == [["chromium", "--new-window"]]


def test_no_display_means_no_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser_extension.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert browser_extension.find_browser() is None


def test_serve_says_to_keep_running_and_names_another_port(monkeypatch: pytest.MonkeyPatch) -> None:
    server = pytest.importorskip("spinscope.server", reason="the server extra is not installed")
    monkeypatch.setattr(server, "serve", lambda settings, host, port: None)
    result = CliRunner().invoke(app, ["serve"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "keep this running" in result.output and "set the server address" not in result.output
    result = CliRunner().invoke(app, ["serve", "--port", "8001"], env={"COLUMNS": "300"})
    assert "set the server address to http://127.0.0.1:8001" in result.output


def test_one_port_setting_for_serve_and_the_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """$SPINSCOPE_PORT moves the server, and the extension's steps name the same port."""
    server = pytest.importorskip("spinscope.server", reason="the server extra is not installed")
    ports: list[int] = []
    monkeypatch.setattr(server, "serve", lambda settings, host, port: ports.append(port))
    result = CliRunner().invoke(app, ["serve"], env={"SPINSCOPE_PORT": "8002", "COLUMNS": "300"})
    assert result.exit_code == 0 and ports == [8002]
    steps = CliRunner().invoke(app, ["extension"], env={"SPINSCOPE_PORT": "8002", "COLUMNS": "300"})
    assert "spinscope serve --port 8002" in steps.output and "http://127.0.0.1:8002" in steps.output
