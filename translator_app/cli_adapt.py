"""``translator-app memory adapt | versions | use``: versions of your model adapted to your memory."""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import asdict

from translator_app import paths


def _root(pair: tuple[str, str]):
    """The root model of the pair: the bundled one (``models/en-es``)."""
    from translator_app.core.library.store import ModelStore

    store = ModelStore(paths.bundled_models_dir(), paths.user_models_dir())
    for entry in store.entries():
        if entry.bundled and (entry.src_lang, entry.tgt_lang) == pair:
            return store, entry.path
    raise ValueError(f"no bundled {pair[0]}-{pair[1]} model to adapt (give one with --from)")


def _event_record(ev) -> dict:
    return {"event": type(ev).__name__, **asdict(ev)}


def run(args, pair: tuple[str, str], memory) -> int:
    """``memory adapt / versions / use`` for the ``pair`` memory (opened by cli_memory, which calls this)."""
    from translator_app.core.adapt import adaptation

    command = args.memory_command
    if command == "versions":
        current = adaptation.current_version(memory)
        print(f"{'*' if current == 0 else ' '} 0  the original model")
        for v in adaptation.versions(memory):
            print(f"{'*' if current == v.number else ' '} {v.summary()}  ({v.path})")
        return 0
    if command == "use":
        folder = adaptation.use_version(memory, args.version)
        print(f"now using {folder or 'the original model'} for {memory.pair}")
        return 0
    store, root = _root(pair)
    base = None
    if args.base:
        from translator_app.core.train.finetune import resolve_model

        base = resolve_model(args.base, paths.user_models_dir(), paths.bundled_models_dir())
    settings = adaptation.AdaptSettings(minutes=args.minutes, threads=args.threads)
    if hasattr(os, "nice"):
        os.nice(10)  # this whole process scores in the background (the training child runs at 19)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # (then the training child is stopped too)
    import torch

    torch.set_num_threads(max(1, args.threads))  # the scoring in this process
    for ev in adaptation.adapt(memory, root=root, store=store, runs_dir=paths.runs_dir(), settings=settings, base=base):
        if args.json:
            print(json.dumps(_event_record(ev), ensure_ascii=False), flush=True)
        elif isinstance(ev, adaptation.AdaptStatus):
            print(ev.message, file=sys.stderr, flush=True)
        elif isinstance(ev, adaptation.AdaptDone):
            print(f"new {ev.version.summary()}\n  in {ev.version.path}")
            print(f"switch to it with: translator-app memory use {ev.version.number}")
    return 0
