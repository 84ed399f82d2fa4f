"""Decoding: batched greedy and beam search.

Pure functions over a model exposing ``encode(src, lengths)`` and
``decode_step(y_prev, state, enc)`` (see :class:`translator_app.core.model.Seq2Seq`).
Every hypothesis carries its subword ids, its score and its attention matrix
(target tokens x source tokens, each row summing to 1), and with copy attention the
copy probability (1 - p_gen) of every output token.

Degenerate output is blocked in both searches: no n-gram of ``no_repeat_ngram`` subwords
occurs twice in one output, no 3-gram three times, and the output is at most ``max_ratio`` x
the source length + 10.

Both searches can continue a given start (interactive translation, :mod:`.interactive`):
``prefixes`` are ids decoded first whatever the model prefers (their log-probabilities count in
the score, blocking does not apply to them), and ``constraint(b, ids_after_prefix)`` may then
return a (V,) bool mask of the ids allowed next (None: free), e.g. pieces spelling a partly
typed word. The length bound becomes at least the prefix length + 10.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor

from translator_app.core.tokenizer import BOS_ID, EOS_ID, PAD_ID

MAX_OUTPUT_LEN = 256
NO_REPEAT_NGRAM = 4  # subwords; a looping word trigram repeats a 4-subword sequence at the latest


@dataclass(frozen=True)
class Hypothesis:
    tokens: tuple[int, ...]  # output ids without <s> and </s>
    log_prob: float  # sum of token log-probabilities, </s> included
    score: float  # length-normalised log_prob (what beams are ranked by)
    attention: np.ndarray  # (len(tokens) + 1, S): one row per output token and </s>
    copy_probs: np.ndarray | None = None  # (len(tokens) + 1,) 1 - p_gen per output token (copy attention)

    @property
    def confidence(self) -> float:
        """Geometric mean of the token probabilities, in (0, 1]."""
        return float(np.exp(self.log_prob / (len(self.tokens) + 1)))


def pad_batch(sequences: list[list[int]], device: torch.device | str = "cpu") -> tuple[Tensor, Tensor]:
    """List of id lists -> ids (B, S) padded with PAD_ID, lengths (B,)."""
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.long)
    ids = torch.full((len(sequences), int(lengths.max())), PAD_ID, dtype=torch.long)
    for i, seq in enumerate(sequences):
        ids[i, : len(seq)] = torch.tensor(seq, dtype=torch.long)
    return ids.to(device), lengths


def max_output_length(src_len: int, ratio: float = 2.0, extra: int = 10) -> int:
    return min(MAX_OUTPUT_LEN, int(src_len * ratio) + extra)


def block_repeats(logp: Tensor, history: Tensor, n: int, allowed: int = 1) -> None:
    """Forbid, in place, every token that would make an n-gram of its row's output occur more
    than ``allowed`` times. logp (R, V) next-token log-probabilities, history (R, L) output so far."""
    length = history.size(1)
    if n < 2 or length < n:  # no complete n-gram yet
        return
    last = history[:, length - n + 1 :]  # (R, n-1) the prefix the next token would extend
    prefixes = history.unfold(1, n - 1, 1)[:, : length - n + 1]  # (R, L-n+1, n-1)
    match = (prefixes == last.unsqueeze(1)).all(-1)  # (R, L-n+1)
    if not bool(match.any()):
        return
    rows, cols = match.nonzero(as_tuple=True)
    nxt = history[rows, cols + n - 1]  # the token that followed each earlier occurrence
    if allowed <= 1:
        logp[rows, nxt] = float("-inf")
        return
    counts = torch.zeros_like(logp).index_put_(
        (rows, nxt), torch.ones_like(nxt, dtype=logp.dtype), accumulate=True
    )  # (R, V)
    logp.masked_fill_(counts >= allowed, float("-inf"))


def block_degenerate(logp: Tensor, history: Tensor, no_repeat_ngram: int) -> None:
    """No ``no_repeat_ngram``-gram twice, and no 3-gram three times (a looping word trigram)."""
    if no_repeat_ngram > 0:
        block_repeats(logp, history, no_repeat_ngram)
        block_repeats(logp, history, 3, allowed=2)


Constraint = Callable[[int, Sequence[int]], "Tensor | None"]  # (source index, ids after the prefix) -> (V,) bool


def _limits(sources: list[list[int]], forced: list[tuple[int, ...]], max_ratio: float) -> list[int]:
    return [
        max(max_output_length(len(s), max_ratio), len(p) + 10) if p else max_output_length(len(s), max_ratio)
        for s, p in zip(sources, forced)
    ]


def _guide(
    logp: Tensor,
    raw: Tensor,
    row: int,
    forced: tuple[int, ...],
    t: int,
    constraint: Constraint | None,
    b: int,
    after: Sequence[int],
) -> None:
    """Apply, in place, the prefix to one row of (blocked) log-probabilities ``logp`` (R, V):
    at step t < len(forced) only forced[t] (its unblocked ``raw`` value); later the constraint's ids."""
    if t < len(forced):
        tok = forced[t]
        value = raw[row, tok]
        logp[row].fill_(float("-inf"))
        logp[row, tok] = value
    elif constraint is not None:
        allowed = constraint(b, after)  # (V,) bool or None
        if allowed is not None:
            logp[row] = raw[row].masked_fill(~allowed.to(raw.device), float("-inf"))


