"""``python -m training.train``: the recipe's steps in order, --only, stopping at a failure; training/ as a package.

The dry run needs neither torch nor ../shared; the real steps are not run here (they train models).
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

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
