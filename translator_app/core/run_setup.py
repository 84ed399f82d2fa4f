"""What a training run decides before its first step: data, tokenizer, configs, resume state.

:func:`setup` yields Status events and then one :class:`RunSetup`, for a new run (read and
split the corpus, train the SentencePiece tokenizer), a fine-tuning run (the base model's
tokenizer, configuration and weights, see :mod:`translator_app.core.finetune`) or a resumed
run (everything back from ``run.json``, ``data/*.tsv``, the tokenizer files and the checkpoint).
Only rank 0 reads the corpus and writes the run files; the other ranks load what it wrote.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from translator_app.core import corpus as corpus_mod
from translator_app.core.checkpoint import (
    JOINT_TOKENIZER,
    SOURCE_TOKENIZER,
    TARGET_TOKENIZER,
    TRAIN_STATE_FILE,
    atomic_write_bytes,
    atomic_write_text,
    load_train_state,
)
from translator_app.core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig, from_dict, to_dict
from translator_app.core.distributed import DistContext, barrier
from translator_app.core.events import Status
from translator_app.core.filenames import HISTORY_FILE, RUN_FILE
from translator_app.core.names import name_rule_from_pairs
from translator_app.core.tokenizer import SubwordModel, Tokenizers, train_tokenizers

DATA_DIR = "data"
GENERAL_FILE = "general.tsv"  # fine-tuning: the general dev set scored beside the in-domain one


@dataclass(frozen=True)
class CorpusSpec:
    path: str
    target_path: str | None = None


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


def mask_pairs(pairs: list[tuple[str, str]], src_lang: str, tgt_lang: str) -> list[tuple[str, str]]:
    """Protected spans found on both sides become the same placeholder (see core/spans.py)."""
    from translator_app.core.spans import mask_pair

    return [mask_pair(s, t, src_lang, tgt_lang) for s, t in pairs]


def prepare_train_pairs(
    pairs: list[tuple[str, str]], data_cfg: DataConfig, placeholders: bool, src_lang: str, tgt_lang: str
) -> list[tuple[str, str]]:
    """Entity augmentation, then protected-span masking (when the tokenizer has placeholders)."""
    if data_cfg.augment_share > 0:
        from translator_app.core.augment import augment_pairs

        pairs, _ = augment_pairs(
            pairs, share=data_cfg.augment_share, seed=data_cfg.seed, src_lang=src_lang, tgt_lang=tgt_lang
        )
    if data_cfg.protect_spans and placeholders:  # the model learns to carry placeholders through
        pairs = mask_pairs(pairs, src_lang, tgt_lang)
    return pairs


def read_and_split(spec: CorpusSpec, data_cfg: DataConfig) -> tuple[corpus_mod.Split, corpus_mod.CorpusReport]:
    pairs, report = corpus_mod.read_corpus(
        spec.path,
        spec.target_path,
        max_chars=data_cfg.max_chars,
        lowercase=data_cfg.lowercase,
        dedupe=not data_cfg.keep_duplicates,
    )
    split = corpus_mod.split_by_source(pairs, data_cfg.valid_size, data_cfg.test_size, data_cfg.seed)
    if data_cfg.keep_duplicates:  # repeats weight training; scored once each
        split = corpus_mod.Split(split.train, list(dict.fromkeys(split.valid)), list(dict.fromkeys(split.test)))
    if not split.train or not split.valid:
        raise corpus_mod.CorpusError(spec.path, None, f"too few distinct sentences to train ({len(pairs)} pairs)")
    return split, report


def write_split(out: Path, split: corpus_mod.Split, extra: dict[str, list[tuple[str, str]]] | None = None) -> None:
    (out / DATA_DIR).mkdir(parents=True, exist_ok=True)
    parts = {"train": split.train, "valid": split.valid, "test": split.test, **(extra or {})}
    for name, pairs in parts.items():
        tmp = out / DATA_DIR / f".{name}.tsv.tmp"
        corpus_mod.write_tsv(tmp, pairs)
        tmp.replace(out / DATA_DIR / f"{name}.tsv")


def _prepare_fresh(spec: CorpusSpec, out: Path, data_cfg: DataConfig, tok_cfg: TokenizerConfig):
    split, report = read_and_split(spec, data_cfg)
    src_lang, tgt_lang = report.src_lang or "en", report.tgt_lang or "es"
    train_pairs = prepare_train_pairs(split.train, data_cfg, tok_cfg.placeholders, src_lang, tgt_lang)
    split = corpus_mod.Split(train_pairs, split.valid, split.test)  # valid/test stay raw: scored as users see them
    write_split(out, split)
    tokenizers = train_tokenizers(split.train, tok_cfg, data_cfg.seed)
    return split, tokenizers, report


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """A TSV the run wrote itself (no dedupe, no header detection; empty file = no pairs)."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    return corpus_mod.read_corpus(path, dedupe=False, max_chars=10**6, detect_header=False)[0]


