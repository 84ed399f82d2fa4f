"""Training as a plain generator of progress events.

    for event in train(TrainRequest(CorpusSpec("pairs.tsv"), "runs/my-model"), should_stop=flag.is_set):
        ...

The loop reads and splits the corpus, trains the SentencePiece model, then trains the
seq2seq model with token-bucketed batches, Adam, warm-up + inverse-sqrt (or plateau)
schedule, gradient clipping and label smoothing. It validates periodically (loss, BLEU,
chrF, sample translations with attention), keeps the best model as a bundle in
``out_dir``, writes a resumable checkpoint, and stops on budget, early stopping or the
stop flag. The :class:`~translator_app.core.train.request.TrainRequest` says what to train:
``resume=True`` continues from ``out_dir/checkpoint.pt`` with the same data;
``finetune=FinetuneSpec(base)`` starts from a trained model instead (core/train/finetune.py):
its tokenizer, architecture and weights, general data replayed beside the corpus, and a
general dev score beside the in-domain one at every validation (the base model's at step 0).
Setup (data, tokenizer, configs, resume) lives in core/train/run_setup.py; one optimisation step,
validation and the saves in core/train/train_loop.py; the counters a resumed run continues from (and
the checkpoint file) in core/train/train_state.py. The generator here strings the steps together:
``_prepare`` (``setup``, ``_encode``, ``_build``) → ``_score_base`` → ``_epochs`` (``train_step``, ``_validation_step``) → ``_finish``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from translator_app.core.base.config import ModelConfig, TrainConfig
from translator_app.core.base.events import (  # noqa: F401  (re-exported for callers)
    DataReady,
    Event,
    Finished,
    Progress,
    Sample,
    Status,
    Validation,
)
from translator_app.core.base.threads import ThreadChooser
from translator_app.core.folders.runfolder import (
    DDP_CHECK_FILE,
    TRAIN_STATE_FILE,
    WEIGHTS_FILE,
    RunFolder,
    atomic_write_json,
)
from translator_app.core.model.model import Seq2Seq
from translator_app.core.text import corpus as corpus_mod
from translator_app.core.train.batching import EncodedCorpus, bucket_batches, in_turn, rotating_rows
from translator_app.core.train.blend import blend_toward_base, kept_summary
from translator_app.core.train.distributed import (
    DistContext,
    barrier,
    broadcast,
    cleanup,
    gather_digests,
    init_from_env,
    shard,
)
from translator_app.core.train.request import CorpusSpec, FinetuneSpec, TrainRequest  # noqa: F401  (re-exported)
from translator_app.core.train.run_setup import setup as setup_run
from translator_app.core.train.source_mix import SourceMix
from translator_app.core.train.train_data import RunSetup, mask_pairs
from translator_app.core.train.train_loop import (  # noqa: F401  (lr_factor, budget_spent re-exported for callers)
    Run,
    budget_spent,
    fraction,
    general_limit_report,
    lr_factor,
    save_checkpoint,
    save_model,
    score_as_used,
    train_step,
    validate_now,
)
from translator_app.core.train.train_state import TrainingState


def preload() -> None:
    """Construct Adam once: its first use imports hundreds of modules (call on the main thread)."""
    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])


# ---- the loop -----------------------------------------------------------------------


def train(request: TrainRequest, *, should_stop: Callable[[], bool] = lambda: False) -> Iterator[Event]:
    """The run ``request`` asks for, as a generator of events; ``should_stop`` is polled between
    steps (a stopped run keeps its checkpoint)."""
    out = request.out
    out.mkdir(parents=True, exist_ok=True)
    from translator_app.core.base.heap import retained_heap
    from translator_app.core.folders.runlock import RunLock

    # one writer per run folder (a second gets FolderBusy); freed tensors stay in the heap (core/base/heap.py)
    with RunLock(out), retained_heap():
        yield from _train(request, should_stop)


def _train(request: TrainRequest, should_stop: Callable[[], bool]) -> Iterator[Event]:
    """Prepare, (fine-tuning) score the base model, run the epochs, then finish (final validation,
    checkpoint, bundle)."""
    started = time.monotonic()
    ctx = init_from_env(request.train_cfg.device)
    if ctx.is_main:
        RunFolder.at(request.out).remove_leftovers()
    run = yield from _prepare(request, should_stop, ctx, started)
    if run is None:  # stopped while the corpus and tokenizer were being prepared
        return
    yield from _score_base(run)
    reason, last_valid_step = yield from _epochs(run, should_stop)
    yield from _finish(run, reason, last_valid_step)


# ---- prepare: data, tokenizer, model, optimizer, restored state ---------------------------------


def _prepare(
    request: TrainRequest, should_stop: Callable[[], bool], ctx: DistContext, started: float
) -> Generator[Event, None, Run | None]:
    """Yields Status events and DataReady; returns the :class:`Run`, or None (after a Finished
    event) when the stop flag was raised meanwhile."""
    out = request.out
    setup = None
    for item in setup_run(request, ctx):
        if isinstance(item, RunSetup):
            setup = item
        else:
            yield item
    assert setup is not None
    if should_stop():
        yield Finished("stopped", 0, str(out), None, time.monotonic() - started)
        return None
    if setup.train_cfg.num_threads > 0:
        torch.set_num_threads(setup.train_cfg.num_threads)
    torch.manual_seed(setup.train_cfg.seed)
    yield Status("Encoding the corpus")
    data = _encode(setup, request.corpus.path)
    if data.mix is not None:  # the shares used: into run.json (and so every bundle's meta), and shown
        if ctx.is_main:
            RunFolder.at(out).update_meta(setup.meta)
        yield Status(data.mix.summary())
    # from here on training reads only the int32 index: let the raw training sentences go
    n_test = len(setup.split.test)
    setup.split, setup.sources = corpus_mod.Split([], [], []), None
    if should_stop():
        yield Finished("stopped", 0, str(out), None, time.monotonic() - started)
        return None
    run = _make_run(out, ctx, setup, data, started)
    yield DataReady(
        f"{setup.summary}; {data.dropped} pairs over {setup.data_cfg.max_len} subwords dropped",
        len(data.train_enc),
        len(data.valid),
        n_test,
        len(run.tok.target),
        run.model.num_parameters(),
        str(run.meta.get("src_lang", "")),
        str(run.meta.get("tgt_lang", "")),
    )
    return run


def _make_run(out: Path, ctx: DistContext, setup: RunSetup, data: _Encoded, started: float) -> Run:
    """The model, optimizer, mixed precision and restored state around the encoded data."""
    train_cfg, meta = setup.train_cfg, setup.meta
    device = torch.device(ctx.device)
    # --threads 0: the count is measured as the run goes (one CPU process; torchrun sets its own)
    threads = ThreadChooser() if train_cfg.num_threads == 0 and device.type == "cpu" and not ctx.enabled else None
    ft_meta = meta if data.ft_info else None  # fine-tuning: frozen parts and anchor (core/train/anchor.py)
    model, net, optimizer, state = _build(
        setup.model_cfg,
        train_cfg,
        ctx,
        device,
        setup.state,
        setup.init_weights,
        out / TRAIN_STATE_FILE,
        started,
        ft_meta,
    )
    setup.state = setup.init_weights = None  # loaded: do not keep the checkpoint's weights and moments
    # bf16 autocast on CUDA and on CPUs with bf16 units (AVX512-BF16 / AMX); fp16 on CUDA only
    use_amp = train_cfg.amp != "none" and (device.type == "cuda" or train_cfg.amp == "bf16")
    amp_dtype = torch.bfloat16 if train_cfg.amp == "bf16" else torch.float16
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp and train_cfg.amp == "fp16")
    return Run(
        out,
        ctx,
        setup.model_cfg,
        train_cfg,
        meta,
        setup.tok,
        data.train_enc,
        data.valid,
        data.valid_enc,
        setup.general,
        data.src_lang,
        data.tgt_lang,
        data.ft_info,
        device,
        model,
        net,
        optimizer,
        scaler,
        use_amp,
        amp_dtype,
        state,
        data.epoch_rows,
        threads=threads,
    )


@dataclass(frozen=True)
class _Encoded:
    """The training and validation pairs as subword ids, and what the loop needs to read them."""

    train_enc: EncodedCorpus  # rows of subword ids (int32 index), pairs over max_len dropped
    dropped: int  # pairs over data_cfg.max_len subwords
    valid: list[tuple[str, str]]  # raw: scored as users see them
    valid_enc: EncodedCorpus  # masked like the training pairs when the tokenizer has placeholders
    src_lang: str
    tgt_lang: str
    ft_info: dict[str, Any] | None
    epoch_rows: Callable[[int], np.ndarray] | None  # rows of each epoch: fine-tuning's replay slices, or by source
    mix: SourceMix | None  # sampling by source (DataConfig.by_source)


def _encode(setup: RunSetup, corpus_path: str) -> _Encoded:
    """Encode the training and validation pairs with the run's tokenizer."""
    meta, tok, data_cfg = setup.meta, setup.tok, setup.data_cfg
    ft_info = meta.get("finetune") if isinstance(meta.get("finetune"), dict) else None
    src_lang, tgt_lang = str(meta.get("src_lang") or "en"), str(meta.get("tgt_lang") or "es")
    train_enc, dropped = EncodedCorpus.from_pairs(setup.split.train, tok, data_cfg.max_len)
    epoch_rows = None
    rounds, n_domain = int((ft_info or {}).get("replay_rounds", 1)), int((ft_info or {}).get("in_domain_pairs", 0))
    if rounds > 1 and 0 < n_domain < len(setup.split.train):  # the in-domain pairs come first (finetune.py)
        kept_domain = int(np.searchsorted(train_enc.kept, n_domain))  # rows from the first n_domain pairs
        epoch_rows = in_turn(rotating_rows(len(train_enc), kept_domain, rounds))
    valid = setup.split.valid
    valid_masked = mask_pairs(valid, src_lang, tgt_lang) if data_cfg.protect_spans and tok.has_placeholders else valid
    valid_enc, _ = EncodedCorpus.from_pairs(valid_masked, tok, data_cfg.max_len)
    if len(train_enc) == 0:
        raise corpus_mod.CorpusError(corpus_path, None, "no training pair is short enough after tokenisation")
    mix = SourceMix([setup.sources[k] for k in train_enc.kept], data_cfg) if setup.sources is not None else None
    if mix is not None:  # (a run from a model: only with replay 0, so no replay rotation to replace)
        epoch_rows, meta["source_mix"] = mix.rows, mix.to_meta()
    return _Encoded(train_enc, dropped, valid, valid_enc, src_lang, tgt_lang, ft_info, epoch_rows, mix)


