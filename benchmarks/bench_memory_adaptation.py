"""Issue 31: how much the translation memory and background adaptation help on a held-out domain.

    python scripts/build_gimp_domain.py                 # data/gimp/{train,test}.en-es.tsv
    python benchmarks/bench_memory_adaptation.py --replay-corpus data/corpus/en-es.tsv \
        [--model models/en-es] [--feed 50,200,500] [--minutes 2] [--threads 2] [--out results.json]

Feeds the GIMP training pairs to a fresh memory one at a time, as corrections would come (before
each is added, the memory is asked for it: the exact / fuzzy match rates a person would have seen),
and adapts whenever ``--every`` new entries have gathered (the app's default, 50), as the app does:
each version is the root model adapted to the whole memory so far. After each adaptation it reports BLEU /
chrF on ``--test`` GIMP test sentences (never fed), BLEU on the general test split (the root
model's test.tsv: its broad corpus's held-out split, software, help and Tatoeba mixed) and its drop against the root model, the adaptation's wall time, and the
match rates of the GIMP test sentences against the memory. Then, for each size in ``--feed``, it
fine-tunes once from the root model on the same first N pairs with the Training tab's fine-tuning
preset instead of the adaptation's regime (6,000-token batches for the whole time budget) and scores that.
CPU-heavy: about (max feed / every + len(feed)) x (minutes + scoring) minutes. ``--tiny`` runs a
seconds-long smoke version (tests/test_bench_memory.py).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from translator_app.core.adapt import adaptation  # noqa: E402
from translator_app.core.adapt.memory import TranslationMemory  # noqa: E402
from translator_app.core.base.config import DEFAULT_REPLAY_SHARE, TRAIN_PRESETS  # noqa: E402
from translator_app.core.library.store import ModelStore  # noqa: E402
from translator_app.core.model.decoding import DecodeConfig  # noqa: E402
from translator_app.core.text.corpus import read_corpus  # noqa: E402
from translator_app.core.text.metrics import corpus_scores  # noqa: E402

_FT = TRAIN_PRESETS["finetune"]
PRESET_ARGS = (
    *("--max-epochs", "0", "--batch-tokens", str(_FT.batch_tokens), "--warmup-steps", str(_FT.warmup_steps)),
    *("--valid-every", str(_FT.valid_every), "--replay", f"{DEFAULT_REPLAY_SHARE:g}"),
)


def scores(model: Path, pairs: list[tuple[str, str]], general: list, beam: int) -> dict:
    from translator_app.core.translation.translator import Translator

    translator = Translator.load(model)
    domain = corpus_scores(
        translator.translate_lines([s for s, _ in pairs], decode=DecodeConfig(beam_size=beam)), [[t] for _, t in pairs]
    )
    gen = corpus_scores(
        translator.translate_lines([s for s, _ in general], decode=DecodeConfig(beam_size=beam)),
        [r for _, r in general],
    )
    return {"gimp_bleu": domain.bleu, "gimp_chrf": domain.chrf, "general_bleu": gen.bleu, "general_chrf": gen.chrf}


def match_rates(memory: TranslationMemory, sources: list[str]) -> tuple[float, float]:
    found = [memory.lookup(s) for s in sources]
    n = max(1, len(sources))
    return sum(m is not None and m.exact for m in found) / n, sum(m is not None and not m.exact for m in found) / n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=ROOT / "models/en-es", help="the root (bundled) model")
    ap.add_argument("--gimp", type=Path, default=ROOT / "data/gimp", help="build_gimp_domain.py's output folder")
    ap.add_argument("--replay-corpus", help="general data replayed while adapting (default: the model's own)")
    ap.add_argument("--feed", default="50,200,500", help="corrections fed (the once-only runs use each size)")
    ap.add_argument("--every", type=int, default=adaptation.DEFAULT_THRESHOLD, help="adapt after this many new")
    ap.add_argument("--test", type=int, default=500, help="GIMP test sentences scored")
    ap.add_argument("--general", type=int, default=500, help="general test sentences scored (the model's test.tsv)")
    ap.add_argument("--minutes", type=float, default=adaptation.DEFAULT_MINUTES)
    ap.add_argument("--threads", type=int, default=adaptation.DEFAULT_THREADS)
    ap.add_argument("--beam", type=int, default=1)
    ap.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    ap.add_argument("--out", type=Path, help="also write the rows as JSON here")
    ap.add_argument("--extra", default="", help="more `train` flags for each adaptation, e.g. '--max-steps 5'")
    args = ap.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    feed_sizes = sorted(int(x) for x in args.feed.split(","))
    train, _ = read_corpus(args.gimp / "train.en-es.tsv")
    test, _ = read_corpus(args.gimp / "test.en-es.tsv")
    random.Random(31).shuffle(train)
    train, test = train[: feed_sizes[-1]], test[: args.test]
    general = adaptation.general_test(args.model, args.general)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-memory-"))
    store = ModelStore(work / "bundled", work / "models")
    settings = adaptation.AdaptSettings(
        minutes=args.minutes,
        threads=args.threads,
        replay_corpus=args.replay_corpus,
        extra_args=tuple(args.extra.split()),
        beam=args.beam,
    )
    # the Training tab's fine-tune instead of the adaptation's regime: flags that undo regime()'s
    preset = replace(settings, extra_args=PRESET_ARGS + settings.extra_args)
    rows = []
    base = {"run": "root", "fed": 0, **scores(args.model, test, general, args.beam)}
    rows.append(base)
    print(json.dumps(base), flush=True)

    def row(kind: str, fed: int, memory: TranslationMemory, model: Path, seconds: float, seen: tuple) -> dict:
        exact, fuzzy = match_rates(memory, [s for s, _ in test])
        r = {"run": kind, "fed": fed, "adapt_s": round(seconds, 1), **scores(model, test, general, args.beam)}
        r["general_drop"] = round(base["general_bleu"] - r["general_bleu"], 2)
        r.update(test_exact=round(exact, 3), test_fuzzy=round(fuzzy, 3))
        r.update(fed_exact=round(seen[0] / max(1, fed), 3), fed_fuzzy=round(seen[1] / max(1, fed), 3))
        print(json.dumps(r), flush=True)
        return r

    memory = TranslationMemory.open(work / "memory-versions", "en", "es")
    seen = [0, 0]  # fed sentences that already had an exact / fuzzy match when they came
    for i, (src, tgt) in enumerate(train, 1):
        match = memory.lookup(src)
        seen[0 if match is not None and match.exact else 1] += match is not None
        memory.add(src, tgt, origin="edit")
        if adaptation.due(memory, args.every) or (i in feed_sizes and adaptation.pending(memory)):
            start = time.perf_counter()
            version = list(
                adaptation.adapt(memory, root=args.model, store=store, runs_dir=work / "runs", settings=settings)
            )[-1].version
            adaptation.use_version(memory, version.number)
            rows.append(row("version", i, memory, Path(version.path), time.perf_counter() - start, tuple(seen)))
    for n in feed_sizes:
        once = TranslationMemory.open(work / f"memory-once-{n}", "en", "es")
        once.add_many(train[:n], origin="edit")
        start = time.perf_counter()
        version = list(adaptation.adapt(once, root=args.model, store=store, runs_dir=work / "runs", settings=preset))
        rows.append(row("once", n, once, Path(version[-1].version.path), time.perf_counter() - start, (0, 0)))
    print("\n| run | fed | GIMP BLEU | GIMP chrF | general BLEU | drop | adapt s | test exact | test fuzzy |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['run']} | {r['fed']} | {r['gimp_bleu']:.2f} | {r['gimp_chrf']:.2f} | {r['general_bleu']:.2f} | "
            f"{r.get('general_drop', 0):+.2f} | {r.get('adapt_s', 0):.0f} | {r.get('test_exact', 0):.1%} | "
            f"{r.get('test_fuzzy', 0):.1%} |"
        )
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
