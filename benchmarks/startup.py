"""Start-up of one ``spinscope analyze``: wall, CPU time and peak RSS of the whole command on the bundled example,
and where the time goes (interpreter, imports, each model's session and tokenizer, first and second analysis).

    .venv/bin/python -m benchmarks.startup --baseline /tmp/spinscope-0.1 --repeats 5

Each command runs in a fresh process (``PYTHONPATH`` at that checkout's ``src``); the sides alternate so that a
busy machine slows both alike; the best (lowest) of the repeats is printed, with the median beside it. Peak RSS
and CPU time are the command's own (``os.wait4``). Bytecode is cached in a temporary folder after one untimed run,
as a ``pip install`` leaves it (this sandbox sets ``PYTHONDONTWRITEBYTECODE``, which would otherwise recompile
spinscope's modules on every run; ``--no-bytecode`` measures that instead). The breakdown runs the same steps one
after another in one process; the command itself overlaps model loading with the rest (``preload_models``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO = "examples/demo-article.txt"

BREAKDOWN = r"""
import json, resource, sys, time
engine = sys.argv[2]
steps = {}
started = time.perf_counter()
import spinscope.cli, spinscope.pipeline, spinscope.readers.inputs  # what `spinscope analyze -f json` imports
steps["imports (cli, pipeline, readers)"] = time.perf_counter() - started
from spinscope.pipeline import ENGINE_MODELS, analyze, technique_engine
from spinscope.runtime.session import ModelBundle, load_bundle
runs = {}
plain_run = ModelBundle.run
def timed_run(self, feeds):  # each model's share of an analysis
    t = time.perf_counter()
    try:
        return plain_run(self, feeds)
    finally:
        runs.setdefault(self.name, []).append(time.perf_counter() - t)
ModelBundle.run = timed_run
for name in ENGINE_MODELS[engine]:
    t = time.perf_counter()
    bundle = load_bundle(name)
    for part, seconds in bundle.load_seconds.items():
        steps[f"{name}: {part}"] = seconds
    steps[f"{name}: total (with onnxruntime import)"] = time.perf_counter() - t
t = time.perf_counter()
technique_engine(engine)
steps["technique engine (heads, calibration)"] = time.perf_counter() - t
text = open(sys.argv[1], encoding="utf-8").read()
for label in ("first analysis (models loaded)", "second analysis"):
    runs.clear()
    t = time.perf_counter()
    result = analyze(text, engine=engine).to_dict()
    steps[label] = time.perf_counter() - t
    for name, seconds in runs.items():
        steps[f"  {label.split()[0]}: {name} ({len(seconds)} runs)"] = sum(seconds)
t = time.perf_counter()
json.dumps(result, ensure_ascii=False, indent=2)
steps["JSON output"] = time.perf_counter() - t
steps["sum of the steps"] = time.perf_counter() - started
print(json.dumps({"steps": steps, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def cpu_description() -> str:
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown CPU"
    name = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "?")
    flags = next((line.split(":", 1)[1].split() for line in info.splitlines() if line.startswith("flags")), [])
    wanted = ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")
    return f"{name}; {os.cpu_count()} cores; " + ", ".join(f"{f} {'yes' if f in flags else 'no'}" for f in wanted)


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    output_sha: str


def environment(src: Path, cache: Path | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    if cache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache / hashlib.sha1(str(src).encode()).hexdigest()[:8])
    return env


def run_measured(command: list[str], env: dict[str, str], cwd: Path = REPO) -> tuple[Run, bytes]:
    """Wall time, CPU time (user + system) and peak RSS of one process of its own."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read(), stderr.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{err.decode(errors='replace')[-2000:]}")
    run = Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, hashlib.sha256(out).hexdigest()[:12])
    return run, out


def cli_command(engine: str, article: str = DEMO) -> list[str]:
    command = [sys.executable, "-c", "from spinscope.cli import main; main()", "analyze", article]
    return [*command, "-f", "json", "--engine", engine]


def measure_cli(
    sides: dict[str, Path], repeats: int, engine: str = "model", bytecode: bool = True
) -> dict[str, list[Run]]:
    """``spinscope analyze`` on the bundled example, ``repeats`` times per side, alternating; one untimed run per
    side first (bytecode written, model files in the page cache)."""
    runs: dict[str, list[Run]] = {name: [] for name in sides}
    with tempfile.TemporaryDirectory() as tmp:
        envs = {name: environment(src, Path(tmp) if bytecode else None) for name, src in sides.items()}
        for name in sides:
            run_measured(cli_command(engine), envs[name])
        for i in range(repeats):
            for name in list(sides) if i % 2 == 0 else list(sides)[::-1]:
                runs[name].append(run_measured(cli_command(engine), envs[name])[0])
    return runs


def describe(runs: list[Run]) -> str:
    walls = [r.wall for r in runs]
    cpus = [r.cpu for r in runs]
    shas = sorted({r.output_sha for r in runs})
    return (
        f"wall {min(walls):.2f} s (median {statistics.median(walls):.2f})  CPU {min(cpus):.2f} s"
        f"  peak RSS {max(r.peak_mb for r in runs):.0f} MB  output sha256 {','.join(shas)}"
    )


def breakdown(src: Path, engine: str, bytecode: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(src, Path(tmp) if bytecode else None)
        command = [sys.executable, "-c", BREAKDOWN, str(REPO / DEMO), engine]
        run_measured(command, env)  # bytecode and page cache, as for the command
        interpreter = min(run_measured([sys.executable, "-c", "pass"], env)[0].wall for _ in range(3))
        _, out = run_measured(command, env)
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["steps"] = {"python start-up (python -c pass)": interpreter, **result["steps"]}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, help="another checkout (its src/ is imported), e.g. the 0.1 one")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--engine", default="model", choices=["model", "fast", "rules"])
    parser.add_argument("--no-bytecode", action="store_true", help="recompile the modules on every run")
    args = parser.parse_args()
    bytecode = not args.no_bytecode
    print(f"CPU: {cpu_description()}")
    print(f"spinscope analyze {DEMO} -f json --engine {args.engine}; bytecode {'cached' if bytecode else 'not cached'}")
    sides = {"this checkout": REPO / "src"}
    if args.baseline is not None:
        sides["baseline"] = args.baseline.resolve() / "src"
    runs = measure_cli(sides, args.repeats, args.engine, bytecode)
    for name, side_runs in runs.items():
        print(f"  {name:14} {describe(side_runs)}")
    result = breakdown(REPO / "src", args.engine, bytecode)
    print("breakdown (this checkout, each step in turn, one process):")
    for step, seconds in result["steps"].items():
        print(f"  {step:48} {seconds:6.3f} s")
    print(f"  peak RSS {result['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
