"""scripts/install_chunk.py: a training chunk's checkpoint as a shippable candidate bundle."""

from __future__ import annotations

import json
import shutil

import torch

from scripts.install_chunk import main
from translator_app.core.model.checkpoint import load_bundle, load_train_state


def test_the_candidate_takes_the_checkpoint_and_the_base_record(tiny_model_dir, tiny_corpus, tmp_path):
    base, run = tmp_path / "base", tmp_path / "run"
    shutil.copytree(tiny_model_dir, base)
    shutil.copytree(tiny_model_dir, run)
    config = json.loads((base / "config.json").read_text(encoding="utf-8"))
    config["meta"]["name"] = "English → Spanish (test)"
    (base / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (base / "test.tsv").write_text("Hello.\tHola.\n", encoding="utf-8")
    later = load_train_state(run / "checkpoint.pt")  # a copy "taken during the run", one step on
    snap = tmp_path / "ck.pt"
    torch.save(dict(later, step=later["step"] + 1, model={k: v + 0.5 for k, v in later["model"].items()}), snap)
    out = tmp_path / "candidate"
    argv = [str(run), "--base", str(base), "--corpus", str(tiny_corpus), "--out", str(out), "--checkpoint", str(snap)]
    assert main([*argv, "--epochs", "1.5", "--trainer", "abc1234", "--note", "a test chunk"]) == 0
    bundle = load_bundle(out)
    for key, value in later["model"].items():
        assert torch.allclose(bundle.state_dict[key].float(), value + 0.5, atol=2e-2), key  # fp16 weights
    meta = bundle.meta
    assert meta["name"] == "English → Spanish (test)" and meta["steps"] == later["step"] + 1
    assert not {"run", "finetune", "metrics"} & set(meta)
    assert meta["training"]["chunks"][-1]["trainer"] == "abc1234" and meta["training"]["chunks"][-1]["epochs"] == 1.5
    assert (out / "test.tsv").read_text(encoding="utf-8") == "Hello.\tHola.\n" and (out / "replay.tsv.gz").is_file()
    assert load_bundle(base).meta["name"] == "English → Spanish (test)"  # the base is untouched

    other = tmp_path / "other.pt"  # a checkpoint of another model: refused
    torch.save(dict(later, model={"x": torch.zeros(2)}), other)
    assert main([*argv[:-1], str(other)]) == 1


def test_epochs_are_counted_from_the_checkpoint_counters():
    from scripts.install_chunk import epochs_from_state

    # 4 whole epochs of 977 batches, then 845 batches of the fifth (runs/cont5-en-es)
    assert epochs_from_state({"epoch": 4, "batch_pos": 845, "step": 4753}) == 4.86
    assert epochs_from_state({"epoch": 1, "batch_pos": 0, "step": 300}) == 1.0
    assert epochs_from_state({"epoch": 0, "batch_pos": 120, "step": 120}) is None  # the first epoch's length unknown
