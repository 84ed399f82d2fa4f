from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import torch

from translator_app.core.base.config import ModelConfig
from translator_app.core.model.model import Seq2Seq, quantize_for_inference
from translator_app.core.model.search import beam_search, greedy_search

CONFIGS = [
    ModelConfig(src_vocab_size=50, tgt_vocab_size=60, emb_dim=16, enc_hidden=12, dec_hidden=20, dropout=0.0),
    ModelConfig(
        src_vocab_size=50,
        tgt_vocab_size=60,
        emb_dim=16,
        enc_hidden=12,
        dec_hidden=20,
        dropout=0.0,
        input_feeding=True,
        dec_layers=2,
        enc_layers=2,
    ),
    ModelConfig(
        src_vocab_size=50,
        tgt_vocab_size=60,
        emb_dim=16,
        enc_hidden=12,
        dec_hidden=20,
        dropout=0.0,
        attention="bahdanau",
        tie_embeddings=False,
    ),
    ModelConfig(
        src_vocab_size=60,
        tgt_vocab_size=60,
        emb_dim=16,
        enc_hidden=12,
        dec_hidden=20,
        dropout=0.0,
        copy_attention=True,
        share_src_tgt_embeddings=True,
    ),
    ModelConfig(
        src_vocab_size=60,
        tgt_vocab_size=60,
        emb_dim=16,
        enc_hidden=12,
        dec_hidden=20,
        dropout=0.0,
        copy_attention=True,
        input_feeding=True,
    ),
]
IDS = ["luong", "luong-if-2layer", "bahdanau", "copy", "copy-if"]
SOURCES = [[5, 6, 7, 8, 3], [9, 10, 3], [11, 12, 13, 14, 15, 16, 17, 3]]


def make(cfg: ModelConfig, seed: int = 0) -> Seq2Seq:
    torch.manual_seed(seed)
    model = Seq2Seq(cfg).eval()
    with torch.no_grad():  # sharpen the output distribution so hypotheses end before the length limit
        model.decoder.out.bias[3] += 1.0
    return model


@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_forward_shapes_and_parallel_equals_stepwise(cfg):
    model = make(cfg)
    src = torch.tensor([[5, 6, 7, 3], [8, 9, 3, 0]])
    lengths = torch.tensor([4, 3])
    tgt_in = torch.tensor([[2, 10, 11, 12], [2, 13, 0, 0]])
    logits = model(src, lengths, tgt_in)  # log-probabilities
    assert logits.shape == (2, 4, 60)
    assert torch.allclose(logits.exp().sum(-1), torch.ones(2, 4), atol=1e-4)
    # teacher forcing through decode_step gives the same log-probabilities as the batched forward
    enc, state = model.encode(src, lengths)
    steps = []
    for t in range(4):
        logp, attn, state = model.decode_step(tgt_in[:, t], state, enc)
        steps.append(logp)
        assert torch.allclose(attn.sum(-1), torch.ones(2), atol=1e-5)
        assert float(attn[1, 3]) == 0.0  # padding gets no attention
    assert torch.allclose(torch.stack(steps, 1), torch.log_softmax(logits, -1), atol=1e-5)


@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_beam_one_equals_greedy(cfg):
    model = make(cfg, seed=1)
    greedy = greedy_search(model, SOURCES)
    beam = [h[0] for h in beam_search(model, SOURCES, beam_size=1)]
    for g, b in zip(greedy, beam):
        assert g.tokens == b.tokens
        assert g.log_prob == pytest.approx(b.log_prob, abs=1e-4)
        np.testing.assert_allclose(g.attention, b.attention, atol=1e-5)


def test_attention_matrix_shape_and_rows_sum_to_one():
    model = make(CONFIGS[0], seed=2)
    for src, hyp in zip(SOURCES, greedy_search(model, SOURCES)):
        assert hyp.attention.shape == (len(hyp.tokens) + 1, len(src))
        np.testing.assert_allclose(hyp.attention.sum(axis=1), 1.0, atol=1e-5)
    for src, hyps in zip(SOURCES, beam_search(model, SOURCES, beam_size=4, n_best=3)):
        assert len(hyps) == 3
        assert [h.score for h in hyps] == sorted((h.score for h in hyps), reverse=True)
        for h in hyps:
            assert h.attention.shape == (len(h.tokens) + 1, len(src))
            np.testing.assert_allclose(h.attention.sum(axis=1), 1.0, atol=1e-5)


def test_beam_search_scores_match_rescoring():
    """The score a beam reports is the model's log-probability of its tokens."""
    model = make(CONFIGS[1], seed=3)
    hyp = beam_search(model, SOURCES[:1], beam_size=3)[0][0]
    enc, state = model.encode(torch.tensor([SOURCES[0]]), torch.tensor([len(SOURCES[0])]))
    total, prev = 0.0, 2
    for tok in list(hyp.tokens) + [3]:
        logp, _, state = model.decode_step(torch.tensor([prev]), state, enc)
        total += float(logp[0, tok])
        prev = tok
    assert total == pytest.approx(hyp.log_prob, abs=1e-4)


