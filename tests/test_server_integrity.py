"""The server's second hardening round, the smaller half (issue 30, items 8 and 12 and the smaller ones).

A corrupt permalink store was a 500 on every analysis while /healthz said ok, a garbage file a
47-line traceback after "serving on", and a store deleted while serving lost later permalinks
silently; the over-capacity 503 was plain text; every 500 closed the keep-alive connection; a
NaN min_score was "should be <= 1"; the length limit counted \\r\\n as two characters; the API
refused lone surrogates that the CLI repairs; and a page on another origin could POST. Each test
failed before its fix. Real files, real uvicorn servers on loopback.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")
pytest.importorskip("uvicorn", reason="the server extra is not installed")

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from spinscope.cli import app as cli_app
from spinscope.server import Settings, create_app
from spinscope.server.store import ResultStore, StoreError
from test_server_hardening import assert_error, half_open, read_response, served, settings

SHORT = "The minister said on Tuesday that the talks would resume. Critics called the plan a shameful surrender!"
EXTENSION = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


def garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database\n" * 500)


# ---- item 8: the permalink store checks itself --------------------------------------------------------------


def test_a_garbage_store_is_moved_aside_and_the_server_works(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite3"
    garbage(db)
    with TestClient(create_app(settings(db_path=db)), base_url="http://localhost") as api:
        answer = api.post("/api/analyze", json={"text": SHORT})
        assert answer.status_code == 200, answer.text
        assert api.get(answer.json()["permalink"] + ".json").status_code == 200
        health = api.get("/healthz").json()
    aside = list(tmp_path.glob("results.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not a database")
    assert health["status"] == "ok" and health["store"]["moved_aside"] == str(aside[0])
    assert "not a sound SQLite database" in health["store"]["message"]


def test_serve_on_an_unopenable_store_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "a-folder.sqlite3"
    folder.mkdir()  # a folder where the file should be: SQLite cannot open it
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(folder), "--engine", "rules", "--port", "1"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "serving on" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and str(folder) in lines[0] and "cannot open" in lines[0], result.output


def test_serve_says_it_moved_a_corrupt_store_aside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "results.sqlite3"
    garbage(db)
    started: list[Settings] = []
    monkeypatch.setattr("spinscope.server.serve", lambda s, **_: started.append(s))
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(db), "--engine", "rules"])
    assert result.exit_code == 0, result.output
    assert "moved it to" in result.output and ".corrupt-" in result.output and "Traceback" not in result.output
    assert started and sqlite3.connect(db).execute("PRAGMA quick_check").fetchone() == ("ok",)


def test_a_store_deleted_while_serving_is_recreated(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite3"
    with TestClient(create_app(settings(db_path=db)), base_url="http://localhost") as api:
        assert api.post("/api/analyze", json={"text": SHORT}).status_code == 200
        for path in tmp_path.glob("results.sqlite3*"):
            path.unlink()
        answer = api.post("/api/analyze", json={"text": SHORT})
        assert answer.status_code == 200
        link = answer.json()["permalink"]
        health = api.get("/healthz").json()
    assert health["store"]["state"] == "recreated" and "deleted" in health["store"]["message"]
    assert db.exists()  # the permalink went into a file that is there, not a deleted one
    assert ResultStore(db).get(link.removeprefix("/r/")) is not None


@pytest.mark.parametrize("size", [4096, 1 << 20])
def test_a_store_overwritten_while_serving_loses_nothing_silently(tmp_path: Path, size: int) -> None:
    db = tmp_path / "results.sqlite3"
    with TestClient(create_app(settings(db_path=db)), base_url="http://localhost") as api:
        first = api.post("/api/analyze", json={"text": SHORT}).json()["permalink"]
        with open(db, "r+b") as handle:  # the same file (inode): garbage over its first page, or all of it
            handle.write(b"garbage " * (size // 8))
        answer = api.post("/api/analyze", json={"text": SHORT})
        assert answer.status_code == 200, answer.text
        assert api.get(answer.json()["permalink"] + ".json").status_code == 200
        kept = api.get(first + ".json").status_code == 200
        store = api.get("/healthz").json()["store"]
    assert store["state"] in ("restored", "recreated") and "overwritten while serving" in store["message"]
    # the earlier permalink is there (the journal restored the file), or the file is kept aside and said so
    assert kept or Path(store["moved_aside"]).exists(), store


def test_a_store_that_cannot_be_recreated_is_a_503_and_healthz_says_so(tmp_path: Path) -> None:
    db = tmp_path / "results.sqlite3"
    with TestClient(create_app(settings(db_path=db)), base_url="http://localhost") as api:
        assert api.post("/api/analyze", json={"text": SHORT}).status_code == 200
        for path in tmp_path.glob("results.sqlite3*"):
            path.unlink()
        db.mkdir()  # where the file was, something SQLite cannot open
        body = assert_error(api.post("/api/analyze", json={"text": SHORT}), 503, "store_unavailable")
        assert str(db) in body["message"] and "cannot open" in body["message"]
        health = api.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "degraded"
        assert health.json()["store"]["state"] == "unavailable"
        db.rmdir()  # repaired: the next request starts a new file
        assert api.post("/api/analyze", json={"text": SHORT}).status_code == 200
        assert api.get("/healthz").json()["status"] == "ok"


def test_store_error_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "x.sqlite3"
    folder.mkdir()
    with pytest.raises(StoreError, match=r"x\.sqlite3: cannot open it"):
        ResultStore(folder)


# ---- smaller: JSON 503, keep-alive after a 500, NaN, line ends, surrogates -------------------------------------


def test_the_over_capacity_503_is_the_apis_json() -> None:
    with served(settings(header_timeout=30, max_connections=2, max_connections_per_client=0)) as (_app, port):
        held = [half_open(port) for _ in range(2)]
        try:
            time.sleep(0.2)
            answer = httpx.get(f"http://127.0.0.1:{port}/api/techniques", timeout=10)
            body = assert_error(answer, 503, "too_many_connections")
            assert "limit 2" in body["message"] and answer.headers["content-type"] == "application/json"
        finally:
            for connection in held:
                connection.close()


def test_a_500_keeps_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    app_settings = settings()
    with served(app_settings) as (app, port):

        def broken(result_id: str) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(app.state.spinscope.store, "get", broken)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            path = "/api/result/" + "a" * 22
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
            head, body = whole_response(connection)
            assert head.startswith(b"HTTP/1.1 500") and b'"internal_error"' in body
            assert b"connection: close" not in head.lower()
            connection.sendall(b"GET /api/techniques HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert whole_response(connection)[0].startswith(b"HTTP/1.1 200")  # same connection


def whole_response(connection: socket.socket) -> tuple[bytes, bytes]:
    """One response's head and its Content-Length body, read from a raw connection."""
    head, _, body = read_response(connection).partition(b"\r\n\r\n")
    return head, body


