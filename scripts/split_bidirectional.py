#!/usr/bin/env python
"""A bidirectional model's two directions as two bundles that the app and the benchmarks load as usual.

    .venv/bin/python scripts/split_bidirectional.py runs/bi --en-es runs/bi-en-es --es-en runs/bi-es-en

BUNDLE_OR_RUN is a bundle (or the run folder that holds one) trained on scripts/bidirectional_corpus.py's
tagged corpus with ``--tokenizer-symbols ⇨es,⇨en``. Each output gets the same model config, tokenizer and
weights (``save_bundle``: staged, renamed into place, tokenizer digests recorded), and a meta of its own:

* ``source_tag``: the tag the decoding path puts before every source (en-es: the first of ``--tags``,
  es-en: the second; each checked to be one piece of the tokenizer);
* ``src_lang`` / ``tgt_lang`` and ``name`` for its direction; ``bidirectional``: where it was split from,
  both tags, and the run's validation figures (``metrics``, both directions mixed: not this direction's);
* dropped: ``replay`` and ``run`` (the run's data mixes both directions: a fine-tune must not replay it).

The run's test split (``test.tsv``, or ``data/test.tsv`` of a run folder) is split by tag: each output's
``test.tsv`` holds its direction's rows, tag removed, source first (as ``models/es-en/test.tsv``). Both
outputs are loaded with the app's Translator before they replace OUT (an existing OUT must be a bundle).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.bidirectional_corpus import add_tags_option, parse_tags  # noqa: E402
from translator_app.core.folders.filenames import CONFIG_FILE, DATA_DIR, SHIPPED_TEST_FILE  # noqa: E402
from translator_app.core.model.checkpoint import Bundle, load_bundle, save_bundle  # noqa: E402
from translator_app.core.text.tags import META_KEY, split_tag, tag_ids  # noqa: E402
from translator_app.core.text.tokenizer import TokenizerError  # noqa: E402

DROPPED = ("replay", "run", "metrics")
ARROW = "\u2192"


def direction_meta(bundle: Bundle, tag: str, src: str, tgt: str, tags: tuple[str, str]) -> dict:
    """The meta of one direction's bundle (see the module docstring)."""
    meta = {k: v for k, v in bundle.meta.items() if k not in DROPPED}
    base = str(bundle.meta.get("name") or Path(bundle.path).name)
    meta.update(name=f"{base} ({src}{ARROW}{tgt})", src_lang=src, tgt_lang=tgt)
    meta[META_KEY] = tag
    meta["bidirectional"] = {
        "from": str(Path(bundle.path).resolve()),
        "tags": {"en-es": tags[0], "es-en": tags[1]},
        "run_metrics": bundle.meta.get("metrics"),  # the run's validation, both directions mixed
    }
    return meta


def held_out_rows(folder: Path, tag: str) -> list[str] | None:
    """The rows of the run's test split whose source starts with ``tag``, tag removed; None without a split."""
    for path in (folder / SHIPPED_TEST_FILE, folder / DATA_DIR / SHIPPED_TEST_FILE):
        if path.is_file():
            rows = []
            for line in path.read_text(encoding="utf-8").split("\n"):
                found, rest = split_tag(line, (tag,))
                if found:
                    rows.append(rest)
            return rows
    return None


def write_direction(bundle: Bundle, out: Path, tag: str, src: str, tgt: str, tags: tuple[str, str]) -> int | None:
    """Write one direction's bundle into OUT (staged beside it, loaded, then renamed into place); returns the
    number of test rows written (None: the run has no test split)."""
    from translator_app.core.translation.translator import Translator

    if out.exists() and not (out.is_dir() and ((out / CONFIG_FILE).is_file() or not any(out.iterdir()))):
        raise SystemExit(f"{out} exists and is not a model bundle: not replaced")
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = out.parent / f".{out.name}.staged"
    shutil.rmtree(stage, ignore_errors=True)  # (left by an interrupted split)
    stage.mkdir()
    try:
        save_bundle(
            stage,
            bundle.model_config,
            bundle.tokenizers,
            bundle.state_dict,
            direction_meta(bundle, tag, src, tgt, tags),
        )
        rows = held_out_rows(Path(bundle.path), tag)
        if rows is not None:
            (stage / SHIPPED_TEST_FILE).write_text("".join(r + "\n" for r in rows), encoding="utf-8")
        translator = Translator.load(stage, quantize=False)  # the app's own checks, the tag's included
        if translator.source_tag != tag:
            raise SystemExit(f"{stage}: the written bundle does not read the tag {tag!r}")
        if out.exists():
            shutil.rmtree(out)
        os.replace(stage, out)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return None if rows is None else len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", type=Path, help="the bidirectional run's folder (or its bundle)")
    ap.add_argument("--en-es", type=Path, required=True, metavar="OUT", help="the en→es bundle (replaced)")
    ap.add_argument("--es-en", type=Path, required=True, metavar="OUT", help="the es→en bundle (replaced)")
    add_tags_option(ap)  # as given to bidirectional_corpus.py
    args = ap.parse_args(argv)
    tags = parse_tags(args.tags)
    if args.en_es.resolve() == args.es_en.resolve() or args.bundle.resolve() in (
        args.en_es.resolve(),
        args.es_en.resolve(),
    ):
        raise SystemExit("--en-es, --es-en and the bundle must be three different folders")
    try:
        bundle = load_bundle(args.bundle)
        if bundle.meta.get(META_KEY):
            raise ValueError(f"{args.bundle} is already one direction (source tag {bundle.meta[META_KEY]!r})")
        for tag in tags:
            tag_ids(bundle.tokenizers.source, tag)
    except (TokenizerError, ValueError, OSError) as exc:  # (BundleError is a ValueError)
        print(f"split_bidirectional: {exc}", file=sys.stderr)
        return 1
    for out, tag, src, tgt in ((args.en_es, tags[0], "en", "es"), (args.es_en, tags[1], "es", "en")):
        rows = write_direction(bundle, out, tag, src, tgt, tags)
        test = "no test split" if rows is None else f"test.tsv: {rows} rows"
        print(f"{out}: {src}{ARROW}{tgt}, source tag {tag} ({test})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
