"""Events yielded by the training generator (plain frozen dataclasses, safe to send across threads)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Status:
    message: str


@dataclass(frozen=True)
class DataReady:
    summary: str
    train_pairs: int
    valid_pairs: int
    test_pairs: int
    vocab_size: int
    parameters: int
    src_lang: str
    tgt_lang: str


@dataclass(frozen=True)
class Progress:
    step: int
    epoch: int
    loss: float  # mean per-token training loss since the last event
    lr: float
    tokens_per_sec: float
    elapsed_s: float
    eta_s: float | None
    fraction: float | None  # 0..1 of the budget, None when unbounded


@dataclass(frozen=True)
class Sample:
    source: str
    reference: str
    hypothesis: str
    source_tokens: tuple[str, ...]
    target_tokens: tuple[str, ...]
    attention: np.ndarray  # (len(target_tokens), len(source_tokens))


@dataclass(frozen=True)
class Validation:
    step: int
    valid_loss: float
    bleu: float
    chrf: float
    best: bool  # the best in-domain score (``bleu``) so far; fine-tuning: among those within the general limit
    samples: tuple[Sample, ...]
    # fine-tuning runs: the general dev set beside the in-domain valid split, and the base model's
    # scores on both, measured once at step 0 (None for a new model)
    general_bleu: float | None = None
    general_chrf: float | None = None
    base_bleu: float | None = None
    base_general_bleu: float | None = None
    base_general_chrf: float | None = None
    # fine-tuning: the general budget (BLEU below base_general_bleu a checkpoint may lose and still be
    # the best; None: no limit) and whether this one stayed within it (None: not measurable)
    max_general_drop: float | None = None
    within_limit: bool | None = None

    @property
    def general_drop(self) -> float | None:
        """General BLEU lost against the base model (positive = worse than the base)."""
        if self.general_bleu is None or self.base_general_bleu is None:
            return None
        return self.base_general_bleu - self.general_bleu


@dataclass(frozen=True)
class OverLimit:
    """Fine-tuning: no checkpoint after step 0 kept the general drop within the limit, so the run's
    model is the base model; the best in-domain checkpoint is in ``folder`` (core/train/forgetting.py)."""

    step: int
    bleu: float
    general_drop: float
    limit: float
    base_bleu: float | None
    folder: str
    message: str


@dataclass(frozen=True)
class Finished:
    reason: str  # "budget" | "max_steps" | "max_epochs" | "early_stop" | "stopped"
    step: int
    out_dir: str
    best_bleu: float | None
    elapsed_s: float
    over_limit: OverLimit | None = None  # fine-tuning: the choice left to the person
    kept: str = ""  # fine-tuning: what the model kept is, when the end's judgement chose it (core/train/blend.py)


Event = Status | DataReady | Progress | Validation | Finished
