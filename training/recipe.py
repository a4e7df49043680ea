"""A training recipe: the ordered steps (``python -m MODULE ARGS``) and settings that reproduce shipped files.

Read from TOML (stdlib ``tomllib``; see ``training/recipes/shipped.toml``); torch-free, so that
``python -m training.train --dry-run`` runs anywhere.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

DISTIL_KINDS = ("teachers", "students", "quote_runs")


class RecipeError(ValueError):
    """The recipe file is missing, is not TOML, or lacks what a step needs."""


@dataclass(frozen=True)
class Step:
    name: str
    group: str
    module: str
    args: tuple[str, ...]
    estimate_minutes: float | None = None  # wall time on 2 CPU cores (the recipe says where it was measured)
    measured: str = ""  # how estimate_minutes was obtained


@dataclass(frozen=True)
class Recipe:
    path: Path
    groups: tuple[str, ...]  # the groups a run without --only runs
    settings: dict[str, str]
    steps: tuple[Step, ...]
    distil: dict[str, dict[str, list[str]]]  # [distil]: the runs that made the shipped tagger (on a GPU)
    distil_cpu: dict[str, dict[str, list[str]]] | None = None  # [distil_cpu]: runs sized for 2 CPU cores

    def distil_runs(self, device_type: str) -> dict[str, dict[str, list[str]]]:
        """The [distil_cpu] runs on a CPU when the recipe has them, else [distil]."""
        return self.distil_cpu if device_type == "cpu" and self.distil_cpu else self.distil

    def select(self, only: list[str] | None) -> list[Step]:
        """The steps of the named groups (default: ``groups``), in the recipe's order."""
        wanted = only or list(self.groups)
        known = {step.group for step in self.steps}
        unknown = [g for g in wanted if g not in known]
        if unknown:
            raise RecipeError(
                f"{self.path}: no step in group(s) {', '.join(unknown)}; groups: {', '.join(sorted(known))}"
            )
        return [step for step in self.steps if step.group in wanted]

    def command(self, step: Step, python: str) -> list[str]:
        try:
            args = [arg.format(**self.settings) for arg in step.args]
        except (KeyError, IndexError, ValueError) as error:
            raise RecipeError(f"{self.path}: step {step.name!r}: bad placeholder in its args ({error})") from None
        return [python, "-m", step.module, *args]


def load(path: Path) -> Recipe:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise RecipeError(f"cannot read recipe {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise RecipeError(f"{path} is not valid TOML: {error}") from None
    steps = []
    for n, raw in enumerate(data.get("steps", []), 1):
        missing = [key for key in ("name", "group", "module") if not isinstance(raw.get(key), str)]
        if missing or not all(isinstance(a, str) for a in raw.get("args", [])):
            raise RecipeError(f"{path}: step {n} needs string name, group, module and a list of string args")
        estimate = raw.get("estimate_minutes")
        if estimate is not None and (isinstance(estimate, bool) or not isinstance(estimate, int | float)):
            raise RecipeError(f"{path}: step {raw['name']!r}: estimate_minutes must be a number")
        steps.append(
            Step(
                raw["name"],
                raw["group"],
                raw["module"],
                tuple(raw.get("args", [])),
                None if estimate is None else float(estimate),
                str(raw.get("measured", "")),
            )
        )
    if not steps:
        raise RecipeError(f"{path}: no [[steps]]")

    def runs_of(table: dict) -> dict[str, dict[str, list[str]]]:
        return {kind: {name: str(args).split() for name, args in table.get(kind, {}).items()} for kind in DISTIL_KINDS}

    runs = runs_of(data.get("distil", {}))
    cpu = runs_of(data["distil_cpu"]) if "distil_cpu" in data else None
    groups = tuple(data.get("groups") or dict.fromkeys(step.group for step in steps))
    settings = {key: str(value) for key, value in data.get("settings", {}).items()}
    return Recipe(Path(path), groups, settings, tuple(steps), runs, cpu)
