"""scripts/average_bundles.py: the weighted mean of bundles of one architecture and tokenizer."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from scripts.average_bundles import average, main, parse
from translator_app.core.model.checkpoint import load_bundle, save_bundle


def shifted_copy(model_dir, dest, shift: float):
    bundle = load_bundle(model_dir)
    state = {k: v.float() + shift if v.is_floating_point() else v for k, v in bundle.state_dict.items()}
    save_bundle(dest, bundle.model_config, bundle.tokenizers, state, dict(bundle.meta, name=dest.name))
    return dest


def test_the_weighted_mean_and_the_record(tiny_model_dir, tmp_path):
    a = shifted_copy(tiny_model_dir, tmp_path / "a", 0.0)
    b = shifted_copy(tiny_model_dir, tmp_path / "b", 1.0)
    assert parse(f"{a}:0.25") == (a, 0.25) and parse(str(a)) == (a, None)
    record = average(tmp_path / "out", [(a, 0.25), (b, 0.75)])
    assert record == {"bundles": ["a", "b"], "weights": [0.25, 0.75]}
    out, base = load_bundle(tmp_path / "out"), load_bundle(a)
    for key, value in base.state_dict.items():
        if value.is_floating_point():
            assert torch.allclose(out.state_dict[key].float(), value.float() + 0.75, atol=1e-5), key
    assert out.meta["averaged"] == record and "metrics" not in out.meta
    assert average(tmp_path / "plain", [(a, None), (b, None)])["weights"] == [0.5, 0.5]


def test_bundles_that_do_not_match_are_refused(tiny_model_dir, tmp_path, capsys):
    a = shifted_copy(tiny_model_dir, tmp_path / "a", 0.0)
    other = tmp_path / "other"
    shutil.copytree(a, other)
    config = json.loads((other / "config.json").read_text(encoding="utf-8"))
    config["model"]["dropout"] = 0.5
    (other / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ValueError, match="another model configuration"):
        average(tmp_path / "x", [(a, None), (other, None)])
    with pytest.raises(ValueError, match="add up to 1"):
        average(tmp_path / "y", [(a, 0.5), (a, 0.6)])
    assert main([str(tmp_path / "z"), str(a)]) == 1 and "at least two" in capsys.readouterr().err
    assert not (tmp_path / "z").exists()


def test_training_checkpoints_average_into_the_bundle_they_came_from(tiny_model_dir, tmp_path, capsys):
    from translator_app.core.model.checkpoint import load_train_state

    state = load_train_state(tiny_model_dir / "checkpoint.pt")
    later = dict(state, model={k: v + 2.0 if v.is_floating_point() else v for k, v in state["model"].items()})
    snap = tmp_path / "snap-later.pt"
    torch.save(later, snap)
    with pytest.raises(ValueError, match="--like"):
        average(tmp_path / "x", [(tiny_model_dir / "checkpoint.pt", None), (snap, None)])
    record = average(tmp_path / "avg", [(tiny_model_dir / "checkpoint.pt", None), (snap, None)], like=tiny_model_dir)
    assert record == {"bundles": ["checkpoint.pt", "snap-later.pt"], "weights": [0.5, 0.5]}
    out = load_bundle(tmp_path / "avg")
    for key, value in state["model"].items():
        if value.is_floating_point():
            assert torch.allclose(out.state_dict[key].float(), value.float() + 1.0, atol=1e-5), key
    assert out.meta["averaged"] == record and "run" not in out.meta

    other = tmp_path / "other.pt"  # a checkpoint of another model: refused, nothing written
    torch.save(dict(state, model={"encoder.embedding.weight": torch.zeros(3, 3)}), other)
    assert main([str(tmp_path / "bad"), "--like", str(tiny_model_dir), str(snap), str(other)]) == 1
    assert "other tensors" in capsys.readouterr().err and not (tmp_path / "bad").exists()
