#!/usr/bin/env python
"""Translation benchmarks of a model bundle (default: the bundled models/en-es).

Prints numbers and ratios; nothing here is a pass/fail test (targets are reported as
"met" / "NOT met" only).  Sections, each can be skipped:

  latency    typed sentences (<= 20 source subwords, distinct test sources) translated one
             at a time through ``Translator.translate`` (the path the GUI uses), cache
             cleared before every call, after a warm-up: p50/p90 for greedy and beam 5,
             int8 (the app default) and fp32.  Targets: p50 <= 15 ms greedy, <= 40 ms beam 5.
  file       batch file translation throughput (sentences/s) of a shuffled "document" made
             of test sources: ``translate_lines`` (length-sorted batches) vs the same
             batches in document order (unsorted) vs one sentence at a time.
  bleu       int8 vs fp32 BLEU/chrF (sacrebleu, beam 5) on the full test split, multi- and
             single-reference, exactly as ``translator-app evaluate`` computes them.
  rss        peak RSS (VmHWM) of a fresh process that loads the model and translates.
  gui        peak RSS of the full desktop app (offscreen Qt) with the model loaded and one
             translation done.

Usage:  .venv/bin/python benchmarks/bench_translate.py [--model DIR] [--test TSV] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from translator_app.core.model.decoding import DecodeConfig

REPO = Path(__file__).resolve().parent.parent
TARGET_P50_MS = {1: 15.0, 5: 40.0}
BLEU_TOLERANCE = 0.5


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank-with-interpolation percentile (q in 0..100)."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q / 100
    lo, hi = int(pos), min(int(pos) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def log(msg: str = "") -> None:
    print(msg, flush=True)


# ---- data --------------------------------------------------------------------------------------


def load_test(test_path: Path):
    from translator_app.core.text.corpus import group_references, read_corpus

    pairs, _ = read_corpus(test_path, dedupe=False)
    return group_references(pairs)  # distinct sources in first-seen order, all their references


def typed_sentences(tr, sources: list[str], n: int, max_subwords: int, seed: int) -> list[str]:
    """``n`` distinct sources of at most ``max_subwords`` subwords (a seeded sample)."""
    eligible = [s for s in sources if 0 < len(tr.tok.source.encode(s)) <= max_subwords]
    rng = random.Random(seed)
    return rng.sample(eligible, min(n, len(eligible)))


# ---- latency -----------------------------------------------------------------------------------


def time_one_by_one(tr, sentences: list[str], beam: int) -> list[float]:
    """Milliseconds per ``translate`` call, with the LRU cache cleared before each call."""
    out = []
    for s in sentences:
        tr._cache.clear()
        t0 = time.perf_counter()
        tr.translate(s, decode=DecodeConfig(beam_size=beam))
        out.append((time.perf_counter() - t0) * 1000)
    return out


def bench_latency(translators: dict, sentences: list[str], warmup: list[str], results: dict) -> None:
    import numpy as np

    lengths = [len(translators["int8"].tok.source.encode(s)) for s in sentences]
    log(
        f"\n== Latency: {len(sentences)} typed sentences one at a time "
        f"(source subwords: mean {np.mean(lengths):.1f}, max {max(lengths)}), warm-up {len(warmup)} =="
    )
    log(f"{'model':6} {'search':8} {'p50 ms':>8} {'p90 ms':>8} {'mean ms':>8} {'max ms':>8}  target p50")
    rows = []
    for name, tr in translators.items():
        for beam in (1, 5):
            time_one_by_one(tr, warmup, beam)
            ms = time_one_by_one(tr, sentences, beam)
            p50, p90 = percentile(ms, 50), percentile(ms, 90)
            target = TARGET_P50_MS[beam]
            met = "met" if p50 <= target else "NOT met"
            search = "greedy" if beam == 1 else f"beam {beam}"
            log(
                f"{name:6} {search:8} {p50:8.1f} {p90:8.1f} {statistics.mean(ms):8.1f} {max(ms):8.1f}  "
                f"<= {target:.0f} ms: {met}"
            )
            rows.append(
                {
                    "model": name,
                    "beam": beam,
                    "p50_ms": round(p50, 2),
                    "p90_ms": round(p90, 2),
                    "mean_ms": round(statistics.mean(ms), 2),
                    "max_ms": round(max(ms), 2),
                    "target_p50_ms": target,
                    "target_met": p50 <= target,
                }
            )
    by = {(r["model"], r["beam"]): r for r in rows}
    for beam in (1, 5):
        if ("int8", beam) in by and ("fp32", beam) in by:
            log(
                f"  fp32/int8 p50 ratio, beam {beam}: {by[('fp32', beam)]['p50_ms'] / by[('int8', beam)]['p50_ms']:.2f}x"
            )
    results["latency"] = {
        "sentences": len(sentences),
        "mean_source_subwords": round(float(np.mean(lengths)), 2),
        "rows": rows,
    }


# ---- file translation --------------------------------------------------------------------------


def translate_unsorted(tr, lines: list[str], beam: int, batch_size: int) -> list[str]:
    """``translate_lines`` without the length sort: batches in document order."""
    from translator_app.core.model.search import search
    from translator_app.core.text.corpus import normalize
    from translator_app.core.text.tokenizer import EOS_ID
    from translator_app.core.translation.pipeline import split_long

    encoded = [split_long(normalize(line), tr.tok.source.encode)[0] + [EOS_ID] for line in lines]
    out = []
    for start in range(0, len(lines), batch_size):
        for hyps in search(tr.model, encoded[start : start + batch_size], DecodeConfig(beam_size=beam)):
            out.append(tr.tok.target.decode(hyps[0].tokens))
    return out


def bench_file(tr, lines: list[str], batch_size: int, beams: list[int], results: dict) -> None:
    log(f"\n== File translation: {len(lines)} lines (test sources, shuffled), int8, batch size {batch_size} ==")
    log(f"{'search':8} {'sorted batches':>15} {'unsorted batches':>17} {'one by one':>11}  (sentences/s)")
    rows = []
    for beam in beams:
        decode = DecodeConfig(beam_size=beam)
        tr.translate_lines(lines[:batch_size], decode, batch_size)  # warm-up
        speeds = {}
        for mode in ("sorted", "unsorted", "one_by_one"):
            t0 = time.perf_counter()
            if mode == "sorted":
                tr.translate_lines(lines, decode, batch_size)
            elif mode == "unsorted":
                translate_unsorted(tr, lines, beam, batch_size)
            else:
                tr.translate_lines(lines, decode, 1)
            speeds[mode] = len(lines) / (time.perf_counter() - t0)
        search = "greedy" if beam == 1 else f"beam {beam}"
        log(
            f"{search:8} {speeds['sorted']:15.1f} {speeds['unsorted']:17.1f} {speeds['one_by_one']:11.1f}  "
            f"sorted/unsorted {speeds['sorted'] / speeds['unsorted']:.2f}x, "
            f"sorted/one-by-one {speeds['sorted'] / speeds['one_by_one']:.2f}x"
        )
        rows.append({"beam": beam, **{f"{k}_sent_per_s": round(v, 1) for k, v in speeds.items()}})
    results["file"] = {"lines": len(lines), "batch_size": batch_size, "model": "int8", "rows": rows}


# ---- BLEU --------------------------------------------------------------------------------------


def bench_bleu(translators: dict, sources: list[str], refs: list[list[str]], beam: int, results: dict) -> None:
    from translator_app.core.text.metrics import corpus_scores

    log(f"\n== BLEU on the full test split: {len(sources)} distinct sources, beam {beam} ==")
    rows = {}
    for name, tr in translators.items():
        t0 = time.perf_counter()
        hyps: list[str] = []
        for start in range(0, len(sources), 64):  # as `translator-app evaluate`
            hyps += tr.translate_lines(sources[start : start + 64], decode=DecodeConfig(beam_size=beam))
        secs = time.perf_counter() - t0
        multi = corpus_scores(hyps, refs)
        single = corpus_scores(hyps, [r[:1] for r in refs])
        log(
            f"{name:5} multi-ref BLEU {multi.bleu:6.2f} chrF {multi.chrf:6.2f} | single-ref BLEU {single.bleu:6.2f} "
            f"chrF {single.chrf:6.2f}  ({secs:.1f} s, {len(sources) / secs:.1f} sent/s)"
        )
        rows[name] = {
            "multi_bleu": multi.bleu,
            "multi_chrf": multi.chrf,
            "single_bleu": single.bleu,
            "single_chrf": single.chrf,
            "max_refs": multi.max_refs,
            "seconds": round(secs, 1),
        }
    if "int8" in rows and "fp32" in rows:
        d_multi = rows["int8"]["multi_bleu"] - rows["fp32"]["multi_bleu"]
        d_single = rows["int8"]["single_bleu"] - rows["fp32"]["single_bleu"]
        ok = abs(d_multi) <= BLEU_TOLERANCE and abs(d_single) <= BLEU_TOLERANCE
        log(
            f"int8 - fp32: multi-ref {d_multi:+.2f} BLEU, single-ref {d_single:+.2f} BLEU -> "
            f"within {BLEU_TOLERANCE} BLEU: {'yes' if ok else 'NO'}"
        )
        rows["delta_multi_bleu"] = round(d_multi, 2)
        rows["delta_single_bleu"] = round(d_single, 2)
        rows["within_tolerance"] = ok
    results["bleu"] = {"sentences": len(sources), "beam": beam, **rows}


# ---- memory ------------------------------------------------------------------------------------

_RSS_CHILD = textwrap.dedent("""
    import json, resource, sys, time
    t0 = time.perf_counter()
    from translator_app.core.model.decoding import DecodeConfig
    from translator_app.core.translation.translator import Translator
    tr = Translator.load(sys.argv[1], quantize=sys.argv[2] == "int8")
    load_s = time.perf_counter() - t0
    for i, s in enumerate(json.loads(sys.argv[3])):
        tr.translate(s, decode=DecodeConfig(beam_size=5))
        tr.translate(s, decode=DecodeConfig(beam_size=1))
    status = open("/proc/self/status").read()
    rss = int(status.split("VmRSS:")[1].split()[0])
    hwm = int(status.split("VmHWM:")[1].split()[0])  # ru_maxrss would include the forking parent's peak
    print(json.dumps({"vmhwm_kb": hwm, "rss_now_kb": rss,
                      "load_s": round(load_s, 2), "params": tr.info.parameters}))
