"""Training as a plain generator of progress events.

    for event in train(CorpusSpec("pairs.tsv"), "runs/my-model", should_stop=flag.is_set):
        ...

The loop reads and splits the corpus, trains the SentencePiece model, then trains the
seq2seq model with token-bucketed batches, Adam, warm-up + inverse-sqrt (or plateau)
schedule, gradient clipping and label smoothing. It validates periodically (loss, BLEU,
chrF, sample translations with attention), keeps the best model as a bundle in
``out_dir``, writes a resumable checkpoint, and stops on budget, early stopping or the
stop flag. ``resume=True`` continues from ``out_dir/checkpoint.pt`` with the same data.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator

import torch

from translator_app.core import corpus as corpus_mod
from translator_app.core.distributed import (
    DistContext, all_sum, barrier, broadcast, cleanup, gather_digests, init_from_env, shard,
)
from translator_app.core.batching import EncodedCorpus, bucket_batches, make_batch
from translator_app.core.checkpoint import (
    JOINT_TOKENIZER, SOURCE_TOKENIZER, TARGET_TOKENIZER, TRAIN_STATE_FILE, BundleError, atomic_write_text,
    load_train_state, save_bundle, save_train_state,
)
from translator_app.core.config import (
    DataConfig, ModelConfig, TokenizerConfig, TrainConfig, from_dict, to_dict,
)
from translator_app.core.events import (  # noqa: F401  (re-exported for callers)
    DataReady, Event, Finished, Progress, Sample, Status, Validation,
)
from translator_app.core.model import Seq2Seq
from translator_app.core.validation import validate
from translator_app.core.tokenizer import SubwordModel, Tokenizers, train_tokenizers

RUN_FILE = "run.json"
HISTORY_FILE = "history.jsonl"
DATA_DIR = "data"


@dataclass(frozen=True)
class CorpusSpec:
    path: str
    target_path: str | None = None


def preload() -> None:
    """Construct Adam once: its first use imports hundreds of modules (call on the main thread)."""
    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])


# ---- data ---------------------------------------------------------------------------

def _prepare_fresh(spec: CorpusSpec, out: Path, data_cfg: DataConfig, tok_cfg: TokenizerConfig):
    pairs, report = corpus_mod.read_corpus(spec.path, spec.target_path, max_chars=data_cfg.max_chars,
                                           lowercase=data_cfg.lowercase)
    split = corpus_mod.split_by_source(pairs, data_cfg.valid_size, data_cfg.test_size, data_cfg.seed)
    if not split.train or not split.valid:
        raise corpus_mod.CorpusError(spec.path, None, f"too few distinct sentences to train ({len(pairs)} pairs)")
    src_lang, tgt_lang = report.src_lang or "en", report.tgt_lang or "es"
    train_pairs = split.train
    if data_cfg.augment_share > 0:
        from translator_app.core.augment import augment_pairs

        train_pairs, _ = augment_pairs(train_pairs, share=data_cfg.augment_share, seed=data_cfg.seed,
                                       src_lang=src_lang, tgt_lang=tgt_lang)
    if data_cfg.protect_spans and tok_cfg.placeholders:  # the model learns to carry placeholders through
        train_pairs = mask_pairs(train_pairs, src_lang, tgt_lang)
    split = corpus_mod.Split(train_pairs, split.valid, split.test)  # valid/test stay raw: scored as users see them
    (out / DATA_DIR).mkdir(parents=True, exist_ok=True)
    for name in ("train", "valid", "test"):
        tmp = out / DATA_DIR / f".{name}.tsv.tmp"
        corpus_mod.write_tsv(tmp, getattr(split, name))
        tmp.replace(out / DATA_DIR / f"{name}.tsv")
    tokenizers = train_tokenizers(split.train, tok_cfg, data_cfg.seed)
    return split, tokenizers, report


def mask_pairs(pairs: list[tuple[str, str]], src_lang: str, tgt_lang: str) -> list[tuple[str, str]]:
    """Protected spans found on both sides become the same placeholder (see core/spans.py)."""
    from translator_app.core.spans import mask_pair

    return [mask_pair(s, t, src_lang, tgt_lang) for s, t in pairs]


def _load_split(out: Path) -> corpus_mod.Split:
    parts = {}
    for name in ("train", "valid", "test"):
        path = out / DATA_DIR / f"{name}.tsv"
        if path.stat().st_size == 0:
            parts[name] = []
            continue
        parts[name], _ = corpus_mod.read_corpus(path, dedupe=False, max_chars=10**6, detect_header=False)
    return corpus_mod.Split(**parts)


def _load_tokenizers(out: Path) -> Tokenizers:
    if (out / JOINT_TOKENIZER).exists():
        model = SubwordModel((out / JOINT_TOKENIZER).read_bytes())
        return Tokenizers(model, model)
    return Tokenizers(SubwordModel((out / SOURCE_TOKENIZER).read_bytes()),
                      SubwordModel((out / TARGET_TOKENIZER).read_bytes()))


def _save_tokenizers(out: Path, tok: Tokenizers) -> None:
    from translator_app.core.checkpoint import atomic_write_bytes

    if tok.joint:
        atomic_write_bytes(out / JOINT_TOKENIZER, tok.source.model_bytes)
    else:
        atomic_write_bytes(out / SOURCE_TOKENIZER, tok.source.model_bytes)
        atomic_write_bytes(out / TARGET_TOKENIZER, tok.target.model_bytes)


# ---- schedule -----------------------------------------------------------------------

def lr_factor(step: int, cfg: TrainConfig) -> float:
    """Multiplier of ``cfg.lr`` at ``step`` (1-based)."""
    if cfg.schedule != "inverse_sqrt":
        return min(1.0, step / max(1, cfg.warmup_steps))
    warm = max(1, cfg.warmup_steps)
    return max(cfg.min_lr / cfg.lr, min(step / warm, math.sqrt(warm / max(step, 1))))


# ---- the loop -----------------------------------------------------------------------

@dataclass
class _Run:
    """Everything the loop needs that setup decided (fresh run or resume)."""
    model_cfg: ModelConfig
    train_cfg: TrainConfig
    data_cfg: DataConfig
    meta: dict[str, Any]
    split: corpus_mod.Split
    tok: Tokenizers
    summary: str
    state: dict[str, Any] | None


def _setup(spec: CorpusSpec, out: Path, model_cfg: ModelConfig, train_cfg: TrainConfig, tok_cfg: TokenizerConfig,
           data_cfg: DataConfig, resume: bool, meta: dict[str, Any] | None, ctx: DistContext) -> Iterator[Any]:
    """Yields Status events, then the :class:`_Run`. Only rank 0 reads the corpus and
    writes run files; the other ranks then load what it wrote."""
    if resume and (out / TRAIN_STATE_FILE).exists():
        yield Status(f"Resuming from {out / TRAIN_STATE_FILE}")
        budget = {k: getattr(train_cfg, k) for k in ("minutes", "max_steps", "max_epochs", "num_threads")}
        yield _load_run(out, budget, meta, load_train_state(out / TRAIN_STATE_FILE))
        return
    if resume:
        yield Status(f"No checkpoint in {out}; starting a new run")
    if ctx.is_main:
        # forget an earlier run in this folder first, so a crash below cannot resume it on new data
        (out / TRAIN_STATE_FILE).unlink(missing_ok=True)
        (out / RUN_FILE).unlink(missing_ok=True)
        yield Status(f"Reading {spec.path}")
        yield Status("Splitting the corpus and training the SentencePiece tokenizer")
        split, tok, report = _prepare_fresh(spec, out, data_cfg, tok_cfg)
        _save_tokenizers(out, tok)
        model_cfg = replace(model_cfg, src_vocab_size=len(tok.source), tgt_vocab_size=len(tok.target),
                            share_src_tgt_embeddings=model_cfg.share_src_tgt_embeddings and tok.joint,
                            copy_attention=model_cfg.copy_attention and tok.joint)
        meta = {"name": out.name, "src_lang": report.src_lang, "tgt_lang": report.tgt_lang,
                "corpus": str(spec.path), **(meta or {})}
        run = {"model": to_dict(model_cfg), "train": to_dict(train_cfg), "tokenizer": to_dict(tok_cfg),
               "data": to_dict(data_cfg), "meta": meta, "corpus": [spec.path, spec.target_path]}
        atomic_write_text(out / RUN_FILE, json.dumps(run, indent=2, ensure_ascii=False))
        (out / HISTORY_FILE).unlink(missing_ok=True)
        barrier(ctx)
        yield _Run(model_cfg, train_cfg, data_cfg, meta, split, tok, report.summary(), None)
    else:
        barrier(ctx)
        yield _load_run(out, {}, meta, None)


def _load_run(out: Path, train_over: dict[str, Any], meta: dict[str, Any] | None,
              state: dict[str, Any] | None) -> _Run:
    run = json.loads((out / RUN_FILE).read_text(encoding="utf-8"))
    summary = f"resumed at step {state['step']}" if state else "prepared by rank 0"
    return _Run(from_dict(ModelConfig, run["model"]), replace(from_dict(TrainConfig, run["train"]), **train_over),
                from_dict(DataConfig, run["data"]), {**run.get("meta", {}), **(meta or {})},
                _load_split(out), _load_tokenizers(out), summary, state)


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
) -> Iterator[Event]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    ctx = init_from_env(train_cfg.device)
    if ctx.is_main:  # temp files left by a write that was killed midway
        for leftover in [*out.glob(".*.tmp"), *(out / DATA_DIR).glob(".*.tmp")]:
            leftover.unlink(missing_ok=True)
    setup = None
    for item in _setup(spec, out, model_cfg, train_cfg, tok_cfg, data_cfg, resume, meta, ctx):
        if isinstance(item, _Run):
            setup = item
        else:
            yield item
    assert setup is not None
    if should_stop():  # stopped while the corpus and tokenizer were being prepared
        yield Finished("stopped", 0, str(out), None, time.monotonic() - started)
        return
    model_cfg, train_cfg, data_cfg, meta, split, tok = (setup.model_cfg, setup.train_cfg, setup.data_cfg,
                                                       setup.meta, setup.split, setup.tok)
    state = setup.state
    if train_cfg.num_threads > 0:
        torch.set_num_threads(train_cfg.num_threads)
    torch.manual_seed(train_cfg.seed)
    yield Status("Encoding the corpus")
    train_enc, dropped = EncodedCorpus.from_pairs(split.train, tok, data_cfg.max_len)
    valid_masked = split.valid
    if data_cfg.protect_spans and tok.source.has_placeholders:
        valid_masked = mask_pairs(split.valid, str(meta.get("src_lang") or "en"), str(meta.get("tgt_lang") or "es"))
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
            event = _validate_and_keep(model, tok, split, valid_enc, train_cfg, step, best_bleu, save_model,
                                       str(meta.get("src_lang", "")), str(meta.get("tgt_lang", "")))
            _append_history(out, {"step": step, "valid_loss": event.valid_loss, "bleu": event.bleu,
                                  "chrf": event.chrf, "elapsed_s": round(elapsed(), 1)})
        barrier(ctx)
        return event

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


def _validate_and_keep(model, tok, split, valid_enc, cfg, step, best_bleu, save_model, src_lang: str,
                       tgt_lang: str) -> Validation:
    loss, scores, samples = validate(model, tok, split.valid, valid_enc, cfg, src_lang=src_lang or "en",
                                     tgt_lang=tgt_lang or "es")
    improved = best_bleu is None or scores.bleu > best_bleu
    if improved:
        save_model({"valid_bleu": scores.bleu, "valid_chrf": scores.chrf, "valid_loss": round(loss, 4)})
    return Validation(step, loss, scores.bleu, scores.chrf, improved, samples)


def _append_history(out: Path, row: dict[str, Any]) -> None:
    with open(out / HISTORY_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")
