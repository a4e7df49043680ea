"""Reproduce the shipped model files: run a recipe's steps in order, stopping at the first that fails.

    python -m training.train --recipe training/recipes/shipped.toml                # trunk, then heads
    python -m training.train --recipe training/recipes/shipped.toml --only heads   # heads on the shipped trunk
    python -m training.train --recipe training/recipes/shipped.toml --only cv      # 5-fold CV of the tagger
    python -m training.train --recipe training/recipes/shipped.toml --dry-run      # the steps and their times

Run it from the repository root with the training environment's Python (``make train`` does:
``.venv-train``, built from ``training/requirements.txt``). Each step is ``python -m MODULE ARGS`` in a
process of its own; every step runs on 2 CPU cores and uses a GPU when torch sees one. Each step's
``estimate_minutes`` in the recipe (wall time on an idle 2-core machine, with how it was obtained) is printed
before it runs; the trunk and heads together come to about 3.4 hours there. The long steps resume after an
interruption: rerun the same command. The data come from ``../shared/corpora`` (the recipe's ``corpora``
setting).
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from pathlib import Path

from training.recipe import RecipeError, Step, load

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipe", type=Path, default=REPO / "training" / "recipes" / "shipped.toml")
    parser.add_argument("--only", help="comma-separated groups to run (default: the recipe's `groups`)")
    parser.add_argument("--dry-run", action="store_true", help="print the steps' commands, run nothing")
    args = parser.parse_args(argv)
    only = [g.strip() for g in args.only.split(",") if g.strip()] if args.only else None
    try:
        recipe = load(args.recipe)
        steps = recipe.select(only)
        commands = [recipe.command(step, sys.executable) for step in steps]
    except RecipeError as error:
        parser.error(str(error))
    corpora = REPO / recipe.settings.get("corpora", "../shared/corpora")
    if not args.dry_run and not corpora.is_dir():
        parser.error(f"corpora folder {corpora} not found (the recipe's `corpora` setting, relative to {REPO})")
    started = time.perf_counter()
    known = [s.estimate_minutes for s in steps if s.estimate_minutes is not None]
    unknown = len(steps) - len(known)
    print(
        f"estimated total: {minutes(sum(known))} on 2 CPU cores"
        + (f" (+ {unknown} step(s) with no estimate)" if unknown else ""),
        flush=True,
    )
    for n, (step, command) in enumerate(zip(steps, commands, strict=True), 1):
        print(f"[{n}/{len(steps)}] {step.group}/{step.name}: {shlex.join(command)}", flush=True)
        print(f"    estimate: {describe(step)}", flush=True)
        if args.dry_run:
            continue
        code = subprocess.run(command, cwd=REPO).returncode
        if code:
            print(f"step {step.name} failed (exit {code}); stopped, later steps not run", file=sys.stderr)
            return code
    if not args.dry_run:
        print(f"{len(steps)} steps done in {time.perf_counter() - started:.0f} s")
    return 0


def minutes(value: float) -> str:
    return f"{value // 60:.0f} h {value % 60:.0f} min" if value >= 60 else f"{value:.0f} min"


def describe(step: Step) -> str:
    if step.estimate_minutes is None:
        return "unknown (no estimate_minutes in the recipe)"
    return f"{minutes(step.estimate_minutes)}" + (f" ({step.measured})" if step.measured else "")


if __name__ == "__main__":
    sys.exit(main())
