"""The pieces that make a training step fast keep its arithmetic: the chunked vocabulary loss, the
encoder without packing, the byte-mask dropout, source-length batches and the retained heap."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from translator_app.core.base import heap
from translator_app.core.base.config import ModelConfig
from translator_app.core.model import loss
from translator_app.core.model.model import Dropout, Encoder
from translator_app.core.train.batching import EncodedCorpus, bucket_batches


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("chunk", [3, 64])
def test_vocab_terms_equal_cross_entropy_and_its_gradients(monkeypatch, smoothing, chunk):
    """fp32: the per-token loss and the gradients of logits and bias match F.cross_entropy with
    label smoothing, for chunks that do and do not divide the rows."""
    monkeypatch.setattr(loss, "CHUNK_ROWS", chunk)
    gen = torch.Generator().manual_seed(3)
    logits = (torch.randn(10, 37, generator=gen) * 4).requires_grad_(True)
    bias = torch.randn(37, generator=gen).requires_grad_(True)
    target = torch.randint(0, 37, (10,), generator=gen)
    weights = torch.rand(10, generator=gen)  # a different upstream gradient per row
    picked, mean = loss.vocab_terms(logits, bias, target)
    ours = (loss.smoothed_nll(picked, mean, smoothing) * weights).sum()
    ours.backward()
    got = (logits.grad.clone(), bias.grad.clone())
    logits.grad = bias.grad = None
    ref = (F.cross_entropy(logits + bias, target, label_smoothing=smoothing, reduction="none") * weights).sum()
    ref.backward()
    assert float(ours.detach()) == pytest.approx(float(ref.detach()), rel=1e-5)
    assert torch.allclose(got[0], logits.grad, atol=1e-6)
    assert torch.allclose(got[1], bias.grad, atol=1e-6)


def test_vocab_terms_under_bf16_autocast_stay_close_to_fp32():
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(200, 16, generator=gen)
    w = (torch.randn(500, 16, generator=gen) * 0.3).requires_grad_(True)
    b = torch.randn(500, generator=gen).requires_grad_(True)
    y = torch.randint(0, 500, (200,), generator=gen)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        picked, mean = loss.vocab_terms(F.linear(x, w), b, y)
    assert picked.dtype == torch.float32
    bf16 = loss.smoothed_nll(picked, mean, 0.1).sum()
    bf16.backward()
    grad_w = w.grad.clone()
    w.grad = None
    ref = F.cross_entropy(F.linear(x, w) + b, y, label_smoothing=0.1, reduction="sum")
    ref.backward()
    assert float(bf16.detach()) == pytest.approx(float(ref.detach()), rel=1e-2)
    assert float((grad_w - w.grad).norm() / w.grad.norm()) < 0.02


def test_encoder_without_padding_skips_packing_and_gives_the_same_states():
    cfg = ModelConfig(src_vocab_size=30, tgt_vocab_size=30, emb_dim=8, enc_hidden=6, dec_hidden=10, dropout=0.0)
    enc = Encoder(cfg).eval()
    src = torch.randint(4, 30, (5, 7))
    lengths = torch.full((5,), 7)
    fast = enc(src, lengths)
    with torch.no_grad():  # the packed path, forced: one sentence one step shorter, then compared on the rest
        longer = torch.cat([src, torch.zeros(1, 7, dtype=torch.long)])
        longer[-1, :6] = src[0, :6]
        packed = enc(longer, torch.tensor([7, 7, 7, 7, 7, 6]))
    assert torch.allclose(fast[0], packed[0][:5], atol=1e-5)
    for a, b in zip(fast[1] + fast[2], packed[1] + packed[2]):
        assert torch.allclose(a, b[:5], atol=1e-5)


def test_dropout_rate_scale_and_eval():
    torch.manual_seed(0)
    drop = Dropout(0.2)
    x = torch.ones(200_000)
    y = drop(x)
    dropped = float((y == 0).float().mean())
    assert dropped == pytest.approx(51 / 256, abs=0.005)
    assert float(y.mean()) == pytest.approx(1.0, abs=0.01)  # kept values are scaled up
    values = torch.unique(y).tolist()
    assert len(values) == 2 and values[0] == 0.0 and values[1] == pytest.approx(256 / 205)
    x.requires_grad_(True)
    out = drop(x)
    out.sum().backward()
    assert torch.equal(x.grad == 0, out == 0)  # the gradient goes through the kept entries only
    drop.eval()
    assert drop(x) is x
    assert Dropout(0.0)(torch.ones(3)).tolist() == [1.0, 1.0, 1.0]


def test_batches_group_sources_of_one_length():
    rng = np.random.default_rng(0)
    src = [[5] * int(n) for n in rng.integers(3, 12, 3000)]
    tgt = [[6] * int(n) for n in rng.integers(3, 12, 3000)]
    corpus = EncodedCorpus(src, tgt)
    batches = bucket_batches(corpus, 2000, seed=1)
    uniform = sum(len(b) for b in batches if len({len(src[i]) for i in b}) == 1)
    assert uniform / len(src) > 0.85
    assert sorted(i for b in batches for i in b) == list(range(3000))


def test_retained_heap_nests_and_restores(monkeypatch):
    calls = []

    class FakeLibc:
        def mallopt(self, param, value):
            calls.append((param, value))

        def malloc_trim(self, pad):
            calls.append(("trim", pad))

    monkeypatch.setattr(heap, "_libc", FakeLibc)
    with heap.retained_heap() as on:
        assert on
        with heap.retained_heap():
            pass
        assert calls == [(heap.M_MMAP_MAX, 0), (heap.M_TRIM_THRESHOLD, heap.NO_TRIM)]  # the inner use shares it
    assert calls[2:] == [
        (heap.M_MMAP_MAX, heap.DEFAULT_MMAP_MAX),
        (heap.M_TRIM_THRESHOLD, heap.DEFAULT_TRIM_THRESHOLD),
        ("trim", 0),
    ]
    monkeypatch.setattr(heap, "_libc", lambda: None)
    with heap.retained_heap() as on:
        assert not on


def test_the_heap_budget_is_a_quarter_of_memory_within_bounds(monkeypatch):
    held = heap.resident_bytes()
    assert held is not None and held > 10 * 2**20  # this Python process, with torch loaded
    assert heap.over_budget(held // 2) and not heap.over_budget(held * 4)
    for ram, budget in [(8 * heap.GIB, 2 * heap.GIB), (12 * heap.GIB, 3 * heap.GIB), (64 * heap.GIB, 4 * heap.GIB)]:
        monkeypatch.setattr(heap.os, "sysconf", lambda name, ram=ram: ram // 4096 if name == "SC_PHYS_PAGES" else 4096)
        assert heap.budget_bytes() == budget
    monkeypatch.setattr(heap, "resident_bytes", lambda: None)  # not Linux: never over
    assert not heap.over_budget(1)


def test_a_run_over_its_heap_budget_trims_after_every_step(monkeypatch, tiny_corpus, tmp_path):
    from dataclasses import replace

    from translator_app.core.base.config import PRESETS, TokenizerConfig
    from translator_app.core.train.training import CorpusSpec, Finished, TrainRequest, train

    trims = []
    monkeypatch.setattr(heap, "release_free", lambda: trims.append(1))
    model_cfg, train_cfg, _ = PRESETS["tiny"]
    cfg = replace(train_cfg, max_steps=4, valid_every=1000, num_threads=1)

    def run(budget: int) -> int:
        trims.clear()
        monkeypatch.setattr(heap, "budget_bytes", lambda: budget)
        request = TrainRequest(
            CorpusSpec(str(tiny_corpus)), tmp_path / str(budget), model_cfg, cfg, TokenizerConfig(vocab_size=300)
        )
        assert isinstance(list(train(request))[-1], Finished)
        return len(trims)

    assert run(1) == 4  # always over: a trim after each of the 4 steps
    assert run(2**50) == 0  # never over, and no 100th step
