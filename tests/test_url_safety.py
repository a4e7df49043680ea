"""fetch_url: content types, size caps, redirects, errors, and SSRF refusals.

No test touches the internet: pages come from a real HTTP server on 127.0.0.1 run
in a thread (fetched with ``allow_private=True`` or ``allow_hosts``), and the only
host names resolved are ``localhost`` (from /etc/hosts) and names whose resolution
the tests replace (``socket.getaddrinfo`` patched in the url module).
"""

from __future__ import annotations

import contextlib
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from spinscope.document import Article
from spinscope.errors import EmptyInputError, FetchError, InputError, UnsafeURLError
from spinscope.readers import address_kind, check_url, fetch_url, iter_inputs
from spinscope.readers import url as url_module

PAGE = (Path(__file__).parent / "fixtures" / "readers" / "page.html").read_bytes()
PLAIN_CP1252 = "Ostra bridge reopens\r\n\r\nSarnia’s police said the crossing was “open again”.\r\n".encode("cp1252")


class Handler(BaseHTTPRequestHandler):
    requests: list[str]  # set on the class by the fixture

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, content_type: str | None, **headers: str) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.requests.append(self.path)
        parts = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        with contextlib.suppress(OSError):  # the client went away (timeouts, size caps): fine
            self.route(parts.path, query)

    def route(self, path: str, query: dict[str, str]) -> None:
        if path == "/article.html":
            self._send(200, PAGE, "text/html; charset=utf-8")
        elif path == "/plain.txt":
            self._send(200, PLAIN_CP1252, "text/plain; charset=windows-1252")
        elif path == "/plain-latin1.txt":  # a common server default for cp1252 files
            self._send(200, PLAIN_CP1252, "text/plain; charset=ISO-8859-1")
        elif path == "/plain-undeclared.txt":
            self._send(200, PLAIN_CP1252, "text/plain")
        elif path == "/no-type":
            self._send(200, b"Valdoria and Sarnia signed the accord on Monday.", None)
        elif path == "/report.pdf":
            self._send(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf")
        elif path == "/photo.jpg":
            self._send(200, b"\xff\xd8\xff\xe0", "image/jpeg")
        elif path == "/empty.html":
            self._send(200, b"<html><head><title>x</title></head><body><script>1</script></body></html>", "text/html")
        elif path == "/big":
            self._send(200, b"Valdoria. " * 20_000, "text/plain")  # 200 kB, Content-Length set
        elif path == "/big-stream":  # no Content-Length: only the streaming cap can stop it
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(50):
                self.wfile.write(b"Sarnia. " * 1000)
        elif path == "/slow":
            time.sleep(1.5)
            self._send(200, b"too late", "text/plain")
        elif path == "/redirect":
            self._send(302, b"", "text/plain", Location="/article.html")
        elif path == "/redirect-chain":
            hops = int(query.get("n", "0"))
            target = "/article.html" if hops <= 0 else f"/redirect-chain?n={hops - 1}"
            self._send(301, b"", "text/plain", Location=target)
        elif path == "/loop":
            self._send(307, b"", "text/plain", Location="/loop")
        elif path == "/to":
            self._send(302, b"", "text/plain", Location=query["target"])
        elif path == "/server-error":
            self._send(500, b"oops", "text/plain")
        else:
            self._send(404, b"not here", "text/plain")


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int, list[str]]]:
    handler = type("TestHandler", (Handler,), {"requests": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    try:
        yield f"http://127.0.0.1:{port}", port, handler.requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def no_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(url_module.ALLOW_PRIVATE_ENV, raising=False)


def fake_dns(monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]]) -> list[str]:
    """Resolve the names in ``table`` to its addresses (and nothing else); record the look-ups."""
    looked_up: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        looked_up.append(host)
        if host in table:
            return [
                (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in table[host]
            ]
        if host in ("127.0.0.1", "::1", "localhost"):
            return real(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(url_module.socket, "getaddrinfo", getaddrinfo)
    return looked_up


# ---- fetching from the local test server ------------------------------------------------------


def test_html_page(server: tuple[str, int, list[str]]) -> None:
    base, _, _ = server
    article = fetch_url(f"{base}/article.html", allow_private=True)
    assert article.title == "Border talks collapse as Valdoria recalls envoy"
    assert article.outlet == "The Meridian Post" and article.author == "Jana Korvel"
    assert article.url == f"{base}/article.html"
    assert article.source == f"{base}/article.html"
    assert "\n\nNegotiators from Valdoria and Sarnia" in article.text


def test_plain_text_in_cp1252_declared_or_not(server: tuple[str, int, list[str]]) -> None:
    base, _, _ = server
    for path in ("/plain.txt", "/plain-latin1.txt", "/plain-undeclared.txt"):
        article = fetch_url(base + path, allow_private=True)
        assert article.title == "Ostra bridge reopens"
        assert article.text == "Ostra bridge reopens\n\nSarnia’s police said the crossing was “open again”.\n"
        assert article.url == base + path
        assert article.id == Article(article.text).id  # URL: no file-name id


def test_missing_content_type_is_sniffed(server: tuple[str, int, list[str]]) -> None:
    base, _, _ = server
    assert fetch_url(f"{base}/no-type", allow_private=True).text.startswith("Valdoria and Sarnia signed")


@pytest.mark.parametrize(("path", "kind"), [("/report.pdf", "application/pdf"), ("/photo.jpg", "image/jpeg")])
def test_unsupported_content_type(server: tuple[str, int, list[str]], path: str, kind: str) -> None:
    base, _, _ = server
    with pytest.raises(InputError) as info:
        fetch_url(base + path, allow_private=True)
    assert not isinstance(info.value, FetchError)
    assert info.value.reason.startswith(f"unsupported content type {kind}")


def test_html_without_text(server: tuple[str, int, list[str]]) -> None:
    base, _, _ = server
    with pytest.raises(EmptyInputError, match="no article text found in the HTML"):
        fetch_url(f"{base}/empty.html", allow_private=True)


def test_size_cap_from_content_length_and_from_streaming(server: tuple[str, int, list[str]]) -> None:
    base, _, _ = server
    with pytest.raises(InputError) as info:
        fetch_url(f"{base}/big", allow_private=True, max_bytes=10_000)
    assert str(info.value) == f"{base}/big: too large: 200.0 kB (limit 10.0 kB)"
    with pytest.raises(InputError) as info:
        fetch_url(f"{base}/big-stream", allow_private=True, max_bytes=10_000)
    assert str(info.value) == f"{base}/big-stream: too large: more than 10.0 kB (limit 10.0 kB)"


@pytest.mark.parametrize(("path", "reason"), [("/nowhere", "HTTP 404 Not Found"), ("/server-error", "HTTP 500")])
def test_http_errors(server: tuple[str, int, list[str]], path: str, reason: str) -> None:
    base, _, _ = server
    with pytest.raises(FetchError) as info:
        fetch_url(base + path, allow_private=True)
    assert info.value.reason.startswith(reason)
    assert str(info.value) == f"{base}{path}: {info.value.reason}"


def test_connection_refused() -> None:
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as info:
        fetch_url(f"http://127.0.0.1:{port}/", allow_private=True)
    assert info.value.reason.startswith("could not connect: ")
    assert "\n" not in str(info.value)


def test_read_timeout(server: tuple[str, int, list[str]]) -> None:
    base, _, _ = server
    with pytest.raises(FetchError, match=r"timed out after 0\.3 s"):
        fetch_url(f"{base}/slow", allow_private=True, timeout=0.3)


def test_redirects_are_followed_up_to_five(server: tuple[str, int, list[str]]) -> None:
    base, _, _ = server
    article = fetch_url(f"{base}/redirect", allow_private=True)
    assert article.url == f"{base}/article.html" and article.source == f"{base}/redirect"
    assert fetch_url(f"{base}/redirect-chain?n=4", allow_private=True).url == f"{base}/article.html"
    with pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"):
        fetch_url(f"{base}/redirect-chain?n=5", allow_private=True)
    with pytest.raises(FetchError, match="too many redirects"):
        fetch_url(f"{base}/loop", allow_private=True)


def test_env_var_allows_private(server: tuple[str, int, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    base, _, _ = server
    with pytest.raises(UnsafeURLError):
        fetch_url(f"{base}/article.html")
    monkeypatch.setenv(url_module.ALLOW_PRIVATE_ENV, "1")
    assert fetch_url(f"{base}/article.html").title


def test_iter_inputs_fetches_urls_and_keeps_going(server: tuple[str, int, list[str]]) -> None:
    base, _, _ = server
    items = list(iter_inputs([f"{base}/nowhere", f"{base}/article.html"], allow_private=True))
    assert isinstance(items[0][1], FetchError) and isinstance(items[1][1], Article)
    [(_, refused)] = iter_inputs([f"{base}/article.html"])
    assert isinstance(refused, UnsafeURLError)


# ---- SSRF: refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://127.1.2.3:8080/admin", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://10.0.0.1/", "private"),
        ("http://172.16.0.1/", "private"),
        ("http://192.168.1.1/router", "private"),
        ("http://169.254.169.254/latest/meta-data", "cloud metadata"),
        ("http://[fd00:ec2::254]/latest/meta-data", "cloud metadata"),
        ("http://metadata.google.internal/computeMetadata/v1/", "cloud metadata"),
        ("http://169.254.10.20/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[fd12:3456::1]/", "unique-local"),
        ("http://0.0.0.0:8000/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://100.64.0.1/", "non-public"),
    ],
)
def test_unsafe_addresses_are_refused_before_connecting(url: str, kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    looked_up = fake_dns(monkeypatch, {})
    with pytest.raises(UnsafeURLError) as info:
        fetch_url(url)
    assert str(info.value) == f"{url}: refusing to fetch {url}: {kind} address"
    with pytest.raises(UnsafeURLError):
        check_url(url)
    assert looked_up == []  # refused without even resolving


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/latest/meta-data", "http://[fd00:ec2::254]/", "http://metadata.google.internal/"]
)
def test_metadata_is_refused_even_when_private_is_allowed(url: str) -> None:
    with pytest.raises(UnsafeURLError, match="cloud metadata address"):
        fetch_url(url, allow_private=True, allow_hosts=["169.254.169.254", "metadata.google.internal"])


def test_local_server_is_refused_by_default_and_never_contacted(server: tuple[str, int, list[str]]) -> None:
    base, _, requests = server
    before = len(requests)
    with pytest.raises(UnsafeURLError, match="loopback address"):
        fetch_url(f"{base}/article.html")
    assert len(requests) == before


def test_hostname_resolving_to_loopback_is_refused_at_connect_time(server: tuple[str, int, list[str]]) -> None:
    _, port, requests = server
    before = len(requests)
    with pytest.raises(UnsafeURLError) as info:
        fetch_url(f"http://localhost:{port}/article.html")
    assert "loopback address (localhost is " in info.value.reason
    assert len(requests) == before


def test_dns_rebinding_name_is_checked_on_the_address_connected_to(
    server: tuple[str, int, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public-looking name that resolves to 127.0.0.1: refused, and the server sees nothing."""
    _, port, requests = server
    looked_up = fake_dns(monkeypatch, {"news.example": ["127.0.0.1"], "mixed.example": ["93.184.215.14", "10.1.2.3"]})
    before = len(requests)
    with pytest.raises(UnsafeURLError) as info:
        fetch_url(f"http://news.example:{port}/article.html")
    assert info.value.reason == (
        f"refusing to fetch http://news.example:{port}/article.html: loopback address (news.example is 127.0.0.1)"
    )
    with pytest.raises(UnsafeURLError, match=r"private address \(mixed.example is 10.1.2.3\)"):
        fetch_url("http://mixed.example/")
    assert len(requests) == before
    assert looked_up == ["news.example", "mixed.example"]


def test_backend_connects_to_the_address_it_checked(
    server: tuple[str, int, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name is resolved once, by the backend; the socket connects to that IP (no second look-up)."""
    _, port, requests = server
    looked_up = fake_dns(monkeypatch, {"news.example": ["127.0.0.1"]})
    article = fetch_url(f"http://news.example:{port}/article.html", allow_hosts=["news.example"])
    assert article.url == f"http://news.example:{port}/article.html"
    assert looked_up[0] == "news.example"
    assert all(ipaddress.ip_address(host) for host in looked_up[1:])  # only IP literals after that
    assert requests[-1] == "/article.html"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://127.0.0.1:{closed}/", "loopback address"),
        ("http://169.254.169.254/latest/meta-data", "cloud metadata address"),
        ("http://10.0.0.1/", "private address"),
        ("http://localhost:{port}/article.html", "loopback address (localhost is "),
    ],
)
def test_redirect_to_an_unsafe_address_is_refused(server: tuple[str, int, list[str]], target: str, reason: str) -> None:
    """Only the first hop (the test server, by host:port) is allowed; each redirect hop is checked again."""
    base, port, requests = server
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    target = target.format(port=port, closed=closed)
    before = len(requests)
    with pytest.raises(UnsafeURLError) as info:
        fetch_url(f"{base}/to?target={target}", allow_hosts=[f"127.0.0.1:{port}"])
    assert info.value.source == f"{base}/to?target={target}"
    assert info.value.reason.startswith(f"refusing to fetch {target} (redirect 1): {reason}")
    assert requests[before:] == [f"/to?target={target}"]  # the redirect target was never requested


def test_allow_hosts_matches_host_and_port(server: tuple[str, int, list[str]]) -> None:
    base, port, _ = server
    assert fetch_url(f"{base}/article.html", allow_hosts=[f"127.0.0.1:{port}"]).title
    assert fetch_url(f"{base}/article.html", allow_hosts=["127.0.0.1"]).title
    with pytest.raises(UnsafeURLError):
        fetch_url(f"{base}/article.html", allow_hosts=[f"127.0.0.1:{port + 1}"])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http and https URLs are supported"),
        ("ftp://example.org/a.txt", "only http and https URLs are supported"),
        ("gopher://127.0.0.1:70/", "only http and https URLs are supported"),
        ("http:///nohost", "no host name"),
    ],
)
def test_only_http_and_https(url: str, reason: str) -> None:
    with pytest.raises(FetchError) as info:
        fetch_url(url)
    assert reason in info.value.reason
    assert not isinstance(info.value, UnsafeURLError)