def _build(
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    ctx: DistContext,
    device: torch.device,
    saved: dict[str, Any] | None,
    init_weights: dict[str, Any] | None,
    state_path: Path,
    started: float,
    ft_meta: dict[str, Any] | None = None,
) -> tuple[Seq2Seq, torch.nn.Module, torch.optim.Optimizer, TrainingState]:
    """The model (fresh, the base model's weights, or the checkpoint's), its DDP wrapper under
    torchrun, Adam, and the training state (the checkpoint's counters and RNG when resuming)."""
    model = Seq2Seq(model_cfg).to(device)
    # fused: one kernel for all parameters (small preset, 2 threads: 2.5 ms a step, not 14.6); same state
    optimizer = torch.optim.Adam(
        model.parameters(), lr=train_cfg.lr, betas=(0.9, 0.98), weight_decay=train_cfg.weight_decay, fused=True
    )
    state = TrainingState(started=started)
    if saved is None and init_weights is not None:  # fine-tuning: the base model's weights
        model.load_state_dict(init_weights)
    if saved is not None:
        state.restore(saved, model, optimizer, state_path)
    if ft_meta is not None:  # before DDP sees which parameters train
        from translator_app.core.train import anchor

        anchor.apply(model, optimizer, ft_meta, resumed=saved is not None)
    net: torch.nn.Module = model
    if ctx.enabled:
        from torch.nn.parallel import DistributedDataParallel

        net = DistributedDataParallel(model, device_ids=[device] if device.type == "cuda" else None)
    return model, net, optimizer, state


