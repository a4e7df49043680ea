"""Which shipped models each engine runs, and creating their sessions ahead of the analysis that needs them.

The first analysis in a process would wait for its ONNX sessions (~0.2 s each to create). ``preload_models``
starts creating them, one after another in the order an analysis needs them, in a background thread, so that
the rest of start-up (imports, reading the input, segmentation, the tagger's first run) overlaps them;
``runtime.session.load_bundle`` then finds each one loaded or waits for it. One thread, not one per model:
sessions created side by side added ~65 MB to peak RSS and gained little on two cores. This module imports
nothing heavy, so the thread starts before numpy and onnxruntime are imported (it imports them itself).
"""

from __future__ import annotations

import contextlib
import os
import threading

# The names of analyzers.techniques_model (TAGGER, CLASSIFIER) and analyzers.quote_tagger (ENCODER_NAME), as
# plain strings so that importing this module imports neither (tests/test_session.py checks that they agree).
ENGINE_MODELS: dict[str, tuple[str, ...]] = {
    "model": ("techniques-tagger", "techniques-classifier", "quote-encoder"),
    "fast": ("techniques-tagger", "techniques-classifier"),  # quotes by the rules alone
    "rules": (),  # no model at all
}
_requested: set[str] = set()
_lock = threading.Lock()


def _forget_in_child() -> None:
    # a forked child has no loader thread: models are loaded there on demand (runtime.session forgets too)
    global _lock
    _lock = threading.Lock()
    _requested.clear()


os.register_at_fork(after_in_child=_forget_in_child)


def preload_models(engine: str) -> threading.Thread | None:
    """Start loading the engine's models not yet asked for in this process; the thread, or None when there is
    nothing to load (the rules engine, an unknown engine, models already loaded or loading). Not a daemon
    thread: at exit the interpreter waits for a session being created rather than tearing it down mid-way."""
    with _lock:
        names = tuple(name for name in ENGINE_MODELS.get(engine, ()) if name not in _requested)
        _requested.update(names)
    if not names:
        return None
    thread = threading.Thread(target=_load, args=(names,), name="spinscope-preload")
    thread.start()
    return thread


def _load(names: tuple[str, ...]) -> None:
    from spinscope.runtime.session import available, load_bundle

    for name in names:
        if not threading.main_thread().is_alive():
            return  # the program is exiting (e.g. its input failed): the session being created was the last
        if available(name):
            with contextlib.suppress(Exception):  # raised again by the load_bundle call that needs the model
                load_bundle(name)