""")


def bench_rss(model: Path, sentences: list[str], results: dict) -> None:
    log(
        f"\n== Peak RSS of a fresh process: load the model, translate {len(sentences)} sentences (beam 5 and greedy) =="
    )
    rows = {}
    for name in ("int8", "fp32"):
        proc = subprocess.run(
            [sys.executable, "-c", _RSS_CHILD, str(model), name, json.dumps(sentences)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if proc.returncode != 0:
            log(f"{name}: FAILED: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        log(
            f"{name:5} peak RSS {r['vmhwm_kb'] / 1024:7.1f} MiB (now {r['rss_now_kb'] / 1024:.1f} MiB; "
            f"import+load {r['load_s']:.2f} s)"
        )
        rows[name] = {
            "peak_rss_mib": round(r["vmhwm_kb"] / 1024, 1),
            "rss_now_mib": round(r["rss_now_kb"] / 1024, 1),
            "import_load_s": r["load_s"],
        }
    results["rss"] = rows


_GUI_CHILD = textwrap.dedent("""
    import json, resource, sys, time
    from PySide6.QtCore import QEventLoop, QTimer
    from translator_app.app import make_application
    app = make_application(["bench"])
    from translator_app.core.train import training
    training.preload()
    from translator_app.core.model.decoding import DOCUMENT
    from translator_app.gui.main_window import MainWindow
    t0 = time.perf_counter()
    w = MainWindow()
    w.show()
    app.processEvents()
    loop = QEventLoop()
    out = {}
    def fail(msg):
        out["error"] = msg
        loop.quit()
    def on_ready(request_id, result):
        out["translation"] = result.text
        out["translate_ms"] = round(result.elapsed_ms, 1)
        loop.quit()
    def on_loaded(info):
        out["model"] = info.path
        out["load_s"] = round(time.perf_counter() - t0, 2)
        w._submit_translation(1, sys.argv[2], DOCUMENT)
    w.translation_worker.translation_ready.connect(on_ready)
    w.translation_worker.failed.connect(lambda failure: fail(str(failure.error)))
    w.model_changed.connect(on_loaded)
    w.model_error.connect(fail)
    QTimer.singleShot(120_000, lambda: fail("timeout"))
    if w.start(sys.argv[1] or None):
        loop.exec()
    else:
        out["error"] = "no model to load"
    for _ in range(20):  # let the window repaint with the result
        app.processEvents()
        time.sleep(0.01)
    out["vmhwm_kb"] = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
    print("BENCH-JSON " + json.dumps(out), flush=True)
    w.shutdown()
