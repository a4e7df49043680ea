"""Issue 30: limits a client can always satisfy, and clients that cannot starve or borrow the server.

Each test failed before its fix: a request costing more than the rate bucket got 429 with
``Retry-After: 1`` for ever (and an over-long text 429 instead of 413); a trickling page held an
analysis thread past the time limit and after its client hung up; one address could hold every
connection; any ``Host`` was served (DNS rebinding). The connection tests run the real uvicorn with
``spinscope serve``'s settings (:func:`spinscope.server.transport.uvicorn_config`) on loopback; a
second client connects from 127.0.0.2 (all of 127/8 is loopback on Linux).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="the server extra is not installed")

from fastapi.testclient import TestClient  # noqa: E402

from spinscope.server import create_app  # noqa: E402
from spinscope.server.hosts import allowed_hosts, host_name  # noqa: E402
from tests.test_fetch_deadline import Trickle  # noqa: E402
from tests.test_server_hardening import served, settings  # noqa: E402  (one copy of each fixture)

SHORT = "The minister said on Tuesday that the talks would resume. Critics called the plan a shameful surrender!"
LOCAL = "http://localhost"


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message"} and body["error"] == code, body
    assert body["message"] and "\n" not in body["message"]
    return body


def html_page(chars: int) -> str:
    """A page of ``chars`` characters whose text is one short paragraph (the rest is a comment)."""
    head = f"<html><body><article><p>{SHORT}</p></article><!-- "
    tail = " --></body></html>"
    return head + "x" * (chars - len(head) - len(tail)) + tail


# ---- item 2: a rate limit that can always be satisfied ----------------------------------------------------


def test_a_request_costing_more_than_the_bucket_passes_when_it_is_full() -> None:
    # 30 tokens, a token per 10,000 characters: 300,001 characters cost 31; two tokens a minute (a slow
    # first analysis on a loaded machine refills little of the bucket)
    with TestClient(create_app(settings(rate_per_minute=2, rate_burst=30)), base_url=LOCAL) as client:
        assert client.post("/api/analyze", json={"html": html_page(300_001)}).status_code == 200
        refused = client.post("/api/analyze", json={"html": html_page(300_001)})
        assert_error(refused, 429, "rate_limited")
        # the bucket is empty: a full one is 15 minutes away (not "1 s", again and again)
        assert 600 <= int(refused.headers["retry-after"]) <= 900
        # an over-long text is 413 at once, whatever the bucket holds: waiting would not help
        assert_error(client.post("/api/analyze", json={"text": "a" * 310_001}), 413, "text_too_large")


@pytest.mark.slow
def test_retry_after_is_true_and_a_large_batch_passes() -> None:
    # 60 a minute: one a second; 6 articles of 2,001 characters cost 18 tokens, more than the 10 a bucket holds.
    # (At ten a second, a first batch slower than a second on a loaded machine refilled the bucket in time.)
    app = create_app(settings(rate_per_minute=60, rate_burst=10, rate_chars_per_token=1_000))
    batch = {"articles": [{"text": (SHORT + " ") * 20} for _ in range(6)]}
    assert len(batch["articles"][0]["text"]) > 2_000
    with TestClient(app, base_url=LOCAL) as client:
        assert client.post("/api/analyze/batch", json=batch).status_code == 200
        refused = client.post("/api/analyze/batch", json=batch)
        assert_error(refused, 429, "rate_limited")
        time.sleep(int(refused.headers["retry-after"]) + 0.2)
        assert client.post("/api/analyze/batch", json=batch).status_code == 200  # as promised


# ---- item 7: the Host header ------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8000", "127.0.0.1.nip.io", ""])
def test_a_foreign_host_is_refused(host: str) -> None:
    with TestClient(create_app(settings()), base_url=LOCAL) as client:
        response = client.get("/api/techniques", headers={"host": host})
        body = assert_error(response, 400, "host_not_allowed")
        assert "--allowed-host" in body["message"]
        assert client.post("/api/analyze", json={"text": SHORT}, headers={"host": host}).status_code == 400


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST."])
def test_loopback_hosts_are_served(host: str) -> None:
    with TestClient(create_app(settings()), base_url=LOCAL) as client:
        assert client.get("/api/techniques", headers={"host": host}).status_code == 200


def test_allowed_hosts_are_configurable() -> None:
    assert allowed_hosts(["News.LAN:8000"], bound="192.0.2.7") == (
        "localhost",
        "127.0.0.1",
        "::1",
        "news.lan",
        "192.0.2.7",
    )
    assert allowed_hosts(bound="0.0.0.0") == ("localhost", "127.0.0.1", "::1")
    assert host_name("[::1]:80") == "::1" and host_name("::1") == "::1"
    app = create_app(settings(allowed_hosts=allowed_hosts(["news.lan"])))
    with TestClient(app, base_url="http://news.lan:8000") as client:
        assert client.get("/api/techniques").status_code == 200
    with TestClient(create_app(settings(allowed_hosts=("*",))), base_url="http://any.example") as client:
        assert client.get("/api/techniques").status_code == 200


# ---- a real uvicorn: connections and fetches -------------------------------------------------------------------


def test_a_foreign_host_is_refused_by_the_real_server() -> None:
    with served(settings()) as (_app, port):
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/api/techniques", timeout=10).status_code == 200
        response = httpx.get(f"{base}/", headers={"Host": "attacker.example"}, timeout=10)
        assert_error(response, 400, "host_not_allowed")


def test_one_address_cannot_take_every_connection() -> None:
    # 16 connections, a quarter per address: 127.0.0.1 holds 4 half-open ones and is refused more
    with served(settings(header_timeout=30, max_connections=16)) as (_app, port):
        held = []
        try:
            for _ in range(20):
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
                held.append(connection)
            time.sleep(0.3)
            other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=10)
            with other:
                assert other.get(f"http://127.0.0.1:{port}/api/techniques").status_code == 200
            refused = httpx.get(f"http://127.0.0.1:{port}/api/techniques", timeout=10)
            body = assert_error(refused, 503, "too_many_connections")
            assert "limit 4" in body["message"]
        finally:
            for connection in held:
                connection.close()
        time.sleep(0.3)
        assert httpx.get(f"http://127.0.0.1:{port}/api/techniques", timeout=10).status_code == 200


@contextlib.contextmanager
def trickling_server() -> Iterator[str]:
    from http.server import ThreadingHTTPServer

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_time_limit_stops_a_trickling_fetch() -> None:
    with trickling_server() as host:
        app = create_app(settings(fetch_allow_hosts=(host,), fetch_timeout=60, analysis_timeout=1))
        with TestClient(app, base_url=LOCAL) as client:
            start = time.monotonic()
            response = client.post("/api/analyze", json={"url": f"http://{host}/body?seconds=20"})
            assert_error(response, 503, "analysis_timeout")
            assert time.monotonic() - start < 1 + 3


def test_a_client_hanging_up_frees_the_thread_of_a_trickling_fetch() -> None:
    with trickling_server() as host:
        app_settings = settings(threads=1, fetch_allow_hosts=(host,), fetch_timeout=60, analysis_timeout=60)
        with served(app_settings) as (app, port):
            pool = app.state.spinscope.pool
            body = httpx.Request("POST", "/", json={"url": f"http://{host}/body?seconds=30"}).read()
            head = (
                f"POST /api/analyze HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode()
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(head + body)
            deadline = time.monotonic() + 10
            while not pool.pending:
                assert time.monotonic() < deadline, "the fetch did not start"
                time.sleep(0.02)
            time.sleep(0.5)
            connection.close()
            deadline = time.monotonic() + 3  # the page trickles for 30 s
            while pool.pending and time.monotonic() < deadline:
                time.sleep(0.05)
            assert pool.pending == 0, "the fetch of a client that went away still holds the thread"
            response = httpx.post(f"http://127.0.0.1:{port}/api/analyze", json={"text": SHORT}, timeout=30)
            assert response.status_code == 200
