"""Which dynamic-int8 recipe keeps the technique tagger's validation SI (fp32 vs int8 variants).

    .venv-train/bin/python -m research.quantisation --tagger training/runs/round4/tagger

Exports ``best.pt`` once, quantises it several ways, and scores each through spinscope's own
inference (one window per call, thresholds re-tuned on the validation split, as export_onnx.py
does). Prints SI F1 and file size per variant; installs nothing.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import onnx
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from spinscope.runtime.encoding import N_CASE_FEATURES
from training.common import base_encoder_dir
from training.export_onnx import TaggerWithStates, export
from training.ptc import load_ptc, split
from training.train_tagger import Tagger, tune_thresholds


def score(model_path: Path, val) -> dict:
    from spinscope.analyzers import techniques_model
    from spinscope.runtime import session

    session.load_bundle.cache_clear()
    original = session.load_bundle

    def patched(name: str, directory: Path | None = None):
        bundle = original(name, directory)
        if name == techniques_model.TAGGER:
            import onnxruntime as ort

            bundle.session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
        return bundle

    techniques_model.load_bundle = patched
    try:
        model = techniques_model.TechniqueModel()
        tokenized = [model.tokenize(a.text) for a in val]
        probs = [model.token_probabilities(t) for t in tokenized]
        thresholds, si = tune_thresholds(val, tokenized, probs)
    finally:
        techniques_model.load_bundle = original
    return {"f1": round(si["f1"], 4), "p": round(si["precision"], 4), "r": round(si["recall"], 4), **thresholds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tagger", type=Path, required=True)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    torch.set_num_threads(2)
    tmp = Path(tempfile.mkdtemp())
    tagger = Tagger(base_encoder_dir())
    tagger.load_state_dict(torch.load(args.tagger / "best.pt", weights_only=False)["model"])
    ids = torch.ones((2, 16), dtype=torch.long)
    seq = {0: "batch", 1: "seq"}
    export(
        TaggerWithStates(tagger),
        (ids, torch.ones_like(ids), torch.zeros((2, 16, N_CASE_FEATURES))),
        ["input_ids", "attention_mask", "case"],
        {"input_ids": seq, "attention_mask": seq, "case": seq},
        tmp / "fp32.onnx",
        outputs={"logits": seq, "states": seq},
    )
    graph = onnx.load(str(tmp / "fp32.onnx")).graph
    matmuls = [n.name for n in graph.node if n.op_type == "MatMul"]
    last_layer = [n for n in matmuls if "layer.5" in n]
    head = [n for n in matmuls if "head" in n]
    variants = {
        "per-channel (shipped recipe)": {"per_channel": True},
        "per-tensor": {"per_channel": False},
        "per-channel, head fp32": {"per_channel": True, "nodes_to_exclude": head},
        "per-channel, last layer + head fp32": {"per_channel": True, "nodes_to_exclude": head + last_layer},
        "per-channel, reduce_range": {"per_channel": True, "reduce_range": True},
    }
    _train, val = split(load_ptc())
    print("fp32", score(tmp / "fp32.onnx", val), flush=True)
    for name, options in variants.items():
        if args.only and args.only not in name:
            continue
        path = tmp / f"{abs(hash(name))}.onnx"
        quantize_dynamic(str(tmp / "fp32.onnx"), str(path), weight_type=QuantType.QInt8, **options)
        print(f"{name}: {score(path, val)} {path.stat().st_size / 2**20:.1f} MiB", flush=True)


if __name__ == "__main__":
    main()
