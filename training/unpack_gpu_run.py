"""Turn the parts packed by ``gpu_sweep.py`` back into run folders that ``export_onnx.py`` reads.

    python -m training.unpack_gpu_run PACKED_DIR --out training/runs
    python -m training.export_onnx --tagger training/runs/tagger --classifier training/runs/classifier

The packed models lack the word-embedding matrix (frozen during training, so it is the
base encoder's own); it is put back here from the base encoder.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import torch
from safetensors.torch import load_file

from training.common import base_encoder_dir
from training.gpu_run import WORD_EMBEDDINGS


def base_word_embeddings() -> torch.Tensor:
    folder = base_encoder_dir()
    weights = load_file(str(folder / "model.safetensors"))
    key = next(k for k in weights if k.endswith("embeddings.word_embeddings.weight"))
    # The GPU run was given fp16 base weights (the transfer limit), so that is what it kept frozen.
    return weights[key].half().float()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("packed", type=Path)
    parser.add_argument("--out", type=Path, default=Path("training/runs"))
    args = parser.parse_args()
    summary = json.loads((args.packed / "summary.json").read_text())
    embeddings = base_word_embeddings()
    for name in ("tagger", "classifier", "quotes"):
        if name not in summary:
            continue
        data = b"".join((args.packed / part).read_bytes() for part in summary[name]["parts"])
        packed = torch.load(io.BytesIO(data), map_location="cpu", weights_only=False)
        state = {k: v.float() for k, v in packed["model"].items()}
        state[WORD_EMBEDDINGS] = embeddings
        folder = args.out / name
        folder.mkdir(parents=True, exist_ok=True)
        checkpoint = {"model": state, "epoch": packed["metrics"]["epoch"]}
        if name == "quotes":  # train_quote_encoder.py's checkpoint: decoding settings beside the weights
            checkpoint.update({k: v for k, v in packed.items() if k not in ("model", "name")})
        if "thresholds" in packed:
            checkpoint["thresholds"] = packed["thresholds"]
        torch.save(checkpoint, folder / "best.pt")
        metrics = dict(packed["metrics"])
        for averaged in ("soup", "average"):
            if name == "tagger" and averaged in metrics:
                metrics["validation_si"] = metrics[averaged]["validation_si"]
        metrics["source"] = packed["name"]
        (folder / "metrics.json").write_text(json.dumps(metrics, indent=2))
        print(f"{name}: {packed['name']} -> {folder}")


if __name__ == "__main__":
    main()
