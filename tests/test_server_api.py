"""`spinscope serve`: the REST API, its errors and limits, the permalink store, and a real uvicorn server.

Most tests run the app in-process (FastAPI's TestClient, or httpx over ASGI for
concurrency). The ``live`` tests start uvicorn on a free loopback port in a thread
and send real HTTP: SSRF attempts, oversized and malformed bodies, a rate limit,
and then a good request, which must still succeed. Nothing leaves the machine:
pages come from a second HTTP server on 127.0.0.1, the only host the live server
is allowed to fetch from (``Settings.fetch_allow_hosts``), as in test_url_safety.py.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="the server extra is not installed")

from fastapi.testclient import TestClient  # noqa: E402

from conftest import serve_in_thread  # noqa: E402
from spinscope import SCHEMA  # noqa: E402
from spinscope.readers import url as url_module  # noqa: E402
from spinscope.server import Settings, create_app  # noqa: E402
from spinscope.server import app as server_app  # noqa: E402
from spinscope.server import state as server_state  # noqa: E402
from spinscope.server.app import PAGE_CSP, csp_safe_fragment  # noqa: E402
from spinscope.server.limits import TokenBucket, client_key  # noqa: E402
from spinscope.server.store import ResultStore, default_db_path, valid_id  # noqa: E402

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-article.txt"
GERMAN = (
    "Die Regierung hat am Montag beschlossen, dass die Verhandlungen mit den Nachbarn nicht fortgesetzt werden. "
    "Der Minister ist mit dem Ergebnis der Gespräche nicht zufrieden und will die Botschaft schließen."
)
SHORT = "The minister said on Tuesday that the talks would resume. Critics called the plan a shameful surrender!"
PAYLOAD_SCRIPT = "<script>alert(1);window.__pwned=1</script>"
PAYLOAD_ATTR = '" onmouseover="alert(1);window.__pwned=2'
PERMALINK = re.compile(r"^/r/[A-Za-z0-9_-]{22}$")
ARTICLE_HTML = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Valdoria recalls envoy | The Meridian Post</title>
<meta property="og:title" content="Valdoria recalls envoy">
<meta property="og:site_name" content="The Meridian Post"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Valdoria recalls envoy</h1>
<p>Valdoria recalled its ambassador to Sarnia on Monday, the foreign ministry said in a statement, after talks on the
disputed border collapsed for the third time this year.</p>
<p>"We have been patient for too long," Foreign Minister Elena Marsh told reporters in the capital. She said the
government would announce further steps by the end of the week.</p>
<p>Sarnia's government said it regretted the decision and that its delegation had offered a new proposal on Friday.
The two countries have disputed the Kessin valley since 1994, when a ceasefire ended six months of fighting.</p>
</article><footer>Copyright The Meridian Post</footer></body></html>"""


def rules_settings(**changes: Any) -> Settings:
    base: dict[str, Any] = {"engine": "rules", "db_path": ":memory:", "rate_per_minute": 0}
    base.update(changes)
    return Settings(**base)


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The API's error shape: exactly ``error`` and a one-line ``message``, with the expected status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    # "detail": the exact technical reason behind a plain message (failed fetches)
    assert set(body) - {"detail"} == {"error", "message"}, body
    assert body["error"] == code, body
    assert body["message"] and "\n" not in body["message"]
    assert "Traceback" not in body["message"]
    return body


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(rules_settings()), base_url="http://localhost") as test_client:
        yield test_client


@pytest.fixture(scope="module")
def demo_result(client: TestClient) -> dict[str, Any]:
    response = client.post("/api/analyze", json={"text": DEMO.read_text(encoding="utf-8")})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(autouse=True)
def no_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(url_module.ALLOW_PRIVATE_ENV, raising=False)


# ---- analysing ------------------------------------------------------------------------------------------


def test_analyze_text(demo_result: dict[str, Any]) -> None:
    assert demo_result["schema"] == SCHEMA
    assert PERMALINK.match(demo_result["permalink"])
    assert demo_result["text"] == DEMO.read_text(encoding="utf-8")
    assert demo_result["title"] == 'Border Betrayal: Weak Ministers Hand Valdoria to Foreign "Peacekeepers"'
    assert demo_result["meta"]["source"] is None  # pasted text has no source to show
    assert demo_result["techniques"] and all(t["engine"] == "rules" for t in demo_result["techniques"])
    assert demo_result["models"]["techniques"]["engine"] == "rules"
    assert any(q["speaker_name"] for q in demo_result["quotes"])
    assert demo_result["summary"]["word_count"] > 200


