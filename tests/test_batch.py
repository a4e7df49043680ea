"""``spinscope batch``: Parquet output, each article once, crash-safe resume, bad inputs, the model engine.

The articles are synthetic: generated here from templates about an invented crisis
(the Tallis river flood in the made-up province of Brennmoor), several invented
outlets and dates. ``make_articles`` is also used by test_batch_ray.py, test_stats.py
and benchmarks/batch_scaling.py.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from spinscope.batch import run_batch  # noqa: E402
from spinscope.batch.output import ARTICLES_DIR, ERRORS_FILE, SPANS_DIR, BatchError, part_files, read_errors  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
OUTLETS = ("Northern Ledger", "Daily Beacon", "Valley Courier")

_REPORTING = (
    "The Brennmoor Relief Agency said {n} residents had been moved to shelters by {day}.",
    "Water levels on the Tallis river rose by {m} metres overnight, according to the provincial weather office.",
    "Schools in {town} will stay closed until at least {day}, the district council announced.",
    "The regional assembly approved an emergency fund of {n} million crowns on {day}.",
    "Engineers inspected the Halvern embankment on {day} and found {m} new cracks.",
    "Rail services between {town} and Ostrel were suspended for {m} days.",
    "About {n} homes in {town} lost power after the substation flooded.",
)
_OPINION = (
    "The government's response has been a disgraceful fiasco from the start.",
    "Frankly, the minister's excuses are absurd and nobody should believe them.",
    "This shameful neglect of the embankment was entirely predictable.",
    "The so-called recovery plan is a cynical stunt dressed up as policy.",
    "Residents of {town} deserve far better than this pathetic charade.",
    "Only a reckless administration could have ignored so many warnings.",
)
_QUOTES = (
    '"We are doing everything we can to keep people safe," said Minister Oda Varga.',
    '"Nobody listened to us for years," said Teodor Haske, a councillor in {town}.',
    "A senior official, speaking on condition of anonymity, said the repairs would take months.",
    "The Brennmoor Relief Agency said it needed {n} more volunteers.",
    'Local farmers said the compensation offer was "an insult".',
    "Protesters called the provincial cabinet a gang of incompetent cronies.",
)
_FLAG = (
    "Our nation has always stood together in hard times, and our people will rebuild {town}.",
    "Every patriot in Brennmoor should defend our way of life against this disaster.",
)
_TOWNS = ("Kessel", "Marrowgate", "Lindqvist Ford", "Upper Saltby", "Orrin")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend")


def make_articles(count: int, seed: int = 7) -> list[dict[str, str]]:
    """``count`` short synthetic news articles: id, title, outlet, date (2024-03..05) and text."""
    rng = random.Random(seed)
    articles = []
    for i in range(count):
        fill = {
            "n": rng.randint(20, 4000),
            "m": rng.randint(2, 9),
            "town": rng.choice(_TOWNS),
            "day": rng.choice(_DAYS),
        }
        outlet = OUTLETS[i % len(OUTLETS)]
        pools = [_REPORTING] * 4 + [_QUOTES] * 2 + [_OPINION] * (1 + (outlet == "Daily Beacon") * 2) + [_FLAG]
        sentences = [rng.choice(rng.choice(pools)).format(**fill) for _ in range(rng.randint(6, 10))]
        # A unique first sentence, so that no two articles share a text.
        sentences.insert(
            0, f"Flood report {i + 1}: {fill['town']} is on day {fill['m'] + i} of the Tallis river crisis."
        )
        paragraphs = [" ".join(sentences[j : j + 3]) for j in range(0, len(sentences), 3)]
        title = f"Tallis flood: {fill['town']} waits for help ({i + 1})"
        articles.append(
            {
                "id": f"art{i + 1:04d}",
                "title": title,
                "outlet": outlet,
                "date": f"2024-{3 + (i // 3) % 3:02d}-{1 + (i * 7) % 28:02d}",
                "text": title + "\n\n" + "\n\n".join(paragraphs) + "\n",
            }
        )
    return articles


def write_folder(folder: Path, articles: list[dict[str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        (folder / f"{article['id']}.txt").write_text(article["text"], encoding="utf-8")
    return folder


def write_jsonl(path: Path, articles: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path


def read_rows(outdir: Path, folder: str = ARTICLES_DIR) -> list[dict]:
    parts = part_files(outdir / folder)
    if folder == SPANS_DIR:  # only the spans parts whose articles part was committed
        parts = {n: p for n, p in parts.items() if n in part_files(outdir / ARTICLES_DIR)}
    rows: list[dict] = []
    for path in parts.values():
        rows.extend(pq.read_table(path).to_pylist())
    return rows


def canonical(outdir: Path) -> tuple[list, list]:
    """The article and span rows of an output folder, order-free (for comparing two runs)."""
    articles = sorted(json.dumps(r, sort_keys=True) for r in read_rows(outdir))
    spans = sorted(json.dumps(r, sort_keys=True) for r in read_rows(outdir, SPANS_DIR))
    return articles, spans


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "spinscope.cli", *args]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_folder(tmp_path_factory.mktemp("corpus") / "articles", make_articles(60))


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted run over the corpus (rules engine, 2 workers)."""
    out = tmp_path_factory.mktemp("reference") / "out"
    result = run_batch([str(corpus)], out, engine="rules", workers=2, chunk_size=8)
    assert result.written == 60 and result.failed == 0
    return out


