"""Errors in plain words: a failed fetch says what happened and what to do, in the CLI and on the web; the
resolver's or HTTP library's own text stays in the API's ``detail`` field only."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from spinscope.cli import app
from spinscope.errors import FetchError, UnsafeURLError
from spinscope.messages import for_people
from spinscope.readers import url as url_module

URL = "https://no-such-host.invalid/news/story.html"
RAW = ("Name or service not known", "cannot resolve", "ConnectError", "ReadTimeout", "httpx", "Errno")


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        (
            "could not connect: cannot resolve no-such-host.invalid: Name or service not known",
            "could not find the website",
        ),
        ("could not connect: [Errno 111] Connection refused", "could not connect to no-such-host.invalid"),
        ("timed out after 10 s (ReadTimeout)", "did not send the page within 10 seconds"),
        ("HTTP 404 Not Found", "has no page at this address (error 404)"),
        ("HTTP 403 Forbidden", "would not give the page to spinscope (error 403)"),
        ("HTTP 503 Service Unavailable", "had a problem sending the page (error 503): try again later"),
        ("too many redirects (more than 5)", "too many times"),
        ("could not fetch: RemoteProtocolError", "could not download the page"),
    ],
)
@pytest.mark.parametrize("where", ["cli", "web"])
def test_fetch_failures_in_plain_words(reason: str, says: str, where: str) -> None:
    message, detail = for_people(FetchError(URL, reason), where)  # type: ignore[arg-type]
    assert says in message, message
    assert detail == reason
    assert not any(raw in message for raw in RAW), message
    assert ("paste" in message) == (
        where == "web"
        and "could not find" not in message
        and "404" not in message
        and "could not connect" not in message
    )


def test_refusals_keep_their_words_and_say_what_works_instead() -> None:
    refused = UnsafeURLError(URL, f"refusing to fetch {URL}: cloud metadata address")
    message, detail = for_people(refused)
    assert message.startswith(refused.reason) and "save it as .html" in message and detail is None
    assert "paste it here" in for_people(refused, "web")[0]
    odd = FetchError(URL, "cannot fetch mailto:x@y (redirect 1): only http and https URLs are supported")
    assert for_people(odd) == (odd.reason, None)


def test_cli_says_the_host_was_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(host: str, *args: object, **kwargs: object) -> list:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(url_module.socket, "getaddrinfo", no_such_host)
    result = CliRunner().invoke(app, ["analyze", URL, "--engine", "rules"])
    assert result.exit_code == 1
    assert f"spinscope: error: {URL}: could not find the website no-such-host.invalid: check the address" in (
        result.output
    )
    assert "Name or service not known" not in result.output


def test_web_answer_has_the_plain_message_and_the_detail(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("fastapi", reason="the server extra is not installed")
    from fastapi.testclient import TestClient

    from spinscope.server import Settings, create_app

    def no_such_host(host: str, *args: object, **kwargs: object) -> list:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(url_module.socket, "getaddrinfo", no_such_host)
    with TestClient(
        create_app(Settings(engine="rules", db_path=":memory:", rate_per_minute=0)), base_url="http://localhost"
    ) as client:
        body = client.post("/api/analyze", json={"url": URL}).json()
        batch = client.post("/api/analyze/batch", json={"articles": [{"url": URL}]}).json()["results"][0]
    for answer in (body, batch):
        assert answer["error"] == "fetch_failed"
        assert answer["message"].startswith("Could not find the website no-such-host.invalid: check the address")
        assert "Name or service not known" not in answer["message"] and URL not in answer["message"]
        assert answer["detail"].startswith(f"{URL}: could not connect: cannot resolve no-such-host.invalid")
