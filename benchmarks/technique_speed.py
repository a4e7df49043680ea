"""Speed of the shipped technique model (ONNX int8, onnxruntime) against the same
weights in PyTorch fp32, on the same articles, in one run.

    /work/trainenv/bin/python -m benchmarks.technique_speed            # both backends
    .venv/bin/python -m benchmarks.technique_speed --backends onnx,pipeline      # no torch needed

The PyTorch side needs training checkpoints of the same architecture
(``RUNS/tagger/best.pt`` and ``RUNS/classifier/best.pt``, ``--runs``, default ``training/runs``;
speed does not depend on the weights' values)
and a Python with torch + transformers (``training/requirements.txt``). Each
backend runs in its own subprocess so that peak RSS is its own. Articles: the
PTC validation split when ``../shared`` is present, else the bundled example
repeated to ~900 tokens. Prints articles/s, tokens/s, peak RSS and the ratio; the ``pipeline``
backend times the whole ``spinscope.analyze`` (quote encoder, voice and claims included) on the
same articles.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNS = REPO / "training" / "runs"


def load_articles(limit: int) -> list[str]:
    try:
        from training.ptc import load_ptc, split

        _train, val = split(load_ptc())
        return [a.text for a in val][:limit]
    except (FileNotFoundError, OSError):
        demo = (REPO / "examples" / "demo-article.txt").read_text(encoding="utf-8")
        return [demo * 2] * limit


def torch_backend(model) -> None:
    """Swap the ONNX sessions of a TechniqueModel for the fp32 PyTorch modules they were exported from."""
    import dataclasses

    import torch

    from training.common import base_encoder_dir
    from training.train_classifier import SpanClassifier
    from training.train_tagger import Tagger

    torch.set_num_threads(2)

    class Session:
        def __init__(self, module: torch.nn.Module, names: list[str]) -> None:
            self.module, self.names = module.eval(), names

        def run(self, _outputs: object, feeds: dict) -> list:
            with torch.inference_mode():
                return [self.module(*(torch.from_numpy(feeds[n]) for n in self.names)).numpy()]

    tagger = Tagger(base_encoder_dir())
    tagger.load_state_dict(torch.load(RUNS / "tagger/best.pt", weights_only=False)["model"])
    classifier = SpanClassifier(base_encoder_dir())
    classifier.load_state_dict(torch.load(RUNS / "classifier/best.pt", weights_only=False)["model"])
    model.tagger = dataclasses.replace(model.tagger, session=Session(tagger, model.tagger.input_names))
    model.classifier = dataclasses.replace(model.classifier, session=Session(classifier, model.classifier.input_names))


def run_pipeline(limit: int, engine: str = "model") -> dict:
    """The whole ``spinscope.analyze`` (techniques, quotes with their encoder, voice, claims), as users run it;
    ``engine="fast"`` reads quotes with the rules alone."""
    import spinscope
    from spinscope.analyzers.techniques_model import TechniqueModel

    articles = load_articles(limit)
    tokens = sum(len(TechniqueModel().tokenize(text).ids) for text in articles)
    spinscope.analyze(articles[0], engine=engine)  # warm-up: loads every model
    start = time.perf_counter()
    for text in articles:
        spinscope.analyze(text, engine=engine)
    seconds = time.perf_counter() - start
    return {
        "backend": "pipeline" if engine == "model" else f"pipeline-{engine}",
        "articles": len(articles),
        "tokens": tokens,
        "seconds": round(seconds, 2),
        "articles_per_s": round(len(articles) / seconds, 2),
        "tokens_per_s": round(tokens / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def run_backend(backend: str, limit: int) -> dict:
    from spinscope.analyzers.techniques_model import TechniqueModel
    from spinscope.segmentation import sentences

    if backend == "pipeline":
        return run_pipeline(limit)
    if backend == "pipeline-fast":
        return run_pipeline(limit, "fast")
    articles = load_articles(limit)
    model = TechniqueModel()
    if backend == "torch":
        torch_backend(model)
    tokens = sum(len(model.tokenize(text).ids) for text in articles)
    model.find(articles[0], sentences(articles[0]))  # warm-up
    start = time.perf_counter()
    spans = sum(len(model.find(text, sentences(text))) for text in articles)
    seconds = time.perf_counter() - start
    return {
        "backend": backend,
        "articles": len(articles),
        "tokens": tokens,
        "spans": spans,
        "seconds": round(seconds, 2),
        "articles_per_s": round(len(articles) / seconds, 2),
        "tokens_per_s": round(tokens / seconds),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def startup_seconds() -> float:
    """Wall time of `spinscope analyze` on the bundled example, as a user runs it."""
    candidates = [REPO / ".venv" / "bin" / "spinscope", Path(sys.executable).with_name("spinscope")]
    exe = next((c for c in candidates if c.exists()), None)
    cli = [str(exe)] if exe else [sys.executable, "-m", "spinscope.cli"]
    start = time.perf_counter()
    subprocess.run(
        [*cli, "analyze", str(REPO / "examples/demo-article.txt"), "-f", "json"], check=True, capture_output=True
    )
    return round(time.perf_counter() - start, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--backends",
        default="onnx,torch,pipeline,pipeline-fast",
        help="onnx / torch: the technique models; pipeline(-fast): all of analyze (engine model / fast)",
    )
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--runs", type=Path, default=REPO / "training" / "runs", help="folder of the checkpoints")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global RUNS
    RUNS = args.runs
    if args.child:
        print(json.dumps(run_backend(args.child, args.articles)))
        return
    results = {}
    child_args = ["--articles", str(args.articles), "--runs", str(args.runs)]
    for backend in args.backends.split(","):
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.technique_speed", "--child", backend, *child_args],
            cwd=REPO,  # where `training` and `benchmarks` import from
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            print(f"{backend}: failed\n{proc.stderr[-2000:]}")
            continue
        results[backend] = json.loads(proc.stdout.strip().splitlines()[-1])
        r = results[backend]
        print(
            f"{backend:13} {r['articles']} articles, {r['tokens']} tokens: {r['articles_per_s']:.2f} articles/s, "
            f"{r['tokens_per_s']} tokens/s, peak RSS {r['peak_rss_mb']} MB"
        )
    if "onnx" in results and "torch" in results:
        print(f"speed-up onnx/torch: {results['onnx']['tokens_per_s'] / results['torch']['tokens_per_s']:.2f}x")
    if "onnx" in results:
        per_900 = results["onnx"]["tokens_per_s"] / 900
        print(f"≈ {per_900:.1f} articles of 900 tokens per second (onnx)")
    print(f"start-up: `spinscope analyze` on the bundled example took {startup_seconds()} s wall time")


if __name__ == "__main__":
    main()
