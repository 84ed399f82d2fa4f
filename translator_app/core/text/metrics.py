"""Corpus BLEU and chrF via sacrebleu, with any number of references per sentence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sacrebleu


@dataclass(frozen=True)
class Scores:
    bleu: float
    chrf: float
    sentences: int
    max_refs: int

    def __str__(self) -> str:
        return f"BLEU {self.bleu:.2f}  chrF {self.chrf:.2f}  ({self.sentences} sentences, up to {self.max_refs} refs)"


def corpus_scores(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> Scores:
    """``references[i]`` lists every reference translation of sentence i (at least one)."""
    if len(hypotheses) != len(references):
        raise ValueError("one list of references per hypothesis is needed")
    if not hypotheses:
        return Scores(0.0, 0.0, 0, 0)
    width = max(len(r) for r in references)
    streams = [[refs[j] if j < len(refs) else None for refs in references] for j in range(width)]
    bleu = sacrebleu.corpus_bleu(list(hypotheses), streams)
    chrf = sacrebleu.corpus_chrf(list(hypotheses), streams)
    return Scores(round(bleu.score, 2), round(chrf.score, 2), len(hypotheses), width)
