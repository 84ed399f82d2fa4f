"""The pieces of the training loop of :mod:`translator_app.core.train.training`: what a prepared run
holds (:class:`Run`), one optimisation step (:func:`train_step`), a validation
(:func:`validate_now`) and the two saves (:func:`save_checkpoint`, :func:`save_model`).

Under torchrun every rank runs the same steps; only rank 0 validates and writes files, the
others wait at a barrier (:mod:`translator_app.core.train.distributed`).
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from translator_app.core.base import heap
from translator_app.core.base.config import ModelConfig, TrainConfig
from translator_app.core.base.events import OverLimit, Status, Validation
from translator_app.core.base.threads import ThreadChooser
from translator_app.core.folders.run_history import append_row
from translator_app.core.folders.runfolder import TRAIN_STATE_FILE, RunFolder, read_pairs
from translator_app.core.model.checkpoint import first_broken, save_bundle
from translator_app.core.model.decoding import DOCUMENT
from translator_app.core.model.model import Seq2Seq
from translator_app.core.text.tags import SYMBOLS_KEY
from translator_app.core.text.tokenizer import Tokenizers
from translator_app.core.train.batching import EncodedCorpus, make_batch
from translator_app.core.train.blend import IN_DOMAIN
from translator_app.core.train.distributed import DistContext, all_sum, barrier
from translator_app.core.train.forgetting import BEST_IN_DOMAIN_DIR, judge, over_limit_note
from translator_app.core.train.train_state import TrainingState
from translator_app.core.train.validation import dev_scores, validate


def lr_factor(step: int, cfg: TrainConfig, spent: float | None = None) -> float:
    """Multiplier of ``cfg.lr`` at ``step`` (1-based). ``spent`` is the share of the time or step
    budget already used (0..1, None: no budget); only the ``linear`` schedule reads it: after the
    warm-up it falls in a straight line to ``cfg.min_lr`` as the budget runs out ("budgeted
    training", Li et al. 2020), and stays flat when there is no budget."""
    warm = max(1, cfg.warmup_steps)
    if cfg.schedule == "inverse_sqrt":
        return max(cfg.min_lr / cfg.lr, min(step / warm, math.sqrt(warm / max(step, 1))))
    factor = min(1.0, step / warm)
    if cfg.schedule == "linear" and spent is not None:
        floor = min(1.0, cfg.min_lr / cfg.lr)
        factor = min(factor, max(floor, 1.0 - min(1.0, spent) * (1.0 - floor)))
    return factor


def budget_spent(cfg: TrainConfig, step: int, elapsed_s: float) -> float | None:
    """The share of the minutes or steps budget used after ``step`` steps and ``elapsed_s`` seconds
    (the nearer of the two to its end); None when the run has neither."""
    parts = []
    if cfg.minutes > 0:
        parts.append(elapsed_s / (60 * cfg.minutes))
    if cfg.max_steps > 0:
        parts.append(step / cfg.max_steps)
    return min(1.0, max(parts)) if parts else None


@dataclass
class Run:
    """Everything the loop works with once the run is prepared (built by ``training._prepare``)."""

    out: Path  # the run folder
    ctx: DistContext
    model_cfg: ModelConfig
    train_cfg: TrainConfig
    meta: dict[str, Any]  # the run's metadata (run.json "meta"; the bundle's too)
    tok: Tokenizers
    train_enc: EncodedCorpus  # the training pairs as an int32 index (the raw sentences are gone)
    valid: list[tuple[str, str]]  # raw validation pairs: scored as users see them
    valid_enc: EncodedCorpus  # the same, masked and encoded (for the validation loss)
    general: list[tuple[str, str]]  # fine-tuning: the general dev pairs ([] otherwise)
    src_lang: str
    tgt_lang: str
    ft_info: dict[str, Any] | None  # meta["finetune"] itself (the base model's scores go into it)
    device: torch.device
    model: Seq2Seq
    net: torch.nn.Module  # the model, or its DistributedDataParallel wrapper
    optimizer: torch.optim.Optimizer
    scaler: torch.amp.GradScaler  # enabled for fp16 only
    use_amp: bool
    amp_dtype: torch.dtype
    state: TrainingState
    # the rows of train_enc that epoch e trains on (None: all, once): fine-tuning's in-domain pairs + one
    # slice of the replay (batching.in_turn), or the pairs drawn by source (source_mix.SourceMix.rows)
    epoch_rows: Callable[[int], np.ndarray] | None = None
    # seconds trained as of the last step, averaged over the ranks (all ranks set the same learning rate)
    synced_elapsed: float | None = None
    # --threads 0 on one CPU process: the thread count chosen by measurement (core/base/threads.py)
    threads: ThreadChooser | None = None
    epoch_batches: int = 0  # batches in the current epoch (for the epochs trained, in the bundle)
    heap_budget: int = field(default_factory=lambda: heap.budget_bytes())  # resident bytes that trigger a trim


def train_step(run: Run, batches: list[list[int]], should_stop) -> tuple[float, float, bool, bool]:
    """One optimisation step on ``batches[run.state.batch_pos]`` (advances ``batch_pos`` and ``step``).

    Returns (loss summed over the batch's target tokens, those tokens, whether a stop was asked,
    whether the time budget is spent), each summed over all ranks by one small all-reduce, so
    that every rank takes the same decisions."""
    st, cfg = run.state, run.train_cfg
    step_start = time.monotonic()
    run.epoch_batches = len(batches)
    run.net.train()
    # src (B, S) ids, src_len (B,), tgt_in / tgt_out (B, T) ids: one bucket of similar lengths
    batch = make_batch(run.train_enc, batches[st.batch_pos]).to(run.device)
    st.batch_pos += 1
    st.step += 1
    elapsed = st.elapsed() if run.synced_elapsed is None else run.synced_elapsed
    for group in run.optimizer.param_groups:
        group["lr"] = cfg.lr * lr_factor(st.step, cfg, budget_spent(cfg, st.step, elapsed)) * st.plateau_scale
    with torch.autocast(run.device.type, dtype=run.amp_dtype, enabled=run.use_amp):
        loss = run.net(
            batch.src, batch.src_len, batch.tgt_in, batch.tgt_out, cfg.label_smoothing
        )  # () summed over the batch's target tokens
    run.optimizer.zero_grad(set_to_none=True)
    run.scaler.scale(loss / batch.n_tokens).backward()
    run.scaler.unscale_(run.optimizer)
    torch.nn.utils.clip_grad_norm_(run.model.parameters(), cfg.clip_norm)
    run.scaler.step(run.optimizer)
    run.scaler.update()
    over_budget = cfg.minutes > 0 and st.elapsed() >= 60 * cfg.minutes
    loss_sum, n_tokens, stops, budget_votes, elapsed_sum = all_sum(
        [float(loss.detach()), float(batch.n_tokens), float(should_stop()), float(over_budget), st.elapsed()],
        run.ctx,
    )
    run.synced_elapsed = elapsed_sum / run.ctx.world_size
    if run.threads is not None:
        run.threads.after_step(batch.n_tokens, time.monotonic() - step_start)
    if st.step % heap.RELEASE_EVERY == 0 or heap.over_budget(run.heap_budget):  # free pages back to the system
        heap.release_free()
    if not math.isfinite(loss_sum) or loss_sum > MAX_TOKEN_LOSS * max(n_tokens, 1.0):  # the same on every rank
        raise TrainingDiverged(
            f"training diverged at step {st.step}: the loss per token became {loss_sum / max(n_tokens, 1.0):.4g} "
            f"(the learning rate {cfg.lr:g} is probably too high); the last saved model and checkpoint were kept"
        )
    return loss_sum, n_tokens, stops > 0, budget_votes > 0


class TrainingDiverged(ValueError):
    """The loss (or a weight) became NaN or infinite: training stops instead of saving a broken model."""


MAX_TOKEN_LOSS = 1000.0  # cross-entropy per target token; a healthy run stays near log(vocabulary) or below


def _require_finite(run: Run, what: str) -> None:
    bad = first_broken(run.model.named_parameters())
    if bad is not None:
        raise TrainingDiverged(
            f"training diverged at step {run.state.step}: {bad} holds NaN, infinite or exploded values, so the {what} "
            f"was not saved (the learning rate {run.train_cfg.lr:g} is probably too high)"
        )


def fraction(run: Run, epoch_progress: float) -> float | None:
    """How much of the budget (minutes, steps or epochs, whichever is nearest) is spent; None: no budget."""
    cfg = run.train_cfg
    spent = budget_spent(cfg, run.state.step, run.state.elapsed())
    parts = [] if spent is None else [spent]
    if cfg.max_epochs > 0:
        parts.append(epoch_progress / cfg.max_epochs)
    return min(1.0, max(parts)) if parts else None


# ---- saving -------------------------------------------------------------------------------------


def save_checkpoint(run: Run) -> None:
    """Rank 0 writes the resumable ``checkpoint.pt`` (see :class:`TrainingState`)."""
    if run.ctx.is_main:
        _require_finite(run, "checkpoint")
        run.state.save(run.out / TRAIN_STATE_FILE, run.model, run.optimizer)


def save_model(run: Run, metrics: dict[str, Any]) -> None:
    """Write the bundle into the run folder (the model as it is now)."""
    _require_finite(run, "model")
    save_bundle(
        run.out,
        run.model_cfg,
        run.tok,
        run.model.state_dict(),
        {
            **run.meta,
            "steps": run.state.step,
            "epochs": round(run.state.epoch + run.state.batch_pos / max(1, run.epoch_batches), 2),
            "train_minutes": round(run.state.elapsed() / 60, 2),
            "metrics": metrics,
        },
    )


# ---- validation ---------------------------------------------------------------------------------


def validate_now(run: Run) -> Validation | None:
    """Rank 0 validates (others wait); returns the event on rank 0, None elsewhere. A better
    score saves the bundle; every validation adds a line to ``history.jsonl``."""
    st, ft_info, event = run.state, run.ft_info, None
    if run.ctx.is_main:
        event = _validate(
            run.model,
            run.tok,
            run.valid,
            run.valid_enc,
            run.general,
            run.train_cfg,
            st.step,
            st.best_bleu,
            run.src_lang,
            run.tgt_lang,
            tuple(run.meta.get(SYMBOLS_KEY) or ()),  # a bidirectional run: its sources' tags
        )
        if ft_info is not None and st.step == 0 and "base_valid" not in ft_info:  # this is the base model
            ft_info["base_valid"] = {"bleu": event.bleu, "chrf": event.chrf}
            ft_info["base_general"] = (
                None if event.general_bleu is None else {"bleu": event.general_bleu, "chrf": event.general_chrf}
            )
            RunFolder.at(run.out).update_meta(run.meta)
        base, base_general = (ft_info or {}).get("base_valid") or {}, (ft_info or {}).get("base_general") or {}
        event = replace(
            event,
            base_bleu=base.get("bleu"),
            base_general_bleu=base_general.get("bleu"),
            base_general_chrf=base_general.get("chrf"),
        )
        if ft_info is not None:  # the best in-domain score whose general drop stays within the limit
            event = _general_limit(run, event)
        if event.best:
            save_model(run, _metrics(event))
        general_row = (
            {}
            if event.general_bleu is None
            else {"general_bleu": event.general_bleu, "general_chrf": event.general_chrf}
        )
        append_row(
            run.out,
            {
                "step": st.step,
                "valid_loss": event.valid_loss,
                "bleu": event.bleu,
                "chrf": event.chrf,
                **general_row,
                "elapsed_s": round(st.elapsed(), 1),
            },
        )
    barrier(run.ctx)
    return event


def _general_limit(run: Run, event: Validation) -> Validation:
    """Fine-tuning: ``event`` judged by in-domain BLEU within the general budget (core/train/forgetting.py);
    a better in-domain checkpoint over the limit is saved to ``OUT/best-in-domain`` instead."""
    info, out = run.ft_info or {}, run.out
    limit = info.get("max_general_drop")
    best, within = judge(event.bleu, event.general_drop, run.state.best_bleu, limit)
    event = replace(event, best=best, max_general_drop=limit, within_limit=within)
    over = info.get("best_in_domain") or {}
    if best:
        info["chosen_step"] = event.step
        if over and event.bleu >= over["bleu"]:  # the kept model is the best in-domain one again
            info.pop("best_in_domain")
            shutil.rmtree(out / BEST_IN_DOMAIN_DIR, ignore_errors=True)
        RunFolder.at(out).update_meta(run.meta)
    elif within is False and event.bleu > max(over.get("bleu", -1.0), run.state.best_bleu or -1.0):
        metrics = {**_metrics(event), "general_drop": round(event.general_drop or 0.0, 2), "over_limit": limit}
        meta = {**run.meta, "steps": run.state.step, "metrics": metrics}
        save_bundle(out / BEST_IN_DOMAIN_DIR, run.model_cfg, run.tok, run.model.state_dict(), meta)
        info["best_in_domain"] = {"step": event.step, "bleu": event.bleu, "general_drop": event.general_drop}
        RunFolder.at(out).update_meta(run.meta)
    return event


def general_limit_report(run: Run):
    """Fine-tuning, at the end: a Status when a better in-domain checkpoint went over the general
    limit; returns the :class:`OverLimit` the person decides on when the kept model is the base."""
    note = over_limit_note(run.ft_info or {}, run.out)
    if note is None:
        return None
    message, kept_base = note
    yield Status(message)
    if not kept_base:
        return None
    over, base = run.ft_info["best_in_domain"], run.ft_info.get("base_valid") or {}
    return OverLimit(
        over["step"],
        over["bleu"],
        over["general_drop"],
        float(run.ft_info["max_general_drop"]),
        base.get("bleu"),
        str(run.out / BEST_IN_DOMAIN_DIR),
        message,
    )


def score_as_used(run: Run, which: str) -> float:
    """BLEU of the model as it is now, searched as documents are (beam, core.model.decoding.DOCUMENT),
    on the in-domain valid split (``blend.IN_DOMAIN``) or on every sentence of the general dev set
    (``blend.GENERAL``: the whole file validation samples GENERAL_DEV_MAX sentences of). Nothing saved."""
    if which == IN_DOMAIN:
        pairs, limit = run.valid, run.train_cfg.valid_max_sentences
    else:
        path = Path(str((run.ft_info or {}).get("general_dev") or ""))
        pairs = read_pairs(path) if path.is_file() else run.general
        limit = len(pairs)
    tags = tuple(run.meta.get(SYMBOLS_KEY) or ())
    return dev_scores(
        run.model, run.tok, pairs, limit, src_lang=run.src_lang, tgt_lang=run.tgt_lang, decode=DOCUMENT, tags=tags
    ).bleu


def _validate(
    model, tok, valid, valid_enc, general, cfg, step, best_bleu, src_lang: str, tgt_lang: str, tags: tuple = ()
) -> Validation:
    loss, scores, samples = validate(model, tok, valid, valid_enc, cfg, src_lang=src_lang, tgt_lang=tgt_lang, tags=tags)
    gen = (
        dev_scores(model, tok, general, len(general), src_lang=src_lang, tgt_lang=tgt_lang, tags=tags)
        if general
        else None
    )
    return Validation(
        step,
        loss,
        scores.bleu,
        scores.chrf,
        best_bleu is None or scores.bleu > best_bleu,
        samples,
        None if gen is None else gen.bleu,
        None if gen is None else gen.chrf,
    )


def _metrics(ev: Validation) -> dict[str, Any]:
    """What the bundle records of the validation that saved it."""
    metrics = {"valid_bleu": ev.bleu, "valid_chrf": ev.chrf, "valid_loss": round(ev.valid_loss, 4)}
    if ev.general_bleu is not None:
        metrics.update(general_bleu=ev.general_bleu, general_chrf=ev.general_chrf)
    return metrics
