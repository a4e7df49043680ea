"""Model sessions: created once per process (also when a background preload races the analysis), sharing one
tokenizer and one memory arena, and giving outputs identical to a plainly created onnxruntime session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import spinscope
from spinscope.runtime import session
from spinscope.runtime.session import MODELS_DIR, ModelBundle, load_bundle

REPO = Path(__file__).resolve().parents[1]


def test_sessions_give_the_outputs_of_a_plain_session(demo_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The start-up and memory settings (shared arena, preloading) change no number: every model run of an
    analysis of the bundled example gives bit-identical outputs on a session created the plain way (full
    optimisation, its own arena, the same threads), as 0.1 created them."""
    import onnxruntime as ort

    calls: list[tuple[ModelBundle, dict[str, np.ndarray], list[np.ndarray]]] = []
    plain_run = ModelBundle.run

    def recording_run(self: ModelBundle, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        outputs = plain_run(self, feeds)
        if sum(1 for bundle, _, _ in calls if bundle.name == self.name) < 3:
            calls.append((self, feeds, outputs))
        return outputs

    monkeypatch.setattr(ModelBundle, "run", recording_run)
    spinscope.analyze(demo_text)
    assert {bundle.name for bundle, _, _ in calls} == {"techniques-tagger", "techniques-classifier", "quote-encoder"}
    plain: dict[str, ort.InferenceSession] = {}
    for bundle, feeds, outputs in calls:
        if bundle.name not in plain:
            options = ort.SessionOptions()
            options.intra_op_num_threads = session.session_options().intra_op_num_threads
            options.inter_op_num_threads = 1
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            path = bundle.directory / bundle.manifest.get("file", "model.onnx")
            plain[bundle.name] = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        expected = plain[bundle.name].run(None, {k: v for k, v in feeds.items() if k in bundle.input_names})
        assert len(expected) == len(outputs)
        for got, want in zip(outputs, expected, strict=True):
            assert np.array_equal(got, want), f"{bundle.name}: outputs differ from a plain session's"


def test_models_share_one_parsed_tokenizer(tmp_path: Path) -> None:
    names = ["techniques-tagger", "techniques-classifier", "quote-encoder"]
    tokenizers = {id(load_bundle(name).tokenizer) for name in names}
    assert len(tokenizers) == 1
    source = MODELS_DIR / names[0] / "tokenizer.json"
    copy = tmp_path / "tokenizer.json"
    shutil.copyfile(source, copy)
    assert session._shared_tokenizer(copy) is load_bundle(names[0]).tokenizer  # same bytes: same tokenizer
    changed = tmp_path / "other" / "tokenizer.json"
    changed.parent.mkdir()
    changed.write_text(source.read_text(encoding="utf-8").replace('"[UNK]"', '"[UNKNOWN]"'), encoding="utf-8")
    assert session._shared_tokenizer(changed) is not load_bundle(names[0]).tokenizer


def test_concurrent_loads_create_one_session(tmp_path: Path) -> None:
    """A preload thread and the analysis may ask for a model at the same moment: one session is created."""
    folder = tmp_path / "classifier"
    folder.mkdir()
    for item in (MODELS_DIR / "techniques-classifier").iterdir():
        os.symlink(item, folder / item.name)
    results: list[ModelBundle] = []
    barrier = threading.Barrier(4)

    def load() -> None:
        barrier.wait()
        results.append(load_bundle("techniques-classifier", folder))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(bundle is results[0] for bundle in results)
    assert results[0] is not load_bundle("techniques-classifier")  # another folder, another bundle


def test_a_failed_load_is_raised_where_needed_and_retried(tmp_path: Path) -> None:
    from spinscope.errors import ModelError

    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"name": "broken", "sha256": "' + "0" * 64 + '"}', encoding="utf-8")
    (folder / "model.onnx").write_bytes(b"not a model")
    for _ in range(2):  # not cached: the second call checks again (and fails again)
        with pytest.raises(ModelError, match="sha256"):
            load_bundle("broken", folder)


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_engine_models_name_the_analysers_models() -> None:
    from spinscope.analyzers.quote_tagger import ENCODER_NAME
    from spinscope.analyzers.techniques_model import CLASSIFIER, TAGGER
    from spinscope.pipeline import ENGINE_MODELS, ENGINES

    assert ENGINE_MODELS == {"model": (TAGGER, CLASSIFIER, ENCODER_NAME), "fast": (TAGGER, CLASSIFIER), "rules": ()}
    assert set(ENGINE_MODELS) == set(ENGINES)


def test_preload_and_the_analysis_share_the_sessions() -> None:
    """``preload_models`` creates each model's session once, in the background; the analysis uses those."""
    code = (
        "import sys\n"
        "from spinscope.runtime.preload import preload_models\n"
        "assert 'numpy' not in sys.modules and 'onnxruntime' not in sys.modules  # the thread imports them\n"
        "import onnxruntime as ort, spinscope\n"
        "created = []\n"
        "class Counting(ort.InferenceSession):\n"
        "    def __init__(self, path, *args, **kwargs):\n"
        "        created.append(path)\n"
        "        super().__init__(path, *args, **kwargs)\n"
        "ort.InferenceSession = Counting\n"
        "thread = preload_models('model')\n"
        "spinscope.analyze(open('examples/demo-article.txt').read())\n"
        "thread.join()\n"
        "assert preload_models('model') is None and preload_models('fast') is None  # loaded: no second thread\n"
        "print(len(created), len(set(created)))\n"
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["3", "3"]


def test_no_loader_thread_outlives_the_first_analysis() -> None:
    """A program may fork after analyze() returns (multiprocessing's default on Linux): the loader thread must
    be finished by then. Here it lingers after its last model (made slow on purpose): analyze() waits for it."""
    code = (
        "import threading, time, spinscope\n"
        "from spinscope.runtime import preload\n"
        "plain_load = preload._load\n"
        "def slow_load(names):\n"
        "    plain_load(names)\n"
        "    time.sleep(1.0)\n"
        "preload._load = slow_load\n"
        "analysis = spinscope.analyze(open('examples/demo-article.txt').read(), engine='fast')\n"
        "print(len(analysis.techniques) > 0, [t.name for t in threading.enumerate() if t.name == 'spinscope-preload'])\n"
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "[]"]


def test_cli_json_of_a_file_imports_neither_http_nor_html_code() -> None:
    """Start-up: `spinscope analyze FILE -f json` loads no URL fetcher (httpx) and no HTML templates (jinja2);
    with --engine rules, no onnxruntime either."""
    code = (
        "import sys\n"
        "from spinscope.cli import main\n"
        "sys.argv = ['spinscope', 'analyze', 'examples/demo-article.txt', '-f', 'json', '--engine', 'rules']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print(' '.join(m for m in ('httpx', 'jinja2', 'onnxruntime') if m in sys.modules) or 'none')\n"
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert '"schema": "spinscope/1"' in done.stdout
    assert done.stdout.split()[-1] == "none"
