#!/usr/bin/env python3
"""Add the name rule (translator_app.core.text.names) to a bundle trained before training computed it.

    .venv/bin/python scripts/add_name_rule.py models/en-es data/corpus/en-es.tsv
    .venv/bin/python scripts/add_name_rule.py models/es-en data/corpus/en-es.tsv --reverse

Counts, in the corpus the model was trained on (``--reverse``: its columns swapped), which
capitalised words the target side copies and which it translates, and writes the result into the
bundle's config.json (``meta["names"]``) atomically. Only config.json changes; training runs
made since then store the rule themselves (core/train/run_setup.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from translator_app.core.folders.bundlemeta import CONFIG_FILE  # noqa: E402 - after the sys.path line
from translator_app.core.model.checkpoint import atomic_write_bytes  # noqa: E402 - after the sys.path line
from translator_app.core.text.corpus import read_corpus  # noqa: E402 - after the sys.path line
from translator_app.core.text.names import name_rule_from_pairs  # noqa: E402 - after the sys.path line


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", type=Path)
    ap.add_argument("corpus", type=Path, help="the training corpus (TSV)")
    ap.add_argument("--reverse", action="store_true", help="the model translates the corpus's second column")
    args = ap.parse_args(argv)
    config_path = args.model / CONFIG_FILE
    config = json.loads(config_path.read_text(encoding="utf-8"))
    pairs = read_corpus(args.corpus)[0]
    if args.reverse:
        pairs = [(t, s) for s, t in pairs]
    rule = name_rule_from_pairs(pairs)
    config.setdefault("meta", {})["names"] = rule.to_meta()
    atomic_write_bytes(config_path, json.dumps(config, indent=2, ensure_ascii=False).encode("utf-8"))
    print(
        f"{config_path}: {len(rule.keep):,} names kept, {len(rule.translate):,} capitalised words translated "
        f"(from {len(pairs):,} pairs of {args.corpus})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
