"""scripts/record_training.py: the bundle says how much training it holds, chunk after chunk."""

from __future__ import annotations

import json

from scripts import record_training


def write_bundle(folder, meta):
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"format": 1, "meta": meta}), encoding="utf-8")
    return folder


def test_chunks_add_up(tmp_path):
    old = write_bundle(tmp_path / "old", {"steps": 6413, "train_minutes": 60.06})
    new = write_bundle(tmp_path / "new", {"steps": 7000, "train_minutes": 62.0, "name": "kept"})
    assert record_training.main([str(new), "--base", str(old), "--epochs", "2.5", "--trainer", "abc123"]) == 0
    meta = json.loads((new / "config.json").read_text(encoding="utf-8"))["meta"]
    training = meta["training"]
    assert [c["steps"] for c in training["chunks"]] == [6413, 7000]
    assert training["steps"] == 13413 and training["hours"] == round((60.06 + 62.0) / 60, 2)
    assert training["epochs"] is None  # the first chunk's epochs are unknown
    assert training["chunks"][1]["trainer"] == "abc123" and training["chunks"][1]["epochs"] == 2.5
    assert meta["name"] == "kept"
    third = write_bundle(tmp_path / "third", {"steps": 100, "train_minutes": 1.0, "epochs": 0.1})
    record_training.main([str(third), "--base", str(new)])
    chunks = json.loads((third / "config.json").read_text(encoding="utf-8"))["meta"]["training"]["chunks"]
    assert [c["steps"] for c in chunks] == [6413, 7000, 100]
