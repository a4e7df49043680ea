"""Do abandoned huge requests starve ``spinscope serve``? Latency of well-behaved clients with and without them.

    .venv/bin/python -m benchmarks.server_abuse                      # 8 clients x 10 articles, 4 abandoned
    .venv/bin/python -m benchmarks.server_abuse --clients 2 --requests 3 --engine rules   # a quick look

Starts ``spinscope serve`` as its users would (its defaults: the model engine, the rate
limit, one analysis thread per core) on a loopback port and runs two phases:

1. baseline: ``--clients`` threads, each posting ``--requests`` real-length articles (about
   500 words, generated) one after another;
2. abuse: the same, while ``--abusers`` clients each send one maximum-size text (the
   server's 200,000-character limit) and hang up after ``--abandon-after`` seconds.

Every client has its own loopback address (127.0.1.N, the abusers 127.0.2.N), as
separate machines would, so the per-address rate limit sees separate clients. Prints
p50/p95/max latency and errors for both phases; exits 1 if a well-behaved request failed.
Loopback only, a bounded number of requests.

``--hostile`` runs issue 30's scenario instead: ``--clients`` (say 50) clients each post
``--requests`` short analyses at once, while ``--trickles`` clients ask the server to fetch a
page (served here, on loopback) that sends one byte every 0.2 s for ``--trickle-seconds``, and
one client (127.0.3.1) keeps ``--half-open`` connections open with unfinished request heads
(reopening each one the server closes). Prints p50/p95/max of the short analyses, their
errors, what the trickling fetches got, and how many half-open connections the server refused.
``--server-src`` runs the server from another checkout's ``src`` (a before/after comparison).

    .venv/bin/python -m benchmarks.server_abuse --hostile --clients 50 --requests 2 --engine rules
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from benchmarks.server_load import DEMO, SHORT, free_port, percentile, spawn_server, stop_server, wait_ready
from benchmarks.synthetic import make_articles

MAX_TEXT_CHARS = 200_000  # the server's default limit (Settings.max_text_chars)


def articles(count: int, seed: int) -> list[str]:
    """``count`` articles of about 500 words: three generated reports in one text."""
    pieces = [a["text"] for a in make_articles(count * 3, seed=seed)]
    return ["\n\n".join(pieces[i : i + 3]) for i in range(0, len(pieces), 3)]


def start_server(args: argparse.Namespace, port: int, db: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "spinscope.cli", "serve", "--port", str(port), "--engine", args.engine, "--db", db]
    return spawn_server(command, args.server_log)


def abandon(port: int, source: str, text: str, after: float) -> None:
    """Send one analysis request and hang up without reading the answer."""
    body = json.dumps({"text": text}).encode("utf-8")
    head = (
        f"POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode("ascii")
    with socket.socket() as connection:
        connection.bind((source, 0))
        connection.connect(("127.0.0.1", port))
        connection.sendall(head + body)
        time.sleep(after)


def run_phase(args: argparse.Namespace, base: str, port: int, texts: list[str], abusers: int) -> dict[str, Any]:
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.1.{number + 1}")
        with httpx.Client(transport=transport, timeout=600) as http:
            for i in range(args.requests):
                text = texts[(number * args.requests + i) % len(texts)]
                start = time.perf_counter()
                try:
                    status = http.post(f"{base}/api/analyze", json={"text": text}).status_code
                except httpx.HTTPError:
                    status = -1
                with lock:
                    results.append((status, time.perf_counter() - start))

    huge = ((DEMO + "\n\n") * (MAX_TEXT_CHARS // len(DEMO) + 1))[:MAX_TEXT_CHARS]
    threads = [
        threading.Thread(target=abandon, args=(port, f"127.0.2.{n + 1}", huge, args.abandon_after))
        for n in range(abusers)
    ]
    for thread in threads:
        thread.start()
    if abusers:
        time.sleep(0.5)  # the huge requests arrive first and take the analysis threads
    threads += [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    wall = time.perf_counter()
    for thread in threads[abusers:]:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - wall
    return figures(results, wall)


def figures(results: list[tuple[int, float]], wall: float) -> dict:
    """Requests, errors, status counts, wall time and latency percentiles of (status, seconds) results."""
    latencies = [seconds for _, seconds in results]
    statuses = Counter(status for status, _ in results)
    return {
        "requests": len(results),
        "errors": sum(n for status, n in statuses.items() if status != 200),
        "statuses": dict(statuses),
        "wall": wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "max": max(latencies, default=float("nan")),
    }


def trickle_server(seconds: float) -> tuple[ThreadingHTTPServer, int]:
    """A loopback page server whose every page sends one byte every 0.2 s for ``seconds``."""

    class Trickle(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            with contextlib.suppress(OSError):
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                end = time.monotonic() + seconds
                while time.monotonic() < end:
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(0.2)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return httpd, int(httpd.server_address[1])


def hold_half_open(port: int, count: int, stop: threading.Event, tally: Counter[str]) -> None:
    """Keep ``count`` connections from 127.0.3.1 open with unfinished request heads until ``stop``."""
    held: list[socket.socket] = []
    while not stop.is_set():
        while len(held) < count and not stop.is_set():
            connection = socket.socket()
            try:
                connection.bind(("127.0.3.1", 0))
                connection.settimeout(5)
                connection.connect(("127.0.0.1", port))
                connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                connection.setblocking(False)
            except OSError:
                tally["connect failed"] += 1
                connection.close()
                continue
            tally["opened"] += 1
            held.append(connection)
        time.sleep(0.5)
        kept = []
        for connection in held:
            try:
                data = connection.recv(4096)
            except BlockingIOError:
                kept.append(connection)  # still open, nothing said: held
                continue
            except OSError:
                data = b""
            tally["refused with 503" if data.startswith(b"HTTP/1.1 503") else "closed by the server"] += 1
            connection.close()
        held = kept
    tally["held at the end"] = len(held)
    for connection in held:
        connection.close()


def run_hostile(args: argparse.Namespace, base: str, port: int) -> dict[str, Any]:
    """Issue 30's scenario: short analyses from ``--clients`` clients under trickling fetches and half-open hogs."""
    httpd, page_port = trickle_server(args.trickle_seconds)
    stop = threading.Event()
    half_open: Counter[str] = Counter()
    trickled: list[tuple[int, float, str]] = []
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def trickle(number: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.2.{number + 1}")
        start = time.perf_counter()
        with httpx.Client(transport=transport, timeout=600) as http:
            response = http.post(f"{base}/api/analyze", json={"url": f"http://127.0.0.1:{page_port}/page{number}"})
        with lock:
            trickled.append((response.status_code, time.perf_counter() - start, response.json().get("error", "")))

    def client(number: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.1.{number + 1}")
        with httpx.Client(transport=transport, timeout=600) as http:
            for i in range(args.requests):
                start = time.perf_counter()
                try:
                    status = http.post(f"{base}/api/analyze", json={"text": f"{SHORT} ({number}.{i})"}).status_code
                except httpx.HTTPError:
                    status = -1
                with lock:
                    results.append((status, time.perf_counter() - start))

    hog = threading.Thread(target=hold_half_open, args=(port, args.half_open, stop, half_open))
    hog.start()
    trickles = [threading.Thread(target=trickle, args=(n,)) for n in range(args.trickles)]
    for thread in trickles:
        thread.start()
    time.sleep(1.0)  # the fetches take the analysis threads, the hog its connections
    clients = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    wall = time.perf_counter()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    wall = time.perf_counter() - wall
    stop.set()
    for thread in [*trickles, hog]:
        thread.join()
    httpd.shutdown()
    latencies = [seconds for _, seconds in results]
    return {
        **figures(results, wall),
        "late": sum(seconds > args.time_limit + 5 for seconds in latencies),
        "trickled": sorted(trickled),
        "half_open": dict(half_open),
    }


def hostile_main(args: argparse.Namespace) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    src = Path(args.server_src).resolve() if args.server_src else Path(__file__).resolve().parents[1] / "src"
    command = [
        sys.executable, "-m", "spinscope.cli", "serve", "--port", str(port), "--engine", args.engine,
        "--queue", str(args.clients + 8), "--time-limit", str(args.time_limit),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(src), "SPINSCOPE_ALLOW_PRIVATE_URLS": "1"}  # the page is on loopback
    with tempfile.TemporaryDirectory(prefix="spinscope-hostile-") as tmp:
        command += ["--db", str(Path(tmp) / "results.sqlite3")]
        log = open(args.server_log, "wb") if args.server_log else subprocess.DEVNULL  # noqa: SIM115
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            health = wait_ready(base, server, args.ready_timeout)
            httpx.post(f"{base}/api/analyze", json={"text": SHORT}, timeout=300).raise_for_status()
            phase = run_hostile(args, base, port)
        finally:
            stop_server(server)
    threads = health["queue"]["threads"]
    print(f"spinscope serve under hostile clients (server from {src}): engine={args.engine}, {threads} threads,")
    print(f"  time limit {args.time_limit:g} s, queue {args.clients + 8}")
    print(
        f"  {args.clients} clients x {args.requests} short analyses at once, with {args.trickles} fetches of a page "
        f"trickling a byte / 0.2 s for {args.trickle_seconds:g} s and one client holding {args.half_open} half-open "
        "connections"
    )
    extra = f"  statuses: {phase['statuses']}" if phase["errors"] else ""
    print(
        f"  short analyses: {phase['requests']} requests, errors {phase['errors']}, wall {phase['wall']:.1f} s, "
        f"latency p50 {phase['p50']:.2f} s  p95 {phase['p95']:.2f} s  max {phase['max']:.2f} s{extra}"
    )
    shown = ", ".join(f"{status} {error or 'ok'} after {seconds:.1f} s" for status, seconds, error in phase["trickled"])
    print(f"  trickling fetches: {shown}")
    print(f"  half-open connections: {phase['half_open']}")
    late = phase["late"]
    within = late == 0
    print(f"  short analyses over the time limit + 5 s: {late} of {phase['requests']}")
    if phase["errors"] or not within:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("model", "fast", "rules"), default="model")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=10, help="articles per client")
    parser.add_argument("--abusers", type=int, default=4, help="clients that send a maximum-size text and hang up")
    parser.add_argument("--abandon-after", type=float, default=1.5)
    parser.add_argument("--server-log", default="")
    parser.add_argument("--ready-timeout", type=float, default=300.0)
    parser.add_argument("--hostile", action="store_true", help="issue 30's scenario (see above)")
    parser.add_argument("--trickles", type=int, default=2)
    parser.add_argument("--trickle-seconds", type=float, default=60.0)
    parser.add_argument("--half-open", type=int, default=200)
    parser.add_argument("--time-limit", type=float, default=20.0, help="--hostile: the server's --time-limit")
    parser.add_argument("--server-src", default="", help="--hostile: run the server from this src folder")
    args = parser.parse_args()
    if args.hostile:
        hostile_main(args)
        return

    texts = articles(max(1, args.clients * args.requests), seed=17)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="spinscope-abuse-") as tmp:
        server = start_server(args, port, str(Path(tmp) / "results.sqlite3"))
        try:
            health = wait_ready(base, server, args.ready_timeout)
            with httpx.Client(timeout=300) as warm:
                warm.post(f"{base}/api/analyze", json={"text": texts[0]}).raise_for_status()
            phases = {"baseline": run_phase(args, base, port, texts, 0)}
            phases["abuse"] = run_phase(args, base, port, texts, args.abusers)
            time.sleep(1.0)
            queue = httpx.get(f"{base}/healthz", timeout=30).json()["queue"]
        finally:
            stop_server(server)

    chars = sum(len(t) for t in texts) / len(texts)
    print(f"spinscope serve under abuse: engine={args.engine}, {health['queue']['threads']} analysis threads")
    print(f"  well-behaved: {args.clients} clients x {args.requests} articles of ~{chars:,.0f} characters")
    print(
        f"  abuse phase adds {args.abusers} x {MAX_TEXT_CHARS:,}-character requests abandoned after {args.abandon_after:g} s"
    )
    for name, phase in phases.items():
        extra = f"  statuses: {phase['statuses']}" if phase["errors"] else ""
        print(
            f"  {name:>8}: {phase['requests']} requests, errors {phase['errors']}, wall {phase['wall']:.1f} s, "
            f"latency p50 {phase['p50']:.2f} s  p95 {phase['p95']:.2f} s  max {phase['max']:.2f} s{extra}"
        )
    print(f"  queue after the run: {queue['pending']} pending (0: the abandoned work is gone)")
    if any(phase["errors"] for phase in phases.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