def _length_norm(log_prob: float, length: int, alpha: float) -> float:
    return log_prob / (length**alpha) if alpha > 0 else log_prob


@torch.inference_mode()
def greedy_search(
    model,
    sources: list[list[int]],
    *,
    alpha: float = 1.0,
    max_ratio: float = 2.0,
    no_repeat_ngram: int = NO_REPEAT_NGRAM,
    prefixes: Sequence[Sequence[int]] | None = None,
    constraint: Constraint | None = None,
) -> list[Hypothesis]:
    """sources: B lists of source ids (ending in </s>) -> B best hypotheses (their tokens start
    with ``prefixes[b]`` when given; see the module docstring)."""
    device = next(model.parameters()).device if any(True for _ in model.parameters()) else "cpu"
    src, lengths = pad_batch(sources, device)
    enc, state = model.encode(src, lengths)
    batch = src.size(0)
    forced = [tuple(p) for p in prefixes] if prefixes is not None else [()] * batch
    guided = prefixes is not None or constraint is not None
    emitted: list[list[int]] = [[] for _ in range(batch)]  # per row, only kept when guided
    limits = torch.tensor(_limits(sources, forced, max_ratio), device=device)
    y = torch.full((batch,), BOS_ID, dtype=torch.long, device=device)
    finished = torch.zeros(batch, dtype=torch.bool, device=device)
    log_probs = torch.zeros(batch, device=device)
    out_tokens, attn_rows, gates = [], [], []
    for t in range(int(limits.max())):
        logp, weights, state = model.decode_step(y, state, enc)  # (B, V), (B, S)
        raw = logp.clone() if guided else logp
        if out_tokens:
            block_degenerate(logp, torch.stack(out_tokens, dim=1), no_repeat_ngram)
        if guided:
            for b in range(batch):
                if not bool(finished[b]):
                    _guide(logp, raw, b, forced[b], t, constraint, b, emitted[b][len(forced[b]) :])
        best_logp, y = logp.max(dim=-1)
        y = torch.where(finished, torch.full_like(y, PAD_ID), y)
        force_end = (t + 1 >= limits) & ~finished & (y != EOS_ID)
        if force_end.any():  # length guard: end the sentence here
            y = torch.where(force_end, torch.full_like(y, EOS_ID), y)
            best_logp = torch.where(force_end, logp[:, EOS_ID], best_logp)
        log_probs += torch.where(finished, torch.zeros_like(best_logp), best_logp)
        out_tokens.append(y)
        if guided:
            for b, tok in enumerate(y.tolist()):
                emitted[b].append(tok)
        attn_rows.append(weights)
        if state.gate is not None:
            gates.append(state.gate)
        finished |= y == EOS_ID
        if bool(finished.all()):
            break
    tokens = torch.stack(out_tokens, dim=1).tolist()  # (B, T)
    attention = torch.stack(attn_rows, dim=1).float().cpu().numpy()  # (B, T, S)
    copy = 1.0 - torch.stack(gates, dim=1).float().cpu().numpy() if gates else None  # (B, T)
    results = []
    for b in range(batch):
        seq = tokens[b]
        n = seq.index(EOS_ID) if EOS_ID in seq else len(seq)
        lp = float(log_probs[b])
        results.append(
            Hypothesis(
                tuple(seq[:n]),
                lp,
                _length_norm(lp, n + 1, alpha),
                attention[b, : n + 1, : len(sources[b])].copy(),
                None if copy is None else copy[b, : n + 1].copy(),
            )
        )
    return results


