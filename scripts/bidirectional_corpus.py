#!/usr/bin/env python
"""One corpus for a bidirectional model (issue #28): both directions' rows, each source behind the tag
of the language to translate into.

    .venv/bin/python scripts/bidirectional_corpus.py data/corpus/en-es.tsv runs/corpus.es-en.tsv runs/bi.en-es.tsv

Writes OUT with every row of EN_ES (``english<TAB>spanish``) as ``⇨es english<TAB>spanish``, then every
row of ES_EN (``spanish<TAB>english``, e.g. from scripts/reverse_corpus.py) as ``⇨en spanish<TAB>english``
(``--tags INTO_ES,INTO_EN`` changes the tags). OUT's ``.sources`` sidecar gets both inputs' labels in the
same order, so that sampling by source still works; when either input has none, OUT gets none.

The tags must be single pieces of the tokenizer: train with ``--tokenizer-symbols ⇨es,⇨en``. A tag that is
empty, holds white space, or already occurs in an input is refused (nothing is written). See
benchmarks/README.md, "A bidirectional model", for training, splitting and scoring.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from translator_app.core.base.config import parse_symbols  # noqa: E402
from translator_app.core.folders.runfolder import atomic_write_text  # noqa: E402
from translator_app.core.text.corpus_sources import read_labels, sources_path  # noqa: E402
from translator_app.core.text.tags import DEFAULT_TAGS  # noqa: E402


def add_tags_option(ap: argparse.ArgumentParser) -> None:
    """The ``--tags INTO_ES,INTO_EN`` option (this script's and split_bidirectional.py's)."""
    ap.add_argument(
        "--tags",
        default=",".join(DEFAULT_TAGS),
        help=f"the tag of the en→es rows and that of the es→en rows (default {','.join(DEFAULT_TAGS)})",
    )


def parse_tags(text: str) -> tuple[str, str]:
    """``"⇨es,⇨en"`` -> ("⇨es", "⇨en"): (the tag of the en→es rows, that of the es→en rows). SystemExit when
    there are not two distinct tags, or one is empty or holds white space."""
    parts = text.split(",")
    if len(parts) != 2 or not all(p.strip() for p in parts):
        raise SystemExit(f"--tags takes two tags, INTO_ES,INTO_EN (e.g. {','.join(DEFAULT_TAGS)}), not {text!r}")
    try:
        tags = parse_symbols(text)  # the rule train --tokenizer-symbols applies
    except ValueError as exc:
        raise SystemExit(f"--tags: {exc}") from None
    if len(tags) != 2 or tags != (parts[0], parts[1]):  # (surrounding white space is white space in a tag)
        raise SystemExit(f"--tags: two distinct tags without white space, not {text!r}")
    return tags[0], tags[1]


def _lines(path: Path) -> list[str]:
    """The lines of a file without their ends (split at "\n" only, as the corpus reader does)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def tagged(line: str, tag: str) -> str:
    """``english<TAB>spanish`` -> ``⇨es english<TAB>spanish``; a line without a source is kept as it is
    (the reader skips it, as it skips the untagged one)."""
    source, tab, _ = line.partition("\t")
    return f"{tag} {line}" if tab and source.strip() else line


def _rows(path: Path) -> tuple[list[str], list[str] | None]:
    """The lines of a TSV and its sidecar's labels (None when it has none)."""
    lines = _lines(path)
    side = sources_path(path)
    labels = read_labels(side) if side.is_file() else None
    if labels is not None and len(labels) != len(lines):
        raise SystemExit(f"{side}: {len(labels)} lines, but {path} has {len(lines)}")
    return lines, labels


def build(en_es: Path, es_en: Path, out: Path, tags: tuple[str, str] = DEFAULT_TAGS) -> tuple[int, int, bool]:
    """Write OUT (and its sidecar when both inputs have one); returns (en→es rows, es→en rows, sidecar written).
    Refuses (SystemExit, nothing written) a tag found in an input's text."""
    inputs = [(en_es, tags[0]), (es_en, tags[1])]
    read = [_rows(path) for path, _ in inputs]
    for (path, _), (lines, _) in zip(inputs, read):
        text = "\n".join(lines)
        found = [tag for tag in tags if tag in text]
        if found:
            raise SystemExit(f"{path} already holds the tag {found[0]!r}: choose other --tags")
    out_lines = [tagged(line, tag) for (_, tag), (lines, _) in zip(inputs, read) for line in lines]
    labels = [label for _, names in read for label in names or ()]
    with_sidecar = all(names is not None for _, names in read)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out, "".join(line + "\n" for line in out_lines))
    side = sources_path(out)
    if with_sidecar:
        atomic_write_text(side, "".join(label + "\n" for label in labels))
    else:
        side.unlink(missing_ok=True)  # (an older one would belong to another build)
    return len(read[0][0]), len(read[1][0]), with_sidecar


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("en_es", type=Path, help="english<TAB>spanish (make corpus)")
    ap.add_argument("es_en", type=Path, help="spanish<TAB>english (scripts/reverse_corpus.py)")
    ap.add_argument("out", type=Path, help="the tagged corpus (name it *.en-es.tsv: the run's language pair)")
    add_tags_option(ap)
    args = ap.parse_args(argv)
    tags = parse_tags(args.tags)
    n_es, n_en, with_sidecar = build(args.en_es, args.es_en, args.out, tags)
    print(f"{args.out}: {n_es} rows {tags[0]} (en→es) + {n_en} rows {tags[1]} (es→en)")
    if with_sidecar:
        print(f"{sources_path(args.out)}: the source labels of both, in the same order")
    else:
        print(f"no {sources_path(args.out).name} written: an input has no .sources file (no sampling by source)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
