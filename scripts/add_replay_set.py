#!/usr/bin/env python3
"""Add a replay set (``replay.tsv.gz``, core/train/replay.py) to a model bundle: a uniform sample of the
corpus it was trained on, which fine-tuning replays beside a new corpus so the model keeps what it knew.

    python scripts/add_replay_set.py models/en-es data/corpus/en-es.tsv [--pairs 40000] [--seed 13]
    python scripts/add_replay_set.py models/es-en data/corpus/en-es.tsv   # columns swapped (see below)

The corpus lines are sampled as they are (a source written N times by ``make corpus --repeat`` keeps
its weight, so every source keeps its share of training), leaving out the sources of the bundle's
``test.tsv``. When the corpus's language pair (from its file name) is the bundle's reversed, the
columns are swapped: the es-en model was trained on the en-es pairs swapped. ``config.json``
``meta["replay"]`` records the file's pairs, bytes and SHA-256 and where it came from (the corpus
manifest's SHA-256 when ``manifest.json`` sits beside it). Rerunning replaces the set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from translator_app.core.folders.bundlemeta import read_config  # noqa: E402
from translator_app.core.folders.filenames import CONFIG_FILE, REPLAY_FILE  # noqa: E402
from translator_app.core.model.checkpoint import atomic_write_bytes, atomic_write_text  # noqa: E402
from translator_app.core.text.corpus import read_corpus  # noqa: E402
from translator_app.core.train.replay import (  # noqa: E402
    DEFAULT_PAIRS,
    MAX_CHARS,
    encode_replay,
    read_replay,
    replay_record,
    sample_pairs,
)


def corpus_source(corpus: Path, swapped: bool, seed: int, lines: int) -> dict:
    manifest = corpus.parent / "manifest.json"
    info = {"corpus": corpus.name, "corpus_pairs": lines, "seed": seed, "swapped": swapped}
    try:
        info["corpus_sha256"] = json.loads(manifest.read_text(encoding="utf-8"))["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        info["corpus_sha256"] = hashlib.sha256(corpus.read_bytes()).hexdigest()
    return info


def add_replay_set(model: Path, corpus: Path, pairs: int = DEFAULT_PAIRS, seed: int = 13) -> dict:
    """Write ``model/replay.tsv.gz`` and its record in ``model/config.json``; returns the record."""
    config = read_config(model)
    meta = config.setdefault("meta", {})
    lines, report = read_corpus(corpus, dedupe=False, max_chars=MAX_CHARS)
    pair = (str(meta.get("src_lang") or ""), str(meta.get("tgt_lang") or ""))
    swapped = (report.src_lang, report.tgt_lang) == pair[::-1] and pair[0] != pair[1]
    if not swapped and report.src_lang and pair[0] and (report.src_lang, report.tgt_lang) != pair:
        raise SystemExit(f"{corpus} is {report.src_lang}-{report.tgt_lang}, the model {pair[0]}-{pair[1]}")
    if swapped:
        lines = [(t, s) for s, t in lines]
    test = model / "test.tsv"
    held = {s for s, _ in read_corpus(test, dedupe=False)[0]} if test.is_file() else set()
    sample = sample_pairs(lines, pairs, seed, held)
    data = encode_replay(sample)
    record = replay_record(data, len(sample), corpus_source(corpus, swapped, seed, len(lines)))
    atomic_write_bytes(model / REPLAY_FILE, data)
    meta["replay"] = record
    atomic_write_text(model / CONFIG_FILE, json.dumps(config, indent=2, ensure_ascii=False))
    read_replay(model / REPLAY_FILE, record)  # what fine-tuning will check
    return record


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", type=Path, help="the bundle folder")
    p.add_argument("corpus", type=Path, help="the TSV corpus it was trained on (e.g. data/corpus/en-es.tsv)")
    p.add_argument("--pairs", type=int, default=DEFAULT_PAIRS, help=f"pairs to sample (default {DEFAULT_PAIRS})")
    p.add_argument("--seed", type=int, default=13, help="sampling seed (default 13)")
    args = p.parse_args(argv)
    record = add_replay_set(args.model, args.corpus, args.pairs, args.seed)
    print(
        f"{args.model / REPLAY_FILE}: {record['pairs']:,} pairs, {record['bytes'] / 1e6:.2f} MB "
        f"(of {record['source']['corpus_pairs']:,} corpus pairs{', columns swapped' if record['source']['swapped'] else ''})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
