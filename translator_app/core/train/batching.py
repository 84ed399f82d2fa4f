"""Token-based, length-bucketed batches over an encoded corpus.

The corpus is held as two flat int32 arrays plus offsets (an index, not Python lists),
so memory grows with the number of tokens only.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from translator_app.core.text.tokenizer import BOS_ID, EOS_ID, PAD_ID, Tokenizers


class EncodedCorpus:
    """Source ids (ending in </s>) and target ids (no specials) of every kept pair."""

    def __init__(self, src: Sequence[Sequence[int]], tgt: Sequence[Sequence[int]], kept: Sequence[int] | None = None):
        # kept[i]: the index, among the pairs given to from_pairs, of row i (rows keep their order)
        self.kept = np.arange(len(src)) if kept is None else np.asarray(kept, dtype=np.int64)
        self.src_len = np.array([len(s) for s in src], dtype=np.int32)
        self.tgt_len = np.array([len(t) for t in tgt], dtype=np.int32)
        self._src = np.fromiter((i for s in src for i in s), dtype=np.int32, count=int(self.src_len.sum()))
        self._tgt = np.fromiter((i for t in tgt for i in t), dtype=np.int32, count=int(self.tgt_len.sum()))
        self._src_off = np.concatenate([[0], np.cumsum(self.src_len)])
        self._tgt_off = np.concatenate([[0], np.cumsum(self.tgt_len)])

    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[str, str]], tok: Tokenizers, max_len: int) -> tuple[EncodedCorpus, int]:
        """Encode pairs; drop those longer than ``max_len`` subwords. Returns (corpus, dropped)."""
        src_ids = tok.source.encode_batch([s for s, _ in pairs])
        tgt_ids = tok.target.encode_batch([t for _, t in pairs])
        keep = [i for i in range(len(pairs)) if 0 < len(src_ids[i]) < max_len and 0 < len(tgt_ids[i]) < max_len]
        corpus = cls([src_ids[i] + [EOS_ID] for i in keep], [tgt_ids[i] for i in keep], keep)
        return corpus, len(pairs) - len(keep)

    def __len__(self) -> int:
        return len(self.src_len)

    def source(self, i: int) -> list[int]:
        return self._src[self._src_off[i] : self._src_off[i + 1]].tolist()

    def target(self, i: int) -> list[int]:
        return self._tgt[self._tgt_off[i] : self._tgt_off[i + 1]].tolist()

    @property
    def target_tokens(self) -> int:
        return int(self.tgt_len.sum()) + len(self)  # + </s> per sentence


@dataclass
class Batch:
    src: Tensor  # (B, S) source ids, padded
    src_len: Tensor  # (B,)
    tgt_in: Tensor  # (B, T) <s> y1 .. yn, padded
    tgt_out: Tensor  # (B, T) y1 .. yn </s>, padded
    n_tokens: int  # real target tokens (tgt_out != pad)

    def to(self, device: torch.device | str) -> Batch:
        return Batch(self.src.to(device), self.src_len, self.tgt_in.to(device), self.tgt_out.to(device), self.n_tokens)


def make_batch(corpus: EncodedCorpus, indices: Sequence[int]) -> Batch:
    srcs = [corpus.source(i) for i in indices]
    tgts = [corpus.target(i) for i in indices]
    b, s, t = len(indices), max(map(len, srcs)), max(map(len, tgts)) + 1
    src = torch.full((b, s), PAD_ID, dtype=torch.long)
    tgt_in = torch.full((b, t), PAD_ID, dtype=torch.long)
    tgt_out = torch.full((b, t), PAD_ID, dtype=torch.long)
    for i, (x, y) in enumerate(zip(srcs, tgts)):
        src[i, : len(x)] = torch.tensor(x)
        tgt_in[i, : len(y) + 1] = torch.tensor([BOS_ID] + y)
        tgt_out[i, : len(y) + 1] = torch.tensor(y + [EOS_ID])
    n_tokens = sum(len(y) + 1 for y in tgts)
    return Batch(src, torch.tensor([len(x) for x in srcs]), tgt_in, tgt_out, n_tokens)


def bucket_batches(
    corpus: EncodedCorpus, batch_tokens: int, seed: int, shuffle: bool = True, rows: np.ndarray | None = None
) -> list[list[int]]:
    """Group sentences of similar length so padding stays small; each batch holds at most
    ``batch_tokens`` padded target+source tokens. Order of batches is shuffled per seed.
    ``rows``: only these sentences (indices into ``corpus``), e.g. one epoch's share of replay."""
    rows = np.arange(len(corpus)) if rows is None else np.asarray(rows)
    rng = np.random.default_rng(seed)
    noise = rng.random(len(rows)) if shuffle else np.zeros(len(rows))
    # by source length, then target length: most batches then hold sources of one length, which the
    # encoder runs without packing (twice as fast on CPU); the decoder's padding costs less
    order = rows[np.lexsort((noise, corpus.tgt_len[rows], corpus.src_len[rows]))]
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    src_len = -1
    for idx in order.tolist():
        length = max(int(corpus.tgt_len[idx]) + 1, int(corpus.src_len[idx]))
        full = current and max(longest, length) * (len(current) + 1) > batch_tokens
        # a new source length starts a new batch once this one is half full (uniform sources)
        new_length = current and corpus.src_len[idx] != src_len and 2 * longest * len(current) >= batch_tokens
        if full or new_length:
            batches.append(current)
            current, longest = [], 0
        src_len = corpus.src_len[idx]
        current.append(idx)
        longest = max(longest, length)
    if current:
        batches.append(current)
    if shuffle:
        random.Random(seed).shuffle(batches)
    return batches


def rotating_rows(total: int, fixed: int, rounds: int) -> list[np.ndarray]:
    """Rows of each epoch, in turn: the first ``fixed`` rows every time, plus one of ``rounds`` equal
    slices of the rest (fine-tuning: the in-domain pairs every epoch, fresh general pairs each time)."""
    rest = np.arange(fixed, total)
    return [np.concatenate([np.arange(fixed), part]) for part in np.array_split(rest, max(1, rounds))]


def in_turn(epochs: list[np.ndarray]) -> Callable[[int], np.ndarray]:
    """``Run.epoch_rows`` for a list of epochs (e.g. :func:`rotating_rows`): epoch e gets ``epochs[e % len]``."""
    return lambda epoch: epochs[epoch % len(epochs)]