@pytest.fixture(scope="module")
def api() -> Any:
    with TestClient(create_app(settings(max_text_chars=200)), base_url="http://localhost") as client:
        yield client


def test_nan_min_score_is_not_a_number(api: TestClient) -> None:
    answer = api.post(
        "/api/analyze", content=b'{"text": "x", "min_score": NaN}', headers={"content-type": "application/json"}
    )
    body = assert_error(answer, 422, "invalid_request")
    assert "finite number" in body["message"] and "1" not in body["message"].replace("min_score", "")


@pytest.mark.parametrize("command", ["analyze", "batch"])
def test_nan_min_score_on_the_command_line_is_refused(command: str, tmp_path: Path) -> None:
    extra = ["-o", str(tmp_path / "out")] if command == "batch" else []
    result = CliRunner().invoke(cli_app, [command, str(tmp_path), *extra, "--min-score", "nan"])
    assert result.exit_code == 2 and "must be a number from 0 to 1" in " ".join(result.output.split())


def test_the_length_limit_counts_line_ends_as_normalised(api: TestClient) -> None:
    lines = ["The senator said the plan would pass. Critics called it a surrender."] * 3
    text = "\r\n".join(line[:64] for line in lines)  # 3 * 64 + 2 * 2 = 196 sent, 194 analysed
    assert api.post("/api/analyze", json={"text": text}).status_code == 200
    padded = text + "\r\n" * 3  # 202 characters sent, 197 analysed
    assert len(padded) > 200
    assert api.post("/api/analyze", json={"text": padded}).status_code == 200
    assert_error(api.post("/api/analyze", json={"text": "a" * 201}), 413, "text_too_large")