def test_a_request_may_ask_for_the_fast_engine(client: TestClient) -> None:
    response = client.post("/api/analyze", json={"text": DEMO.read_text(encoding="utf-8"), "engine": "fast"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["models"]["techniques"]["engine"] == "model"
    assert body["models"]["quotes"] == {"engine": "rules"}
    assert_error(
        client.post("/api/analyze", json={"text": "Some text here.", "engine": "quick"}), 422, "invalid_request"
    )


def test_stored_result_and_downloads(client: TestClient, demo_result: dict[str, Any]) -> None:
    permalink = demo_result["permalink"]
    result_id = permalink.rsplit("/", 1)[1]
    assert client.get(f"/api/result/{result_id}").json() == demo_result
    analysis = {k: v for k, v in demo_result.items() if k != "permalink"}
    download = client.get(f"{permalink}.json")
    assert download.status_code == 200 and download.json() == analysis

    page = client.get(permalink)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'class="ss-report ' in page.text and "Border Betrayal" in page.text
    assert f'href="{permalink}/report.html"' in page.text and f'href="{permalink}.json"' in page.text

    fragment = client.get(f"{permalink}/fragment")
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith("<nav")
    assert "<html" not in fragment.text and 'class="ss-report ' in fragment.text

    report = client.get(f"{permalink}/report.html")
    assert report.status_code == 200 and report.text.startswith("<!doctype html>")
    assert report.headers["content-disposition"].startswith("attachment;")
    policy = report.headers["content-security-policy"]
    assert "script-src 'sha256-" in policy and "frame-ancestors 'none'" in policy


def test_unknown_results(client: TestClient) -> None:
    for path in (
        "/api/result/AAAAAAAAAAAAAAAAAAAAAA",
        "/r/AAAAAAAAAAAAAAAAAAAAAA.json",
        "/r/AAAAAAAAAAAAAAAAAAAAAA/fragment",
    ):
        assert_error(client.get(path), 404, "not_found")
    page = client.get("/r/AAAAAAAAAAAAAAAAAAAAAA")
    assert page.status_code == 404 and "No such analysis" in page.text
    assert_error(client.get("/api/result/..%2F..%2Fetc"), 404, "not_found")


def test_analyze_html_title_outlet_and_min_score(client: TestClient) -> None:
    response = client.post("/api/analyze", json={"html": ARTICLE_HTML.decode(), "outlet": "  The\nPost  "})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["title"] == "Valdoria recalls envoy"
    assert result["meta"]["outlet"] == "The Post"
    assert "recalled its ambassador" in result["text"] and "Copyright" not in result["text"]

    text = DEMO.read_text(encoding="utf-8")
    everything = client.post("/api/analyze", json={"text": text, "title": "Own title"}).json()
    assert everything["title"] == "Own title"
    scores = sorted({t["score"] for t in everything["techniques"]})
    assert len(scores) > 1
    some = client.post("/api/analyze", json={"text": text, "min_score": scores[-1]}).json()
    assert 0 < len(some["techniques"]) < len(everything["techniques"])
    assert all(t["score"] >= scores[-1] for t in some["techniques"])


def test_batch(client: TestClient) -> None:
    articles = [{"text": SHORT}, {"text": "   "}, {"text": GERMAN}, {"html": ARTICLE_HTML.decode()}]
    response = client.post("/api/analyze/batch", json={"articles": articles})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) == 4
    assert results[0]["schema"] == SCHEMA and PERMALINK.match(results[0]["permalink"])
    assert results[1] == {"error": "empty_input", "message": "empty: no text to analyse"}
    assert results[2]["error"] == "unsupported_language"
    assert results[3]["title"] == "Valdoria recalls envoy"
    assert client.get(results[3]["permalink"] + ".json").json()["title"] == "Valdoria recalls envoy"
    assert_error(client.post("/api/analyze/batch", json={"articles": []}), 422, "invalid_request")
    assert_error(client.post("/api/analyze/batch", json={"articles": [{"text": SHORT}] * 21}), 422, "invalid_request")
    body = assert_error(
        client.post("/api/analyze/batch", json={"articles": [{"text": SHORT}, {}]}), 422, "invalid_request"
    )
    assert "articles.1" in body["message"]


def test_techniques_health_and_docs(client: TestClient) -> None:
    techniques = client.get("/api/techniques").json()
    assert len(techniques) == 14 and {"id", "name", "definition", "example", "colour"} <= set(techniques[0])
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["engine"] == "rules"
    assert health["models"]["techniques"]["engine"] == "rules"
    schema = client.get("/openapi.json").json()
    assert {"/api/analyze", "/api/analyze/batch", "/api/techniques", "/api/result/{result_id}", "/healthz"} <= set(
        schema["paths"]
    )
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/analyze/batch" in docs.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", docs.text)  # nothing from a CDN


