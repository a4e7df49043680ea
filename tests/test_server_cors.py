"""The allowed-origins setting (``spinscope serve --allow-origin``): CORS for the listed browser-extension origins
only, off by default, with the same limits and URL rules as every other request; and ``page_url``, the address the
extension sends along with a page's text (recorded, never fetched).
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")

from fastapi.testclient import TestClient
from typer.testing import CliRunner

import spinscope.server
from spinscope.cli import app as cli_app
from spinscope.server import Settings, check_origins, create_app

EXTENSION = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
OTHER_EXTENSION = "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba"
TEXT = "The minister said on Tuesday that the talks would resume. Critics called the plan a shameful surrender!"
PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}


def client(**options: Any) -> TestClient:
    settings = Settings(engine="rules", db_path=":memory:", warm_up=False, **options)
    return TestClient(create_app(settings), base_url="http://localhost")


def analyse(api: TestClient, origin: str | None, **body: Any) -> Any:
    headers = {"Origin": origin} if origin else {}
    return api.post("/api/analyze", json=body or {"text": TEXT}, headers=headers)


def test_off_by_default() -> None:
    api = client(rate_per_minute=0)
    answer = analyse(api, EXTENSION)
    assert answer.status_code == 200
    assert not any(name.startswith("access-control-") for name in answer.headers)
    preflight = api.options("/api/analyze", headers={"Origin": EXTENSION, **PREFLIGHT})
    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in preflight.headers


def test_listed_extension_origin_gets_cors() -> None:
    api = client(rate_per_minute=0, allowed_origins=(EXTENSION,))
    preflight = api.options("/api/analyze", headers={"Origin": EXTENSION, **PREFLIGHT})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == EXTENSION
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    answer = analyse(api, EXTENSION)
    assert answer.status_code == 200 and answer.json()["techniques"]
    assert answer.headers["access-control-allow-origin"] == EXTENSION
    assert api.get("/api/techniques", headers={"Origin": EXTENSION}).headers["access-control-allow-origin"] == EXTENSION


@pytest.mark.parametrize("origin", [OTHER_EXTENSION, "https://news.example", "http://127.0.0.1:8000", "null"])
def test_other_origins_get_nothing(origin: str) -> None:
    api = client(rate_per_minute=0, allowed_origins=(EXTENSION,))
    answer = analyse(api, origin)
    assert "access-control-allow-origin" not in answer.headers
    preflight = api.options("/api/analyze", headers={"Origin": origin, **PREFLIGHT})
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers


def test_same_limits_and_url_rules() -> None:
    api = client(rate_per_minute=1, rate_burst=1, max_text_chars=200, allowed_origins=(EXTENSION,))
    refused = analyse(api, EXTENSION, url="http://127.0.0.1:1/admin")
    assert refused.status_code == 400 and refused.json()["error"] == "unsafe_url"
    assert refused.headers["access-control-allow-origin"] == EXTENSION  # the extension can read why
    limited = analyse(api, EXTENSION)
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    assert limited.headers["access-control-allow-origin"] == EXTENSION
    api = client(rate_per_minute=0, max_text_chars=200, allowed_origins=(EXTENSION,))
    too_long = analyse(api, EXTENSION, text=TEXT * 3)
    assert too_long.status_code == 413 and too_long.json()["error"] == "text_too_large"


@pytest.mark.parametrize(
    "origin",
    ["*", "https://news.example", "http://localhost:3000", "chrome-extension://abc/popup.html", "null", ""],
)
def test_only_extension_origins_are_accepted(origin: str) -> None:
    with pytest.raises(ValueError, match="not a browser-extension origin"):
        check_origins([origin])
    with pytest.raises(ValueError, match="not a browser-extension origin"):
        create_app(Settings(engine="rules", db_path=":memory:", warm_up=False, allowed_origins=(origin,)))


def test_cli_flag_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(spinscope.server, "serve", lambda settings, host, port: seen.append(settings))
    runner = CliRunner()
    result = runner.invoke(cli_app, ["serve", "--allow-origin", EXTENSION, "--allow-origin", OTHER_EXTENSION + "/"])
    assert result.exit_code == 0, result.output
    assert seen[-1].allowed_origins == (EXTENSION, OTHER_EXTENSION)
    environment = {"SPINSCOPE_ALLOW_ORIGINS": f"{EXTENSION} moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}
    result = runner.invoke(cli_app, ["serve"], env=environment)
    assert result.exit_code == 0, result.output
    assert seen[-1].allowed_origins == (EXTENSION, "moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
    result = runner.invoke(cli_app, ["serve"], env={"SPINSCOPE_ALLOW_ORIGINS": ""})
    assert seen[-1].allowed_origins == ()
    result = runner.invoke(cli_app, ["serve", "--allow-origin", "*"])
    assert result.exit_code == 1 and "not a browser-extension origin" in result.output
    assert len(seen) == 3


def test_page_url_is_recorded_not_fetched() -> None:
    api = client(rate_per_minute=0)
    page = "http://127.0.0.1:1/never-fetched.html"  # a private address: fetching it would be refused
    answer = analyse(api, None, text=TEXT, page_url=page)
    assert answer.status_code == 200
    data = answer.json()
    assert data["meta"]["url"] == page and data["text"] == TEXT
    hostile = analyse(api, None, text=TEXT, page_url="javascript:alert(1)").json()
    report = api.get(hostile["permalink"]).text
    assert 'href="javascript:' not in report
