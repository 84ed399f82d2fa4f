#!/usr/bin/env python
"""Make a shippable candidate bundle from a training chunk of a bundled model (issue #28).

    .venv/bin/python scripts/install_chunk.py runs/cont5-en-es --base models/en-es \\
        --corpus data/corpus-next2/en-es.tsv --out runs/candidate-en-es --trainer 7fb9c66 \\
        --note "continued with --from: fresh Adam, lr 8e-4 ..." [--checkpoint FILE] [--epochs 5.9]

A chunk is a ``--from BASE --replay 0`` run. Its bundle is whatever its greedy validation kept, which
can still be the base at the end of a chunk that beam search on the dev sets shows to be better. So the
candidate takes the weights of the run's training checkpoint (``RUN/checkpoint.pt``, or ``--checkpoint``:
a copy taken during the run) and the run's configuration and tokenizer. Then:

* the meta gets the chunk's steps and minutes (from the checkpoint) and epochs (``--epochs``, or the
  run bundle's when it is that step's, else counted from the checkpoint's epoch and batch position). It drops what must not ship: the fine-tuning record, the run
  folder and the parent's local path. It keeps the base's display name and name rule (a ``--from`` run
  computes none), and the corpus's ``manifest.json``.
* the weights are stored as fp16, and the base's ``test.tsv`` is copied.
* a 40,000-pair replay set is sampled from ``--corpus`` (``add_replay_set.py``; swapped for es-en).
* the chunk is recorded after the base's chunks (``record_training.py``).

It does not touch ``--base``. Score OUT against it on the dev sets (``benchmarks/quality.py``), then copy
OUT's files into the model folder if it wins.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts import add_replay_set, record_training  # noqa: E402
from scripts.average_bundles import from_checkpoint  # noqa: E402
from translator_app.core.model.checkpoint import load_bundle, load_train_state, save_bundle  # noqa: E402

DROPPED = ("finetune", "run", "metrics", "averaged")


def epochs_from_state(state: dict) -> float | None:
    """Epochs of a chunk that started at epoch 0 from its checkpoint's counters: ``epoch`` whole epochs
    of ``(step - batch_pos) / epoch`` batches each, then ``batch_pos`` batches; None before the first
    epoch ends (the epoch's length is not known then)."""
    epoch, pos, step = int(state.get("epoch") or 0), int(state.get("batch_pos") or 0), int(state["step"])
    if epoch < 1 or step <= pos:
        return None
    return round(step / ((step - pos) / epoch), 2)


def candidate(run: Path, base: Path, corpus: Path, out: Path, checkpoint: Path | None, epochs: float | None) -> dict:
    """Write OUT's bundle (fp16 weights, cleaned meta, the base's test.tsv); returns its meta."""
    bundle = load_bundle(run)
    checkpoint = checkpoint or run / "checkpoint.pt"
    state = load_train_state(checkpoint)
    weights = from_checkpoint(checkpoint, bundle, state).state_dict  # (refused unless it holds this model's tensors)
    base_meta = load_bundle(base).meta
    meta = {k: v for k, v in bundle.meta.items() if k not in DROPPED}
    if isinstance(meta.get("parent"), dict):
        meta["parent"] = {k: v for k, v in meta["parent"].items() if k != "path"}
    if epochs is None and bundle.meta.get("steps") == state["step"]:
        epochs = bundle.meta.get("epochs")
    if epochs is None:
        epochs = epochs_from_state(state)
    meta.update(
        steps=int(state["step"]),
        train_minutes=round(float(state.get("elapsed_s", 0.0)) / 60, 2),
        epochs=epochs,
        corpus=corpus.name,
    )
    for key in ("name", "names"):
        if key in base_meta:
            meta[key] = base_meta[key]
    manifest = corpus.parent / "manifest.json"
    if manifest.is_file():
        meta["corpus_manifest"] = json.loads(manifest.read_text(encoding="utf-8"))
    if out.exists():
        shutil.rmtree(out)
    save_bundle(out, bundle.model_config, bundle.tokenizers, weights, meta, half=True)
    if (base / "test.tsv").is_file():
        shutil.copyfile(base / "test.tsv", out / "test.tsv")
    return meta


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run", type=Path, help="the chunk's run folder")
    p.add_argument("--base", type=Path, required=True, help="the bundle the chunk continued (models/en-es)")
    p.add_argument("--corpus", type=Path, required=True, help="the corpus the chunk trained on")
    p.add_argument("--out", type=Path, required=True, help="the candidate's folder (replaced)")
    p.add_argument("--checkpoint", type=Path, help="a training checkpoint (default: RUN/checkpoint.pt)")
    p.add_argument("--epochs", type=float, help="epochs of the chunk, when the run's bundle is not at that step")
    p.add_argument("--device", default="cpu, threads auto", help='where it trained, e.g. "cpu, 1 thread"')
    p.add_argument("--trainer", default="", help="git commit of the trainer")
    p.add_argument("--note", default="", help="how the chunk was trained (the recipe)")
    p.add_argument("--replay-pairs", type=int, default=40_000)
    args = p.parse_args(argv)
    try:
        meta = candidate(args.run, args.base, args.corpus, args.out, args.checkpoint, args.epochs)
    except (ValueError, OSError, KeyError) as exc:
        print(f"install_chunk: {exc}", file=sys.stderr)
        return 1
    print(f"{args.out}: step {meta['steps']}, {meta['train_minutes']} min, epochs {meta['epochs']}")
    add_replay_set.main([str(args.out), str(args.corpus), "--pairs", str(args.replay_pairs)])
    record = [str(args.out), "--base", str(args.base), "--device", args.device, "--trainer", args.trainer]
    return record_training.main([*record, "--note", args.note])


if __name__ == "__main__":
    raise SystemExit(main())
