"""One GPU session (round 4): distil an ensemble of technique taggers into one, and fine-tune the
encoder attribution tagger, all at once on one GPU.

    python -m training.gpu_distil --ptc PTC/train --quotes .devcarry/quotes.pkl.gz \\
        --runs training/runs/round4 --pack out/ --budget 420

The runs and their settings are the ``[distil]`` table of ``--recipe`` (``training/recipes/shipped.toml``,
whose steps also run this script; ``python -m training.train`` runs them):

1. In parallel: the teachers (``training.train_tagger`` runs that differ in seed) and the quote runs
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
from training.gpu_run import pack, read_metrics, wait_for

RECIPE = Path(__file__).resolve().parent / "recipes" / "shipped.toml"


def start(command: list[str], out: Path) -> subprocess.Popen:
    out.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(command, stdout=open(out / "stdout.log", "w"), stderr=subprocess.STDOUT)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ptc", type=Path, required=True)
    parser.add_argument("--quotes", type=Path, required=True)
    parser.add_argument("--runs", type=Path, default=Path("training/runs/round4"))
    parser.add_argument("--pack", type=Path, required=True)
    parser.add_argument("--budget", type=float, default=420, help="seconds for all the training")
    parser.add_argument("--teacher-budget", type=float, default=170, help="seconds for step 1's teachers")
    parser.add_argument("--limit", type=int, default=0, help="only N training articles everywhere (smoke tests)")
    parser.add_argument("--epochs", type=int, default=0, help="override every run's epochs (smoke tests)")
    parser.add_argument("--recipe", type=Path, default=RECIPE, help="TOML file whose [distil] table lists the runs")
    args = parser.parse_args()
    runs = recipe.load(args.recipe).distil  # kind -> run name -> arguments of its training process
    if not all(runs.values()):
        parser.error(f"{args.recipe}: its [distil] table needs {', '.join(recipe.DISTIL_KINDS)}")
    t0 = time.time()
    py = sys.executable
    limit = ["--limit", str(args.limit)] if args.limit else []
    epochs = ["--epochs", str(args.epochs)] if args.epochs else []
    smoke = [*limit, *epochs, *(["--eval-from", "1"] if args.epochs else [])]
    common = ["--ptc", str(args.ptc), "--freeze-word-embeddings", "--threads", "2"]
    teachers = {
        n: start([py, "-m", "training.train_tagger", "--out", str(args.runs / n), *common, *c, *smoke], args.runs / n)
        for n, c in runs["teachers"].items()
    }
    quotes = {
        n: start(
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
    if len(done) >= 2:
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
                "--teachers",
                *[str(args.runs / n) for n in done],
                *limit,
            ],
            check=True,
        )
        print(f"soft targets at {time.time() - t0:.0f} s", flush=True)
        students = {
            n: start(
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
