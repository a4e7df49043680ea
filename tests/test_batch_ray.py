"""``spinscope batch --runner ray``: same layout and rows as the local runner (skipped without Ray)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")
ray = pytest.importorskip("ray")
pytest.importorskip("ray.data")

from spinscope.batch import run_batch  # noqa: E402
from spinscope.batch.output import ARTICLES_DIR, SPANS_DIR, part_files  # noqa: E402
from test_batch import canonical, make_articles, read_rows, write_jsonl  # noqa: E402

# Ray Data raises DeprecationWarnings about its own settings (e.g. `use_push_based_shuffle`
# in ray/data/context.py); only warnings raised from ray's modules are ignored, and only here.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.*"),
]


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray cluster of 2 CPUs started in this process (no dashboard), for this module."""
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning")
    yield ray
    ray.shutdown()


def test_ray_runner_matches_local_runner(local_ray, tmp_path: Path) -> None:
    articles = make_articles(24, seed=21)
    del articles[0]["id"]  # a hash key too
    corpus = write_jsonl(tmp_path / "corpus.jsonl", articles)
    (tmp_path / "corpus.jsonl").write_text(
        corpus.read_text(encoding="utf-8") + '{"id": "bad", "text": ""}\n', encoding="utf-8"
    )
    local = run_batch([str(corpus)], tmp_path / "local", engine="rules", workers=2, chunk_size=5)
    distributed = run_batch([str(corpus)], tmp_path / "ray", runner="ray", engine="rules", workers=2, chunk_size=5)
    assert (local.written, local.failed) == (distributed.written, distributed.failed) == (24, 1)
    assert canonical(tmp_path / "ray") == canonical(tmp_path / "local")
    assert set(part_files(tmp_path / "ray" / ARTICLES_DIR)) == set(part_files(tmp_path / "ray" / SPANS_DIR))
    assert len(read_rows(tmp_path / "ray")) == 24
    assert 1 <= len(distributed.workers) <= 2, "at most two analyser actors, each reporting its peak memory"
    errors = [json.loads(line) for line in (tmp_path / "ray" / "errors.jsonl").read_text().splitlines()]
    assert [(e["source"].rsplit(":", 1)[1], e["error"]) for e in errors] == [("line 25", "EmptyInputError")]
    # Resume with Ray: nothing left to do, nothing written twice; a cluster it did not start is left running.
    again = run_batch([str(corpus)], tmp_path / "ray", runner="ray", engine="rules", workers=2, chunk_size=5)
    assert (again.written, again.skipped_done, again.skipped_failed) == (0, 24, 1)
    assert canonical(tmp_path / "ray") == canonical(tmp_path / "local")
    assert ray.is_initialized()


def test_cli_joins_a_running_cluster_by_address(local_ray, tmp_path: Path) -> None:
    """``spinscope batch --runner ray --address`` in another process joins the cluster started above."""
    address = ray.get_runtime_context().gcs_address
    corpus = write_jsonl(tmp_path / "few.jsonl", make_articles(6, seed=4))
    command = [sys.executable, "-m", "spinscope.cli", "batch", str(corpus), "--engine", "rules", "--chunk-size", "4"]
    command += ["--no-progress"]
    done = subprocess.run(
        [*command, "-o", str(tmp_path / "ray"), "--runner", "ray", "--address", address],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "wrote 6 articles in 2 parts" in done.stderr
    local = subprocess.run([*command, "-o", str(tmp_path / "local")], capture_output=True, text=True, timeout=300)
    assert local.returncode == 0, local.stderr
    assert canonical(tmp_path / "ray") == canonical(tmp_path / "local")
