"""Training as a plain generator of progress events.

    for event in train(CorpusSpec("pairs.tsv"), "runs/my-model", should_stop=flag.is_set):
        ...

The loop reads and splits the corpus, trains the SentencePiece model, then trains the
seq2seq model with token-bucketed batches, Adam, warm-up + inverse-sqrt (or plateau)
schedule, gradient clipping and label smoothing. It validates periodically (loss, BLEU,
chrF, sample translations with attention), keeps the best model as a bundle in
``out_dir``, writes a resumable checkpoint, and stops on budget, early stopping or the
stop flag. ``resume=True`` continues from ``out_dir/checkpoint.pt`` with the same data.
``finetune=FinetuneSpec(base)`` starts from a trained model instead (core/finetune.py):
its tokenizer, architecture and weights, general data replayed beside the corpus, and a
general dev score beside the in-domain one at every validation (the base model's at step 0).
Setup (data, tokenizer, configs, resume) lives in core/run_setup.py.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from translator_app.core import corpus as corpus_mod
from translator_app.core.batching import EncodedCorpus, bucket_batches, make_batch
from translator_app.core.checkpoint import (
    TRAIN_STATE_FILE,
    BundleError,
    atomic_write_text,
    save_bundle,
    save_train_state,
)
from translator_app.core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig
from translator_app.core.distributed import (
    all_sum,
    barrier,
    broadcast,
    cleanup,
    gather_digests,
    init_from_env,
    shard,
)
from translator_app.core.events import (  # noqa: F401  (re-exported for callers)
    DataReady,
    Event,
    Finished,
    Progress,
    Sample,
    Status,
    Validation,
)
from translator_app.core.finetune import FinetuneSpec
from translator_app.core.model import Seq2Seq
from translator_app.core.run_setup import (  # noqa: F401  (re-exported for callers)
    DATA_DIR,
    HISTORY_FILE,
    RUN_FILE,
    CorpusSpec,
    RunSetup,
    _load_split,
    mask_pairs,
    update_run_meta,
)
from translator_app.core.run_setup import setup as setup_run
from translator_app.core.validation import dev_scores, validate


def preload() -> None:
    """Construct Adam once: its first use imports hundreds of modules (call on the main thread)."""
    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])


# ---- schedule -----------------------------------------------------------------------

def lr_factor(step: int, cfg: TrainConfig) -> float:
    """Multiplier of ``cfg.lr`` at ``step`` (1-based)."""
    if cfg.schedule != "inverse_sqrt":
        return min(1.0, step / max(1, cfg.warmup_steps))
    warm = max(1, cfg.warmup_steps)
    return max(cfg.min_lr / cfg.lr, min(step / warm, math.sqrt(warm / max(step, 1))))


# ---- the loop -----------------------------------------------------------------------

def train(
    spec: CorpusSpec,
    out_dir: str | Path,
    *,
    model_cfg: ModelConfig = ModelConfig(),
    train_cfg: TrainConfig = TrainConfig(),
    tok_cfg: TokenizerConfig = TokenizerConfig(),
    data_cfg: DataConfig = DataConfig(),
    resume: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
    meta: dict[str, Any] | None = None,
    finetune: FinetuneSpec | dict[str, Any] | None = None,
) -> Iterator[Event]:
    """``finetune``: start from a trained model (also read from ``meta["finetune"]``, which is how
    the GUI's TrainingJob passes it); ignored when ``resume`` finds a checkpoint (run.json rules)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = dict(meta or {})
    from_meta = meta.pop("finetune", None)
    finetune = from_meta if finetune is None else finetune
    if isinstance(finetune, dict):
        finetune = FinetuneSpec.from_dict(finetune)
    from translator_app.core.runlock import RunLock

    with RunLock(out):  # one writer per run folder: a second trainer gets FolderBusy naming the holder
        yield from _train(spec, out, model_cfg, train_cfg, tok_cfg, data_cfg, resume, should_stop, meta or None,
                          finetune)


def _train(spec: CorpusSpec, out: Path, model_cfg: ModelConfig, train_cfg: TrainConfig, tok_cfg: TokenizerConfig,
           data_cfg: DataConfig, resume: bool, should_stop: Callable[[], bool], meta: dict[str, Any] | None,
           finetune: FinetuneSpec | None) -> Iterator[Event]:
    started = time.monotonic()
    ctx = init_from_env(train_cfg.device)
    if ctx.is_main:  # temp files left by a write that was killed midway
        for leftover in [*out.glob(".*.tmp"), *(out / DATA_DIR).glob(".*.tmp")]:
            leftover.unlink(missing_ok=True)
    setup = None
    for item in setup_run(spec, out, model_cfg, train_cfg, tok_cfg, data_cfg, resume, meta, ctx, finetune):
        if isinstance(item, RunSetup):
            setup = item
        else:
            yield item
    assert setup is not None
    if should_stop():  # stopped while the corpus and tokenizer were being prepared
        yield Finished("stopped", 0, str(out), None, time.monotonic() - started)
        return
    model_cfg, train_cfg, data_cfg, meta, split, tok = (setup.model_cfg, setup.train_cfg, setup.data_cfg,
                                                       setup.meta, setup.split, setup.tok)
    state, init_weights, general = setup.state, setup.init_weights, setup.general
    ft_info = meta.get("finetune") if isinstance(meta.get("finetune"), dict) else None
    src_lang, tgt_lang = str(meta.get("src_lang") or "en"), str(meta.get("tgt_lang") or "es")
    if train_cfg.num_threads > 0:
        torch.set_num_threads(train_cfg.num_threads)
    torch.manual_seed(train_cfg.seed)
    yield Status("Encoding the corpus")
    train_enc, dropped = EncodedCorpus.from_pairs(split.train, tok, data_cfg.max_len)
    valid_masked = split.valid
    if data_cfg.protect_spans and tok.has_placeholders:
        valid_masked = mask_pairs(split.valid, src_lang, tgt_lang)
    valid_enc, _ = EncodedCorpus.from_pairs(valid_masked, tok, data_cfg.max_len)
    if len(train_enc) == 0:
        raise corpus_mod.CorpusError(spec.path, None, "no training pair is short enough after tokenisation")
    # from here on training reads only the int32 index: let the raw training sentences go
    summary, n_test = setup.summary, len(split.test)
    split = corpus_mod.Split([], split.valid, [])
    setup = None
    if should_stop():
        yield Finished("stopped", 0, str(out), None, time.monotonic() - started)
        return
    device = torch.device(ctx.device)
    model = Seq2Seq(model_cfg).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=train_cfg.lr, betas=(0.9, 0.98),
                                 weight_decay=train_cfg.weight_decay)
    step = epoch = batch_pos = bad_validations = 0
    best_bleu: float | None = None
    elapsed_before = 0.0
    plateau_scale = 1.0
    if state is None and init_weights is not None:  # fine-tuning: the base model's weights
        model.load_state_dict(init_weights)
    init_weights = None
    if state is not None:
        try:
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
        except (RuntimeError, ValueError, KeyError) as exc:
            raise BundleError(f"{out / TRAIN_STATE_FILE}: does not match the run's model ({exc})") from exc
        step, epoch, batch_pos = int(state["step"]), int(state["epoch"]), int(state["batch_pos"])
        best_bleu = state.get("best_bleu")
        bad_validations = int(state.get("bad_validations", 0))
        elapsed_before = float(state.get("elapsed_s", 0.0))
        plateau_scale = float(state.get("plateau_scale", 1.0))
        torch.set_rng_state(state["rng"])
        state = None  # loaded: do not keep the checkpoint's copy of the weights and moments
    net = model
    if ctx.enabled:
        from torch.nn.parallel import DistributedDataParallel

        net = DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
    # bf16 autocast on CUDA and on CPUs with bf16 units (AVX512-BF16 / AMX); fp16 on CUDA only
    use_amp = train_cfg.amp != "none" and (device.type == "cuda" or train_cfg.amp == "bf16")
    amp_dtype = torch.bfloat16 if train_cfg.amp == "bf16" else torch.float16
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp and train_cfg.amp == "fp16")
    yield DataReady(f"{summary}; {dropped} pairs over {data_cfg.max_len} subwords dropped",
                    len(train_enc), len(split.valid), n_test, len(tok.target), model.num_parameters(),
                    str(meta.get("src_lang", "")), str(meta.get("tgt_lang", "")))

    def elapsed() -> float:
        return elapsed_before + time.monotonic() - started

    def fraction(epoch_progress: float) -> float | None:
        parts = []
        if train_cfg.minutes > 0:
            parts.append(elapsed() / (60 * train_cfg.minutes))
        if train_cfg.max_steps > 0:
            parts.append(step / train_cfg.max_steps)
        if train_cfg.max_epochs > 0:
            parts.append(epoch_progress / train_cfg.max_epochs)
        return min(1.0, max(parts)) if parts else None

    def checkpoint() -> None:
        if ctx.is_main:
            save_train_state(out / TRAIN_STATE_FILE, {
                "model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step, "epoch": epoch,
                "batch_pos": batch_pos, "best_bleu": best_bleu, "bad_validations": bad_validations,
                "elapsed_s": elapsed(), "plateau_scale": plateau_scale, "rng": torch.get_rng_state(),
            })

    def save_model(metrics: dict[str, Any]) -> None:
        save_bundle(out, model_cfg, tok, model.state_dict(),
                    {**meta, "steps": step, "train_minutes": round(elapsed() / 60, 2), "metrics": metrics})

    def validate_now() -> Validation | None:
        """Rank 0 validates (others wait); returns the event on rank 0, None elsewhere."""
        event = None
        if ctx.is_main:
            event = _validate(model, tok, split.valid, valid_enc, general, train_cfg, step, best_bleu, src_lang,
                              tgt_lang)
            if ft_info is not None and step == 0 and "base_valid" not in ft_info:  # this is the base model
                ft_info["base_valid"] = {"bleu": event.bleu, "chrf": event.chrf}
                ft_info["base_general"] = (None if event.general_bleu is None else
                                           {"bleu": event.general_bleu, "chrf": event.general_chrf})
                update_run_meta(out, meta)
            if event.best:  # chosen on the in-domain score; the general one only informs
                save_model(_metrics(event))
            base, base_general = (ft_info or {}).get("base_valid") or {}, (ft_info or {}).get("base_general") or {}
            event = replace(event, base_bleu=base.get("bleu"), base_general_bleu=base_general.get("bleu"),
                            base_general_chrf=base_general.get("chrf"))
            general_row = {} if event.general_bleu is None else {"general_bleu": event.general_bleu,
                                                                 "general_chrf": event.general_chrf}
            _append_history(out, {"step": step, "valid_loss": event.valid_loss, "bleu": event.bleu,
                                  "chrf": event.chrf, **general_row, "elapsed_s": round(elapsed(), 1)})
        barrier(ctx)
        return event

    if ft_info is not None and step == 0 and "base_valid" not in ft_info:
        yield Status("Scoring the base model before fine-tuning (in-domain and general dev sets)")
        event = validate_now()
        if event is not None:
            best_bleu = event.bleu
            yield event

    reason = ""
    window_loss, window_tokens, window_start = 0.0, 0.0, time.monotonic()
    last_valid_step = step
    stop_requested = should_stop()
    while not reason:
        batches = shard(bucket_batches(train_enc, train_cfg.batch_tokens, seed=train_cfg.seed + epoch), ctx)
        while batch_pos < len(batches):
            if stop_requested:
                reason = "stopped"
                break
            net.train()
            batch = make_batch(train_enc, batches[batch_pos]).to(device)
            batch_pos += 1
            step += 1
            for group in optimizer.param_groups:
                group["lr"] = train_cfg.lr * lr_factor(step, train_cfg) * plateau_scale
            with torch.autocast(device.type, dtype=amp_dtype, enabled=use_amp):
                loss = net(batch.src, batch.src_len, batch.tgt_in, batch.tgt_out,
                           train_cfg.label_smoothing)  # summed over the batch's target tokens
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss / batch.n_tokens).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), train_cfg.clip_norm)
            scaler.step(optimizer)
            scaler.update()
            over_budget = train_cfg.minutes > 0 and elapsed() >= 60 * train_cfg.minutes
            # one small all-reduce keeps loss, token counts and stop decisions identical on all ranks
            loss_sum, n_tokens, stops, budget_votes = all_sum(
                [float(loss.detach()), float(batch.n_tokens), float(should_stop()), float(over_budget)], ctx)
            stop_requested = stops > 0
            window_loss += loss_sum
            window_tokens += n_tokens

            epoch_progress = epoch + batch_pos / len(batches)
            if step % train_cfg.log_every == 0:
                now = time.monotonic()
                frac = fraction(epoch_progress)
                eta = elapsed() * (1 - frac) / frac if frac else None
                yield Progress(step, epoch, window_loss / max(window_tokens, 1), optimizer.param_groups[0]["lr"],
                               window_tokens / max(now - window_start, 1e-6), elapsed(), eta, frac)
                window_loss, window_tokens, window_start = 0.0, 0.0, now
            if step % train_cfg.valid_every == 0:
                event = validate_now()
                last_valid_step = step
                if event is not None:
                    best_bleu = event.bleu if event.best else best_bleu
                    bad_validations = 0 if event.best else bad_validations + 1
                    if train_cfg.schedule == "plateau" and not event.best:
                        plateau_scale = max(plateau_scale * 0.5, train_cfg.min_lr / train_cfg.lr)
                    yield event
                    if train_cfg.patience and bad_validations >= train_cfg.patience:
                        reason = "early_stop"
                reason, plateau_scale = broadcast((reason, plateau_scale), ctx)
            if step % train_cfg.checkpoint_every == 0:
                checkpoint()
            if not reason and budget_votes > 0:
                reason = "budget"
            if not reason and train_cfg.max_steps > 0 and step >= train_cfg.max_steps:
                reason = "max_steps"
            if reason:
                break
        if batch_pos >= len(batches):
            epoch += 1
            batch_pos = 0
            if not reason and train_cfg.max_epochs > 0 and epoch >= train_cfg.max_epochs:
                reason = "max_epochs"

    checkpoint()
    if reason != "stopped" and step > last_valid_step:
        yield Status("Final validation")
        event = validate_now()
        if event is not None:
            best_bleu = event.bleu if event.best else best_bleu
            yield event
        checkpoint()
    elif ctx.is_main and not (out / "weights.pt").exists():  # stopped before any validation: keep a usable model
        save_model({})
    digests = gather_digests(model, ctx)
    if ctx.enabled:
        if ctx.is_main:
            atomic_write_text(out / "ddp_check.json", json.dumps(
                {"world_size": ctx.world_size, "step": step, "digests": digests}, indent=2))
        if len(set(digests)) != 1:
            raise RuntimeError(f"parameters diverged across ranks: {digests}")
    barrier(ctx)
    cleanup(ctx)
    yield Finished(reason, step, str(out), best_bleu, elapsed())


def _validate(model, tok, valid, valid_enc, general, cfg, step, best_bleu, src_lang: str,
              tgt_lang: str) -> Validation:
    loss, scores, samples = validate(model, tok, valid, valid_enc, cfg, src_lang=src_lang, tgt_lang=tgt_lang)
    gen = dev_scores(model, tok, general, len(general), src_lang=src_lang, tgt_lang=tgt_lang) if general else None
    return Validation(step, loss, scores.bleu, scores.chrf, best_bleu is None or scores.bleu > best_bleu, samples,
                      None if gen is None else gen.bleu, None if gen is None else gen.chrf)


def _metrics(ev: Validation) -> dict[str, Any]:
    """What the bundle records of the validation that saved it."""
    metrics = {"valid_bleu": ev.bleu, "valid_chrf": ev.chrf, "valid_loss": round(ev.valid_loss, 4)}
    if ev.general_bleu is not None:
        metrics.update(general_bleu=ev.general_bleu, general_chrf=ev.general_chrf)
    return metrics


def _append_history(out: Path, row: dict[str, Any]) -> None:
    with open(out / HISTORY_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")
