"""Sampling the training pairs by source: every epoch takes from each source its share.

A corpus built by ``make corpus`` says where each pair came from (its ``.sources`` sidecar,
core/text/corpus_sources.py). With ``DataConfig.source_weights`` and/or ``source_temperature``
an epoch stops being "every training pair once": it holds as many rows as there are training
pairs, of which source *i* gives ``share_i`` × that many, where

* ``source_temperature`` T > 0 gives every source a share ∝ ``pairs_i ** (1 / T)`` (T = 1: in
  proportion to its pairs, as an unweighted epoch; T = 2, 3, …: small sources up, large ones down);
* ``source_weights`` ("tatoeba=0.4,manpages=0.1") fixes the named sources' shares; the others
  share what is left as the temperature says (in proportion to their pairs without one). When
  every source is named the weights are relative (normalised); a weight of 0 leaves a source out.

A down-weighted source rotates: its draws walk round a seeded permutation of its rows, so every
pair is seen once in ``ceil(pairs / per_epoch)`` epochs (and once every ``pairs`` draws). An up-weighted one
repeats: each epoch holds ``per_epoch // pairs`` whole passes over it, and the remainder walks on
as a down-weighted source does (each pair ``per_epoch / pairs`` times an epoch, rounded up or down). The
rows of an epoch depend only on the seed and the epoch number, so a resumed run draws the same
epochs. The loop reads them through ``Run.epoch_rows`` like fine-tuning's replay rotation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from translator_app.core.base.config import DataConfig, parse_source_weights


@dataclass(frozen=True)
class SourceShare:
    """One source of a sampled run (recorded in the run's meta as ``source_mix``)."""

    name: str
    pairs: int  # training rows of this source (after the split and the subword-length filter)
    share: float  # of every epoch's rows
    per_epoch: int  # rows drawn from it every epoch


def source_shares(counts: dict[str, int], weights: dict[str, float], temperature: float) -> dict[str, float]:
    """The share of each source in ``counts`` (its training pairs), summing to 1. Raises ValueError for
    a weight naming no source of the corpus, or named shares that leave nothing to the others."""
    unknown = sorted(set(weights) - set(counts))
    if unknown:
        raise ValueError(f"source weights name {', '.join(unknown)}, not a source of the corpus ({', '.join(counts)})")
    base = {name: float(n) ** (1.0 / temperature) if temperature > 0 else float(n) for name, n in counts.items()}
    rest = [name for name in counts if name not in weights]
    named = sum(weights.values())
    if not rest:
        return {name: weights[name] / named for name in counts}
    if named >= 1.0:
        raise ValueError(
            f"the named sources' shares add up to {named:g}, leaving nothing to {', '.join(rest)}: "
            "name every source, or keep the shares below 1 in all"
        )
    rest_total = sum(base[name] for name in rest)
    return {name: weights[name] if name in weights else (1.0 - named) * base[name] / rest_total for name in counts}


class SourceMix:
    """The rows of each epoch, drawn by source: ``rows(epoch)`` (indices into the encoded corpus)."""

    def __init__(self, row_labels: Sequence[str], data_cfg: DataConfig):
        names, inverse = np.unique(np.asarray(row_labels, dtype=object).astype(str), return_inverse=True)
        self._rows = [np.flatnonzero(inverse == i) for i in range(len(names))]
        counts = {str(name): len(rows) for name, rows in zip(names, self._rows)}
        shares = source_shares(counts, parse_source_weights(data_cfg.source_weights), data_cfg.source_temperature)
        self.epoch_pairs = len(row_labels)
        self.weights, self.temperature, self.seed = data_cfg.source_weights, data_cfg.source_temperature, data_cfg.seed
        self.table = [
            SourceShare(name, counts[name], shares[name], _quota(shares[name], self.epoch_pairs)) for name in counts
        ]

    def rows(self, epoch: int) -> np.ndarray:
        """The rows of ``epoch``: ``per_epoch`` rows of each source, continuing its walk."""
        parts = [
            _draw(rows, share.per_epoch, epoch, (self.seed, i))
            for i, (rows, share) in enumerate(zip(self._rows, self.table))
        ]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def to_meta(self) -> dict:
        """What the run records (run.json and every bundle's config.json, as ``meta["source_mix"]``)."""
        return {
            "weights": self.weights,
            "temperature": self.temperature,
            "epoch_pairs": sum(s.per_epoch for s in self.table),
            "sources": {
                s.name: {"pairs": s.pairs, "share": round(s.share, 6), "per_epoch": s.per_epoch} for s in self.table
            },
        }

    def summary(self) -> str:
        """One line for the Status event at the start of the run."""
        how = [f"temperature {self.temperature:g}"] * (self.temperature > 0) + [f"weights {self.weights}"] * bool(
            self.weights.strip()
        )
        parts = [
            f"{s.name} {100 * s.share:.1f} % ({s.pairs:,} pairs, {s.per_epoch:,} an epoch)"
            for s in sorted(self.table, key=lambda s: -s.share)
        ]
        total = sum(s.per_epoch for s in self.table)
        return f"Sampling by source ({', '.join(how)}), {total:,} pairs an epoch: " + "; ".join(parts)


def _quota(share: float, epoch_pairs: int) -> int:
    """Rows an epoch for a share: at least one for a share above 0."""
    return max(1, round(share * epoch_pairs)) if share > 0 else 0


def _draw(rows: np.ndarray, count: int, epoch: int, seed: tuple[int, int]) -> np.ndarray:
    """``count`` of ``rows`` for ``epoch``: as many whole passes as fit (each a fresh permutation),
    then the rest: positions ``epoch * rest`` … ``(epoch + 1) * rest - 1`` of a walk round one seeded
    permutation (fewer than ``len(rows)`` positions in a row never hold a row twice)."""
    n = len(rows)
    if n == 0 or count == 0:
        return np.zeros(0, dtype=np.int64)
    whole, rest = divmod(count, n)
    parts = [rows[np.random.default_rng([*seed, 1, epoch, k]).permutation(n)] for k in range(whole)]
    if rest:
        order = np.random.default_rng([*seed, 0]).permutation(n)
        parts.append(rows[order[np.arange(epoch * rest, (epoch + 1) * rest) % n]])
    return np.concatenate(parts)
