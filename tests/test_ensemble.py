"""benchmarks/ensemble.py: several bundles decoding as one (the mean of their output probabilities)."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from benchmarks.ensemble import Ensemble, check_tokenizers, load_ensemble
from benchmarks.quality import model_system
from translator_app.core.model.checkpoint import load_bundle, save_bundle
from translator_app.core.model.decoding import DecodeConfig
from translator_app.core.translation.translator import Translator

SENTENCES = ["I have a cat.", "Where is the station?", "Tom is reading a book now."]


def noisy_copy(model_dir, dest, scale: float):
    bundle = load_bundle(model_dir)
    gen = torch.Generator().manual_seed(7)
    state = {
        k: v.float() + scale * torch.randn(v.shape, generator=gen) if v.is_floating_point() else v
        for k, v in bundle.state_dict.items()
    }
    save_bundle(dest, bundle.model_config, bundle.tokenizers, state, dict(bundle.meta))
    return dest


def test_a_model_with_itself_translates_as_the_model_alone(tiny_model_dir):
    alone = Translator.load(tiny_model_dir)
    twice = load_ensemble([tiny_model_dir, tiny_model_dir])
    assert isinstance(twice.model, Ensemble)
    for beam in (1, 4):
        decode = DecodeConfig(beam_size=beam)
        assert twice.translate_lines(SENTENCES, decode=decode) == alone.translate_lines(SENTENCES, decode=decode)


def test_a_step_averages_the_probabilities(tiny_model_dir, tmp_path):
    other = noisy_copy(tiny_model_dir, tmp_path / "other", 0.05)
    a, b = Translator.load(tiny_model_dir, quantize=False).model, Translator.load(other, quantize=False).model
    ens = Ensemble([a, b])
    src = torch.tensor([[5, 6, 7, 3], [8, 9, 3, 0]])
    lengths = torch.tensor([4, 3])
    y = torch.tensor([2, 2])
    with torch.no_grad():
        enc, state = ens.encode(src, lengths)
        logp, weights, new = ens.decode_step(y, state, enc)
        parts = [m.decode_step(y, *reversed(m.encode(src, lengths))) for m in (a, b)]
    mean = (parts[0][0].exp() + parts[1][0].exp()) / 2
    assert not torch.allclose(parts[0][0], parts[1][0])  # two different members
    assert torch.allclose(logp.exp(), mean, atol=1e-6)
    assert torch.allclose(logp.exp().sum(-1), torch.ones(2), atol=1e-4)
    assert torch.allclose(weights, (parts[0][1] + parts[1][1]) / 2, atol=1e-6)
    if new.gate is not None:
        assert torch.allclose(new.gate, (parts[0][2].gate + parts[1][2].gate) / 2)
    assert new.index_select(torch.tensor([1, 1, 0])).parts[1].h[0].shape[0] == 3  # (N, Hd) per layer


def test_other_tokenizers_are_refused_and_quality_reads_plus(tiny_model_dir, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(tiny_model_dir, other)
    config = json.loads((other / "config.json").read_text(encoding="utf-8"))
    config["tokenizer"]["sha256"] = "0" * 64
    (other / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ValueError, match="another tokenizer"):
        check_tokenizers([tiny_model_dir, other])
    with pytest.raises(ValueError, match="at least two"):
        Ensemble([Translator.load(tiny_model_dir).model])
    system = model_system(f"{tiny_model_dir}+{tiny_model_dir}=pair", 1, "en-es")
    assert system.name == "pair (beam 1, ensemble of 2, int8)"
    assert system.translate(SENTENCES) == Translator.load(tiny_model_dir).translate_lines(SENTENCES)
