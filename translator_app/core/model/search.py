"""Decoding: batched greedy and beam search.

Pure functions over a model exposing ``encode(src, lengths)`` and
``decode_step(y_prev, state, enc)`` (see :class:`translator_app.core.model.model.Seq2Seq`).
Every hypothesis carries its subword ids, its score and its attention matrix
(target tokens x source tokens, each row summing to 1), and with copy attention the
copy probability (1 - p_gen) of every output token.

Degenerate output is blocked in both searches: no n-gram of ``no_repeat_ngram`` subwords
occurs twice in one output, no 3-gram three times, and the output is at most ``max_ratio`` x
the source length + 10. Their settings, and the choice between them, are one
:class:`~translator_app.core.model.decoding.DecodeConfig` given to :func:`search`.

Both searches can continue a given start (interactive translation, :mod:`.interactive`):
``prefixes`` are ids decoded first whatever the model prefers (their log-probabilities count in
the score, blocking does not apply to them), and ``constraint(b, ids_after_prefix)`` may then
return a (V,) bool mask of the ids allowed next (None: free), e.g. pieces spelling a partly
typed word. The length bound becomes at least the prefix length + 10.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from translator_app.core.model.decoding import DOCUMENT, LIVE, DecodeConfig
from translator_app.core.text.tokenizer import BOS_ID, EOS_ID, PAD_ID

MAX_OUTPUT_LEN = 256


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


@dataclass(frozen=True)
class _Guide:
    """The forced start of each source (empty: none) and the constraint after it."""

    forced: list[tuple[int, ...]]
    constraint: Constraint | None
    active: bool  # prefixes or a constraint were given: rows are guided step by step

    @classmethod
    def of(cls, batch: int, prefixes: Sequence[Sequence[int]] | None, constraint: Constraint | None) -> _Guide:
        forced = [tuple(p) for p in prefixes] if prefixes is not None else [()] * batch
        return cls(forced, constraint, prefixes is not None or constraint is not None)


def _device(model) -> torch.device | str:
    return next(model.parameters()).device if any(True for _ in model.parameters()) else "cpu"


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
    alpha: float = LIVE.alpha,
    max_ratio: float = LIVE.max_ratio,
    no_repeat_ngram: int = LIVE.no_repeat_ngram,
    prefixes: Sequence[Sequence[int]] | None = None,
    constraint: Constraint | None = None,
) -> list[Hypothesis]:
    """sources: B lists of source ids (ending in </s>) -> B best hypotheses (their tokens start
    with ``prefixes[b]`` when given; see the module docstring)."""
    device = _device(model)
    src, lengths = pad_batch(sources, device)
    enc, state = model.encode(src, lengths)
    batch = src.size(0)
    guide = _Guide.of(batch, prefixes, constraint)
    forced, guided = guide.forced, guide.active
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
    return _greedy_results(sources, out_tokens, attn_rows, gates, log_probs, alpha)


def _greedy_results(
    sources: list[list[int]], out_tokens: list, attn_rows: list, gates: list, log_probs: Tensor, alpha: float
) -> list[Hypothesis]:
    """The hypotheses of a greedy search from its steps: T tensors of ids (B,), of attention (B, S)
    and of p_gen (B,) (none without copy attention), and the (B,) summed log-probabilities."""
    tokens = torch.stack(out_tokens, dim=1).tolist()  # (B, T)
    attention = torch.stack(attn_rows, dim=1).float().cpu().numpy()  # (B, T, S)
    copy = 1.0 - torch.stack(gates, dim=1).float().cpu().numpy() if gates else None  # (B, T)
    results = []
    for b, seq in enumerate(tokens):
        n = seq.index(EOS_ID) if EOS_ID in seq else len(seq)
        lp = float(log_probs[b])
        attn = attention[b, : n + 1, : len(sources[b])].copy()
        gate = None if copy is None else copy[b, : n + 1].copy()
        results.append(Hypothesis(tuple(seq[:n]), lp, _length_norm(lp, n + 1, alpha), attn, gate))
    return results


@dataclass
class _Beams:
    """The live beams of a batched beam search: B sentences x K rows, row b*K + i is beam i of b."""

    scores: Tensor  # (B, K) total log-probability of each beam, -inf for a dead one
    history: Tensor  # (B*K, t) output ids so far
    attn_hist: Tensor  # (B*K, t, S) attention of every output id so far
    gate_hist: Tensor  # (B*K, t) p_gen so far (copy attention)

    @classmethod
    def start(cls, batch: int, k: int, src_len: int, device) -> _Beams:
        scores = torch.full((batch, k), float("-inf"), device=device)
        scores[:, 0] = 0.0  # only the first beam is alive at the start
        history = torch.zeros(batch * k, 0, dtype=torch.long, device=device)
        return cls(scores, history, torch.zeros(batch * k, 0, src_len, device=device), history.float())

    def alive(self, b: int, bi: int) -> bool:
        return float(self.scores[b, bi]) > float("-inf")

    def advance(self, rows: Tensor, y: Tensor, scores: Tensor, weights: Tensor, gate: Tensor) -> None:
        """Keep ``rows`` (B*K,), each extended by its id in ``y`` (B*K,) with this step's attention and gate."""
        self.scores = scores
        self.history = torch.cat([self.history.index_select(0, rows), y.unsqueeze(1)], dim=1)
        attn = weights.index_select(0, rows).unsqueeze(1)  # (B*K, 1, S)
        self.attn_hist = torch.cat([self.attn_hist.index_select(0, rows), attn], dim=1)
        self.gate_hist = torch.cat([self.gate_hist.index_select(0, rows), gate.index_select(0, rows).unsqueeze(1)], 1)


