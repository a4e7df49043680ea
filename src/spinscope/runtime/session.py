"""Shipped models: a folder with ``model.onnx``, ``tokenizer.json`` and ``manifest.json``.

The manifest names the model, its version, the labels of its outputs, the
sha256 of the ONNX file (checked on load) and whatever decoding settings the
training run tuned on validation data (thresholds). Sessions are created once
per process and shared (``runtime.preload`` starts creating them in a
background thread so that the rest of start-up overlaps them).
All sessions draw their working memory from one shared arena (they run one
after another within an analysis), which keeps peak RSS down; none of these
settings changes a model's outputs (tests/test_session.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
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
    load_seconds: dict[str, float] = field(default_factory=dict)  # check / session / tokenizer (benchmarks)
    # the sha256 of tokenizer.json as loaded: models whose digests match tokenise a text the same way
    tokenizer_sha256: str | None = None

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


# One future per (name, directory): a bundle is loaded once per process even when a background preload and
# the analysis ask for it at the same moment. A failed load is forgotten so that a later call retries (and
# raises again); load_bundle.cache_clear() forgets everything (training scripts reload re-exported models).
_bundles: dict[tuple[str, Path | None], Future[ModelBundle]] = {}
_bundles_lock = threading.Lock()


def load_bundle(name: str, directory: Path | None = None) -> ModelBundle:
    """Load a shipped model by name (a folder under ``spinscope/models``); cached per process, thread-safe."""
    key = (name, directory)
    with _bundles_lock:
        future = _bundles.get(key)
        owner = future is None
        if future is None:
            future = _bundles[key] = Future()
    if owner:
        try:
            future.set_result(_load_bundle(name, directory))
        except BaseException as error:
            with _bundles_lock:
                _bundles.pop(key, None)
            future.set_exception(error)
    return future.result()


def _forget_unfinished_in_child() -> None:
    # a forked child does not have the thread that was creating a session: forget loads still in progress
    # (a later call loads the model afresh) instead of waiting for them forever
    global _bundles_lock
    _bundles_lock = threading.Lock()
    for key, future in list(_bundles.items()):
        if not future.done():
            del _bundles[key]


os.register_at_fork(after_in_child=_forget_unfinished_in_child)


def _clear_bundles() -> None:
    with _bundles_lock:
        _bundles.clear()


load_bundle.cache_clear = _clear_bundles  # type: ignore[attr-defined]  # as functools.cache had it


def session_options() -> Any:
    """onnxruntime options for every shipped model. Intra-op threads: the CPUs, at most 4 (SPINSCOPE_THREADS
    overrides). Full graph optimisation, as the models were validated with (a lower level changes the scores:
    the extended fusions are part of the numerics). One arena for all sessions, registered in onnxruntime's
    process-wide environment: each session would otherwise keep an arena of its own sized for its largest
    window (peak RSS over 12 PTC articles 423 -> 312 MB, outputs identical; turning off the memory pattern
    as well gave 285 MB but measured up to ~5% slower, so it stays on). No spinning: each session has its own
    thread pool, and pools spinning between runs took the cores from the next model and from the rules
    (five articles on two busy cores: CPU 9.1-10.5 -> 5.8-6.7 s, wall never slower)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    threads = int(os.environ.get("SPINSCOPE_THREADS", "0") or 0)
    options.intra_op_num_threads = threads if threads > 0 else min(os.cpu_count() or 1, 4)
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if _shared_arena():
        options.add_session_config_entry("session.use_env_allocators", "1")
    return options


@cache
def _shared_arena() -> bool:
    """Register one CPU arena in onnxruntime's process-wide environment (once); False if it cannot be."""
    import onnxruntime as ort

    try:
        info = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT)
        ort.create_and_register_allocator(info, ort.OrtArenaCfg(0, -1, -1, -1))
    except Exception:  # e.g. already registered by the host application: use what is there
        return False
    return True


_tokenizers: dict[str, Any] = {}


def _shared_tokenizer(path: Path) -> Any:
    """The shipped models share one tokenizer.json (same bytes): it is parsed once, not once per model (~0.05 s
    each). Tokenizers are only read after loading (encode), so sharing one is safe across models and threads."""
    return _digested_tokenizer(path)[0]


def _digested_tokenizer(path: Path) -> tuple[Any, str]:
    """:func:`_shared_tokenizer` and the file's sha256 (what it is shared by)."""
    digest = _sha256(path)
    if digest not in _tokenizers:
        _tokenizers.setdefault(digest, load_tokenizer(path))
    return _tokenizers[digest], digest


def _timed(seconds: dict[str, float], key: str, work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    try:
        return work()
    finally:
        seconds[key] = time.perf_counter() - started


def read_manifest(name: str, directory: Path | None = None) -> dict[str, Any]:
    """A shipped model's manifest (labels, thresholds...) without creating its session."""
    manifest_path = (directory or MODELS_DIR / name) / "manifest.json"
    if not manifest_path.exists():
        raise ModelError(f"model {name!r} is not installed (no {manifest_path})")
    return json.loads(manifest_path.read_text(encoding="utf-8"))


def _load_bundle(name: str, directory: Path | None) -> ModelBundle:
    import onnxruntime as ort  # imported here so that `spinscope --help` starts fast

    folder = directory or MODELS_DIR / name
    manifest = read_manifest(name, directory)
    seconds: dict[str, float] = {}
    model_path = _timed(seconds, "check", lambda: _checked_file(name, folder, manifest, "model.onnx"))
    options = session_options()
    session = _timed(
        seconds,
        "session",
        lambda: ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"]),
    )
    tokenizer, tokenizer_sha256 = _timed(seconds, "tokenizer", lambda: _digested_tokenizer(folder / "tokenizer.json"))
    return ModelBundle(
        name=name,
        directory=folder,
        manifest=manifest,
        session=session,
        tokenizer=tokenizer,
        input_names=[i.name for i in session.get_inputs()],
        load_seconds=seconds,
        tokenizer_sha256=tokenizer_sha256,
    )