def _load_split(out: Path) -> corpus_mod.Split:
    return corpus_mod.Split(**{name: read_pairs(out / DATA_DIR / f"{name}.tsv") for name in ("train", "valid", "test")})


def _load_tokenizers(out: Path) -> Tokenizers:
    """The run's own tokenizer (``data/``; runs from before it lived there: the run folder)."""
    folder = (
        out / DATA_DIR
        if (out / DATA_DIR / JOINT_TOKENIZER).exists() or (out / DATA_DIR / SOURCE_TOKENIZER).exists()
        else out
    )
    if (folder / JOINT_TOKENIZER).exists():
        model = SubwordModel((folder / JOINT_TOKENIZER).read_bytes())
        return Tokenizers(model, model)
    return Tokenizers(
        SubwordModel((folder / SOURCE_TOKENIZER).read_bytes()), SubwordModel((folder / TARGET_TOKENIZER).read_bytes())
    )


def save_tokenizers(out: Path, tok: Tokenizers) -> None:
    """The run's tokenizer goes to ``data/``, never over the bundle's ``tokenizer.model``: a
    folder that holds a model keeps a matching tokenizer until the run saves its first bundle
    (``save_bundle`` replaces tokenizer, weights and config together)."""
    folder = out / DATA_DIR
    if tok.joint:
        atomic_write_bytes(folder / JOINT_TOKENIZER, tok.source.model_bytes)
    else:
        atomic_write_bytes(folder / SOURCE_TOKENIZER, tok.source.model_bytes)
        atomic_write_bytes(folder / TARGET_TOKENIZER, tok.target.model_bytes)


def write_run(
    out: Path,
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    tok_cfg: TokenizerConfig,
    data_cfg: DataConfig,
    meta: dict[str, Any],
    spec: CorpusSpec,
) -> None:
    run = {
        "model": to_dict(model_cfg),
        "train": to_dict(train_cfg),
        "tokenizer": to_dict(tok_cfg),
        "data": to_dict(data_cfg),
        "meta": meta,
        "corpus": [spec.path, spec.target_path],
    }
    atomic_write_text(out / RUN_FILE, json.dumps(run, indent=2, ensure_ascii=False))


def update_run_meta(out: Path, meta: dict[str, Any]) -> None:
    """Replace the metadata in ``run.json`` (e.g. the base model's scores measured at step 0)."""
    run = json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
    run["meta"] = meta
    atomic_write_text(out / RUN_FILE, json.dumps(run, indent=2, ensure_ascii=False))


