"""One version everywhere: pyproject.toml, ``spinscope --version``, the JSON, ``/healthz``, the HTML report, the
batch manifest, the browser extension and CHANGELOG.md all name the same release."""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

import spinscope
from spinscope.cli import app

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "spinscope"
TEXT = "The minister said on Tuesday that the talks would resume. Critics called the plan a shameful surrender!"


def pyproject_version() -> str:
    """The version pyproject.toml gives the package: a literal, or the attribute its setuptools table names."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    if "version" in project["project"]:
        return project["project"]["version"]
    assert "version" in project["project"].get("dynamic", []), "pyproject.toml names no version"
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    module, _, name = attr.rpartition(".")
    assert module == "spinscope", attr
    # read the constant as setuptools does (statically), not through the imported package
    tree = ast.parse((SRC / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{attr} is not a constant in src/spinscope/__init__.py")


VERSION = pyproject_version()


def test_version_is_semantic_and_the_package_agrees() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION), VERSION
    assert spinscope.__version__ == VERSION


def test_cli_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"spinscope {VERSION}"


def test_json_and_html_report_name_the_version() -> None:
    analysis = spinscope.analyze(TEXT, engine="rules")
    assert analysis.to_dict()["version"] == VERSION
    page = analysis.to_html()
    assert f"Made by spinscope {VERSION}" in page
    assert f'<meta name="generator" content="spinscope {VERSION}">' in page


def test_healthz_names_the_version() -> None:
    pytest.importorskip("fastapi", reason="the server extra is not installed")
    from fastapi.testclient import TestClient

    from spinscope.server import Settings, create_app

    settings = Settings(engine="rules", db_path=":memory:", rate_per_minute=0)
    with TestClient(create_app(settings), base_url="http://localhost") as client:
        assert client.get("/healthz").json()["version"] == VERSION
        assert f"spinscope {VERSION} runs on this server" in client.get("/").text


def test_batch_manifest_names_the_version(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="the corpus extra is not installed")
    from spinscope.batch.output import SETTINGS_FILE, BatchOutput

    with BatchOutput(tmp_path / "out", settings={"engine": "rules", "min_score": 0.0}):
        pass
    assert json.loads((tmp_path / "out" / SETTINGS_FILE).read_text(encoding="utf-8"))["spinscope"] == VERSION


def test_extension_manifest_names_the_version() -> None:
    from spinscope.browser_extension import extension_folder

    manifest = json.loads((extension_folder() / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["manifest_version"] == 3
    assert manifest["version"] == VERSION


def test_changelog_opens_with_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    versions = re.findall(r"^## \[?(\d+\.\d+\.\d+)\]?", changelog, flags=re.M)
    assert versions and versions[0] == VERSION, versions
    assert "0.1.0" in versions
