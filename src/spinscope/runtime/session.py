"""Shipped models: a folder with ``model.onnx``, ``tokenizer.json`` and ``manifest.json``.

The manifest names the model, its version, the labels of its outputs, the
sha256 of the ONNX file (checked on load) and whatever decoding settings the
training run tuned on validation data (thresholds). Sessions are created once
per process and shared.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.deadline import checkpoint
from spinscope.errors import ModelError
from spinscope.runtime.encoding import load_tokenizer

MODELS_DIR = Path(str(resources.files("spinscope") / "models"))


@dataclass
class ModelBundle:
    name: str
    directory: Path
    manifest: dict[str, Any]
    session: Any  # onnxruntime.InferenceSession
    tokenizer: Any  # tokenizers.Tokenizer
    input_names: list[str] = field(default_factory=list)

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        checkpoint()  # a server's time limit or cancelled request stops the analysis here
        return self.session.run(None, {k: v for k, v in feeds.items() if k in self.input_names})

    def describe(self) -> dict[str, Any]:
        """What goes into ``Analysis.models``."""
        keys = ("name", "version", "base", "sha256", "validation")
        return {k: self.manifest[k] for k in keys if k in self.manifest}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked_file(name: str, folder: Path, manifest: dict[str, Any], default: str) -> Path:
    """The manifest's model file, refused when missing or when it does not match the manifest's sha256."""
    path = folder / manifest.get("file", default)
    if not path.exists():
        raise ModelError(f"model {name!r}: missing {path.name}")
    expected = manifest.get("sha256")
    if expected and _sha256(path) != expected:
        raise ModelError(f"model {name!r}: {path.name} does not match its manifest sha256 (corrupt install?)")
    return path


def load_head_arrays(folder: Path, manifest: dict[str, Any]) -> dict[str, np.ndarray]:
    """A numpy head's weights (``head.npz`` beside its manifest), checked against the manifest's sha256."""
    path = _checked_file(str(manifest.get("name")), folder, manifest, "head.npz")
    with np.load(path) as arrays:
        return {k: arrays[k] for k in arrays.files}


def available(name: str) -> bool:
    return (MODELS_DIR / name / "manifest.json").exists()


@cache
def load_bundle(name: str, directory: Path | None = None) -> ModelBundle:
    """Load a shipped model by name (a folder under ``spinscope/models``); cached per process."""
    import onnxruntime as ort  # imported here so that `spinscope --help` starts fast

    folder = directory or MODELS_DIR / name
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise ModelError(f"model {name!r} is not installed (no {manifest_path})")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    model_path = _checked_file(name, folder, manifest, "model.onnx")
    options = ort.SessionOptions()
    threads = int(os.environ.get("SPINSCOPE_THREADS", "0") or 0)
    options.intra_op_num_threads = threads if threads > 0 else min(os.cpu_count() or 1, 4)
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    tokenizer = load_tokenizer(folder / "tokenizer.json")
    return ModelBundle(
        name=name,
        directory=folder,
        manifest=manifest,
        session=session,
        tokenizer=tokenizer,
        input_names=[i.name for i in session.get_inputs()],
    )