def test_batch_writes_each_article_once(reference: Path) -> None:
    rows = read_rows(reference)
    assert len(rows) == 60
    assert sorted(r["key"] for r in rows) == [f"art{i:04d}" for i in range(1, 61)]
    assert len(part_files(reference / ARTICLES_DIR)) == 8  # ceil(60 / 8) chunks, one part each
    assert set(part_files(reference / ARTICLES_DIR)) == set(part_files(reference / SPANS_DIR))
    row = next(r for r in rows if r["key"] == "art0001")
    analysis = json.loads(row["analysis"])
    assert analysis["schema"] == "spinscope/1" and analysis["id"] == "art0001"
    assert row["title"].startswith("Tallis flood:") and row["source"].endswith("art0001.txt")
    assert row["engine"] == "rules" and row["word_count"] == analysis["summary"]["word_count"] > 0
    assert json.loads(row["technique_counts"]) == analysis["summary"]["technique_counts"]
    assert row["technique_count"] == len(analysis["techniques"])
    assert sum(r["technique_count"] for r in rows) > 0, "the templates hold loaded language"
    spans = read_rows(reference, SPANS_DIR)
    assert {s["layer"] for s in spans} >= {"technique", "sentence", "quote"}
    for span in spans:
        if span["article_key"] == "art0001":
            text = analysis["text"]
            assert text[span["start"] : span["end"]] == span["text"]
    technique_spans = [s for s in spans if s["layer"] == "technique" and s["article_key"] == "art0001"]
    assert len(technique_spans) == row["technique_count"]
    assert not (reference / ERRORS_FILE).read_text()
    settings = json.loads((reference / "batch.json").read_text())
    assert settings["engine"] == "rules" and settings["layout"] == "spinscope-batch/1"


def test_rerun_is_idempotent_and_settings_must_match(corpus: Path, reference: Path, tmp_path: Path) -> None:
    before = canonical(reference)
    result = run_batch([str(corpus)], reference, engine="rules", workers=0, chunk_size=8)
    assert (result.written, result.skipped_done, result.parts) == (0, 60, 0)
    assert canonical(reference) == before
    with pytest.raises(BatchError, match="engine='rules'"):
        run_batch([str(corpus)], reference, engine="model", workers=0)