# ---- errors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"text": ""}, 400, "empty_input"),
        ({"text": " \n\t "}, 400, "empty_input"),
        ({"html": "<html><body><script>1</script></body></html>"}, 400, "empty_input"),
        ({"text": "\x00\x01\x02\x03binary\x04\x05\x06" * 20}, 400, "binary_input"),
        ({"text": GERMAN}, 400, "unsupported_language"),
        ({"url": "http://169.254.169.254/latest/meta-data/"}, 400, "unsafe_url"),
        ({"url": "http://10.0.0.1/"}, 400, "unsafe_url"),
        ({"url": "file:///etc/passwd"}, 400, "invalid_url"),
        ({"url": "not a url"}, 400, "invalid_url"),
        ({}, 422, "invalid_request"),
        ({"text": 42}, 422, "invalid_request"),
        ({"text": ["a"]}, 422, "invalid_request"),
        ({"text": SHORT, "url": "https://example.org/"}, 422, "invalid_request"),
        ({"text": SHORT, "colour": "red"}, 422, "invalid_request"),
        ({"text": SHORT, "engine": "magic"}, 422, "invalid_request"),
        ({"text": SHORT, "min_score": 2}, 422, "invalid_request"),
        ({"text": SHORT, "min_score": "0.5"}, 422, "invalid_request"),
        ({"text": SHORT, "title": "x" * 1001}, 422, "invalid_request"),
        ([SHORT], 422, "invalid_request"),
        ("just a string", 422, "invalid_request"),
    ],
)
def test_bad_json_input(client: TestClient, body: Any, status: int, code: str) -> None:
    assert_error(client.post("/api/analyze", json=body), status, code)


def test_error_messages_are_clear(client: TestClient) -> None:
    body = assert_error(client.post("/api/analyze", json={"url": "http://169.254.169.254/x"}), 400, "unsafe_url")
    assert body["message"] == (
        "refusing to fetch http://169.254.169.254/x: cloud metadata address (spinscope fetches only public websites: "
        "copy the article's text from your browser and paste it here)"
    )
    body = assert_error(client.post("/api/analyze", json={"text": GERMAN}), 400, "unsupported_language")
    assert body["message"].startswith("the text looks like it is not English")
    body = assert_error(client.post("/api/analyze", json={"txt": SHORT}), 422, "invalid_request")
    assert body["message"] == "txt: unknown field"
    body = assert_error(client.post("/api/analyze", json={"title": "Only a title"}), 422, "invalid_request")
    assert body["message"] == "give exactly one of text, html or url"


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b'{"text": "unfinished', "application/json", 422, "invalid_json"),
        (b"", "application/json", 422, "invalid_request"),
        (b"\xff\xfe\x00\x01 not utf-8 \x9c", "application/json", 400, "binary_input"),
        (b'{"text": "\\ud800 \\udc00"}', "application/json", 400, "empty_input"),  # lone surrogates: U+FFFD
        (b'{"text": "x"}', "text/plain", 415, "unsupported_media_type"),
        (b"text=hello", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b'{"text": "x"}', None, 415, "unsupported_media_type"),
    ],
)
def test_bad_bodies(client: TestClient, content: bytes, content_type: str | None, status: int, code: str) -> None:
    headers = {"content-type": content_type} if content_type else {}
    assert_error(client.post("/api/analyze", content=content, headers=headers), status, code)


def test_json_with_charset_and_vendor_types_is_fine(client: TestClient) -> None:
    for kind in ("application/json; charset=utf-8", "application/vnd.spinscope+json"):
        body = json.dumps({"text": SHORT}).encode()
        assert client.post("/api/analyze", content=body, headers={"content-type": kind}).status_code == 200


