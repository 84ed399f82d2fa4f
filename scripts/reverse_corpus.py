#!/usr/bin/env python
"""The es→en corpus from an en→es one: columns swapped, every pair whose English or Spanish is in the
es→en model's own test split removed (it was never trained on), and the ``.sources`` sidecar kept in step.

    .venv/bin/python scripts/reverse_corpus.py data/corpus-next/en-es.tsv models/es-en/test.tsv runs/corpus-next.es-en.tsv

Writes OUT (``spanish<TAB>english``) and, when CORPUS has one, OUT's ``.sources`` sidecar; prints the counts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from translator_app.core.folders.runfolder import atomic_write_text  # noqa: E402
from translator_app.core.text.corpus_sources import read_labels, sources_path  # noqa: E402


def held_out(test: Path) -> set[str]:
    """Both sides of every pair of the test split."""
    keys: set[str] = set()
    for line in test.read_text(encoding="utf-8").splitlines():
        keys.update(line.split("\t")[:2])
    return keys


def reverse(corpus: Path, test: Path, out: Path) -> tuple[int, int]:
    """(pairs read, pairs written)."""
    held = held_out(test)
    src = sources_path(corpus)
    names = read_labels(src) if src.is_file() else None
    lines = corpus.read_text(encoding="utf-8").splitlines()
    if names is not None and len(names) != len(lines):
        raise SystemExit(f"{src}: {len(names)} lines, but {corpus} has {len(lines)}")
    kept_lines, kept_names = [], []
    for i, line in enumerate(lines):
        parts = line.split("\t")
        if len(parts) != 2 or parts[0] in held or parts[1] in held:
            continue
        kept_lines.append(f"{parts[1]}\t{parts[0]}\n")
        if names is not None:
            kept_names.append(names[i] + "\n")
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, "".join(kept_lines))
    if names is not None:
        atomic_write_text(sources_path(out), "".join(kept_names))
    return len(lines), len(kept_lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, help="english<TAB>spanish, from make corpus")
    ap.add_argument("test", type=Path, help="the es→en model's test split (models/es-en/test.tsv)")
    ap.add_argument("out", type=Path)
    args = ap.parse_args(argv)
    read, written = reverse(args.corpus, args.test, args.out)
    print(f"{args.out}: {written} of {read} pairs (the rest share a side with {args.test})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