def test_jsonl_input_keeps_metadata_and_matches_in_process_run(tmp_path: Path) -> None:
    articles = make_articles(12, seed=3)
    for article in articles[:4]:
        del article["id"]  # no id: the key is a hash of source + text
    path = write_jsonl(tmp_path / "corpus.jsonl", articles)
    pooled = run_batch([str(path)], tmp_path / "pooled", engine="rules", workers=2, chunk_size=5)
    inline = run_batch([str(path)], tmp_path / "inline", engine="rules", workers=0, chunk_size=3)
    assert pooled.written == inline.written == 12
    assert canonical(tmp_path / "pooled") == canonical(tmp_path / "inline")
    rows = {r["title"]: r for r in read_rows(tmp_path / "pooled")}
    first = rows[articles[0]["title"]]
    assert first["key"].startswith("sha1:") and first["outlet"] == articles[0]["outlet"]
    assert first["date"] == articles[0]["date"]
    assert rows[articles[5]["title"]]["key"] == articles[5]["id"]


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_equals_uninterrupted_run(corpus: Path, reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "killed"
    command = cli("batch", str(corpus), "-o", str(out), "--engine", "rules", "--workers", "2", "--chunk-size", "4")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True
    )
    deadline = time.monotonic() + 120
    try:
        while not part_files(out / ARTICLES_DIR):
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "no part file within 120 s"
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the batch and its workers, at once
        process.wait()
        if process.stderr:
            process.stderr.close()
    killed_at = len(read_rows(out))
    assert 0 < killed_at < 60, f"the kill came too late ({killed_at} articles written)"
    # A kill between writing a part's spans and its articles file leaves an orphan spans part
    # and a temporary file: simulate both, the resume must clean them.
    orphan_number = max(part_files(out / SPANS_DIR)) + 1
    (out / SPANS_DIR / f"part-{orphan_number:05d}.parquet").write_bytes(b"PAR1 half written")
    (out / ARTICLES_DIR / f".part-{orphan_number:05d}.parquet.999.tmp").write_bytes(b"PAR1")
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "skipped" in done.stderr
    rows = read_rows(out)
    assert len(rows) == 60 and len({r["key"] for r in rows}) == 60
    assert canonical(out) == canonical(reference)
    assert not [p for p in (out / ARTICLES_DIR).iterdir() if p.name.endswith(".tmp")]
    assert set(part_files(out / ARTICLES_DIR)) == set(part_files(out / SPANS_DIR))


def test_bad_inputs_go_to_errors_jsonl_and_the_run_finishes(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "mixed", make_articles(5, seed=11))
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "german.txt").write_text(
        "Die Regierung hat am Dienstag angekündigt, dass die Schulen in der Region geschlossen bleiben. "
        "Nach Angaben der Behörden sind mehr als tausend Menschen von dem Hochwasser betroffen, und die "
        "Aufräumarbeiten werden noch mehrere Wochen dauern, wie der Bürgermeister der Stadt sagte.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_batch([str(folder), str(tmp_path / "missing.jsonl")], out, engine="rules", workers=2, chunk_size=3)
    assert (result.written, result.failed) == (5, 4)
    errors = {Path(e["source"]).name: e for e in read_errors(out)}
    assert set(errors) == {"empty.txt", "binary.txt", "german.txt", "missing.jsonl"}
    assert errors["empty.txt"]["error"] == "EmptyInputError"
    assert "binary" in errors["binary.txt"]["message"]
    assert errors["german.txt"]["error"] == "UnsupportedLanguageError" and errors["german.txt"]["stage"] == "analyse"
    assert errors["missing.jsonl"]["stage"] == "read"
    # Resume: failed inputs are not retried, and not recorded twice ...
    again = run_batch([str(folder), str(tmp_path / "missing.jsonl")], out, engine="rules", workers=0)
    assert (again.written, again.failed, again.skipped_failed, again.skipped_done) == (0, 0, 4, 5)
    assert len(read_errors(out)) == 4
    # ... unless asked: the errors file then lists what still fails.
    (folder / "empty.txt").write_text("Officials in Kessel said the bridge would reopen on Friday.\n", encoding="utf-8")
    retried = run_batch([str(folder)], out, engine="rules", workers=0, retry_errors=True)
    assert (retried.written, retried.failed) == (1, 2)
    assert {Path(e["source"]).name for e in read_errors(out)} == {"binary.txt", "german.txt"}
    assert len(read_rows(out)) == 6


def test_cli_batch_reports_and_rejects_a_locked_folder(corpus: Path, tmp_path: Path) -> None:
    from spinscope.batch.output import BatchOutput

    out = tmp_path / "out"
    with BatchOutput(out, settings={"engine": "rules", "min_score": 0.0}):
        locked = subprocess.run(cli("batch", str(corpus), "-o", str(out)), capture_output=True, text=True, timeout=120)
    assert locked.returncode == 1 and "another spinscope batch" in locked.stderr


@pytest.mark.slow
def test_model_engine_on_three_articles(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "three.jsonl", make_articles(3, seed=5))
    result = run_batch([str(path)], tmp_path / "out", workers=1, chunk_size=2)
    assert (result.written, result.failed) == (3, 0)
    rows = read_rows(tmp_path / "out")
    assert {r["engine"] for r in rows} == {"model"}
    assert all(json.loads(r["analysis"])["models"]["techniques"]["engine"] == "model" for r in rows)
    assert len(result.workers) == 1 and next(iter(result.workers.values())) > 0