@torch.inference_mode()
def beam_search(
    model,
    sources: list[list[int]],
    beam_size: int = 5,
    *,
    n_best: int = 1,
    alpha: float = 1.0,
    max_ratio: float = 2.0,
    no_repeat_ngram: int = NO_REPEAT_NGRAM,
    prefixes: Sequence[Sequence[int]] | None = None,
    constraint: Constraint | None = None,
) -> list[list[Hypothesis]]:
    """Batched beam search: B sources -> B lists of ``n_best`` hypotheses, best first.

    Beams of all sentences run as one batch of B*K rows; the encoder runs once and its
    keys are reused. A sentence stops when it has ``beam_size`` finished hypotheses.
    ``prefixes`` / ``constraint``: see the module docstring.
    """
    if beam_size < 1 or n_best < 1 or n_best > beam_size:
        raise ValueError("need 1 <= n_best <= beam_size")
    device = next(model.parameters()).device if any(True for _ in model.parameters()) else "cpu"
    src, lengths = pad_batch(sources, device)
    batch, k = src.size(0), beam_size
    enc, state = model.encode(src, lengths)
    expand = torch.arange(batch, device=device).repeat_interleave(k)  # (B*K,)
    enc, state = enc.index_select(expand), state.index_select(expand)
    forced = [tuple(p) for p in prefixes] if prefixes is not None else [()] * batch
    guided = prefixes is not None or constraint is not None
    limits = _limits(sources, forced, max_ratio)
    scores = torch.full((batch, k), float("-inf"), device=device)
    scores[:, 0] = 0.0  # only the first beam is alive at the start
    y = torch.full((batch * k,), BOS_ID, dtype=torch.long, device=device)
    history = torch.zeros(batch * k, 0, dtype=torch.long, device=device)  # (B*K, t)
    attn_hist = torch.zeros(batch * k, 0, src.size(1), device=device)  # (B*K, t, S)
    gate_hist = torch.zeros(batch * k, 0, device=device)  # (B*K, t) p_gen so far (copy attention)
    finished: list[list[Hypothesis]] = [[] for _ in range(batch)]
    done = [False] * batch
    copy_on = getattr(getattr(model, "cfg", None), "copy_attention", False)
    for t in range(max(limits)):
        logp, weights, state = model.decode_step(y, state, enc)  # (B*K, V), (B*K, S)
        gate = state.gate if state.gate is not None else torch.ones(batch * k, device=device)  # (B*K,)
        raw = logp.clone() if guided else logp
        block_degenerate(logp, history, no_repeat_ngram)
        if guided:
            for b in range(batch):
                for bi in range(k):
                    row = b * k + bi
                    if not done[b] and float(scores[b, bi]) > float("-inf"):
                        _guide(logp, raw, row, forced[b], t, constraint, b, history[row, len(forced[b]) :].tolist())
        vocab = logp.size(-1)
        cand = (scores.unsqueeze(-1) + logp.view(batch, k, vocab)).view(batch, k * vocab)
        top_scores, top_idx = cand.topk(2 * k, dim=-1)  # (B, 2K)
        beam_idx, tok_idx = top_idx // vocab, top_idx % vocab
        top_scores_l, beam_l, tok_l = top_scores.tolist(), beam_idx.tolist(), tok_idx.tolist()
        next_rows, next_tok, next_scores = [], [], []
        for b in range(batch):
            row_base = b * k
            alive: list[tuple[int, int, float]] = []
            if not done[b] and t + 1 >= limits[b]:  # length guard: close every live beam with </s>
                for bi in range(k):
                    row = row_base + bi
                    if float(scores[b, bi]) > float("-inf"):
                        total = float(scores[b, bi]) + float(logp[row, EOS_ID])
                        finished[b].append(
                            _finish(
                                history[row],
                                attn_hist[row],
                                weights[row],
                                total,
                                len(sources[b]),
                                alpha,
                                gate_hist[row],
                                gate[row],
                                copy_on,
                            )
                        )
                done[b] = True
            elif not done[b]:
                for rank in range(2 * k):
                    sc, bi, tok = top_scores_l[b][rank], beam_l[b][rank], tok_l[b][rank]
                    if sc == float("-inf"):
                        break
                    row = row_base + bi
                    if tok == EOS_ID:
                        if rank < k:  # a finished beam only counts if it ranks among the top K
                            finished[b].append(
                                _finish(
                                    history[row],
                                    attn_hist[row],
                                    weights[row],
                                    sc,
                                    len(sources[b]),
                                    alpha,
                                    gate_hist[row],
                                    gate[row],
                                    copy_on,
                                )
                            )
                        continue
                    alive.append((row, tok, sc))
                    if len(alive) == k:
                        break
                if len(finished[b]) >= k or not alive:
                    done[b] = True
            if done[b]:
                alive = [(row_base, PAD_ID, float("-inf"))] * k
            alive += [(row_base, PAD_ID, float("-inf"))] * (k - len(alive))
            for row, tok, sc in alive:
                next_rows.append(row)
                next_tok.append(tok)
                next_scores.append(sc)
        if all(done):
            break
        rows = torch.tensor(next_rows, device=device)
        y = torch.tensor(next_tok, device=device)
        scores = torch.tensor(next_scores, device=device).view(batch, k)
        state = state.index_select(rows)
        history = torch.cat([history.index_select(0, rows), y.unsqueeze(1)], dim=1)
        attn_hist = torch.cat([attn_hist.index_select(0, rows), weights.index_select(0, rows).unsqueeze(1)], dim=1)
        gate_hist = torch.cat([gate_hist.index_select(0, rows), gate.index_select(0, rows).unsqueeze(1)], dim=1)
    return [sorted(hyps, key=lambda h: h.score, reverse=True)[:n_best] for hyps in finished]


