"""``translator-app train``: runs core.train.training.train and shows its events (a progress bar and
validation lines, or one JSON object per event with ``--json``); the flags are in cli_settings."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from translator_app import paths
from translator_app.cli_guards import check_corpus_paths, expectation_text, refuse_spent_budget, removed_if_failed
from translator_app.cli_settings import configs, finetune_spec
from translator_app.core.base.cancel import CancelToken
from translator_app.core.folders.runfolder import RunFolder
from translator_app.core.train.request import CorpusSpec, TrainRequest, base_model_config


def event_record(ev) -> dict[str, Any]:
    """A training event as a JSON-ready dict: ``{"event": "Finished", "step": 40, ...}`` (``train --json``)."""
    record: dict[str, Any] = {"event": type(ev).__name__}
    for f in dataclasses.fields(ev):
        value = getattr(ev, f.name)
        if f.name == "samples":
            value = [{"source": s.source, "reference": s.reference, "hypothesis": s.hypothesis} for s in value]
        elif hasattr(value, "item"):  # a numpy scalar
            value = value.item()
        elif dataclasses.is_dataclass(value):  # Finished.over_limit
            value = dataclasses.asdict(value)
        record[f.name] = value
    return record


BUDGET_FLAGS = ("minutes", "max_steps", "max_epochs", "extend_minutes")


def stored_budget(out: str, train_cfg):
    """``train_cfg`` with the budget that ``out``'s run.json recorded (a resumed run given no budget flag
    would otherwise get a new run's default budget: a 24-minute linear schedule became a flat one)."""
    try:
        saved = RunFolder.at(out).read_run().get("train") or {}
    except (OSError, ValueError):
        return train_cfg
    budget = {k: saved[k] for k in BUDGET_FLAGS[:3] if isinstance(saved.get(k), (int, float))}
    return dataclasses.replace(train_cfg, **budget)


def train_request(args) -> TrainRequest:
    """The parsed ``train`` arguments as a :class:`TrainRequest` (the configs through
    ``core.train.request.resolve``, as in the app); the corpus and budget checked, the replay warning shown."""
    resuming = args.resume and RunFolder.at(args.out).has_checkpoint()
    model_cfg, train_cfg, tok_cfg, data_cfg = configs(args)  # the flags checked before the base model is read
    if not resuming:
        check_corpus_paths(args.corpus, args.target)  # before anything is printed or created
    finetune = None
    if getattr(args, "base", None):
        from translator_app.core.train.finetune import resolve_model

        base = resolve_model(args.base, paths.user_models_dir(), paths.bundled_models_dir())
        model_cfg, train_cfg, tok_cfg, data_cfg = configs(args, base_model_config(base))
        finetune = finetune_spec(args, base)
        if not resuming:
            from translator_app.core.train.forgetting import replay_warning

            warning = replay_warning(base, finetune.replay_share, finetune.replay_corpus)
            if warning:
                print(f"Warning: {warning}", file=sys.stderr, flush=True)
    if resuming and all(getattr(args, k, None) is None for k in BUDGET_FLAGS):
        train_cfg = stored_budget(args.out, train_cfg)  # a bare --resume finishes the run as it was planned
    if resuming and not train_cfg.extend_minutes:
        refuse_spent_budget(args.out, train_cfg.minutes)
    return TrainRequest(
        CorpusSpec(args.corpus, args.target),
        args.out,
        model_cfg,
        train_cfg,
        tok_cfg,
        data_cfg,
        resume=args.resume,
        finetune=finetune,
        meta={"name": args.name} if args.name else {},
    )


