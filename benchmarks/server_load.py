"""Load test of ``spinscope serve``: throughput, latency percentiles, errors and the server's peak RSS.

    .venv/bin/python -m benchmarks.server_load                        # model engine, 4 clients x 100 requests
    .venv/bin/python -m benchmarks.server_load --engine rules --clients 2 --requests 20

Starts the server in a subprocess on a free loopback port (rate limit off, a
throw-away permalink database), waits for ``/healthz`` (the models load at
start-up), sends one warm-up request of each size, then runs ``--clients``
threads, each sending ``--requests`` ``POST /api/analyze`` requests one after
another. The sizes are mixed (seeded): a short paragraph, the demo article, and a
long article made by repeating the demo text (``--long-repeat`` times). Every
answer must be 200: the script exits 1 if any is not. Peak RSS is the server
process's high-water mark (``VmHWM`` in /proc; psutil sampling elsewhere).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
DEMO = (REPO / "examples" / "demo-article.txt").read_text(encoding="utf-8")
SHORT = (
    "The minister said on Tuesday that the talks would resume next week. "
    'Critics called the plan a shameful surrender, and the opposition leader said it was "a betrayal".'
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def memory_kb(pid: int, field: str) -> int | None:
    """``VmHWM`` (peak) or ``VmRSS`` (now) of a process, in kB, from /proc (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class RssSampler:
    """Peak RSS by sampling with psutil, where /proc has no VmHWM."""

    def __init__(self, pid: int) -> None:
        self.peak = 0
        self._stop = threading.Event()
        try:
            import psutil

            self._process: object | None = psutil.Process(pid)
        except Exception:
            self._process = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        if self._process is not None:
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self._process.memory_info().rss // 1024)  # type: ignore[attr-defined]
            except Exception:
                return
            self._stop.wait(0.1)

    def stop(self) -> int | None:
        self._stop.set()
        return self.peak or None


def spawn_server(command: list[str], server_log: str) -> subprocess.Popen[bytes]:
    """Start ``spinscope serve`` from this checkout's src/, its output to ``server_log`` (or nowhere)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH", "")) if p)
    log = open(server_log, "wb") if server_log else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


def start_server(args: argparse.Namespace, port: int, db: str) -> subprocess.Popen[bytes]:
    command = [
        args.python, "-m", "spinscope.cli", "serve",
        "--host", "127.0.0.1", "--port", str(port),
        "--engine", args.engine, "--db", db,
        "--rate-limit", "0",  # the point is throughput, not the limiter
        "--queue", str(max(16, 2 * args.clients)),
        "--workers", str(args.workers),
    ]  # fmt: skip
    return spawn_server(command, args.server_log)


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with code {server.returncode} (see --server-log)")
        try:
            response = httpx.get(f"{base}/healthz", timeout=5)
            if response.status_code == 200:
                return response.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"the server was not ready after {timeout:g} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("model", "rules"), default="model")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (threads)")
    parser.add_argument("--requests", type=int, default=100, help="requests per client")
    parser.add_argument("--workers", type=int, default=0, help="server analysis threads (0: one per core)")
    parser.add_argument("--long-repeat", type=int, default=10, help="the long article is the demo this many times")
    parser.add_argument("--mix", default="0.4,0.4,0.2", help="shares of short, demo and long requests")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--python", default=sys.executable, help="the Python that runs the server")
    parser.add_argument("--server-log", default="", help="write the server's output here")
    parser.add_argument("--ready-timeout", type=float, default=180.0)
    args = parser.parse_args()

    long_text = "\n\n".join([DEMO.strip()] * args.long_repeat)
    bodies = {"short": SHORT, "demo": DEMO, "long": long_text}
    weights = [float(x) for x in args.mix.split(",")]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="spinscope-load-") as tmp:
        server = start_server(args, port, str(Path(tmp) / "results.sqlite3"))
        sampler: RssSampler | None = None
        try:
            health = wait_ready(base, server, args.ready_timeout)
            if memory_kb(server.pid, "VmHWM") is None:
                sampler = RssSampler(server.pid)
            with httpx.Client(timeout=300) as warm:
                for text in bodies.values():
                    warm.post(f"{base}/api/analyze", json={"text": text}).raise_for_status()
            rss_before = memory_kb(server.pid, "VmRSS")

            plans = []
            for client in range(args.clients):
                rng = random.Random(args.seed * 1000 + client)
                plans.append(rng.choices(list(bodies), weights=weights, k=args.requests))
            results: list[tuple[str, int, float]] = []
            lock = threading.Lock()

            def run(plan: list[str]) -> None:
                with httpx.Client(timeout=300) as http:
                    for kind in plan:
                        start = time.perf_counter()
                        try:
                            status = http.post(f"{base}/api/analyze", json={"text": bodies[kind]}).status_code
                        except httpx.HTTPError:
                            status = -1
                        with lock:
                            results.append((kind, status, time.perf_counter() - start))

            threads = [threading.Thread(target=run, args=(plan,)) for plan in plans]
            wall = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - wall
            peak = memory_kb(server.pid, "VmHWM") or (sampler.stop() if sampler else None)
        finally:
            stop_server(server)

    latencies = [seconds for _, _, seconds in results]
    statuses = Counter(status for _, status, _ in results)
    errors = sum(n for status, n in statuses.items() if status != 200)
    cores = os.cpu_count()
    print(f"spinscope serve load test: engine={args.engine}, {args.clients} clients x {args.requests} requests")
    print(f"  server: {health.get('queue', {}).get('threads', '?')} analysis threads, {cores} CPU cores")
    sizes = ", ".join(f"{kind} {len(text):,} chars" for kind, text in bodies.items())
    print(f"  sizes: {sizes}; mix {args.mix} (short, demo, long)")
    print(f"  requests: {len(results)}  errors: {errors}" + (f"  statuses: {dict(statuses)}" if errors else ""))
    print(f"  wall: {wall:.2f} s  throughput: {len(results) / wall:.2f} req/s")
    print(
        "  latency (s): "
        + "  ".join(f"p{p}={percentile(latencies, p):.3f}" for p in (50, 95, 99))
        + f"  max={max(latencies, default=math.nan):.3f}"
    )
    for kind in bodies:
        own = [seconds for k, _, seconds in results if k == kind]
        if own:
            print(f"    {kind:>5} ({len(own):>3}): p50={percentile(own, 50):.3f}  p95={percentile(own, 95):.3f}")
    rss_text = f"{rss_before / 1024:.0f} MB after warm-up, " if rss_before else ""
    print(f"  server RSS: {rss_text}peak {peak / 1024:.0f} MB" if peak else "  server RSS: unknown")
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
