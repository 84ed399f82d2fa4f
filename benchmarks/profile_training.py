#!/usr/bin/env python
"""Where one training step of a preset spends its time (CPU), measured two ways on real batches.

1. **Components**: forward + backward of each part alone, on the shapes of the real batches
   (encoder LSTM, decoder LSTM, attention + combine + copy gate, output projection, loss), then
   the optimizer step and batch making; "rest" is the full step minus their sum (Python
   overhead, embedding, bridge, dropout, gradient clipping, autograd bookkeeping).
2. **Operators**: ``torch.profiler`` over whole steps, self CPU time by operator, top N.

Usage:
  .venv/bin/python benchmarks/profile_training.py [--corpus TSV] [--pairs 60000] [--preset small]
        [--vocab 8000] [--threads 2] [--amp bf16] [--batch-tokens N] [--steps 30] [--top 25]
"""

from __future__ import annotations

import argparse
import contextlib
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

from translator_app.core.base.config import PRESETS
from translator_app.core.base.heap import retained_heap
from translator_app.core.model.model import Seq2Seq
from translator_app.core.text.corpus import read_corpus
from translator_app.core.text.tokenizer import train_tokenizers
from translator_app.core.train.batching import EncodedCorpus, bucket_batches, make_batch

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "tatoeba.en-es.tsv"


class StepRunner:
    """The optimisation step of ``core/train/train_loop.train_step`` without the run bookkeeping."""

    def __init__(self, model: Seq2Seq, cfg):
        self.model, self.cfg = model, cfg
        self.amp = cfg.amp == "bf16"
        self.optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr, betas=(0.9, 0.98), fused=True)

    def step(self, batch) -> float:
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.amp):
            loss = self.model(batch.src, batch.src_len, batch.tgt_in, batch.tgt_out, self.cfg.label_smoothing)
        self.optimizer.zero_grad(set_to_none=True)
        (loss / batch.n_tokens).backward()
        self.optimizer_only()
        return float(loss)

    def optimizer_only(self) -> None:
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.clip_norm)
        self.optimizer.step()


def log(msg: str = "") -> None:
    print(msg, flush=True)


