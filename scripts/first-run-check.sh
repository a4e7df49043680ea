#!/usr/bin/env bash
# The README's first run, checked: after `make demo` alone, `spinscope serve` answers /healthz,
# `spinscope batch` + `spinscope stats` run on the bundled example, and `spinscope extension` names a folder
# holding the extension. .ci/run calls this on the fresh clone's .venv right after `make demo`, before
# `make test` adds the test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-.venv}/bin"
WORK="$(mktemp -d)"
SERVER=""
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$BIN/spinscope" serve --port "$PORT" --db :memory: --workers 1 >"$WORK/serve.log" 2>&1 &
SERVER=$!
"$BIN/python" - "$PORT" "$SERVER" <<'PY'
import json, os, sys, time, urllib.request

port, pid = sys.argv[1], int(sys.argv[2])
deadline = time.monotonic() + 90
while True:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            body = json.load(response)
        break
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            sys.exit("spinscope serve exited before answering /healthz")
        if time.monotonic() > deadline:
            sys.exit("spinscope serve did not answer /healthz within 90 s")
        time.sleep(0.5)
print("serve: /healthz answered", json.dumps(body)[:120])
PY
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
SERVER=""

"$BIN/spinscope" batch examples/ -o "$WORK/batch" --workers 1 --no-progress
"$BIN/spinscope" stats "$WORK/batch" --plots "$WORK/plots" >"$WORK/stats.txt"
grep -q "All articles" "$WORK/stats.txt"
test -s "$WORK/plots/trend.png"
# the browser extension ships inside the installed package, where `spinscope extension` says
FOLDER="$("$BIN/spinscope" extension | grep -m1 '/spinscope/extension$' | xargs)"
test -f "$FOLDER/manifest.json" || { echo "spinscope extension printed no folder with a manifest.json"; exit 1; }
echo "first run: serve, batch, stats and the extension's folder work after make demo"