""")


def bench_gui(model: Path, sentence: str, results: dict) -> None:
    log("\n== Peak RSS of the desktop app (QT_QPA_PLATFORM=offscreen), model loaded, one beam-5 translation ==")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory() as home:
        env["TRANSLATOR_APP_HOME"] = home  # fresh settings/user models: nothing of the real user's
        env["XDG_CONFIG_HOME"] = home  # QSettings
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _GUI_CHILD, str(model), sentence],
                capture_output=True,
                text=True,
                timeout=240,
                env=env,
                cwd=home,
            )
        except subprocess.TimeoutExpired:
            log("skipped: the app did not finish within 240 s")
            results["gui"] = {"skipped": "timeout"}
            return
    line = next((row for row in proc.stdout.splitlines() if row.startswith("BENCH-JSON ")), None)
    if proc.returncode != 0 or line is None:
        why = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        log(f"skipped: the app could not be driven offscreen (exit {proc.returncode}): {why}")
        results["gui"] = {"skipped": why}
        return
    r = json.loads(line[len("BENCH-JSON ") :])
    if "error" in r:
        log(f"skipped: {r['error']}")
        results["gui"] = {"skipped": r["error"]}
        return
    log(
        f"app peak RSS {r['vmhwm_kb'] / 1024:.1f} MiB (window + model load {r['load_s']:.2f} s; "
        f"'{sentence}' -> '{r['translation']}' in {r['translate_ms']} ms)"
    )
    results["gui"] = {"peak_rss_mib": round(r["vmhwm_kb"] / 1024, 1), "load_s": r["load_s"], "model": r["model"]}


# ---- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default=str(REPO / "models" / "en-es"), help="model bundle folder")
    p.add_argument("--test", help="TSV test file (default: MODEL/test.tsv)")
    p.add_argument("--sentences", type=int, default=200, help="typed sentences for the latency section")
    p.add_argument("--max-subwords", type=int, default=20)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--file-lines", type=int, default=1000, help="lines of the document for the file section")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--file-beams", default="1,5")
    p.add_argument("--bleu-beam", type=int, default=5)
    p.add_argument("--bleu-limit", type=int, default=0, help="first N test sources only (smoke tests)")
    p.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's default)")
    p.add_argument("--skip", default="", help="comma list of sections to skip: latency,file,bleu,rss,gui")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="also write the results here")
    args = p.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    import torch

    from translator_app.core.translation.translator import Translator

    if args.threads:
        torch.set_num_threads(args.threads)
    model = Path(args.model)
    test = Path(args.test) if args.test else model / "test.tsv"
    sources, refs = load_test(test)
    int8 = Translator.load(model, quantize=True)
    fp32 = Translator.load(model, quantize=False)
    translators = {"int8": int8, "fp32": fp32}
    info = int8.info
    log(
        f"model {model} ({info.name}, {info.parameters:,} parameters); test {test}: {len(sources)} distinct "
        f"sources; torch {torch.__version__}, {torch.get_num_threads()} threads; {os.cpu_count()} CPUs"
    )
    results: dict = {
        "model": str(model),
        "test": str(test),
        "parameters": info.parameters,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpus": os.cpu_count(),
    }

    picked = typed_sentences(int8, sources, args.sentences + args.warmup, args.max_subwords, args.seed)
    warmup, typed = picked[: args.warmup], picked[args.warmup :]
    if "latency" not in skip:
        bench_latency(translators, typed, warmup, results)
    if "file" not in skip:
        doc = list(sources)
        random.Random(args.seed).shuffle(doc)
        beams = [int(b) for b in args.file_beams.split(",") if b]
        bench_file(int8, doc[: args.file_lines], args.batch_size, beams, results)
    if "bleu" not in skip:
        n = args.bleu_limit or len(sources)
        bench_bleu(translators, sources[:n], refs[:n], args.bleu_beam, results)
    del translators, int8, fp32
    if "rss" not in skip:
        bench_rss(model, typed[:50], results)
    if "gui" not in skip:
        bench_gui(model, typed[0] if typed else "Hello, how are you?", results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
