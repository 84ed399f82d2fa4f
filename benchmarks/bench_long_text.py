#!/usr/bin/env python
"""Long-text check: does a multi-paragraph document keep every paragraph and sentence?

Builds a document of ``--paragraphs`` lines (default 50) from the everyday dev set: each
paragraph joins 3-8 of its English sentences, and every fifth paragraph is made very long
(over 200 subwords) by joining 15 sentences. Then it translates the document twice through
the one decoding path, as a person would:

  * ``translator-app translate --model M < doc.txt`` (stdin that is not a terminal is
    translated in batches, line by line), and
  * ``Translator.translate_lines`` (what File > Translate file runs in its worker),

and counts, per paragraph, the sentence-final marks (. ! ?) in and out, the words in and
out, and lines that loop (a word trigram three times). Prints the totals; exits 1 if the
line count differs or a paragraph lost sentences.

    .venv/bin/python benchmarks/bench_long_text.py --model models/en-es
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from translator_app.core.model.decoding import DecodeConfig

REPO = Path(__file__).resolve().parent.parent
EVERYDAY = REPO / "benchmarks" / "dev" / "everyday.en-es.tsv"
_END = re.compile(r"[.!?…](?=[\"'»”)\]]*(\s|$))")


def build_document(n: int, seed: int = 7) -> list[str]:
    rows = [line.split("\t") for line in EVERYDAY.read_text(encoding="utf-8").splitlines() if line.strip()]
    sentences = [r[1].strip() for r in rows if _END.search(r[1].strip()[-1:] or "")]
    rng = random.Random(seed)
    return [" ".join(rng.sample(sentences, 15 if i % 5 == 4 else rng.randint(3, 8))) for i in range(n)]


def sentence_marks(text: str) -> int:
    return len(_END.findall(text))


def loops(text: str) -> bool:
    words = text.lower().split()
    grams = Counter(tuple(words[i : i + 3]) for i in range(len(words) - 2))
    return any(c >= 3 for c in grams.values())


def report(name: str, source: list[str], output: list[str], seconds: float) -> bool:
    lost = [i for i, (s, t) in enumerate(zip(source, output)) if sentence_marks(t) < sentence_marks(s)]
    looping = sum(loops(t) for t in output)
    words_in = sum(len(s.split()) for s in source)
    words_out = sum(len(t.split()) for t in output)
    marks_in = sum(map(sentence_marks, source))
    marks_out = sum(map(sentence_marks, output))
    print(
        f"{name}: {len(output)} of {len(source)} lines; sentence marks {marks_out} / {marks_in}; "
        f"words {words_out} / {words_in} ({words_out / max(words_in, 1):.2f}x); "
        f"paragraphs with fewer sentences: {len(lost)} {lost[:10]}; looping lines: {looping}; "
        f"{seconds:.1f} s"
    )
    return len(output) == len(source) and not lost


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(REPO / "models" / "en-es"))
    ap.add_argument("--paragraphs", type=int, default=50)
    ap.add_argument("--beam", type=int, default=5)
    args = ap.parse_args()
    doc = build_document(args.paragraphs)
    from translator_app.core.translation.translator import Translator

    tr = Translator.load(args.model)
    long_lines = sum(len(tr.tok.source.encode(p)) > 200 for p in doc)
    print(
        f"document: {len(doc)} paragraphs, {sum(len(p.split()) for p in doc)} words, "
        f"{sum(map(sentence_marks, doc))} sentences, {long_lines} paragraphs over 200 subwords"
    )
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.txt"
        path.write_text("\n".join(doc) + "\n", encoding="utf-8")
        start = time.perf_counter()
        with open(path, encoding="utf-8") as stdin:
            cli = subprocess.run(
                [sys.executable, "-m", "translator_app", "translate", "--model", args.model, "--beam", str(args.beam)],
                stdin=stdin,
                capture_output=True,
                text=True,
                check=True,
            )
        ok &= report("translator-app translate (stdin)", doc, cli.stdout.splitlines(), time.perf_counter() - start)
    start = time.perf_counter()
    out = tr.translate_lines(doc, decode=DecodeConfig(beam_size=args.beam))
    ok &= report("Translator.translate_lines (File > Translate file)", doc, out, time.perf_counter() - start)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
