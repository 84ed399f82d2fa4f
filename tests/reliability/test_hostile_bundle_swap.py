"""Issue 29 item 2: a fresh training over a folder that holds a model never leaves the old
weights beside a new tokenizer (the folder loads as the old model, or plainly not at all)."""

from __future__ import annotations

import errno
import os
from dataclasses import replace

import pytest
from reliability_helpers import copy_bundle, tree_hashes

from translator_app.core.base.config import PRESETS, TokenizerConfig
from translator_app.core.base.events import DataReady
from translator_app.core.model.checkpoint import BundleError, load_bundle, save_bundle
from translator_app.core.model.model import Seq2Seq
from translator_app.core.text.tokenizer import Tokenizers, train_subword_model
from translator_app.core.train.training import CorpusSpec, TrainRequest, train
from translator_app.core.translation.translator import Translator


@pytest.fixture
def model_dir(tiny_model_dir, tmp_path):
    return copy_bundle(tiny_model_dir, tmp_path / "my-model")


def test_fresh_run_killed_after_its_tokenizer_leaves_the_old_model_intact(model_dir, tiny_corpus):
    before = tree_hashes(model_dir)
    reference = Translator.load(model_dir).translate("I like cats.").text
    model_cfg, train_cfg, _ = PRESETS["tiny"]
    events = train(
        TrainRequest(
            CorpusSpec(str(tiny_corpus)),
            model_dir,
            model_cfg=model_cfg,
            train_cfg=replace(train_cfg, max_steps=5, num_threads=1),
            tok_cfg=TokenizerConfig(vocab_size=300),
        ),
    )
    for event in events:  # the new tokenizer is trained and saved before DataReady
        if isinstance(event, DataReady):
            break
    events.close()  # "killed" here, before the first bundle save
    after = tree_hashes(model_dir)
    assert {k: after[k] for k in before} == before
    assert Translator.load(model_dir).translate("I like cats.").text == reference


def _other_model(tiny_corpus, part=0):
    lines = [s for line in tiny_corpus.read_text(encoding="utf-8").splitlines() for s in line.split("\t")[:2]]
    tok = train_subword_model(lines[part * 800 : part * 800 + 800], TokenizerConfig(vocab_size=400))
    cfg = replace(PRESETS["tiny"][0], src_vocab_size=len(tok), tgt_vocab_size=len(tok))
    return cfg, Tokenizers(tok, tok), Seq2Seq(cfg).state_dict(), {"name": "other"}


@pytest.mark.parametrize("nth", [1, 2, 3], ids=["tokenizer", "weights", "config"])
def test_save_of_another_model_cut_between_renames_never_loads_a_mixed_folder(model_dir, tiny_corpus, monkeypatch, nth):
    """Staging takes 3 os.replace calls; the next 3 rename tokenizer, weights, config."""
    reference = Translator.load(model_dir).translate("I like cats.").text
    new = _other_model(tiny_corpus)
    assert len(new[1].source) == len(load_bundle(model_dir).tokenizers.source)  # same size: nothing else catches it
    real, calls = os.replace, [0]

    def failing(src, dst):
        calls[0] += 1
        if calls[0] == 3 + nth:
            raise OSError(errno.EIO, "injected")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError):
        save_bundle(model_dir, *new)
    monkeypatch.undo()
    if nth == 1:  # nothing was replaced: the old model, whole
        assert Translator.load(model_dir).translate("I like cats.").text == reference
    else:  # before the fix: the old config.json loaded the old weights with the new tokenizer
        with pytest.raises(BundleError, match="no config.json"):
            load_bundle(model_dir)


def test_a_tokenizer_that_is_not_the_bundles_own_is_refused(tiny_corpus, tmp_path):
    first, second = _other_model(tiny_corpus, 0), _other_model(tiny_corpus, 1)
    assert len(first[1].source) == len(second[1].source)
    save_bundle(tmp_path / "m", *first)
    load_bundle(tmp_path / "m")
    (tmp_path / "m" / "tokenizer.model").write_bytes(second[1].source.model_bytes)
    with pytest.raises(BundleError, match="this tokenizer and config.json do not match"):
        load_bundle(tmp_path / "m")