def test_unresolvable_host_is_a_fetch_error(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {})
    with pytest.raises(FetchError) as info:
        fetch_url("http://no-such-host.example/")
    assert info.value.reason.startswith("could not connect: cannot resolve no-such-host.example")
    assert not isinstance(info.value, UnsafeURLError)


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),  # NAT64 for 169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 for 127.0.0.1
        ("ff02::1", "multicast"),
        ("::", "unspecified"),
    ],
)
def test_address_kind(address: str, kind: str | None) -> None:
    assert address_kind(ipaddress.ip_address(address)) == kind


# ---- HTTPS verifies certificates ------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    handler = type("TLSHandler", (Handler,), {"requests": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_https_certificates_are_verified(tls_server: int) -> None:
    with pytest.raises(FetchError) as info:
        fetch_url(f"https://127.0.0.1:{tls_server}/article.html", allow_private=True)
    assert "CERTIFICATE_VERIFY_FAILED" in info.value.reason


@pytest.mark.parametrize("target", ["mailto:x@y", "javascript:alert(1)", "data:text/html,<b>hi</b>", "ftp://x/y"])
def test_redirect_to_a_non_http_location_is_a_clear_fetch_error(
    server: tuple[str, int, list[str]], target: str
) -> None:
    """httpx raised InvalidURL (outside its HTTPError family) while preparing such a redirect: a 500 and a traceback."""
    base, _port, _requests = server
    url = f"{base}/to?target={target}"
    with pytest.raises(FetchError) as info:
        fetch_url(url, allow_private=True)
    assert not isinstance(info.value, UnsafeURLError)
    assert info.value.reason == f"cannot fetch {target} (redirect 1): only http and https URLs are supported"
    # a run over several inputs goes on past it
    items = list(iter_inputs([url, f"{base}/article.html"], allow_private=True))
    assert isinstance(items[0][1], FetchError) and isinstance(items[1][1], Article)
