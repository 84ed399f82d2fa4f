"""The pieces of the training loop of :mod:`translator_app.core.training`: what a prepared run
holds (:class:`Run`), one optimisation step (:func:`train_step`), a validation
(:func:`validate_now`) and the two saves (:func:`save_checkpoint`, :func:`save_model`).

Under torchrun every rank runs the same steps; only rank 0 validates and writes files, the
others wait at a barrier (:mod:`translator_app.core.distributed`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from translator_app.core.batching import EncodedCorpus, make_batch
from translator_app.core.checkpoint import save_bundle
from translator_app.core.config import ModelConfig, TrainConfig
from translator_app.core.distributed import DistContext, all_sum, barrier
from translator_app.core.events import Validation
from translator_app.core.filenames import TRAIN_STATE_FILE
from translator_app.core.model import Seq2Seq
from translator_app.core.run_setup import HISTORY_FILE, update_run_meta
from translator_app.core.tokenizer import Tokenizers
from translator_app.core.train_state import TrainingState
from translator_app.core.validation import dev_scores, validate


def lr_factor(step: int, cfg: TrainConfig) -> float:
    """Multiplier of ``cfg.lr`` at ``step`` (1-based)."""
    if cfg.schedule != "inverse_sqrt":
        return min(1.0, step / max(1, cfg.warmup_steps))
    warm = max(1, cfg.warmup_steps)
    return max(cfg.min_lr / cfg.lr, min(step / warm, math.sqrt(warm / max(step, 1))))


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
    # fine-tuning: each epoch's rows of train_enc (the in-domain pairs + one slice of the replay), in turn
    epoch_rows: list[np.ndarray] | None = None


def train_step(run: Run, batches: list[list[int]], should_stop) -> tuple[float, float, bool, bool]:
    """One optimisation step on ``batches[run.state.batch_pos]`` (advances ``batch_pos`` and ``step``).

    Returns (loss summed over the batch's target tokens, those tokens, whether a stop was asked,
    whether the time budget is spent), each summed over all ranks by one small all-reduce, so
    that every rank takes the same decisions."""
    st, cfg = run.state, run.train_cfg
    run.net.train()
    # src (B, S) ids, src_len (B,), tgt_in / tgt_out (B, T) ids: one bucket of similar lengths
    batch = make_batch(run.train_enc, batches[st.batch_pos]).to(run.device)
    st.batch_pos += 1
    st.step += 1
    for group in run.optimizer.param_groups:
        group["lr"] = cfg.lr * lr_factor(st.step, cfg) * st.plateau_scale
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
    loss_sum, n_tokens, stops, budget_votes = all_sum(
        [float(loss.detach()), float(batch.n_tokens), float(should_stop()), float(over_budget)], run.ctx
    )
    return loss_sum, n_tokens, stops > 0, budget_votes > 0


def fraction(run: Run, epoch_progress: float) -> float | None:
    """How much of the budget (minutes, steps or epochs, whichever is nearest) is spent; None: no budget."""
    cfg, parts = run.train_cfg, []
    if cfg.minutes > 0:
        parts.append(run.state.elapsed() / (60 * cfg.minutes))
    if cfg.max_steps > 0:
        parts.append(run.state.step / cfg.max_steps)
    if cfg.max_epochs > 0:
        parts.append(epoch_progress / cfg.max_epochs)
    return min(1.0, max(parts)) if parts else None


# ---- saving -------------------------------------------------------------------------------------


def save_checkpoint(run: Run) -> None:
    """Rank 0 writes the resumable ``checkpoint.pt`` (see :class:`TrainingState`)."""
    if run.ctx.is_main:
        run.state.save(run.out / TRAIN_STATE_FILE, run.model, run.optimizer)


def save_model(run: Run, metrics: dict[str, Any]) -> None:
    """Write the bundle into the run folder (the model as it is now)."""
    save_bundle(
        run.out,
        run.model_cfg,
        run.tok,
        run.model.state_dict(),
        {**run.meta, "steps": run.state.step, "train_minutes": round(run.state.elapsed() / 60, 2), "metrics": metrics},
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
        )
        if ft_info is not None and st.step == 0 and "base_valid" not in ft_info:  # this is the base model
            ft_info["base_valid"] = {"bleu": event.bleu, "chrf": event.chrf}
            ft_info["base_general"] = (
                None if event.general_bleu is None else {"bleu": event.general_bleu, "chrf": event.general_chrf}
            )
            update_run_meta(run.out, run.meta)
        if event.best:  # chosen on the in-domain score; the general one only informs
            save_model(run, _metrics(event))
        base, base_general = (ft_info or {}).get("base_valid") or {}, (ft_info or {}).get("base_general") or {}
        event = replace(
            event,
            base_bleu=base.get("bleu"),
            base_general_bleu=base_general.get("bleu"),
            base_general_chrf=base_general.get("chrf"),
        )
        general_row = (
            {}
            if event.general_bleu is None
            else {"general_bleu": event.general_bleu, "general_chrf": event.general_chrf}
        )
        _append_history(
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


def _validate(model, tok, valid, valid_enc, general, cfg, step, best_bleu, src_lang: str, tgt_lang: str) -> Validation:
    loss, scores, samples = validate(model, tok, valid, valid_enc, cfg, src_lang=src_lang, tgt_lang=tgt_lang)
    gen = dev_scores(model, tok, general, len(general), src_lang=src_lang, tgt_lang=tgt_lang) if general else None
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


def _append_history(out: Path, row: dict[str, Any]) -> None:
    with open(out / HISTORY_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")
