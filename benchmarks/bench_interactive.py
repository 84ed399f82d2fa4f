#!/usr/bin/env python
"""Interactive-predictive translation benchmarks (``Translator.complete``, core/translation/interactive.py).

Prints numbers; nothing here is a pass/fail test.  Two sections:

  latency  re-decode time of ``complete()`` for sources of about 20 subwords (15..25), the prefix
           being the first half of the reference's characters (cut mid-word, as while typing),
           greedy and beam 5, after a warm-up: p50 / p90 in ms.
  wsr      word-stroke ratio on benchmarks/dev/everyday.en-es.tsv (domain, en, es, verbatim): a
           simulated translator reads the suggestion, accepts its longest word prefix that matches
           the reference, types the next reference word (plus a space), asks again, and so on until
           the reference is complete. WSR = typed words / reference words (lower is better; 1.0 =
           no help); also the share of sentences finished with at most one typed word.

Usage:  .venv/bin/python benchmarks/bench_interactive.py [--model DIR] [--limit N] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script: the repository (translator_app, the benchmarks package)
from benchmarks.bench_translate import percentile  # noqa: E402  (one percentile for the benchmarks)
from translator_app.core.model.decoding import DecodeConfig  # noqa: E402

EVERYDAY = REPO / "benchmarks" / "dev" / "everyday.en-es.tsv"
BEAMS = (1, 5)


def read_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) >= 3 and cols[1].strip() and cols[2].strip():
            pairs.append((cols[1].strip(), cols[2].strip()))
    return pairs


def latency(tr, pairs: list[tuple[str, str]], limit: int | None) -> dict:
    picked = [(s, r) for s, r in pairs if 15 <= len(tr.tok.source.encode(s)) <= 25] or pairs
    picked = picked[:limit] if limit else picked
    out = {"sentences": len(picked)}
    for beam in BEAMS:
        tr.complete(
            picked[0][0], picked[0][1][: len(picked[0][1]) // 2], decode=DecodeConfig(beam_size=beam)
        )  # warm-up
        times = []
        for src, ref in picked:
            start = time.perf_counter()
            tr.complete(src, ref[: len(ref) // 2], decode=DecodeConfig(beam_size=beam))
            times.append((time.perf_counter() - start) * 1000)
        out[f"beam{beam}"] = {"p50_ms": percentile(times, 50), "p90_ms": percentile(times, 90)}
        print(
            f"latency beam {beam}: p50 {percentile(times, 50):.1f} ms  p90 {percentile(times, 90):.1f} ms "
            f"({len(picked)} sources of ~20 subwords)",
            flush=True,
        )
    return out


def simulate(tr, src: str, ref: str, beam: int) -> tuple[int, int]:
    """(typed words, reference words) of one sentence."""
    ref_words = ref.split()
    accepted: list[str] = []
    typed = 0
    while len(accepted) < len(ref_words):
        prefix = " ".join(accepted) + " " if accepted else ""
        suggestion = tr.complete(src, prefix, decode=DecodeConfig(beam_size=beam)).text.split()
        n = len(accepted)
        while n < len(ref_words) and n < len(suggestion) and suggestion[n] == ref_words[n]:
            n += 1
        accepted = ref_words[:n]
        if n < len(ref_words):  # type the next reference word
            accepted.append(ref_words[n])
            typed += 1
    return typed, len(ref_words)


def wsr(tr, pairs: list[tuple[str, str]], limit: int | None) -> dict:
    picked = pairs[:limit] if limit else pairs
    out = {"sentences": len(picked)}
    for beam in BEAMS:
        start = time.perf_counter()
        typed = words = easy = 0
        for src, ref in picked:
            t, w = simulate(tr, src, ref, beam)
            typed, words, easy = typed + t, words + w, easy + (t <= 1)
        ratio = typed / max(words, 1)
        out[f"beam{beam}"] = {
            "wsr": ratio,
            "typed_words": typed,
            "reference_words": words,
            "share_at_most_1_typed": easy / max(len(picked), 1),
            "seconds": time.perf_counter() - start,
        }
        print(
            f"WSR beam {beam}: {ratio:.3f} ({typed}/{words} words typed); finished with <= 1 typed word: "
            f"{easy}/{len(picked)} = {easy / max(len(picked), 1):.1%}  [{time.perf_counter() - start:.0f} s]",
            flush=True,
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(REPO / "models" / "en-es"))
    parser.add_argument("--limit", type=int, help="only the first N sentences of each section")
    parser.add_argument("--data", default=str(EVERYDAY), help="TSV: domain, en, es[, verbatim]")
    parser.add_argument("--json", dest="json_out", metavar="OUT", help="also write the numbers here")
    args = parser.parse_args(argv)

    from translator_app.core.translation.translator import Translator

    tr = Translator.load(args.model)  # int8, like the app
    pairs = read_pairs(Path(args.data))
    print(f"model {args.model}; {len(pairs)} pairs from {args.data}", flush=True)
    results = {
        "model": args.model,
        "data": args.data,
        "latency": latency(tr, pairs, args.limit),
        "wsr": wsr(tr, pairs, args.limit),
    }
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
