"""A run's training data before the first step: the corpus read and split, the training pairs
augmented and masked, and :class:`RunSetup`, everything setup decided.

Used by :mod:`~translator_app.core.train.run_setup` (a new or resumed run) and
:mod:`~translator_app.core.train.finetune` (a fine-tuning run); imports neither (no cycle) and no torch.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from translator_app.core.base.config import DataConfig, ModelConfig, TrainConfig, parse_source_weights
from translator_app.core.text import corpus as corpus_mod
from translator_app.core.text.tokenizer import Tokenizers
from translator_app.core.train.request import CorpusSpec
from translator_app.core.train.source_mix import source_shares


@dataclass
class RunSetup:
    """Everything the loop needs that setup decided (new run, fine-tuning run or resume)."""

    model_cfg: ModelConfig
    train_cfg: TrainConfig
    data_cfg: DataConfig
    meta: dict[str, Any]
    split: corpus_mod.Split
    tok: Tokenizers
    summary: str
    state: dict[str, Any] | None
    init_weights: dict[str, Any] | None = None  # fine-tuning: the base model's float weights
    general: list[tuple[str, str]] = field(default_factory=list)  # fine-tuning: general dev pairs
    sources: list[str] | None = None  # sampling by source: the source of each pair of split.train


def mask_pairs(pairs: list[tuple[str, str]], src_lang: str, tgt_lang: str) -> list[tuple[str, str]]:
    """Protected spans found on both sides become the same placeholder (see core/text/spans.py)."""
    from translator_app.core.text.spans import mask_pair

    return [mask_pair(s, t, src_lang, tgt_lang) for s, t in pairs]


def prepare_train_pairs(
    pairs: list[tuple[str, str]], data_cfg: DataConfig, placeholders: bool, src_lang: str, tgt_lang: str
) -> list[tuple[str, str]]:
    """Entity augmentation, then protected-span masking (when the tokenizer has placeholders)."""
    if data_cfg.augment_share > 0:
        from translator_app.core.text.augment import augment_pairs

        pairs, _ = augment_pairs(
            pairs, share=data_cfg.augment_share, seed=data_cfg.seed, src_lang=src_lang, tgt_lang=tgt_lang
        )
    if data_cfg.protect_spans and placeholders:  # the model learns to carry placeholders through
        pairs = mask_pairs(pairs, src_lang, tgt_lang)
    return pairs


def read_and_split(
    spec: CorpusSpec, data_cfg: DataConfig
) -> tuple[corpus_mod.Split, corpus_mod.CorpusReport, list[str] | None]:
    """The corpus read once (cleaned, deduplicated unless ``keep_duplicates``) and split by source
    sentence; with ``data_cfg.by_source``, also the source label of each training pair (from the
    corpus's ``.sources`` sidecar, core/text/corpus_sources.py), else None."""
    options = {"max_chars": data_cfg.max_chars, "lowercase": data_cfg.lowercase, "dedupe": not data_cfg.keep_duplicates}
    labels: list[str] | None = None
    if data_cfg.by_source:
        if spec.target_path is not None:
            raise corpus_mod.CorpusError(spec.path, None, "sampling by source needs one TSV with its .sources file")
        from translator_app.core.text.corpus_sources import read_labelled_corpus

        pairs, labels, report = read_labelled_corpus(spec.path, **options)
    else:
        pairs, report = corpus_mod.read_corpus(spec.path, spec.target_path, **options)
    split = corpus_mod.split_by_source(pairs, data_cfg.valid_size, data_cfg.test_size, data_cfg.seed)
    if labels is not None:  # split_by_source keeps the order of the training pairs
        held_out = {s for s, _ in split.valid} | {s for s, _ in split.test}
        labels = [label for (src, _), label in zip(pairs, labels) if src not in held_out]
        assert len(labels) == len(split.train)
        # the weights checked against the corpus's sources now, not after the tokenizer is trained
        source_shares(Counter(labels), parse_source_weights(data_cfg.source_weights), data_cfg.source_temperature)
    if data_cfg.keep_duplicates:  # repeats weight training; scored once each
        split = corpus_mod.Split(split.train, list(dict.fromkeys(split.valid)), list(dict.fromkeys(split.test)))
    if not split.train or not split.valid:
        raise corpus_mod.CorpusError(spec.path, None, f"too few distinct sentences to train ({len(pairs)} pairs)")
    return split, report, labels
