"""The README is for users: short, the set-up commands first, every moved section linked, and its examples work.

``console`` blocks are run as shown (``$ command`` then the output expected; a line ``...`` stands for any
lines); every other ``spinscope`` line in a code block must name a real command and real options.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spinscope.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TEXT = README.read_text(encoding="utf-8")
MAX_LINES = 300
DOCS = ("cli", "json", "sensitivity", "server", "extension", "corpora", "models", "evaluation", "speed", "development")


def code_blocks(language: str | None = None) -> list[tuple[str, str]]:
    """(language, body) of each fenced block, optionally of one language."""
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", TEXT, flags=re.S | re.M)
    return [(lang, body) for lang, body in blocks if language is None or lang == language]


def console_examples() -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of the console blocks with the output lines shown under it."""
    examples: list[tuple[str, list[str]]] = []
    for _, body in code_blocks("console"):
        for line in body.splitlines():
            if line.startswith("$ "):
                examples.append((line[2:], []))
            elif examples:
                examples[-1][1].append(line)
    return examples


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line, trailing spaces ignored; a line ``...`` matches any run of lines (none included)."""
    expected = [line.rstrip() for line in expected]
    actual = [line.rstrip() for line in actual]
    while expected and not expected[-1]:
        expected.pop()
    while actual and not actual[-1]:
        actual.pop()
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and expected[0] == actual[0] and matches(expected[1:], actual[1:])


def test_readme_is_short_and_starts_with_the_set_up() -> None:
    lines = TEXT.splitlines()
    assert len(lines) <= MAX_LINES, len(lines)
    head = "\n".join(lines[:30])
    assert "make demo" in head and "make test" in head


def test_readme_links_every_docs_page_and_each_exists() -> None:
    linked = set(re.findall(r"\]\((docs/[\w.-]+\.md)(?:#[\w-]+)?\)", TEXT))
    for name in DOCS:
        assert f"docs/{name}.md" in linked, name
    for page in linked | {"CHANGELOG.md"}:
        assert (ROOT / page).is_file(), page
    assert "balanced" in TEXT and "docs/sensitivity.md" in TEXT


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(
        r"^#+ (.+)$", re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M), flags=re.M
    )
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_docs_links_resolve() -> None:
    """Relative links and pictures in docs/ and the README point at files (and headings) that exist."""
    for page in [README, ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            path = (page.parent / file).resolve() if file else page
            assert path.exists(), (page.name, target)
            if anchor:
                assert anchor in anchors(path), (page.name, target)


@pytest.mark.parametrize(("command", "expected"), console_examples(), ids=lambda value: str(value)[:40])
def test_console_examples_work_as_shown(command: str, expected: list[str], tmp_path: Path) -> None:
    # a user's folder: the bundled example, and the bad inputs the error example names
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    shim = tmp_path / "bin" / "spinscope"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m spinscope.cli "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    environment = {
        **os.environ,
        "PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        "COLUMNS": "80",  # the width the README's examples were shown at
        "TERM": "dumb",
    }
    environment.pop("FORCE_COLOR", None)
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    actual = result.stdout.splitlines()
    assert matches(expected, actual), "\n".join(["shown:", *expected, "got:", *actual])
    failed = any("error:" in line for line in expected)
    assert (result.returncode != 0) == failed, result.returncode


def synopsis_lines() -> list[list[str]]:
    lines = []
    for lang, body in code_blocks():
        if lang in ("console", "python"):
            continue
        for line in body.splitlines():
            if line.startswith("spinscope "):
                lines.append(shlex.split(line.split("#")[0]))
    return lines


@pytest.mark.parametrize("words", synopsis_lines(), ids=lambda words: " ".join(words)[:40])
def test_other_commands_and_options_exist(words: list[str]) -> None:
    command = words[1]
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, (command, result.output)
    for word in words[2:]:
        if word.startswith("--"):
            assert word.split("=")[0] in result.output, (command, word)