def setup(
    spec: CorpusSpec,
    out: Path,
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    tok_cfg: TokenizerConfig,
    data_cfg: DataConfig,
    resume: bool,
    meta: dict[str, Any] | None,
    ctx: DistContext,
    finetune: Any = None,
) -> Iterator[Any]:
    """Yields Status events, then the :class:`RunSetup`. ``finetune``: a
    :class:`~translator_app.core.finetune.FinetuneSpec` (ignored when a checkpoint is resumed:
    the run's own ``run.json`` says what it fine-tunes)."""
    if resume and (out / TRAIN_STATE_FILE).exists():
        yield Status(f"Resuming from {out / TRAIN_STATE_FILE}")
        budget = {k: getattr(train_cfg, k) for k in ("minutes", "max_steps", "max_epochs", "num_threads")}
        saved = load_train_state(out / TRAIN_STATE_FILE)
        budget["minutes"] = resumed_minutes(train_cfg, float(saved.get("elapsed_s", 0.0)))
        yield _load_run(out, budget, meta, saved)
        return
    if resume:
        yield Status(f"No checkpoint in {out}; starting a new run")
    # --extend-minutes N with nothing to resume: N minutes in all (it is not a budget train() reads)
    train_cfg = replace(train_cfg, minutes=resumed_minutes(train_cfg, 0.0), extend_minutes=0.0)
    if not ctx.is_main:
        barrier(ctx)
        yield _load_run(out, {}, meta, None)
        return
    # forget an earlier run in this folder first, so a crash below cannot resume it on new data
    (out / TRAIN_STATE_FILE).unlink(missing_ok=True)
    (out / RUN_FILE).unlink(missing_ok=True)
    for name in (GENERAL_FILE, JOINT_TOKENIZER, SOURCE_TOKENIZER, TARGET_TOKENIZER):
        (out / DATA_DIR / name).unlink(missing_ok=True)
    yield Status(f"Reading {spec.path}")
    if finetune is not None:
        from translator_app.core.finetune import prepare

        run = None
        for item in prepare(spec, out, finetune, data_cfg, meta):
            if isinstance(item, Status):
                yield item
            else:
                run = item
        assert run is not None
        run = replace(run, train_cfg=train_cfg)
        write_run(out, run.model_cfg, train_cfg, tok_cfg, data_cfg, run.meta, spec)
    else:
        yield Status("Splitting the corpus and training the SentencePiece tokenizer")
        split, tok, report = _prepare_fresh(spec, out, data_cfg, tok_cfg)
        save_tokenizers(out, tok)
        model_cfg = replace(
            model_cfg,
            src_vocab_size=len(tok.source),
            tgt_vocab_size=len(tok.target),
            share_src_tgt_embeddings=model_cfg.share_src_tgt_embeddings and tok.joint,
            copy_attention=model_cfg.copy_attention and tok.joint,
        )
        # "run": where this run's data lives, so that a fine-tuning run can replay it later
        run_meta = {
            "name": out.name,
            "src_lang": report.src_lang,
            "tgt_lang": report.tgt_lang,
            "corpus": str(spec.path),
            "run": str(out.resolve()),
            **(meta or {}),
        }
        if tok.has_placeholders:  # which capitalised words the corpus copies (names) and which it translates
            run_meta["names"] = name_rule_from_pairs(split.train).to_meta()
        write_run(out, model_cfg, train_cfg, tok_cfg, data_cfg, run_meta, spec)
        run = RunSetup(model_cfg, train_cfg, data_cfg, run_meta, split, tok, report.summary(), None)
    (out / HISTORY_FILE).unlink(missing_ok=True)
    barrier(ctx)
    yield run


def resumed_minutes(train_cfg: TrainConfig, elapsed_s: float) -> float:
    """The time budget of a resumed run, in minutes of the whole run: ``minutes`` counts the total
    (earlier processes included); ``extend_minutes`` > 0 gives that many minutes beyond what the run
    has trained so far, whatever ``minutes`` says (the way to continue a run whose budget is spent)."""
    if train_cfg.extend_minutes > 0:
        return round(elapsed_s / 60 + train_cfg.extend_minutes, 4)
    return train_cfg.minutes


def _load_run(
    out: Path, train_over: dict[str, Any], meta: dict[str, Any] | None, state: dict[str, Any] | None
) -> RunSetup:
    run = json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
    summary = f"resumed at step {state['step']}" if state else "prepared by rank 0"
    run_meta = {**run.get("meta", {}), **(meta or {})}
    general = read_pairs(out / DATA_DIR / GENERAL_FILE) if isinstance(run_meta.get("finetune"), dict) else []
    if general and state:
        summary += f"; fine-tuning {run_meta.get('parent', {}).get('name', '?')}, {len(general)} general dev pairs"
    return RunSetup(
        from_dict(ModelConfig, run["model"]),
        replace(from_dict(TrainConfig, run["train"]), **train_over),
        from_dict(DataConfig, run["data"]),
        run_meta,
        _load_split(out),
        _load_tokenizers(out),
        summary,
        state,
        None,
        general,
    )