def _score_base(run: Run) -> Iterator[Event]:
    """Fine-tuning, before the first step: validate the base model (its scores go into run.json)."""
    if run.ft_info is not None and run.state.step == 0 and "base_valid" not in run.ft_info:
        yield Status("Scoring the base model before fine-tuning (in-domain and general dev sets)")
        event = validate_now(run)
        if event is not None:
            run.state.best_bleu = event.bleu
            yield event


# ---- the epochs ---------------------------------------------------------------------------------


def _epochs(run: Run, should_stop: Callable[[], bool]) -> Generator[Event, None, tuple[str, int]]:
    """Steps until a reason to stop; yields Progress and Validation events; returns (the reason,
    the step of the last validation)."""
    st, cfg, ctx = run.state, run.train_cfg, run.ctx
    reason = ""
    window_loss, window_tokens, window_start = 0.0, 0.0, time.monotonic()
    last_valid_step = st.step
    stop_requested = should_stop()
    while not reason:
        rows = run.epoch_rows(st.epoch) if run.epoch_rows else None
        batches = shard(bucket_batches(run.train_enc, cfg.batch_tokens, seed=cfg.seed + st.epoch, rows=rows), ctx)
        while st.batch_pos < len(batches):
            if stop_requested:
                reason = "stopped"
                break
            loss_sum, n_tokens, stop_requested, over_budget = train_step(run, batches, should_stop)
            window_loss += loss_sum
            window_tokens += n_tokens

            epoch_progress = st.epoch + st.batch_pos / len(batches)
            if st.step % cfg.log_every == 0:
                now = time.monotonic()
                frac = fraction(run, epoch_progress)
                eta = st.elapsed() * (1 - frac) / frac if frac else None
                yield Progress(
                    st.step,
                    st.epoch,
                    window_loss / max(window_tokens, 1),
                    run.optimizer.param_groups[0]["lr"],
                    window_tokens / max(now - window_start, 1e-6),
                    st.elapsed(),
                    eta,
                    frac,
                )
                window_loss, window_tokens, window_start = 0.0, 0.0, now
            if st.step % cfg.valid_every == 0:
                reason = yield from _validation_step(run, reason)
                last_valid_step = st.step
            if st.step % cfg.checkpoint_every == 0:
                save_checkpoint(run)
            if not reason and over_budget:
                reason = "budget"
            if not reason and cfg.max_steps > 0 and st.step >= cfg.max_steps:
                reason = "max_steps"
            if reason:
                break
        if st.batch_pos >= len(batches):
            st.epoch += 1
            st.batch_pos = 0
            if not reason and cfg.max_epochs > 0 and st.epoch >= cfg.max_epochs:
                reason = "max_epochs"
    return reason, last_valid_step


