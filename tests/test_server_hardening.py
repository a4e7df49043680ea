"""The server under hostile clients (issue 17): clear 4xx codes for odd input, no client starving the others.

Each test failed before its fix: invisible-only text and redirects to ``mailto:`` were 500s,
deeply nested JSON a ``400 http_error``; work of a client that had gone away kept the
analysis threads busy; a long text cost one rate-limit token like a short one; there was no
time limit; ``X-Forwarded-For`` from loopback was trusted; half-open connections were held
forever; one client could push every other permalink out of the store.
The connection tests run the real uvicorn with the settings ``spinscope serve`` uses
(:func:`spinscope.server.transport.uvicorn_config`), on loopback.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="the server extra is not installed")

from fastapi.testclient import TestClient  # noqa: E402

from spinscope.server import Settings, create_app  # noqa: E402
from spinscope.server import state as server_state  # noqa: E402
from spinscope.server.limits import MAX_JSON_DEPTH, json_depth  # noqa: E402
from spinscope.server.store import ResultStore  # noqa: E402
from spinscope.server.transport import uvicorn_config  # noqa: E402

DEMO = (Path(__file__).resolve().parents[1] / "examples" / "demo-article.txt").read_text(encoding="utf-8")
SHORT = "The minister said on Tuesday that the talks would resume. Critics called the plan a shameful surrender!"


def settings(**changes: Any) -> Settings:
    base: dict[str, Any] = {"engine": "rules", "db_path": ":memory:", "rate_per_minute": 0, "warm_up": False}
    base.update(changes)
    return Settings(**base)


def long_text(chars: int) -> str:
    return ((DEMO + "\n\n") * (chars // len(DEMO) + 1))[:chars]


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message"} and body["error"] == code, body
    assert body["message"] and "\n" not in body["message"]
    return body


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(settings()), base_url="http://localhost") as test_client:
        yield test_client


# ---- odd input: a 4xx with the right code ------------------------------------------------------------------


@pytest.mark.parametrize("text", ["\u200b", "\u202e", "\u200b\u202e\u2066 \n", "\ufffd"])
def test_invisible_only_text_is_empty_input(client: TestClient, text: str) -> None:
    assert_error(client.post("/api/analyze", json={"text": text}), 400, "empty_input")
    results = client.post("/api/analyze/batch", json={"articles": [{"text": text}, {"text": SHORT}]}).json()["results"]
    assert results[0]["error"] == "empty_input" and results[1]["schema"] == "spinscope/1"


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b'{"text": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", b'{"a":' * 2_000 + b"1" + b"}" * 2_000],
)
def test_deeply_nested_json_is_invalid_json(client: TestClient, body: bytes) -> None:
    response = client.post("/api/analyze", content=body, headers={"content-type": "application/json"})
    assert "nested" in assert_error(response, 422, "invalid_json")["message"]


def test_json_depth_ignores_brackets_inside_strings() -> None:
    assert json_depth(b'{"text": "' + b"[{" * 500 + b'"}') <= MAX_JSON_DEPTH
    assert json_depth(b'{"text": "a \\" [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ b"}') <= MAX_JSON_DEPTH
    assert json_depth(b"[" * 40 + b"]" * 40) == 40


class Redirects(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        target = self.path.split("target=", 1)[-1]
        with contextlib.suppress(OSError):
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()


@pytest.mark.parametrize("target", ["mailto:x@y", "javascript:alert(1)"])
def test_redirect_to_a_non_http_location_is_fetch_failed(target: str) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Redirects)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        host = f"127.0.0.1:{httpd.server_address[1]}"
        with TestClient(create_app(settings(fetch_allow_hosts=(host,))), base_url="http://localhost") as test_client:
            response = test_client.post("/api/analyze", json={"url": f"http://{host}/to?target={target}"})
        body = assert_error(response, 502, "fetch_failed")
        assert "only http and https" in body["message"]
    finally:
        httpd.shutdown()
        httpd.server_close()


# ---- budgets: size-charged rate limit, time limit, per-client permalinks --------------------------------------


def test_rate_limit_charges_long_texts_by_their_size() -> None:
    app = create_app(settings(rate_per_minute=1, rate_burst=10, rate_chars_per_token=1_000))
    with TestClient(app, base_url="http://localhost") as test_client:
        assert test_client.post("/api/analyze", json={"text": SHORT}).status_code == 200  # 1 token: 9 left
        body = assert_error(test_client.post("/api/analyze", json={"text": long_text(9_500)}), 429, "rate_limited")
        assert "try again" in body["message"]
        batch = {"articles": [{"text": long_text(4_500)}, {"text": long_text(4_500)}]}  # 5 + 5 tokens
        assert_error(test_client.post("/api/analyze/batch", json=batch), 429, "rate_limited")
        assert test_client.post("/api/analyze", json={"text": SHORT}).status_code == 200  # refusals cost nothing


def test_an_analysis_past_its_time_limit_is_stopped() -> None:
    # the model engine: its encoders read 60,000 characters in 10 s or more on two cores (the rules engine
    # runs no model and may finish within the limit)
    with TestClient(
        create_app(settings(analysis_timeout=3, warm_up=True, engine="model")), base_url="http://localhost"
    ) as test_client:
        response = test_client.post("/api/analyze", json={"text": long_text(60_000)})
        body = assert_error(response, 503, "analysis_timeout")
        assert "longer than 3 s" in body["message"]
        assert test_client.post("/api/analyze", json={"text": SHORT}).status_code == 200
        # in a batch each article gets the limit afresh: the short one after the stopped one is analysed
        batch = {"articles": [{"text": long_text(60_000)}, {"text": SHORT}]}
        results = test_client.post("/api/analyze/batch", json=batch).json()["results"]
        assert results[0]["error"] == "analysis_timeout" and results[1]["schema"] == "spinscope/1"


def test_store_keeps_each_clients_newest_and_others_results() -> None:
    store = ResultStore(":memory:", max_results=10, max_per_client=3)
    mine = [store.put({"n": i}, client="198.51.100.1") for i in range(2)]
    theirs = [store.put({"n": i}, client="203.0.113.9") for i in range(20)]
    assert all(store.get(result_id) is not None for result_id in mine)
    assert [store.get(result_id) is not None for result_id in theirs] == [False] * 17 + [True] * 3
    assert len(store) == 5


def test_one_client_cannot_push_out_another_clients_permalinks() -> None:
    app = create_app(settings(max_results=6, max_results_per_client=2))
    first = TestClient(
        app, client=("198.51.100.1", 5000), base_url="http://localhost"
    )  # two clients of one app (no lifespan: no warm-up)
    flooder = TestClient(app, client=("203.0.113.9", 5000), base_url="http://localhost")
    kept = first.post("/api/analyze", json={"text": SHORT}).json()["permalink"]
    links = [flooder.post("/api/analyze", json={"text": SHORT}).json()["permalink"] for _ in range(4)]
    assert flooder.get(kept).status_code == 200
    assert [flooder.get(link).status_code for link in links] == [404, 404, 200, 200]


# ---- a real uvicorn with `spinscope serve`'s settings ------------------------------------------------------------


@contextlib.contextmanager
def served(app_settings: Settings) -> Iterator[tuple[Any, int]]:
    """The app under uvicorn configured as ``spinscope serve`` does, on a free loopback port."""
    app = create_app(app_settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app, app_settings, "127.0.0.1", port, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield app, port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def half_open(port: int, head: bytes = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n") -> socket.socket:
    """A connection that starts a request and never finishes its head."""
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    connection.sendall(head)
    return connection


def read_response(connection: socket.socket) -> bytes:
    """One whole response (head and a Content-Length body) from a raw connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def closed_by_server(connection: socket.socket, within: float) -> bool:
    connection.settimeout(within)
    try:
        return connection.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_half_open_connections_are_closed_after_the_header_timeout() -> None:
    with served(settings(header_timeout=0.5, keep_alive_timeout=1)) as (_app, port):
        connections = [half_open(port) for _ in range(30)]
        try:
            assert all(closed_by_server(c, within=5) for c in connections)
        finally:
            for connection in connections:
                connection.close()
        # after a response the next request's head gets the same time; an idle keep-alive ends too
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(b"GET /api/techniques HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert read_response(connection).startswith(b"HTTP/1.1 200")
            connection.sendall(b"GET /api/techniques HTTP/1.1\r\nHost")
            assert closed_by_server(connection, within=5)
        assert httpx.get(f"http://127.0.0.1:{port}/api/techniques", timeout=10).status_code == 200


def test_connection_cap_answers_503_past_it() -> None:
    # the per-address share off: this is uvicorn's cap for everyone (test_server_limits.py tests the share)
    with served(settings(header_timeout=30, max_connections=4, max_connections_per_client=0)) as (_app, port):
        held = [half_open(port) for _ in range(4)]
        try:
            time.sleep(0.2)
            assert httpx.get(f"http://127.0.0.1:{port}/api/techniques", timeout=10).status_code == 503
        finally:
            for connection in held:
                connection.close()
        time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/api/techniques", timeout=10).status_code == 200


@pytest.mark.parametrize("trusted", [None, "127.0.0.1"])
def test_x_forwarded_for_counts_only_from_a_configured_proxy(trusted: str | None) -> None:
    with served(settings(rate_per_minute=1, rate_burst=3, forwarded_allow_ips=trusted)) as (_app, port):
        statuses = [
            httpx.get(
                f"http://127.0.0.1:{port}/api/techniques", headers={"X-Forwarded-For": f"203.0.113.{n}"}, timeout=10
            ).status_code
            for n in range(6)
        ]
    # untrusted: one loopback client, whatever it claims; behind a configured proxy: six clients
    assert statuses == ([200] * 3 + [429] * 3 if trusted is None else [200] * 6)


def test_work_of_a_client_that_went_away_is_dropped_or_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """One thread: a long analysis runs, a second waits; both clients disconnect. The running one stops
    at its next checkpoint, the queued one never starts, and the server is idle again at once."""
    started: list[int] = []
    real_analyze = server_state.analyze

    def counting(article: Any, **options: Any) -> Any:
        started.append(len(article.text))
        return real_analyze(article, **options)

    body = httpx.Request("POST", "/", json={"text": long_text(60_000)}).read()
    head = (
        f"POST /api/analyze HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    # the model engine: 60,000 characters keep it busy far longer than the test (the rules engine runs no model)
    with served(settings(threads=1, queue_size=4, engine="model", warm_up=True)) as (app, port):
        monkeypatch.setattr(server_state, "analyze", counting)  # after the warm-up analysis
        pool = app.state.spinscope.pool
        running = socket.create_connection(("127.0.0.1", port), timeout=5)
        running.sendall(head + body)
        deadline = time.monotonic() + 30
        while not started:
            assert time.monotonic() < deadline, "the first analysis did not start"
            time.sleep(0.02)
        queued = socket.create_connection(("127.0.0.1", port), timeout=5)
        queued.sendall(head + body)
        while pool.pending < 2:
            assert time.monotonic() < deadline, "the second request was not queued"
            time.sleep(0.02)
        running.close()
        queued.close()
        deadline = time.monotonic() + 10  # the analysis alone takes far longer on any machine
        while pool.pending and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pool.pending == 0, "the abandoned work is still running or queued"
        assert len(started) == 1  # the queued analysis never started
        response = httpx.post(f"http://127.0.0.1:{port}/api/analyze", json={"text": SHORT}, timeout=30)
        assert response.status_code == 200
