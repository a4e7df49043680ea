"""Distil an ensemble of technique taggers into one, and fine-tune the encoder attribution tagger: on a GPU all
at once (round 4: 4 minutes on one H200), on a CPU one run after another (about 2 hours on 2 idle cores).

    python -m training.gpu_distil --ptc PTC/train --quotes training/runs/quotes.pkl.gz \\
        --runs training/runs/distil --pack training/runs/distil-pack --budget 1000000 --teacher-budget 1000000

The runs and their settings are the ``[distil]`` table of ``--recipe`` (``training/recipes/shipped.toml``,
whose steps also run this script; ``python -m training.train`` runs them), or on a CPU its ``[distil_cpu]``
table (fewer and shorter runs). ``--device`` (default auto: the GPU when torch sees one) goes to every run.
Rerunning the step resumes it: each run continues from its ``last.pt`` (a finished run only reloads), and
soft targets newer than every teacher are kept. ``--budget`` and ``--teacher-budget`` (seconds) stop parallel
runs only. Smoke run on CPU: ``--limit 6 --epochs 1`` (training/results/cv-tagger.txt has its time).

1. The teachers (``training.train_tagger`` runs that differ in seed) and the quote runs
   (``training.train_quote_encoder`` on the prepared PolNeAR rows).
2. When the teachers are done: ``training.teacher_probs`` averages their probabilities on PTC train and on
   the PolNeAR texts (unlabelled news for this task) and scores the ensemble on the validation split.
3. The students: ``training.train_tagger`` runs from the base encoder on those soft targets.
4. The best tagger (student or teacher, by validation SI F1) and the best quote encoder (by held-out
   mean token F1) are packed as fp16 parts without word embeddings (``training.gpu_run.pack``); figures
   in ``summary.json``. ``training.unpack_gpu_run`` restores them.

Every choice here is made on the PTC validation split / PolNeAR train's held-out tenth, so those
figures are slightly optimistic; PolNeAR dev and the eval commands give the reported ones.

Results (H200; ``training/results/gpu-round4-distil.{json,log}``, ``gpu-round5-students.json``):
round 4 took 236 s. Teachers (seeds 13-16) SI F1 0.439 / 0.429 / 0.427 / 0.431; their ensemble
0.443. Students: ``student-u1`` (PolNeAR texts as much again as PTC, teacher weight 0.5) **0.451**,
``student-u1w8`` (weight 0.8) 0.448, ``student-u0`` (PTC only) 0.442. Round 5 (the same soft
targets, ``gpu-round5.sh``): u1 seeds 14 / 15 0.443 / 0.447, twice the PolNeAR share 0.445. So the
students beat single teachers by ~0.015 on average (0.447 vs 0.432), and the unlabelled news is
what makes the difference (u0 gains nothing). The shipped tagger is round 4's ``student-u1``.
Quote encoder, held-out token F1 source / cue / content: e5 0.817 / 0.679 / 0.909, e5 with source
and cue weighted 2x 0.825 / 0.684 / 0.910 (round 4), 8 epochs weighted 2x 0.837 / 0.690 / 0.913
(round 5, shipped; the BiLSTM it replaces: 0.756 / 0.616 / 0.869).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import torch

from training import recipe
from training.common import pick_device
from training.gpu_run import pack, read_metrics, wait_for

RECIPE = Path(__file__).resolve().parent / "recipes" / "shipped.toml"


class Runner:
    """Starts the training processes: all at once on a GPU (they share it), one after another on a CPU, where
    parallel runs only fight over the cores. Every run resumes from its own ``last.pt``, so a stopped step
    rerun continues where each run was."""

    def __init__(self, parallel: bool, t0: float) -> None:
        self.parallel, self.t0 = parallel, t0

    def start(self, name: str, command: list[str], out: Path) -> subprocess.Popen:
        out.mkdir(parents=True, exist_ok=True)
        print(f"[{(time.time() - self.t0) / 60:5.1f} min] {name}: {' '.join(command[2:])}", flush=True)
        if self.parallel:
            return subprocess.Popen(command, stdout=open(out / "stdout.log", "a"), stderr=subprocess.STDOUT)
        # Sequential: the run's own progress lines (with their ETA) go to this step's output as well.
        job = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        with open(out / "stdout.log", "a") as log:
            for line in job.stdout:
                log.write(line)
                if not line.startswith("Loading weights"):
                    print(f"  {name} {line}", end="", flush=True)
        job.wait()
        return job


def window_of(run_args: list[str]) -> str:
    """A run's --max-tokens (train_tagger's default 512 when it names none): the teachers are read as trained."""
    return run_args[run_args.index("--max-tokens") + 1] if "--max-tokens" in run_args else "512"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ptc", type=Path, required=True)
    parser.add_argument("--quotes", type=Path, required=True)
    parser.add_argument("--runs", type=Path, default=Path("training/runs/round4"))
    parser.add_argument("--pack", type=Path, required=True)
    parser.add_argument("--budget", type=float, default=420, help="seconds for all the training (parallel runs only)")
    parser.add_argument("--teacher-budget", type=float, default=170, help="seconds for step 1's teachers")
    parser.add_argument("--limit", type=int, default=0, help="only N training articles everywhere (smoke tests)")
    parser.add_argument("--epochs", type=int, default=0, help="override every run's epochs (smoke tests)")
    parser.add_argument("--recipe", type=Path, default=RECIPE, help="TOML file whose [distil] table lists the runs")
    parser.add_argument("--device", default="auto", help="auto (GPU when torch sees one), cpu or cuda")
    parser.add_argument(
        "--parallel", choices=("auto", "yes", "no"), default="auto", help="auto: all runs at once on a GPU only"
    )
    args = parser.parse_args()
    device = pick_device(args.device)
    # kind -> run name -> arguments of its training process; [distil_cpu] (smaller) on a CPU
    runs = recipe.load(args.recipe).distil_runs(device.type)
    if not all(runs.values()):
        parser.error(f"{args.recipe}: its [distil] table needs {', '.join(recipe.DISTIL_KINDS)}")
    t0 = time.time()
    runner = Runner(args.parallel == "yes" or (args.parallel == "auto" and device.type == "cuda"), t0)
    print(f"on {device}, {'in parallel' if runner.parallel else 'one run after another'}: {runs}", flush=True)
    py = sys.executable
    limit = ["--limit", str(args.limit)] if args.limit else []
    epochs = ["--epochs", str(args.epochs)] if args.epochs else []
    smoke = [*limit, *epochs, *(["--eval-from", "1"] if args.epochs else [])]
    common = ["--ptc", str(args.ptc), "--freeze-word-embeddings", "--threads", "2", "--device", args.device]
    teachers = {
        n: runner.start(
            n, [py, "-m", "training.train_tagger", "--out", str(args.runs / n), *common, *c, *smoke], args.runs / n
        )
        for n, c in runs["teachers"].items()
    }
    quotes = {
        n: runner.start(
            n,
            [
                py,
                "-m",
                "training.train_quote_encoder",
                "train",
                "--data",
                str(args.quotes),
                "--out",
                str(args.runs / n),
                "--threads",
                "2",
                "--device",
                args.device,
                *c,
                *limit,
                *epochs,
            ],
            args.runs / n,
        )
        for n, c in runs["quote_runs"].items()
    }
    wait_for(teachers, t0 + args.teacher_budget)
    print(f"teachers done at {time.time() - t0:.0f} s", flush=True)
    done = [n for n in teachers if (args.runs / n / "best.pt").exists()]
    soft = args.runs / "soft.pt"
    students: dict[str, subprocess.Popen] = {}
    if (
        len(done) >= 2
        and soft.exists()
        and soft.stat().st_mtime > max((args.runs / n / "best.pt").stat().st_mtime for n in done)
    ):
        print(f"soft targets {soft} are newer than every teacher: kept", flush=True)
    elif len(done) >= 2:
        subprocess.run(
            [
                py,
                "-m",
                "training.teacher_probs",
                "--ptc",
                str(args.ptc),
                "--unlabeled",
                str(args.quotes),
                "--out",
                str(soft),
                "--device",
                args.device,
                "--max-tokens",
                window_of(runs["teachers"][done[0]]),
                "--teachers",
                *[str(args.runs / n) for n in done],
                *limit,
            ],
            check=True,
        )
        print(f"soft targets at {time.time() - t0:.0f} s", flush=True)
    if len(done) >= 2 and soft.exists():
        students = {
            n: runner.start(
                n,
                [
                    py,
                    "-m",
                    "training.train_tagger",
                    "--out",
                    str(args.runs / n),
                    *common,
                    *c,
                    *smoke,
                    "--soft-targets",
                    str(soft),
                ],
                args.runs / n,
            )
            for n, c in runs["students"].items()
        }
    wait_for({**students, **quotes}, t0 + args.budget)

    summary: dict = {"runs": {}, "elapsed_s": round(time.time() - t0)}
    if soft.exists():
        data = torch.load(soft, weights_only=False)
        summary["ensemble"] = {"validation_si": data["ensemble_si"], "thresholds": data["thresholds"], "members": done}
    for name in [*teachers, *students, *quotes]:
        metrics = read_metrics(args.runs / name)
        summary["runs"][name] = metrics and {k: v for k, v in metrics.items() if k != "val_articles"}
    args.pack.mkdir(parents=True, exist_ok=True)

    def score(name: str) -> float:
        m = summary["runs"][name]
        if not m:
            return -1.0
        return m["validation_si"]["f1"] if "validation_si" in m else m["mean_f1"]

    taggers = [n for n in [*teachers, *students] if score(n) > 0]
    if taggers:
        best = max(taggers, key=score)
        chosen = torch.load(args.runs / best / "best.pt", map_location="cpu", weights_only=False)
        summary["tagger"] = {"run": best, "f1": score(best)}
        summary["tagger"]["parts"] = pack(
            "tagger",
            chosen["model"],
            {"thresholds": chosen["thresholds"], "metrics": summary["runs"][best], "name": best},
            args.pack,
        )
    quote_runs = [n for n in quotes if score(n) > 0]
    if quote_runs:
        best = max(quote_runs, key=score)
        chosen = torch.load(args.runs / best / "best.pt", map_location="cpu", weights_only=False)
        extra = {k: v for k, v in chosen.items() if k != "model"}
        summary["quotes"] = {"run": best, "mean_f1": score(best)}
        summary["quotes"]["parts"] = pack("quotes", chosen["model"], {**extra, "name": best}, args.pack)
    (args.pack / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    print(json.dumps({k: summary.get(k) for k in ("ensemble", "tagger", "quotes", "elapsed_s")}, indent=1, default=str))
    for name, m in summary["runs"].items():
        print(name, m and (m.get("validation_si") or m.get("token")), flush=True)


if __name__ == "__main__":
    main()