def test_wider_beam_never_scores_worse_than_greedy_on_average():
    model = make(CONFIGS[0], seed=4)
    greedy = greedy_search(model, SOURCES)
    beam = [h[0] for h in beam_search(model, SOURCES, beam_size=6)]
    assert sum(b.score for b in beam) >= sum(g.score for g in greedy) - 1e-6


def test_length_guard_stops_unending_output():
    model = make(CONFIGS[0])
    with torch.no_grad():
        model.decoder.out.bias[3] = -1e4  # </s> is never predicted
    hyp = greedy_search(model, [[5, 3]], max_ratio=2.0)[0]
    assert len(hyp.tokens) == 2 * 2 + 10 - 1
    beam = beam_search(model, [[5, 3]], beam_size=3, max_ratio=2.0)[0][0]
    assert len(beam.tokens) == 2 * 2 + 10 - 1


def test_quantized_model_decodes_like_float():
    model = make(CONFIGS[0], seed=5)
    q = quantize_for_inference(model)
    assert any("quantized" in type(m).__module__ for m in q.modules())
    hyps_f = greedy_search(model, SOURCES)
    hyps_q = greedy_search(q, SOURCES)
    same = sum(a.tokens == b.tokens for a, b in zip(hyps_f, hyps_q))
    assert same >= 2


def test_copy_attention_puts_probability_on_source_tokens():
    model = make(CONFIGS[3], seed=6)
    with torch.no_grad():
        model.decoder.copy_gate.bias.fill_(-20.0)  # p_gen ~ 0: all mass is copied from the source
    src = torch.tensor([[41, 42, 43, 3]])
    enc, state = model.encode(src, torch.tensor([4]))
    logp, attn, state = model.decode_step(torch.tensor([2]), state, enc)
    probs = logp.exp()[0]
    assert float(probs[[41, 42, 43, 3]].sum()) == pytest.approx(1.0, abs=1e-4)
    for tok in (41, 42, 43, 3):
        assert float(probs[tok]) == pytest.approx(float(attn[0, [41, 42, 43, 3].index(tok)]), abs=1e-5)
    hyp = greedy_search(model, [[41, 42, 43, 3]])[0]
    assert hyp.copy_probs is not None and hyp.copy_probs.shape == (len(hyp.tokens) + 1,)
    assert float(hyp.copy_probs.min()) > 0.99
    assert set(hyp.tokens) <= {41, 42, 43}
    beam = beam_search(model, [[41, 42, 43, 3]], beam_size=3)[0][0]
    assert beam.copy_probs is not None and beam.copy_probs.shape == (len(beam.tokens) + 1,)


@pytest.mark.parametrize("n", [3, 4])
def test_no_ngram_repeats_in_greedy_or_beam(n):
    """A model that wants to loop (one token sequence strongly preferred) never repeats an n-gram."""
    model = make(CONFIGS[0], seed=7)
    with torch.no_grad():
        model.decoder.out.bias[3] = -1e4  # never ends: only the length guard stops it
        model.decoder.out.bias[10:13] += 8.0  # tokens 10, 11, 12 dominate: a loop without blocking
    for hyp in greedy_search(model, SOURCES, no_repeat_ngram=n) + [
        h[0] for h in beam_search(model, SOURCES, beam_size=3, no_repeat_ngram=n)
    ]:
        grams = [tuple(hyp.tokens[i : i + n]) for i in range(len(hyp.tokens) - n + 1)]
        assert len(grams) == len(set(grams)), hyp.tokens
        trigrams = Counter(tuple(hyp.tokens[i : i + 3]) for i in range(len(hyp.tokens) - 2))
        assert max(trigrams.values()) <= 2, hyp.tokens
    looping = greedy_search(model, SOURCES, no_repeat_ngram=0)[0].tokens
    grams = [tuple(looping[i : i + n]) for i in range(len(looping) - n + 1)]
    assert len(grams) > len(set(grams))  # the same model loops when blocking is off


@pytest.mark.parametrize("cfg", CONFIGS, ids=IDS)
def test_training_loss_is_the_nll_of_the_output_distribution(cfg):
    """forward(..., tgt_out) without smoothing equals -sum log p(y) of the full distribution."""
    model = make(cfg, seed=8)
    src = torch.tensor([[5, 6, 7, 3], [8, 9, 3, 0]])
    lengths = torch.tensor([4, 3])
    tgt_in = torch.tensor([[2, 10, 6, 12], [2, 9, 0, 0]])
    tgt_out = torch.tensor([[10, 6, 12, 3], [9, 3, 0, 0]])
    log_probs = model(src, lengths, tgt_in)
    keep = tgt_out != 0
    expected = -log_probs.gather(-1, tgt_out.unsqueeze(-1)).squeeze(-1)[keep].sum()
    assert float(model(src, lengths, tgt_in, tgt_out, 0.0)) == pytest.approx(float(expected), rel=1e-4)
    smoothed = float(model(src, lengths, tgt_in, tgt_out, 0.1))
    assert smoothed != pytest.approx(float(expected), rel=1e-6)
