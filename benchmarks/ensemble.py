"""Ensembles of bundles for the decoding path, to measure whether they pay for their time (issue #28 item 5).

    .venv/bin/python benchmarks/quality.py --model "models/en-es+runs/candidate-en-es=ensemble" --sets ...

``quality.py`` reads a ``--model`` spec with ``+`` between bundle folders as an ensemble: the first
bundle's :class:`~translator_app.core.translation.translator.Translator` (tokenizer, name rule,
pipeline) decodes with :class:`Ensemble` in place of its network. Every step averages the members'
output *probabilities* (copy attention included: each member's distribution already mixes its
vocabulary and copy parts), the attention weights and the copy gates, so greedy and beam search,
constraints and alignments work unchanged. The members must share the tokenizer (same SHA-256 in
``config.json``); they may differ in weights, size and training. Decoding costs about the sum of
the members' times. Benchmarks only: the app does not ship it (see ``quality.md`` for whether it
pays).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from translator_app.core.folders.bundlemeta import read_config


@dataclass
class _Encoded:
    """One encoder output per member."""

    parts: list

    def index_select(self, index: Tensor) -> _Encoded:
        return _Encoded([p.index_select(index) for p in self.parts])


@dataclass
class _State:
    """One decoder state per member; ``gate``: their mean copy gate (N,), or None without copy attention."""

    parts: list
    gate: Tensor | None = None

    def index_select(self, index: Tensor) -> _State:
        gate = None if self.gate is None else self.gate.index_select(0, index)
        return _State([p.index_select(index) for p in self.parts], gate)


class Ensemble:
    """The ``encode`` / ``decode_step`` interface of ``Seq2Seq`` over several networks (search.py's use)."""

    def __init__(self, models: Sequence[torch.nn.Module]):
        if len(models) < 2:
            raise ValueError("an ensemble needs at least two models")
        self.models = list(models)
        self.cfg = models[0].cfg  # copy_attention, ids: the first member's (the tokenizer is shared)

    def parameters(self):
        for model in self.models:
            yield from model.parameters()

    def eval(self) -> Ensemble:
        for model in self.models:
            model.eval()
        return self

    def encode(self, src: Tensor, lengths: Tensor) -> tuple[_Encoded, _State]:
        """src (B, S), lengths (B,) -> every member's encoder output and first state."""
        pairs = [model.encode(src, lengths) for model in self.models]
        return _Encoded([enc for enc, _ in pairs]), _State([state for _, state in pairs])

    def decode_step(self, y_prev: Tensor, state: _State, enc: _Encoded) -> tuple[Tensor, Tensor, _State]:
        """y_prev (N,) -> log of the mean probability (N, V), mean attention (N, S), the members' new states."""
        steps = [m.decode_step(y_prev, s, e) for m, s, e in zip(self.models, state.parts, enc.parts, strict=True)]
        logp = torch.logsumexp(torch.stack([lp.float() for lp, _, _ in steps]), dim=0) - math.log(len(steps))
        weights = torch.stack([w.float() for _, w, _ in steps]).mean(dim=0)
        gates = [s.gate for _, _, s in steps]
        gate = None if any(g is None for g in gates) else torch.stack(gates).mean(dim=0)
        return logp, weights, _State([s for _, _, s in steps], gate)


def check_tokenizers(paths: Sequence[str | Path]) -> None:
    """Raise ValueError unless every bundle has the first one's tokenizer."""
    digests = [read_config(p).get("tokenizer", {}).get("sha256") for p in paths]
    for path, digest in zip(paths[1:], digests[1:], strict=True):
        if digest != digests[0]:
            raise ValueError(f"{path}: another tokenizer than {paths[0]}: cannot be ensembled with it")


def load_ensemble(paths: Sequence[str | Path]):
    """The first bundle's Translator decoding with the ensemble of all of them."""
    from translator_app.core.translation.translator import Translator

    check_tokenizers(paths)
    translators = [Translator.load(p) for p in paths]
    first = translators[0]
    first.model = Ensemble([t.model for t in translators]).eval()
    return first
