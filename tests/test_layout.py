"""The source tree's shape: no module under src/ grows past 500 lines (one concern a module)."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
MAX_LINES = 500


def test_no_module_over_500_lines() -> None:
    sizes = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in SRC.rglob("*.py")}
    assert sizes, f"no Python modules found under {SRC}"
    over = {str(path.relative_to(SRC)): lines for path, lines in sizes.items() if lines > MAX_LINES}
    assert not over, f"modules over {MAX_LINES} lines (split them by concern): {over}"
