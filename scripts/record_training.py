#!/usr/bin/env python
"""Record a training chunk in a bundle: the bundled models are trained in resumable chunks across
sessions, and each bundle says how much training it holds in all.

    python scripts/record_training.py NEW_BUNDLE [--base OLD_BUNDLE] --device "cpu, 2 threads" \\
        --trainer $(git rev-parse --short HEAD) [--epochs 1.8] [--note "continued with --from"]

``meta["training"]`` of NEW_BUNDLE becomes ``{"chunks": [...], "hours", "steps", "epochs"}``: the
base bundle's chunks (or, for a bundle trained before this record existed, one chunk made from its
``steps`` / ``train_minutes`` / ``epochs``) followed by this chunk, read from NEW_BUNDLE's own
``steps`` / ``train_minutes`` / ``epochs`` (``--epochs`` when the bundle does not say), and the totals.
Only ``config.json`` is rewritten (atomically); weights and tokenizer are not touched.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path
from typing import Any

from translator_app.core.folders.filenames import CONFIG_FILE
from translator_app.core.model.checkpoint import atomic_write_text


def _meta(bundle: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    config = json.loads((bundle / CONFIG_FILE).read_text(encoding="utf-8"))
    return config, config.setdefault("meta", {})


def chunk_of(meta: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """This bundle's own run as one chunk."""
    epochs = meta.get("epochs", extra.pop("epochs", None))
    return {
        "minutes": float(meta.get("train_minutes") or 0.0),
        "steps": int(meta.get("steps") or 0),
        "epochs": None if epochs is None else float(epochs),
        **{k: v for k, v in extra.items() if v is not None},
    }


def combined(base_meta: dict[str, Any] | None, new_chunk: dict[str, Any]) -> dict[str, Any]:
    """The base's chunks (none for a run from scratch) and the new one, with the totals."""
    previous = [] if base_meta is None else (base_meta.get("training") or {}).get("chunks")
    if base_meta is not None and not previous:
        previous = [chunk_of(base_meta, note="trained before chunks were recorded")]
    chunks = [*previous, new_chunk]
    known_epochs = [c["epochs"] for c in chunks if c.get("epochs") is not None]
    return {
        "chunks": chunks,
        "hours": round(sum(c["minutes"] for c in chunks) / 60, 2),
        "steps": sum(c["steps"] for c in chunks),
        "epochs": round(sum(known_epochs), 2) if len(known_epochs) == len(chunks) else None,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("bundle", type=Path, help="the bundle this chunk produced")
    p.add_argument("--base", type=Path, help="the bundle the chunk started from (none: a run from scratch)")
    p.add_argument("--device", default="cpu", help='where it trained, e.g. "cpu, 2 threads"')
    p.add_argument("--trainer", default="", help="git commit of the trainer")
    p.add_argument("--epochs", type=float, help="epochs of this chunk, when the bundle does not record them")
    p.add_argument("--note", default="")
    args = p.parse_args(argv)
    base_meta = None if args.base is None else _meta(args.base)[1]
    config, meta = _meta(args.bundle)
    chunk = chunk_of(
        meta,
        epochs=args.epochs,
        date=datetime.date.today().isoformat(),
        device=args.device,
        trainer=args.trainer or None,
        note=args.note or None,
    )
    meta["training"] = combined(base_meta, chunk)
    atomic_write_text(args.bundle / CONFIG_FILE, json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    t = meta["training"]
    print(f"{args.bundle}: {len(t['chunks'])} chunks, {t['hours']} h, {t['steps']:,} steps, epochs {t['epochs']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