def test_lone_surrogates_are_replaced_as_the_cli_does(api: TestClient) -> None:
    body = b'{"text": "Valdoria \\ud800 recalls the envoy, the minister said.", "title": "T \\udc00"}'
    answer = api.post("/api/analyze", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["text"] == "Valdoria \ufffd recalls the envoy, the minister said." and data["title"] == "T \ufffd"


# ---- the Origin check -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("origin", ["https://attacker.example", "http://127.0.0.1:9999", "null"])
def test_a_post_from_another_origin_is_refused(origin: str) -> None:
    with TestClient(create_app(settings()), base_url="http://127.0.0.1:8000") as client:
        answer = client.post("/api/analyze", json={"text": SHORT}, headers={"Origin": origin})
        body = assert_error(answer, 403, "origin_not_allowed")
        assert origin in body["message"]
        batch = client.post("/api/analyze/batch", json={"articles": [{"text": SHORT}]}, headers={"Origin": origin})
        assert_error(batch, 403, "origin_not_allowed")
        assert client.get("/api/techniques", headers={"Origin": origin}).status_code == 200  # reading is not refused


def test_a_cross_site_post_without_origin_is_refused() -> None:
    with TestClient(create_app(settings()), base_url="http://localhost") as client:
        answer = client.post("/api/analyze", json={"text": SHORT}, headers={"Sec-Fetch-Site": "cross-site"})
        assert_error(answer, 403, "origin_not_allowed")


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, ()),  # curl, scripts
        ("http://127.0.0.1:8000", ()),  # the server's own page
        (EXTENSION, ()),  # the extension, with host permissions and no CORS
        (EXTENSION, (EXTENSION,)),  # the extension, listed with --allow-origin
        ("moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", ()),
    ],
)
def test_own_extension_and_configured_origins_may_post(origin: str | None, allowed: tuple[str, ...]) -> None:
    with TestClient(create_app(settings(allowed_origins=allowed)), base_url="http://127.0.0.1:8000") as client:
        headers = {"Origin": origin} if origin else {}
        assert client.post("/api/analyze", json={"text": SHORT}, headers=headers).status_code == 200


def test_the_origin_check_on_a_real_server() -> None:
    with served(settings()) as (_app, port):
        base = f"http://127.0.0.1:{port}"
        own = httpx.post(f"{base}/api/analyze", json={"text": SHORT}, headers={"Origin": base}, timeout=30)
        assert own.status_code == 200
        foreign = httpx.post(
            f"{base}/api/analyze", json={"text": SHORT}, headers={"Origin": "https://news.example"}, timeout=30
        )
        assert_error(foreign, 403, "origin_not_allowed")


def test_a_sound_store_is_opened_as_it_is(tmp_path: Path) -> None:
    db = tmp_path / "ok.sqlite3"
    store = ResultStore(db)
    kept = store.put({"n": 1})
    store.close()
    again = ResultStore(db)
    assert again.get(kept) == {"n": 1} and again.recovered is None
    assert not [name for name in os.listdir(tmp_path) if ".corrupt-" in name]
    again.close()


def test_one_byte_over_shows_exact_bytes() -> None:
    with TestClient(create_app(settings(max_body_bytes=6_000_000)), base_url="http://localhost") as client:
        body = b'{"text": "' + b"a" * (6_000_001 - 12) + b'"}'
        assert len(body) == 6_000_001
        answer = client.post("/api/analyze", content=body, headers={"content-type": "application/json"})
        message = assert_error(answer, 413, "body_too_large")["message"]
        assert message == "request body too large: 6,000,001 bytes (limit 6,000,000 bytes)"
