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
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from benchmarks.server_load import DEMO, free_port, percentile, spawn_server, stop_server, wait_ready
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("model", "fast", "rules"), default="model")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=10, help="articles per client")
    parser.add_argument("--abusers", type=int, default=4, help="clients that send a maximum-size text and hang up")
    parser.add_argument("--abandon-after", type=float, default=1.5)
    parser.add_argument("--server-log", default="")
    parser.add_argument("--ready-timeout", type=float, default=300.0)
    args = parser.parse_args()

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