def test_size_limits() -> None:
    with TestClient(
        create_app(rules_settings(max_body_bytes=20_000, max_text_chars=2_000)), base_url="http://localhost"
    ) as small:
        body = assert_error(small.post("/api/analyze", json={"text": "word " * 5000}), 413, "body_too_large")
        assert body["message"] == "request body too large: 25.0 kB (limit 20.0 kB)"
        body = assert_error(
            small.post("/api/analyze", json={"text": "The talks failed. " * 150}), 413, "text_too_large"
        )
        assert "limit 2,000" in body["message"]
        html = "<html><body><article>" + "<p>The talks failed again on Monday, officials said.</p>" * 60
        assert_error(small.post("/api/analyze", json={"html": html}), 413, "text_too_large")
        assert small.post("/api/analyze", json={"text": SHORT}).status_code == 200
        huge = json.dumps({"text": "word " * 30_000}).encode()  # over 4x the limit: refused unread
        response = small.post("/api/analyze", content=huge, headers={"content-type": "application/json"})
        assert_error(response, 413, "body_too_large")
        assert response.headers.get("connection") == "close"


def test_routing_errors(client: TestClient) -> None:
    assert_error(client.get("/api/nothing-here"), 404, "not_found")
    assert_error(client.get("/api/analyze"), 405, "method_not_allowed")
    assert_error(client.put("/api/analyze", json={"text": SHORT}), 405, "method_not_allowed")
    assert_error(client.get("/static/nothing.js"), 404, "not_found")


def test_rate_limit() -> None:
    settings = rules_settings(rate_per_minute=60, rate_burst=3)
    with TestClient(create_app(settings), base_url="http://localhost") as test_client:
        for _ in range(3):
            assert test_client.post("/api/analyze", json={"text": SHORT}).status_code == 200
        response = test_client.post("/api/analyze", json={"text": SHORT})
        assert_error(response, 429, "rate_limited")
        assert 1 <= int(response.headers["retry-after"]) <= 2
        assert test_client.get("/").status_code == 200  # pages and static files are not limited
        assert test_client.get("/static/app.css").status_code == 200
    with TestClient(create_app(settings), client=("203.0.113.7", 5000), base_url="http://localhost") as other:
        batch = {"articles": [{"text": SHORT}] * 3}
        assert other.post("/api/analyze/batch", json=batch).status_code == 200  # three tokens
        assert_error(other.post("/api/analyze/batch", json=batch), 429, "rate_limited")


def test_token_bucket_and_client_keys() -> None:
    bucket = TokenBucket(per_minute=600, burst=2)
    assert bucket.take("a") == 0 and bucket.take("a") == 0
    wait = bucket.take("a")
    assert 0 < wait <= 0.1
    assert bucket.take("b") == 0  # buckets are per client
    # more than a bucket holds is charged a full bucket (issue 30: it was refused for ever, Retry-After 1)
    assert bucket.take("c", cost=3) == 0
    assert 0.1 < bucket.take("c", cost=3) <= 0.2  # empty: two tokens at ten a second
    assert TokenBucket(per_minute=0, burst=1).take("a", 100) == 0  # off
    assert client_key({"client": ("2001:db8:1:2:aaaa::1", 1)}) == client_key({"client": ("2001:db8:1:2:bbbb::9", 1)})
    assert client_key({"client": ("2001:db8:1:3::1", 1)}) != client_key({"client": ("2001:db8:1:2::1", 1)})
    assert client_key({"client": ("::ffff:198.51.100.4", 1)}) == "198.51.100.4"
    assert client_key({"client": None}) == "unknown"


