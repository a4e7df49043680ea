"""One GPU session (round 4): distil an ensemble of technique taggers into one, and fine-tune the
encoder attribution tagger, all at once on one GPU.

    python training/gpu_distil.py --ptc PTC/train --quotes .devcarry/quotes.pkl.gz \\
        --runs training/runs/round4 --pack out/ --budget 420

1. In parallel: ``TEACHERS`` (train_tagger.py runs that differ in seed) and ``QUOTE_RUNS``
   (train_quote_encoder.py on the prepared PolNeAR rows).
2. When the teachers are done: ``teacher_probs.py`` averages their probabilities on PTC train and on
   the PolNeAR texts (unlabelled news for this task) and scores the ensemble on the validation split.
3. ``STUDENTS``: train_tagger.py runs from the base encoder on those soft targets.
4. The best tagger (student or teacher, by validation SI F1) and the best quote encoder (by held-out
   mean token F1) are packed as fp16 parts without word embeddings (``gpu_sweep.pack``); figures in
   ``summary.json``. ``training/unpack_gpu_run.py`` restores them.

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

from gpu_sweep import pack, read_metrics, wait_for

HERE = Path(__file__).resolve().parent
W512 = "--max-tokens 512 --batch 8 --eval-from 5"
TEACHERS = {f"teacher@{seed}": f"--epochs 10 {W512} --seed {seed}".split() for seed in (13, 14, 15, 16)}
STUDENTS = {  # round 4's three; student-u1 is the shipped tagger
    "student-u1": f"--epochs 10 {W512} --seed 13 --soft-weight 0.5 --unlabeled-share 1.0".split(),
    "student-u1w8": f"--epochs 10 {W512} --seed 13 --soft-weight 0.8 --unlabeled-share 1.0".split(),
    "student-u0": f"--epochs 10 {W512} --seed 13 --soft-weight 0.5 --unlabeled-share 0".split(),
}
QUOTE_RUNS = {"quotes-e8sc2": "--epochs 8 --lr 5e-5 --role-weight 2".split()}  # rounds 4-5: the best of three


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
    args = parser.parse_args()
    t0 = time.time()
    py = sys.executable
    limit = ["--limit", str(args.limit)] if args.limit else []
    epochs = ["--epochs", str(args.epochs)] if args.epochs else []
    smoke = [*limit, *epochs, *(["--eval-from", "1"] if args.epochs else [])]
    common = ["--ptc", str(args.ptc), "--freeze-word-embeddings", "--threads", "2"]
    teachers = {
        n: start([py, str(HERE / "train_tagger.py"), "--out", str(args.runs / n), *common, *c, *smoke], args.runs / n)
        for n, c in TEACHERS.items()
    }
    quotes = {
        n: start(
            [
                py,
                str(HERE / "train_quote_encoder.py"),
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
        for n, c in QUOTE_RUNS.items()
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
                str(HERE / "teacher_probs.py"),
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
                    str(HERE / "train_tagger.py"),
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
            for n, c in STUDENTS.items()
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
