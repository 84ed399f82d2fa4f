"""core/train/request.py: the one way a run's configs are resolved (CLI and app) and the TrainRequest."""

from __future__ import annotations

import dataclasses

import pytest

from translator_app.core.base.config import (
    FINETUNE_DATA,
    FINETUNE_PRESET,
    PRESETS,
    TRAIN_PRESETS,
    DataConfig,
    ModelConfig,
)
from translator_app.core.train.request import CorpusSpec, FinetuneSpec, TrainRequest, resolve


def test_a_preset_with_no_overrides_is_the_preset():
    model, train, tok = PRESETS["small"]
    assert resolve("small") == (model, train, tok, DataConfig())


def test_overrides_go_into_their_fields():
    cfgs = resolve("tiny", {"train": {"lr": 0.5, "max_steps": 7}, "data": {"seed": 3}, "model": {"dropout": 0.0}})
    assert (cfgs.train.lr, cfgs.train.max_steps, cfgs.data.seed, cfgs.model.dropout) == (0.5, 7, 3, 0.0)
    assert cfgs.train.batch_tokens == PRESETS["tiny"][1].batch_tokens  # the rest: the preset's
    with pytest.raises(ValueError, match="unknown config parts"):
        resolve("tiny", {"optimizer": {"lr": 1.0}})
    with pytest.raises(TypeError):
        resolve("tiny", {"train": {"no_such_field": 1}})


def test_a_base_model_gives_its_architecture_and_the_fine_tuning_presets():
    base = ModelConfig(emb_dim=48, src_vocab_size=777, tgt_vocab_size=777, dropout=0.3)
    cfgs = resolve("base", {"model": {"dropout": 0.1}, "train": {"minutes": 2.0}}, base)
    assert cfgs.model == dataclasses.replace(base, dropout=0.1)
    assert cfgs.train == dataclasses.replace(TRAIN_PRESETS[FINETUNE_PRESET], minutes=2.0)
    assert cfgs.data == FINETUNE_DATA and cfgs.tokenizer.vocab_size == 777
    with pytest.raises(ValueError, match="emb_dim, vocab_size cannot be changed when fine-tuning"):
        resolve("tiny", {"model": {"emb_dim": 8}, "tokenizer": {"vocab_size": 100}}, base)


def test_a_train_request_is_frozen_and_carries_the_fine_tuning_spec():
    request = TrainRequest(CorpusSpec("pairs.tsv"), "runs/m", finetune=FinetuneSpec("models/base", anchor=1.0))
    assert request.out.name == "m" and request.finetune.anchor == 1.0 and not request.resume
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.resume = True  # type: ignore[misc]
    with pytest.raises(ValueError):
        FinetuneSpec("models/base", freeze="decoder")


def test_the_cli_resolves_through_the_same_function():
    from translator_app import cli
    from translator_app.cli_settings import configs

    args = cli.build_parser().parse_args(
        ["train", "c.tsv", "--out", "m", "--preset", "tiny", "--lr", "0.01", "--max-steps", "3"]
    )
    assert configs(args) == tuple(resolve("tiny", {"train": {"lr": 0.01, "max_steps": 3}}))
