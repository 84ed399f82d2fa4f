"""What a training run is asked to do, as one frozen value: :class:`TrainRequest`.

The corpus (:class:`CorpusSpec`), the run folder, the four configs, whether to resume, and a
:class:`FinetuneSpec` (start from a trained model) or None. The CLI (``cli_train``) and the
Training tab (``gui/training_form`` → ``workers/training``) both build the configs with
:func:`resolve` (a preset, the settings given, the base model's architecture when fine-tuning)
and hand the request to ``core.train.training.train(request)``. Imports no torch and no Qt; only the
config and bundle-metadata modules of the core.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, NamedTuple

from translator_app.core.base.config import (
    DEFAULT_ANCHOR,
    DEFAULT_MAX_GENERAL_DROP,
    FINETUNE_DATA,
    FINETUNE_PRESET,
    PRESETS,
    TRAIN_PRESETS,
    DataConfig,
    ModelConfig,
    TokenizerConfig,
    TrainConfig,
    from_dict,
)
from translator_app.core.folders.bundlemeta import read_config

GENERAL_DEV_MAX = 300  # distinct sources of the general dev set scored at each validation
CONFIG_PARTS = ("model", "train", "tokenizer", "data")  # the keys of resolve()'s overrides


@dataclass(frozen=True)
class CorpusSpec:
    path: str
    target_path: str | None = None


@dataclass(frozen=True)
class FinetuneSpec:
    base: str  # the base model's bundle folder
    replay_share: float | None = None  # share of general pairs in the training mix; None = 0.5 if found
    replay_corpus: str | None = None  # general data to replay: a TSV (or other corpus) file or a run folder
    dropout: float | None = None  # None keeps the base model's
    general_max: int = GENERAL_DEV_MAX
    anchor: float = DEFAULT_ANCHOR  # L2-SP pull toward the base weights (core/train/anchor.py); 0 = off
    freeze: str = "none"  # "embeddings" | "encoder": parts that do not train
    max_general_drop: float = DEFAULT_MAX_GENERAL_DROP  # general BLEU the kept checkpoint may lose

    def __post_init__(self) -> None:
        if self.replay_share is not None and not 0.0 <= self.replay_share < 1.0:
            raise ValueError(f"the replay share must be at least 0 and below 1, got {self.replay_share}")
        if not 0.0 <= self.anchor <= 1000.0 or not self.max_general_drop >= 0.0:
            raise ValueError(
                f"anchor must be 0..1000 and max_general_drop at least 0 ({self.anchor}, {self.max_general_drop})"
            )
        if self.freeze not in ("none", "embeddings", "encoder"):
            raise ValueError(f"freeze must be none, embeddings or encoder, got {self.freeze!r}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FinetuneSpec:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Configs(NamedTuple):
    model: ModelConfig
    train: TrainConfig
    tokenizer: TokenizerConfig
    data: DataConfig


def resolve(
    preset: str, overrides: Mapping[str, Mapping[str, Any]] | None = None, base_model: ModelConfig | None = None
) -> Configs:
    """The configs of a run: the preset's (with ``base_model``, fine-tuning: its architecture, its
    vocabulary size and the fine-tuning training and data presets), then each override put into
    its field (``{"train": {"lr": 1e-3}, ...}``, keys of :data:`CONFIG_PARTS`). A fine-tuned model
    keeps its base model's tokenizer and architecture: overriding them (dropout aside) is a
    ValueError. (A budget left out entirely is the CLI's to default: the app's fields are explicit.)"""
    over = {part: dict(values) for part, values in (overrides or {}).items() if values}
    unknown = set(over) - set(CONFIG_PARTS)
    if unknown:
        raise ValueError(f"unknown config parts {sorted(unknown)} (known: {', '.join(CONFIG_PARTS)})")
    model, train, tok = PRESETS[preset]
    data = DataConfig()
    if base_model is not None:
        fixed = [k for k in over.get("model", {}) if k != "dropout"] + list(over.get("tokenizer", {}))
        if fixed:
            raise ValueError(
                f"{', '.join(fixed)} cannot be changed when fine-tuning: a fine-tuned model keeps the base "
                "model's tokenizer and architecture"
            )
        model, train, data = base_model, TRAIN_PRESETS[FINETUNE_PRESET], FINETUNE_DATA
        tok = replace(tok, vocab_size=base_model.src_vocab_size)
    return Configs(
        replace(model, **over.get("model", {})),
        replace(train, **over.get("train", {})),
        replace(tok, **over.get("tokenizer", {})),
        replace(data, **over.get("data", {})),
    )


def base_model_config(path: str | Path) -> ModelConfig:
    """The architecture of the bundle in ``path`` (its checked config.json; no torch). Raises
    BundleError, or ValueError / TypeError for a malformed "model" part."""
    return from_dict(ModelConfig, read_config(path).get("model", {}))


@dataclass(frozen=True)
class TrainRequest:
    """One training run: ``core.train.training.train(request, should_stop=...)``."""

    corpus: CorpusSpec  # ignored when ``resume`` finds a checkpoint (the run's data/ is read)
    out_dir: str | Path
    model_cfg: ModelConfig = field(default_factory=ModelConfig)
    train_cfg: TrainConfig = field(default_factory=TrainConfig)
    tok_cfg: TokenizerConfig = field(default_factory=TokenizerConfig)
    data_cfg: DataConfig = field(default_factory=DataConfig)
    resume: bool = False
    finetune: FinetuneSpec | None = None  # ignored when ``resume`` finds a checkpoint (run.json rules)
    meta: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"name": ...}: into run.json and the bundle

    @property
    def out(self) -> Path:
        return Path(self.out_dir)
