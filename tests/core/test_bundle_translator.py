from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from translator_app.core.model.checkpoint import BundleError, load_bundle, read_config
from translator_app.core.model.decoding import DecodeConfig
from translator_app.core.translation.translator import InputTooLong, Translator


def test_bundle_is_self_describing(tiny_model_dir):
    config = read_config(tiny_model_dir)
    assert config["format"] == "translator-app-bundle" and config["version"] == 1
    assert config["model"]["src_vocab_size"] > 0 and config["meta"]["name"] == tiny_model_dir.name
    bundle = load_bundle(tiny_model_dir)
    assert len(bundle.tokenizers.source) == bundle.model_config.src_vocab_size


def test_save_load_round_trip_gives_identical_output(tiny_model_dir, tmp_path):
    from translator_app.core.model.checkpoint import save_bundle

    bundle = load_bundle(tiny_model_dir)
    copy = tmp_path / "copy"
    save_bundle(copy, bundle.model_config, bundle.tokenizers, bundle.state_dict, bundle.meta)
    a = Translator.load(tiny_model_dir, quantize=False)
    b = Translator.load(copy, quantize=False)
    for text in ["I like cats.", "Where is the station? It is late."]:
        ra, rb = (
            a.translate(text, decode=DecodeConfig(beam_size=3)),
            b.translate(text, decode=DecodeConfig(beam_size=3)),
        )
        assert ra.text == rb.text
        for sa, sb in zip(ra.sentences, rb.sentences):
            np.testing.assert_array_equal(sa.attention, sb.attention)


def test_int8_translator_keeps_one_copy_of_the_weights(tiny_model_dir):
    import torch

    bundle = load_bundle(tiny_model_dir)
    n_tensors = len(bundle.state_dict)
    tr = Translator(bundle, quantize=True)
    assert tr.bundle.state_dict == {} and tr.bundle.model_config == bundle.model_config
    assert len(bundle.state_dict) == n_tensors  # the caller's bundle is left as it was
    float_linears = [m for m in tr.model.modules() if type(m) in (torch.nn.Linear, torch.nn.LSTMCell)]
    assert float_linears == [] and not hasattr(tr, "float_model")
    assert tr.info.parameters == Translator(bundle, quantize=False).info.parameters
    assert tr.translate("I like cats.", decode=DecodeConfig(beam_size=2)).text


def test_translation_carries_tokens_scores_and_attention(tiny_model_dir):
    tr = Translator.load(tiny_model_dir)
    result = tr.translate("Tom is here. I like it!", decode=DecodeConfig(beam_size=1))
    assert len(result.sentences) == 2 and result.text
    for sent in result.sentences:
        assert sent.source_tokens[-1] == "</s>" and sent.target_tokens[-1] == "</s>"
        assert sent.attention.shape == (len(sent.target_tokens), len(sent.source_tokens))
        np.testing.assert_allclose(sent.attention.sum(axis=1), 1.0, atol=1e-4)
        assert 0.0 < sent.confidence <= 1.0 and sent.score <= 0.0
    beam = tr.translate("Tom is here.", decode=DecodeConfig(beam_size=4))
    assert beam.sentences[0].score >= result.sentences[0].score - 1e-4  # beam finds at least greedy's score


def test_empty_and_huge_input(tiny_model_dir):
    tr = Translator.load(tiny_model_dir)
    empty = tr.translate("   \n  ")
    assert empty.text == "" and empty.sentences == ()
    with pytest.raises(InputTooLong, match="characters"):
        tr.translate("word " * 10_000)


def test_translate_lines_matches_translate(tiny_model_dir):
    tr = Translator.load(tiny_model_dir)
    lines = ["I see a dog.", "", "We are happy.", "Come here."]
    out = tr.translate_lines(lines, decode=DecodeConfig(beam_size=1))
    assert out[1] == ""
    assert out[0] == tr.translate(lines[0]).text and out[3] == tr.translate(lines[3]).text


def test_corrupt_bundles_give_clear_errors(tiny_model_dir, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(tiny_model_dir, bad)
    (bad / "config.json").write_text("{not json")
    with pytest.raises(BundleError, match="config.json"):
        load_bundle(bad)
    config = read_config(tiny_model_dir)
    config["model"]["tgt_vocab_size"] += 1
    (bad / "config.json").write_text(json.dumps(config))
    with pytest.raises(BundleError, match="does not match"):
        load_bundle(bad)
    with pytest.raises(BundleError, match="not a model bundle"):
        load_bundle(tmp_path)