@contextmanager
def stop_on_signals(stop: CancelToken) -> Iterator[None]:
    """Ctrl+C and SIGTERM (``kill``, a logout, a session's end) ask the run to stop after its step, which
    writes the checkpoint; a second one stops at once (losing the steps since the last checkpoint). A run
    started with ``nohup … &`` gets SIGINT ignored by the shell, so SIGTERM is the way to stop it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def ask(signum, _frame) -> None:
        if stop.cancelled:
            raise KeyboardInterrupt
        stop.cancel()
        print(
            f"\n{signal.Signals(signum).name}: stopping after this step and writing the checkpoint "
            "(again to stop at once)",
            file=sys.stderr,
            flush=True,
        )

    previous = {sig: signal.signal(sig, ask) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def cmd_train(args) -> int:
    from translator_app.core.train import training

    request = train_request(args)
    stop = CancelToken()
    events = training.train(request, should_stop=stop)
    if os.environ.get("RANK", "0") == "0":
        from translator_app.core.folders.run_history import record

        # training-loss points and how the run ended (for a later resume); nothing left by a failed start
        events = removed_if_failed(record(events, args.out), args.out)
    try:
        with stop_on_signals(stop):  # (every rank: the stop request is shared between the steps)
            if os.environ.get("RANK", "0") != "0":  # under torchrun only rank 0 talks
                for _ in events:
                    pass
            else:
                _show(events, args, request)
    except KeyboardInterrupt:
        print("\nStopped at once; the last checkpoint is kept (resume with --resume).", file=sys.stderr)
        return 130
    return 130 if stop.cancelled else 0


def _show(events, args, request: TrainRequest) -> None:
    """The events as progress-bar and text lines, or JSON records with ``--json``."""
    from tqdm import tqdm

    from translator_app.core.train import training

    train_cfg, finetune, bar = request.train_cfg, request.finetune, None
    for ev in events:
        if args.json:
            print(json.dumps(event_record(ev), ensure_ascii=False), flush=True)
        elif isinstance(ev, training.Status):
            tqdm.write(ev.message)
        elif isinstance(ev, training.DataReady):
            tqdm.write(
                f"Data: {ev.summary}\n  train {ev.train_pairs}, valid {ev.valid_pairs}, "
                f"test {ev.test_pairs} pairs; vocabulary {ev.vocab_size}; {ev.parameters:,} parameters"
            )
            if finetune is None and not args.resume:  # a new model: what this corpus and budget can reach
                tqdm.write(expectation_text(ev, args.preset, train_cfg.minutes))
            bar = tqdm(total=1000, unit="‰", dynamic_ncols=True, bar_format="{l_bar}{bar}| {postfix}")
        elif isinstance(ev, training.Progress) and bar is not None:
            if ev.fraction is not None:
                bar.n = int(ev.fraction * 1000)
            eta = f"{ev.eta_s / 60:.1f} min" if ev.eta_s is not None else "?"
            bar.set_postfix_str(
                f"step {ev.step} ep {ev.epoch} loss {ev.loss:.3f} lr {ev.lr:.2e} "
                f"{ev.tokens_per_sec:,.0f} tok/s ETA {eta}"
            )
        elif isinstance(ev, training.Validation):
            _show_validation(ev, tqdm.write)
        elif isinstance(ev, training.Finished):
            if bar is not None:
                bar.close()
            print(
                f"Finished ({ev.reason}) at step {ev.step} after {ev.elapsed_s / 60:.1f} min; "
                f"best valid BLEU {ev.best_bleu}; model in {ev.out_dir}"
            )
            if ev.reason == "budget":
                print(f"To train longer: translator-app train ... --out {ev.out_dir} --resume --extend-minutes N")
            elif ev.reason == "stopped":
                print(
                    f"Stopped; the checkpoint is written. To go on: translator-app train ... --out {ev.out_dir} --resume"
                )


def _show_validation(ev, write) -> None:
    """One validation as a line (the general score beside the in-domain one when fine-tuning) and two samples."""
    if ev.best:
        star = " *saved: best BLEU so far*"
    elif ev.within_limit is False:  # fine-tuning: forgot too much of what the base model knew
        star = f" (not saved: general BLEU {-ev.general_drop:+.2f} vs base, over the {ev.max_general_drop:g} limit)"
    else:
        star = " (not saved: the model is kept by best BLEU)"
    general = ""
    if ev.general_bleu is not None:
        drop = (
            f", {ev.general_bleu - ev.base_general_bleu:+.2f} vs base"
            if ev.base_general_bleu is not None and ev.step
            else ""
        )
        general = f" | general BLEU {ev.general_bleu:.2f} chrF {ev.general_chrf:.2f}{drop}"
    write(f"[step {ev.step}] valid loss {ev.valid_loss:.3f} BLEU {ev.bleu:.2f} chrF {ev.chrf:.2f}{general}{star}")
    for s in ev.samples[:2]:
        write(f"    {s.source}  ->  {s.hypothesis}")