@pytest.mark.anyio
async def test_overloaded_queue_answers_503(monkeypatch: pytest.MonkeyPatch) -> None:
    import anyio

    release = threading.Event()
    real_analyze = server_state.analyze

    def slow_analyze(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return real_analyze(*args, **kwargs)

    monkeypatch.setattr(server_state, "analyze", slow_analyze)
    app = create_app(rules_settings(threads=1, queue_size=1, warm_up=False))
    state = app.state.spinscope
    transport = httpx.ASGITransport(app=app)
    responses: list[httpx.Response] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:

        async def post() -> None:
            responses.append(await http.post("/api/analyze", json={"text": SHORT}))

        async with anyio.create_task_group() as group:
            group.start_soon(post)
            group.start_soon(post)  # waits in the queue
            with anyio.fail_after(5):
                while state.pool.pending < 2:
                    await anyio.sleep(0.01)
            third = await http.post("/api/analyze", json={"text": SHORT})
            release.set()
    assert_error(third, 503, "overloaded")
    assert int(third.headers["retry-after"]) >= 1
    assert [r.status_code for r in responses] == [200, 200]


def test_crash_is_a_json_500_without_details(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail")

    app = create_app(rules_settings(warm_up=False))
    with TestClient(app, raise_server_exceptions=False, base_url="http://localhost") as test_client:
        monkeypatch.setattr(server_state, "analyze", broken)
        body = assert_error(test_client.post("/api/analyze", json={"text": SHORT}), 500, "internal_error")
        assert "secret" not in body["message"]
        batch = test_client.post("/api/analyze/batch", json={"articles": [{"text": SHORT}]}).json()
        assert batch == {"results": [{"error": "internal_error", "message": server_app.ANALYSIS_FAILED}]}
        monkeypatch.setattr(app.state.spinscope.store, "get", broken)
        response = test_client.get("/api/result/AAAAAAAAAAAAAAAAAAAAAA")
        body = assert_error(response, 500, "internal_error")
        assert "secret" not in response.text


# ---- escaping and headers ------------------------------------------------------------------------------------


def test_payloads_in_text_and_title_stay_text(client: TestClient) -> None:
    title = f"Headline {PAYLOAD_SCRIPT}{PAYLOAD_ATTR}"
    text = f'{SHORT}\n\nA reader wrote {PAYLOAD_SCRIPT} and {PAYLOAD_ATTR} and a style="color:red" in the comments.'
    result = client.post("/api/analyze", json={"text": text, "title": title}).json()
    assert result["title"] == title and result["text"] == text  # the JSON keeps the text as it was
    for path in (result["permalink"], result["permalink"] + "/fragment"):
        page = client.get(path).text
        assert "<script>alert" not in page and 'onmouseover="alert' not in page
        assert "&lt;script&gt;alert(1);window.__pwned=1&lt;/script&gt;" in page
        data_tag = '<script type="application/json" id="spinscope-data">'
        tags = re.findall(r"<script[^>]*>", page)
        assert tags.count(data_tag) == 1
        assert all(tag == data_tag or tag.startswith('<script src="/static/') for tag in tags)
        markup = page.split('<script type="application/json"', 1)[0]
        assert not re.search(r'<[^>]*\sstyle="', markup)  # every style attribute became data-ss-style (CSP)
        assert "a style=<mark" in markup or "a style=&#34;" in markup  # the text's own "style=" stays text
        data = page.split('id="spinscope-data">', 1)[1].split("</script>", 1)[0]
        assert json.loads(data)["text"] == text  # the data block is untouched


def test_csp_safe_fragment_leaves_the_data_block_alone() -> None:
    fragment = (
        '<div class="a" style="color:red"><span style="background:#fff">x</span></div>'
        '<script type="application/json" id="spinscope-data">{"t":"a style=\\"b\\" style="}</script>'
    )
    safe = csp_safe_fragment(fragment)
    assert safe.startswith('<div class="a" data-ss-style="color:red"><span data-ss-style="background:#fff">')
    assert safe.endswith('{"t":"a style=\\"b\\" style="}</script>')


def test_security_headers(client: TestClient, demo_result: dict[str, Any]) -> None:
    for path in ("/", demo_result["permalink"], "/api/techniques", "/docs"):
        headers = client.get(path).headers
        assert headers["content-security-policy"] == PAGE_CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in PAGE_CSP and "frame-ancestors 'none'" in PAGE_CSP
    assert "unsafe-inline" not in PAGE_CSP and "unsafe-eval" not in PAGE_CSP
    error = client.post("/api/analyze", json={})
    assert error.headers["x-content-type-options"] == "nosniff"
    static = client.get("/static/report.js")
    assert static.headers["content-type"].startswith("text/javascript")
    assert "public" in static.headers["cache-control"]


def test_index_page(client: TestClient) -> None:
    page = client.get("/").text
    assert '<label for="sp-text">' in page and '<label for="sp-url">' in page
    assert '<textarea id="sp-text"' in page and 'type="submit"' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # no CDN, no other host
    assert "<style" not in page and " style=" not in page and "<script>" not in page  # nothing inline


# ---- the permalink store -----------------------------------------------------------------------------------


def test_store_keeps_the_newest_and_drops_the_old(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ResultStore(tmp_path / "sub" / "results.sqlite3", max_results=3, retention_days=1)
    ids = [store.put({"n": i}) for i in range(5)]
    assert len(set(ids)) == 5 and all(valid_id(i) and len(i) == 22 for i in ids)
    assert len(store) == 3
    assert store.get(ids[0]) is None and store.get(ids[1]) is None
    assert store.get(ids[4]) == {"n": 4}
    now = time.time()
    monkeypatch.setattr("spinscope.server.store.time.time", lambda: now + 2 * 86400)
    assert store.get(ids[4]) is None  # expired, even before the next write removes it
    store.put({"n": 5})
    assert len(store) == 1
    store.close()
    assert ResultStore(tmp_path / "sub" / "results.sqlite3").get(ids[4]) is None
    assert not valid_id("../etc/passwd") and not valid_id("short") and not valid_id("a" * 65)


def test_store_survives_restart_and_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "results.sqlite3"
    store = ResultStore(path)
    result_id = store.put({"text": "Grüße, “quotes” ✓"})
    store.close()
    assert ResultStore(path).get(result_id) == {"text": "Grüße, “quotes” ✓"}
    assert path.stat().st_mode & 0o077 == 0  # only the owner can read what users pasted
    monkeypatch.setenv("SPINSCOPE_DB", str(tmp_path / "env.sqlite3"))
    assert default_db_path() == tmp_path / "env.sqlite3"
    monkeypatch.delenv("SPINSCOPE_DB")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_db_path() == tmp_path / "cache" / "spinscope" / "results.sqlite3"


# ---- the default engine: the shipped model -------------------------------------------------------------------


def test_model_engine(tmp_path: Path) -> None:
    with TestClient(
        create_app(Settings(db_path=str(tmp_path / "r.sqlite3"), rate_per_minute=0)), base_url="http://localhost"
    ) as test_client:
        assert test_client.get("/healthz").json()["engine"] == "model"
        response = test_client.post("/api/analyze", json={"text": DEMO.read_text(encoding="utf-8")})
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["models"]["techniques"]["engine"] == "model"
        assert {t["engine"] for t in result["techniques"]} <= {"model", "lexicon", "rules", "quotes"}  # see calibration
        rules = test_client.post("/api/analyze", json={"text": SHORT, "engine": "rules"}).json()
        assert rules["models"]["techniques"]["engine"] == "rules"


def test_serve_command_help() -> None:
    from typer.testing import CliRunner

    from spinscope.cli import app as cli

    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--workers", "--engine", "--db", "--rate-limit"):
        assert option in result.output


# ---- a real server on a loopback port -----------------------------------------------------------------------


class Pages(BaseHTTPRequestHandler):
    requests: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.requests.append(self.path)
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        if parts.path == "/article.html":
            status, body, headers = 200, ARTICLE_HTML, {"Content-Type": "text/html; charset=utf-8"}
        elif parts.path == "/to":
            status, body, headers = 302, b"", {"Location": query["target"]}
        else:
            status, body, headers = 404, b"not here", {"Content-Type": "text/plain"}
        try:
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


@pytest.fixture(scope="module")
def pages() -> Iterator[tuple[str, list[str]]]:
    handler = type("PagesHandler", (Pages,), {"requests": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler.requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class LiveServer:
    def __init__(self, app: Any, port: int) -> None:
        self.app = app
        self.port = port
        self.base = f"http://127.0.0.1:{port}"

    def reset_rate_limit(self) -> None:
        self.app.state.spinscope.bucket.reset()


@pytest.fixture(scope="module")
def live_server(pages: tuple[str, list[str]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    pages_base, _ = pages
    settings = rules_settings(
        db_path=str(tmp_path_factory.mktemp("server") / "results.sqlite3"),
        rate_per_minute=120,
        rate_burst=20,
        fetch_timeout=3.0,
        fetch_allow_hosts=(pages_base.removeprefix("http://"),),  # this one host:port, as in test_url_safety
    )
    app = create_app(settings)
    with serve_in_thread(app) as port:
        yield LiveServer(app, port)


@pytest.fixture
def live(live_server: LiveServer) -> LiveServer:
    live_server.reset_rate_limit()
    return live_server


def post(live: LiveServer, body: Any = None, **kwargs: Any) -> httpx.Response:
    if body is not None:
        kwargs["json"] = body
    return httpx.post(f"{live.base}/api/analyze", timeout=30, **kwargs)


def test_live_fetches_an_allowed_page(live: LiveServer, pages: tuple[str, list[str]]) -> None:
    base, _ = pages
    response = post(live, {"url": f"{base}/article.html", "engine": "rules"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["title"] == "Valdoria recalls envoy" and result["meta"]["url"] == f"{base}/article.html"
    assert httpx.get(live.base + result["permalink"]).status_code == 200
    body = assert_error(post(live, {"url": f"{base}/gone.html"}), 502, "fetch_failed")
    assert body["message"] == "127.0.0.1 has no page at this address (error 404): check the address."
    assert body["detail"] == f"{base}/gone.html: HTTP 404 Not Found"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://127.0.0.1:{port}/", "loopback address"),
        ("http://127.0.0.1:{port}/healthz", "loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata address"),
        ("http://[::1]/", "loopback address"),
        ("http://[::1]:{port}/", "loopback address"),
        ("http://localhost:{port}/", "loopback address (localhost is "),
        ("http://0.0.0.0:{port}/", "unspecified address"),
        ("http://10.0.0.1/", "private address"),
    ],
)
def test_live_ssrf_is_refused(live: LiveServer, pages: tuple[str, list[str]], target: str, reason: str) -> None:
    url = target.format(port=live.port)
    body = assert_error(post(live, {"url": url}), 400, "unsafe_url")
    assert body["message"].startswith(f"refusing to fetch {url}: {reason}")
    # the same address as the target of a redirect from the allowed test server
    base, requests = pages
    before = len(requests)
    first = f"{base}/to?target={url}"
    body = assert_error(post(live, {"url": first}), 400, "unsafe_url")
    assert body["message"].startswith(f"refusing to fetch {url} (redirect 1): {reason}")
    assert [unquote(path) for path in requests[before:]] == [f"/to?target={url}"]  # only the first hop


def test_live_server_survives_abuse(live: LiveServer) -> None:
    """Oversized, empty, binary, malformed, mistyped, non-English, SSRF and too many requests: then a good one."""
    big = b'{"text": "' + b"a" * 6_500_000 + b'"}'
    assert_error(post(live, content=big, headers={"content-type": "application/json"}), 413, "body_too_large")

    def stream() -> Iterator[bytes]:  # no Content-Length: the limit is counted as it streams
        yield b'{"text": "'
        for _ in range(70):
            yield b"b" * 100_000
        yield b'"}'

    assert_error(post(live, content=stream(), headers={"content-type": "application/json"}), 413, "body_too_large")
    assert_error(post(live, {"text": ""}), 400, "empty_input")
    assert_error(post(live, {"text": "\x00\x01\x02\x03\x04" * 40}), 400, "binary_input")
    binary_body = bytes(range(256)) * 4
    assert_error(post(live, content=binary_body, headers={"content-type": "application/json"}), 400, "binary_input")
    assert_error(post(live, content=b"{'text': 1}", headers={"content-type": "application/json"}), 422, "invalid_json")
    assert_error(post(live, {"text": 12}), 422, "invalid_request")
    assert_error(post(live, content=b"text", headers={"content-type": "text/plain"}), 415, "unsupported_media_type")
    assert_error(post(live, {"text": GERMAN}), 400, "unsupported_language")
    assert_error(post(live, {"url": f"http://127.0.0.1:{live.port}/"}), 400, "unsafe_url")
    assert_error(post(live, {"url": "http://169.254.169.254/latest/meta-data/"}), 400, "unsafe_url")

    limited = None
    for _ in range(30):
        response = httpx.get(f"{live.base}/api/techniques", timeout=10)
        if response.status_code == 429:
            limited = response
            break
        assert response.status_code == 200
    assert limited is not None, "the rate limit never answered 429"
    assert_error(limited, 429, "rate_limited")
    time.sleep(float(limited.headers["retry-after"]) + 0.2)

    good = post(live, {"text": DEMO.read_text(encoding="utf-8")})
    assert good.status_code == 200, good.text
    assert PERMALINK.match(good.json()["permalink"])
    assert httpx.get(f"{live.base}/healthz", timeout=10).json()["status"] == "ok"