def _validation_step(run: Run, reason: str) -> Generator[Event, None, str]:
    """A periodic validation: early stopping and the plateau schedule follow rank 0's result."""
    st, cfg = run.state, run.train_cfg
    event = validate_now(run)
    if event is not None:
        st.best_bleu = event.bleu if event.best else st.best_bleu
        st.bad_validations = 0 if event.best else st.bad_validations + 1
        if cfg.schedule == "plateau" and not event.best:
            st.plateau_scale = max(st.plateau_scale * 0.5, cfg.min_lr / cfg.lr)
        yield event
        if cfg.patience and st.bad_validations >= cfg.patience:
            reason = "early_stop"
    reason, st.plateau_scale = broadcast((reason, st.plateau_scale), run.ctx)
    return reason


# ---- finish: last checkpoint, final validation, bundle ------------------------------------------


def _finish(run: Run, reason: str, last_valid_step: int) -> Iterator[Event]:
    st, ctx, out = run.state, run.ctx, run.out
    save_checkpoint(run)
    if reason != "stopped" and st.step > last_valid_step:
        yield Status("Final validation")
        event = validate_now(run)
        if event is not None:
            st.best_bleu = event.bleu if event.best else st.best_bleu
            yield event
        save_checkpoint(run)
    elif ctx.is_main and not (out / WEIGHTS_FILE).exists():  # stopped before any validation: keep a usable model
        save_model(run, {})
    digests = gather_digests(run.model, ctx)
    if ctx.enabled:
        if ctx.is_main:
            atomic_write_json(out / DDP_CHECK_FILE, {"world_size": ctx.world_size, "step": st.step, "digests": digests})
        if len(set(digests)) != 1:
            raise RuntimeError(f"parameters diverged across ranks: {digests}")
    barrier(ctx)
    cleanup(ctx)
    if ctx.is_main and run.ft_info and reason != "stopped":
        yield from blend_toward_base(run, score_as_used, save_model)
    over_limit = (yield from general_limit_report(run)) if ctx.is_main and run.ft_info else None
    yield Finished(reason, st.step, str(out), st.best_bleu, st.elapsed(), over_limit, kept_summary(run.ft_info))