def timed(fn, repeat: int) -> float:
    """Median seconds of ``fn()`` over ``repeat`` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def load_batches(args):
    pairs = read_corpus(args.corpus)[0]
    if args.pairs and args.pairs < len(pairs):  # a seeded sample, as bench_training.py --pairs draws it
        pairs = random.Random(1).sample(pairs, args.pairs)
    model_cfg, train_cfg, tok_cfg = PRESETS[args.preset]
    tok_cfg = replace(tok_cfg, vocab_size=args.vocab)
    tok = train_tokenizers(pairs, tok_cfg)
    corpus, _ = EncodedCorpus.from_pairs(pairs, tok, 80)
    vocab = len(tok.target)
    model_cfg = replace(model_cfg, src_vocab_size=vocab, tgt_vocab_size=vocab)
    train_cfg = replace(train_cfg, batch_tokens=args.batch_tokens or train_cfg.batch_tokens, amp=args.amp)
    return corpus, model_cfg, train_cfg


def components(model: Seq2Seq, batch, amp: bool, smoothing: float, repeat: int) -> dict[str, float]:
    """Forward + backward seconds of each part on this batch's shapes."""
    dec = model.decoder
    ac = lambda: torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp)  # noqa: E731  (a context factory)
    out: dict[str, float] = {}
    with ac():
        enc, state = model.encode(batch.src, batch.src_len)
        att, weights, gate = dec(batch.tgt_in, state, enc)
    enc = type(enc)(*(t.detach() for t in (enc.memory, enc.keys, enc.mask, enc.src)))
    enc.memory.requires_grad_(True)
    att_d = att.detach().requires_grad_(True)

    def encoder():
        with ac():
            memory, h0, c0 = model.encoder(batch.src, batch.src_len)
        (memory.float().sum() + h0[0].float().sum() + c0[0].float().sum()).backward()

    def decoder_lstm():
        cells = dec.cells
        x = dec.embedding(batch.tgt_in)
        ws = [w for c in cells for w in (c.weight_ih, c.weight_hh, c.bias_ih, c.bias_hh)]
        h0 = torch.stack(state.h).detach()
        with ac():
            y = torch.lstm(x, (h0, h0.clone()), ws, True, len(cells), 0.0, True, False, True)[0]
        y.float().sum().backward()

    top = torch.randn(batch.tgt_in.shape + (dec.cfg.dec_hidden,), requires_grad=True)

    def attention():
        with ac():
            from translator_app.core.model.model import attend

            ctx, w = attend(dec.attention, top, enc)
            a = torch.tanh(dec.combine(torch.cat([top, ctx], dim=-1)))
            g = dec.gate(a, ctx, top[..., : dec.cfg.emb_dim])
        (a.float().sum() + w.float().sum() + (g.sum() if g is not None else 0)).backward()

    def output_and_loss():
        with ac():
            loss = model._loss(
                att_d,
                weights.detach(),
                gate.detach() if gate is not None else None,
                batch.src,
                batch.tgt_out,
                smoothing,
            )
        loss.backward()

    def projection_only():
        with ac():
            logits = dec.logits(att_d)
        logits.float().sum().backward()

    out["encoder LSTM (+ embedding, bridge)"] = timed(encoder, repeat)
    out["decoder LSTM"] = timed(decoder_lstm, repeat)
    out["attention + combine + copy gate"] = timed(attention, repeat)
    out["output projection (matmul)"] = timed(projection_only, repeat)
    out["output projection + loss"] = timed(output_and_loss, repeat)
    model.zero_grad(set_to_none=True)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    p.add_argument("--pairs", type=int, default=60000, help="a seeded sample of N pairs (0: all)")
    p.add_argument("--preset", default="small", choices=list(PRESETS))
    p.add_argument("--vocab", type=int, default=8000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--amp", default="bf16", choices=["none", "bf16"])
    p.add_argument("--batch-tokens", type=int, default=0)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--no-retained-heap", action="store_true", help="glibc's default malloc (core/base/heap.py off)")
    args = p.parse_args(argv)
    with contextlib.ExitStack() as stack:
        return _profile(args, stack)


def _profile(args, stack: contextlib.ExitStack) -> int:
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    corpus, model_cfg, train_cfg = load_batches(args)
    if not args.no_retained_heap:  # as train() does (core/base/heap.py)
        stack.enter_context(retained_heap())
    model = Seq2Seq(model_cfg)
    model.train()
    runner = StepRunner(model, train_cfg)
    batches = bucket_batches(corpus, train_cfg.batch_tokens, seed=1)
    log(
        f"{args.preset}, vocab {model_cfg.tgt_vocab_size}, {model.num_parameters():,} parameters, amp {args.amp}, "
        f"{args.threads} threads, batch_tokens {train_cfg.batch_tokens}, {len(batches)} batches"
    )
    made = [make_batch(corpus, b) for b in batches[: args.steps + 5]]
    for b in made[:5]:  # warm-up
        runner.step(b)
    t0 = time.perf_counter()
    tokens = 0
    for b in made[5:]:
        runner.step(b)
        tokens += b.n_tokens
    step_s = (time.perf_counter() - t0) / args.steps
    tok_s = tokens / args.steps / step_s
    sents = statistics.mean(b.src.size(0) for b in made[5:])
    log(f"full step: {step_s * 1000:.1f} ms, {tok_s:,.0f} target tok/s, {sents:.0f} sentences per batch")
    # components on a typical batch (median target length)
    typical = sorted(made[5:], key=lambda b: b.tgt_in.size(1))[len(made[5:]) // 2]
    scale = statistics.mean(b.n_tokens for b in made[5:]) / typical.n_tokens
    comp = components(model, typical, args.amp == "bf16", train_cfg.label_smoothing, 5)
    comp["optimizer (Adam + clip)"] = timed(runner.optimizer_only, 5)
    comp["batch making"] = timed(lambda: make_batch(corpus, batches[7]), 5)
    log(
        f"\ncomponents on a typical batch ({typical.src.size(0)} x {typical.tgt_in.size(1)} target), scaled x{scale:.2f}:"
    )
    log("| part (forward + backward) | ms per step | share |")
    log("| --- | ---: | ---: |")
    step_ms = step_s * 1000
    accounted = 0.0
    for name, s in comp.items():
        ms = s * 1000 * (scale if "optimizer" not in name else 1.0)
        if name != "output projection (matmul)":
            accounted += ms
        log(f"| {name} | {ms:.1f} | {100 * ms / step_ms:.0f} % |")
    log(
        f"| rest (Python, embeddings, dropout, autograd) | {step_ms - accounted:.1f} | {100 * (step_ms - accounted) / step_ms:.0f} % |"
    )
    log(f"| **full step** | {step_ms:.1f} | 100 % |")
    # operator profile
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for b in made[5 : 5 + min(10, args.steps)]:
            runner.step(b)
    log("\noperators, self CPU time over 10 steps:")
    log(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.top, max_name_column_width=60))
    return 0


if __name__ == "__main__":
    sys.exit(main())