@dataclass(frozen=True)
class _Step:
    """One decoding step of every row: what a hypothesis that ends here takes from it."""

    logp: Tensor  # (B*K, V) next-token log-probabilities (blocked, guided)
    weights: Tensor  # (B*K, S) attention of this step
    gate: Tensor  # (B*K,) p_gen of this step (1 without copy attention)
    alpha: float
    copy_on: bool

    def finish(self, beams: _Beams, row: int, total: float, src_len: int) -> Hypothesis:
        toks = tuple(beams.history[row].tolist())
        attn = torch.cat([beams.attn_hist[row], self.weights[row].unsqueeze(0)], 0)[:, :src_len]
        copy = None
        if self.copy_on:
            copy = (1.0 - torch.cat([beams.gate_hist[row], self.gate[row].view(1)])).float().cpu().numpy()
        score = _length_norm(total, len(toks) + 1, self.alpha)
        return Hypothesis(toks, total, score, attn.float().cpu().numpy(), copy)


def _close_all(beams: _Beams, step: _Step, b: int, k: int, src_len: int) -> list[Hypothesis]:
    """Length guard: every live beam of sentence ``b`` ends here with </s>."""
    return [
        step.finish(beams, b * k + bi, float(beams.scores[b, bi]) + float(step.logp[b * k + bi, EOS_ID]), src_len)
        for bi in range(k)
        if beams.alive(b, bi)
    ]


def _extend(
    beams: _Beams, step: _Step, b: int, k: int, src_len: int, top: tuple[list, list, list], finished: list[Hypothesis]
) -> list[tuple[int, int, float]]:
    """Sentence ``b``'s next beams (row, token, score), at most K, from its 2K best candidates ``top``
    (scores, beam indices, tokens; best first); one ending in </s> among the top K joins ``finished``."""
    alive: list[tuple[int, int, float]] = []
    for rank, (sc, bi, tok) in enumerate(zip(*top)):
        if sc == float("-inf"):
            break
        row = b * k + bi
        if tok == EOS_ID:
            if rank < k:  # a finished beam only counts if it ranks among the top K
                finished.append(step.finish(beams, row, sc, src_len))
            continue
        alive.append((row, tok, sc))
        if len(alive) == k:
            break
    return alive


def _guide_beams(logp: Tensor, raw: Tensor, beams: _Beams, guide: _Guide, t: int, done: list[bool], k: int) -> None:
    """Apply the prefixes / constraint to every live row (see :func:`_guide`)."""
    for b in range(len(done)):
        for bi in range(k):
            row = b * k + bi
            if not done[b] and beams.alive(b, bi):
                after = beams.history[row, len(guide.forced[b]) :].tolist()
                _guide(logp, raw, row, guide.forced[b], t, guide.constraint, b, after)