def _finish(
    history: Tensor,
    attn_hist: Tensor,
    last_attn: Tensor,
    total: float,
    src_len: int,
    alpha: float,
    gate_hist: Tensor,
    last_gate: Tensor,
    copy_on: bool,
) -> Hypothesis:
    toks = tuple(history.tolist())
    attn = torch.cat([attn_hist, last_attn.unsqueeze(0)], 0)[:, :src_len]
    copy = (1.0 - torch.cat([gate_hist, last_gate.view(1)])).float().cpu().numpy() if copy_on else None
    return Hypothesis(toks, total, _length_norm(total, len(toks) + 1, alpha), attn.float().cpu().numpy(), copy)


MAX_BEAM = 64  # beam size and n-best: wider costs memory (beam x batch x vocabulary) for nothing


def check_beam(beam_size: Any, n_best: Any = 1) -> None:
    """The one range check of the decoding widths (CLI flags, worker requests, every search):
    ValueError with a clear message instead of an allocator traceback or a silent 0."""
    for what, value in (("beam size", beam_size), ("n-best", n_best)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 1 <= value <= MAX_BEAM:
            raise ValueError(f"{what} must be a whole number from 1 to {MAX_BEAM} (got {value!r})")


def search(model, sources: list[list[int]], beam_size: int = 1, n_best: int = 1, **kwargs) -> list[list[Hypothesis]]:
    """The ``n_best`` hypotheses of each source, best first: greedy for beam 1 and one
    hypothesis, beam search (at least ``n_best`` wide) otherwise."""
    check_beam(beam_size, n_best)
    if not sources:
        return []
    if beam_size <= 1 and n_best <= 1:
        return [[h] for h in greedy_search(model, sources, **kwargs)]
    return beam_search(model, sources, max(beam_size, n_best), n_best=n_best, **kwargs)
