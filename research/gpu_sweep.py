"""Train several technique-model configurations at once on one GPU, keep the best on the
validation split, and pack them small enough to carry back.

    python -m research.gpu_sweep --ptc ../shared/corpora/ptc/train --runs training/runs/sweep \\
        --pack out/ --budget 360

Every run is a plain ``training.train_tagger`` / ``training.train_classifier`` process (the configurations
are listed in ``TAGGERS`` and ``CLASSIFIERS`` below), all with frozen word embeddings so that a
trained model travels as its encoder layers and head alone. After the runs (or when ``--budget``
seconds are spent; each run keeps its best epoch on disk as it goes) the script also tries a
uniform "model soup" of the tagger runs that share a configuration but not a seed (Wortsman et
al. 2022: weights averaged across fine-tunes of one base often beat each of them), scored on the
same validation split. The best tagger and classifier are written to ``--pack`` as fp16 state
dicts cut into parts of at most 15 MiB, with ``summary.json`` holding every run's figures.
``python -m training.unpack_gpu_run`` turns them back into ``best.pt`` folders for ``export_onnx.py``.

Choosing among runs on the validation split makes its figures slightly optimistic; the README
says so next to them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import torch

from training.common import base_encoder_dir
from training.gpu_run import pack, read_metrics, wait_for
from training.ptc import load_ptc, split
from training.train_tagger import Tagger, predict_probs, tune_thresholds

# name -> arguments. Runs sharing a "family" (the name before '@') differ only in seed.
# Each round's summary.json and log are kept in training/results/gpu-sweep-round{1,2,3}.*
# Round 1 (H200, 125 s): e10 seeds 13/14/15 -> 0.436/0.435/0.432 SI F1, e16lr5 0.438, e12w512 0.440,
# e10any2 0.434; classifiers c6 0.603, c10lr5 0.604 (frozen embeddings; val SI swings ~0.01 per epoch).
# Round 2 (H200, 95 s): w512e10 seeds 13-16 -> 0.440/0.429/0.429/0.432, e10 seeds 13-15 0.436/0.434/0.429;
# seed soups 0.410 (w512e10) and 0.424 (e10): averaging across seeds hurts here. Classifier c5p3 0.616
# (0.604 after int8, below the shipped one's 0.611, so not shipped).
# Round 3 (H200, 130 s), below: the weights of each run's second half averaged (--keep-from).
# Best epochs: w512e10@13 0.439, @14 0.428, w512e16lr5 0.435, e10 0.435, e16lr5 0.438; their
# averages 0.432/0.426/0.436/0.428/0.424: no gain. The shipped tagger is round 2's w512e10@13.
W512 = "--max-tokens 512 --batch 8"
TAGGERS: dict[str, list[str]] = {
    name: args.split()
    for name, args in {
        "w512e10@13": f"--epochs 10 {W512} --seed 13 --eval-from 5 --keep-from 6",
        "w512e10@14": f"--epochs 10 {W512} --seed 14 --eval-from 5 --keep-from 6",
        "w512e16lr5@13": f"--epochs 16 --lr 5e-5 {W512} --seed 13 --eval-from 8 --keep-from 9",
        "e10@13": "--epochs 10 --seed 13 --eval-from 5 --keep-from 6",
        "e16lr5@13": "--epochs 16 --lr 5e-5 --seed 13 --eval-from 8 --keep-from 9",
    }.items()
}
CLASSIFIERS: dict[str, list[str]] = {}


def launch(module: str, out: Path, config: list[str], ptc: Path, overrides: list[str]) -> subprocess.Popen:
    out.mkdir(parents=True, exist_ok=True)
    common = ["--freeze-word-embeddings", "--threads", "2"]
    command = [sys.executable, "-m", module, "--ptc", str(ptc), "--out", str(out), *common, *config, *overrides]
    return subprocess.Popen(command, stdout=open(out / "stdout.log", "w"), stderr=subprocess.STDOUT)


def score_average(states: list[dict], ptc: Path, window: int) -> tuple[dict, dict]:
    """Average the weights in ``states`` and score the average on the validation split."""
    from spinscope.runtime.encoding import load_tokenizer, tokenize_text

    averaged = {k: sum(s[k].float() for s in states) / len(states) for k in states[0]}
    encoder_dir = base_encoder_dir()
    model = Tagger(encoder_dir)
    # Epoch files lack the integer buffers; the base model's own are the right ones.
    model.load_state_dict(averaged, strict=False)
    model.to("cuda" if torch.cuda.is_available() else "cpu")
    _train, val = split(load_ptc(ptc))
    tokenizer = load_tokenizer(encoder_dir / "tokenizer.json")
    tokens = [tokenize_text(tokenizer, a.text) for a in val]
    probs = [predict_probs(model, t, window, window // 2) for t in tokens]
    thresholds, si = tune_thresholds(val, tokens, probs)
    full = {k: v.cpu() for k, v in model.state_dict().items()}
    return {"model": full, "thresholds": thresholds}, si


def soup(tagger_runs: list[Path], ptc: Path, window: int) -> tuple[dict, dict]:
    """A uniform soup: the best checkpoints of runs that differ only in seed, averaged."""
    states = [torch.load(run / "best.pt", map_location="cpu", weights_only=False)["model"] for run in tagger_runs]
    return score_average(states, ptc, window)


def epoch_average(run: Path, ptc: Path, window: int) -> tuple[dict, dict, list[int]] | None:
    """The weights of one run's kept epochs (``--keep-from``) averaged: a flat-minimum estimate
    (stochastic weight averaging, Izmailov et al. 2018) that is less at the mercy of one epoch's noise."""
    files = sorted(run.glob("epoch*.pt"), key=lambda p: int(p.stem.removeprefix("epoch")))
    if len(files) < 2:
        return None
    states = [torch.load(f, map_location="cpu", weights_only=False)["model"] for f in files]
    averaged, si = score_average(states, ptc, window)
    return averaged, si, [int(f.stem.removeprefix("epoch")) for f in files]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ptc", type=Path, required=True)
    parser.add_argument("--runs", type=Path, default=Path("training/runs/sweep"))
    parser.add_argument("--pack", type=Path, required=True)
    parser.add_argument("--budget", type=float, default=360, help="seconds for the training runs")
    parser.add_argument("--only", default="", help="comma-separated run names (smoke tests)")
    parser.add_argument("--extra", default="", help="arguments added to every run (smoke tests)")
    args = parser.parse_args()
    t0 = time.time()
    overrides = args.extra.split()
    only = set(filter(None, args.only.split(",")))
    jobs: dict[str, subprocess.Popen] = {}
    for name, config in TAGGERS.items():
        if not only or name in only:
            jobs[f"tagger-{name}"] = launch(
                "training.train_tagger", args.runs / f"tagger-{name}", config, args.ptc, overrides
            )
    for name, config in CLASSIFIERS.items():
        if not only or name in only:
            jobs[f"classifier-{name}"] = launch(
                "training.train_classifier", args.runs / f"classifier-{name}", config, args.ptc, overrides
            )
    wait_for(jobs, t0 + args.budget)

    summary: dict = {"runs": {}, "elapsed_s": round(time.time() - t0)}
    for name in jobs:
        metrics = read_metrics(args.runs / name)
        summary["runs"][name] = metrics and {k: v for k, v in metrics.items() if k != "val_articles"}
        print(name, metrics and (metrics.get("validation_si") or metrics["validation_tc"]["micro_f1"]), flush=True)

    def f1(name: str) -> float:
        m = summary["runs"][name]
        if not m:
            return -1.0
        return m["validation_si"]["f1"] if "validation_si" in m else m["validation_tc"]["micro_f1"]

    args.pack.mkdir(parents=True, exist_ok=True)
    taggers = [n for n in jobs if n.startswith("tagger-") and f1(n) > 0]
    if taggers:
        best = max(taggers, key=f1)
        chosen = torch.load(args.runs / best / "best.pt", map_location="cpu", weights_only=False)
        chosen_f1, chosen_name, metrics = f1(best), best, summary["runs"][best]
        summary["soups"] = {}
        for family in sorted({n.split("@")[0] for n in taggers}):
            members = [n for n in taggers if n.split("@")[0] == family]
            if len(members) < 2:
                continue
            window = int(summary["runs"][members[0]]["config"]["max_tokens"])
            averaged, si = soup([args.runs / n for n in members], args.ptc, window)
            summary["soups"][family] = {"members": members, "validation_si": si, "thresholds": averaged["thresholds"]}
            print("soup of", members, si, flush=True)
            if si["f1"] > chosen_f1:
                chosen, chosen_f1, chosen_name = averaged, si["f1"], "soup:" + "+".join(members)
                metrics = {**summary["runs"][members[0]], "soup": summary["soups"][family]}
        summary["averages"] = {}
        for name in taggers:
            window = int(summary["runs"][name]["config"]["max_tokens"])
            result = epoch_average(args.runs / name, args.ptc, window)
            if result is None:
                continue
            averaged, si, epochs = result
            summary["averages"][name] = {"epochs": epochs, "validation_si": si, "thresholds": averaged["thresholds"]}
            print("average of", name, epochs, si, flush=True)
            if si["f1"] > chosen_f1:
                chosen, chosen_f1, chosen_name = averaged, si["f1"], f"average:{name}:{epochs[0]}-{epochs[-1]}"
                metrics = {**summary["runs"][name], "average": summary["averages"][name]}
        summary["tagger"] = {"run": chosen_name, "f1": chosen_f1}
        summary["tagger"]["parts"] = pack(
            "tagger",
            chosen["model"],
            {"thresholds": chosen["thresholds"], "metrics": metrics, "name": chosen_name},
            args.pack,
        )
    classifiers = [n for n in jobs if n.startswith("classifier-") and f1(n) > 0]
    if classifiers:
        best = max(classifiers, key=f1)
        chosen = torch.load(args.runs / best / "best.pt", map_location="cpu", weights_only=False)
        summary["classifier"] = {"run": best, "f1": f1(best)}
        summary["classifier"]["parts"] = pack(
            "classifier", chosen["model"], {"metrics": summary["runs"][best], "name": best}, args.pack
        )
    (args.pack / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: summary.get(k) for k in ("tagger", "classifier", "soups", "averages", "elapsed_s")}, indent=1))


if __name__ == "__main__":
    main()