def _select(
    beams: _Beams, step: _Step, t: int, sources: list[list[int]], limits: list[int], finished, done: list[bool]
) -> list[tuple[int, int, float]]:
    """The next (row, token, score) of every row (B*K): each sentence's best extensions, padded with
    dead rows; sentences that end (K finished, nothing alive, the length bound) are marked ``done``."""
    batch, k = beams.scores.shape
    vocab = step.logp.size(-1)
    cand = (beams.scores.unsqueeze(-1) + step.logp.view(batch, k, vocab)).view(batch, k * vocab)
    top_scores, top_idx = cand.topk(2 * k, dim=-1)  # (B, 2K)
    top = (top_scores.tolist(), (top_idx // vocab).tolist(), (top_idx % vocab).tolist())
    chosen: list[tuple[int, int, float]] = []
    for b in range(batch):
        alive: list[tuple[int, int, float]] = []
        if not done[b] and t + 1 >= limits[b]:  # length guard: close every live beam with </s>
            finished[b] += _close_all(beams, step, b, k, len(sources[b]))
            done[b] = True
        elif not done[b]:
            alive = _extend(beams, step, b, k, len(sources[b]), (top[0][b], top[1][b], top[2][b]), finished[b])
            done[b] = len(finished[b]) >= k or not alive
        if done[b]:
            alive = []
        chosen += alive + [(b * k, PAD_ID, float("-inf"))] * (k - len(alive))
    return chosen


@torch.inference_mode()
def beam_search(
    model,
    sources: list[list[int]],
    beam_size: int = DOCUMENT.beam_size,
    *,
    n_best: int = DOCUMENT.n_best,
    alpha: float = DOCUMENT.alpha,
    max_ratio: float = DOCUMENT.max_ratio,
    no_repeat_ngram: int = DOCUMENT.no_repeat_ngram,
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
    device = _device(model)
    src, lengths = pad_batch(sources, device)
    batch, k = src.size(0), beam_size
    enc, state = model.encode(src, lengths)
    expand = torch.arange(batch, device=device).repeat_interleave(k)  # (B*K,)
    enc, state = enc.index_select(expand), state.index_select(expand)
    guide = _Guide.of(batch, prefixes, constraint)
    limits = _limits(sources, guide.forced, max_ratio)
    beams = _Beams.start(batch, k, src.size(1), device)
    y = torch.full((batch * k,), BOS_ID, dtype=torch.long, device=device)
    finished: list[list[Hypothesis]] = [[] for _ in range(batch)]
    done = [False] * batch
    copy_on = getattr(getattr(model, "cfg", None), "copy_attention", False)
    for t in range(max(limits)):
        logp, weights, state = model.decode_step(y, state, enc)  # (B*K, V), (B*K, S)
        gate = state.gate if state.gate is not None else torch.ones(batch * k, device=device)  # (B*K,)
        raw = logp.clone() if guide.active else logp
        block_degenerate(logp, beams.history, no_repeat_ngram)
        if guide.active:
            _guide_beams(logp, raw, beams, guide, t, done, k)
        chosen = _select(beams, _Step(logp, weights, gate, alpha, copy_on), t, sources, limits, finished, done)
        if all(done):
            break
        rows = torch.tensor([c[0] for c in chosen], device=device)
        y = torch.tensor([c[1] for c in chosen], device=device)
        state = state.index_select(rows)
        beams.advance(rows, y, torch.tensor([c[2] for c in chosen], device=device).view(batch, k), weights, gate)
    return [sorted(hyps, key=lambda h: h.score, reverse=True)[:n_best] for hyps in finished]


def search(
    model,
    sources: list[list[int]],
    config: DecodeConfig = LIVE,
    *,
    prefixes: Sequence[Sequence[int]] | None = None,
    constraint: Constraint | None = None,
) -> list[list[Hypothesis]]:
    """The ``config.n_best`` hypotheses of each source, best first: greedy for beam 1 and one
    hypothesis, beam search (at least ``n_best`` wide) otherwise. ``prefixes`` / ``constraint``:
    see the module docstring."""
    if not sources:
        return []
    options = config.search_options()
    if config.beam_size <= 1 and config.n_best <= 1:
        return [[h] for h in greedy_search(model, sources, prefixes=prefixes, constraint=constraint, **options)]
    width = max(config.beam_size, config.n_best)
    return beam_search(model, sources, width, n_best=config.n_best, prefixes=prefixes, constraint=constraint, **options)
