#!/usr/bin/env python
"""Beam size and length penalty of one bundle on the dev sets (issue #28 item 5): one table.

    .venv/bin/python benchmarks/decode_sweep.py models/en-es --out benchmarks/results/decode-en-es.md
    .venv/bin/python benchmarks/decode_sweep.py models/es-en --reverse --out benchmarks/results/decode-es-en.md

Each setting runs ``benchmarks/quality.py`` (int8, as the app translates) on the everyday set and the
Tatoeba test (and any ``--sets``), then the rows are BLEU / chrF per set and the seconds the whole
sweep's sets took; the default (beam 5, alpha 1) is marked. Run it on a quiet machine: the seconds
are wall time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "benchmarks" / "dev"
SETTINGS = ((1, 1.0), (3, 1.0), (5, 0.6), (5, 0.8), (5, 1.0), (5, 1.2), (5, 1.4), (8, 1.0), (12, 1.0))
DEFAULT = (5, 1.0)


def parse_setting(text: str) -> tuple[int, float]:
    beam, _, alpha = text.partition(":")
    return int(beam), float(alpha or 1.0)


def run_setting(model: str, beam: int, alpha: float, sets: list[str], reverse: bool, threads: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "q.json"
        cmd = [sys.executable, str(ROOT / "benchmarks" / "quality.py"), "--model", model, "--beam", str(beam)]
        cmd += ["--alpha", str(alpha), "--threads", str(threads), "--json", str(out), "--sets", *sets]
        cmd += ["--reverse"] if reverse else []
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text(encoding="utf-8"))["results"]


def table(rows: list[tuple[tuple[int, float], list[dict]]]) -> str:
    names = [r["set"] for r in rows[0][1]]
    head = "| beam | alpha | " + " | ".join(f"{n} BLEU / chrF" for n in names) + " | seconds |"
    lines = [head, "| ---: | ---: | " + " | ".join("---:" for _ in names) + " | ---: |"]
    for (beam, alpha), results in rows:
        mark = " (default)" if (beam, alpha) == DEFAULT else ""
        cells = " | ".join(f"{r['bleu']:.2f} / {r['chrf']:.2f}" for r in results)
        lines.append(f"| {beam}{mark} | {alpha:g} | {cells} | {sum(r['seconds'] for r in results):.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", help="a bundle folder")
    ap.add_argument("--reverse", action="store_true", help="score es→en (the sets' Spanish column is the source)")
    ap.add_argument("--sets", nargs="+", default=[str(DEV / "everyday.en-es.tsv"), str(DEV / "tatoeba-test.en-es.tsv")])
    ap.add_argument("--settings", nargs="+", type=parse_setting, help="BEAM:ALPHA … (default: a grid of 9)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, help="write the Markdown table here too")
    args = ap.parse_args(argv)
    rows = []
    for beam, alpha in args.settings or SETTINGS:
        rows.append(((beam, alpha), run_setting(args.model, beam, alpha, args.sets, args.reverse, args.threads)))
        print(f"beam {beam} alpha {alpha:g}: " + ", ".join(f"{r['set']} {r['bleu']:.2f}" for r in rows[-1][1]))
    text = f"`{args.model}`{' (es→en)' if args.reverse else ''}, int8, {args.threads} threads\n\n" + table(rows)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
