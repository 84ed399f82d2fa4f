#!/usr/bin/env python
"""Compare our trainer with JoeyNMT after the same wall-clock budget (translator_app venv).

Inputs: the JSON that ``bench_training.py --json`` wrote for our run, our run folder (the
model bundle), JoeyNMT's model_dir (its train.log) and its test hypotheses, and the folder
``joeynmt_prepare.py`` filled (test sources and all references).

Throughput of both = target tokens (with </s>, without padding) per second of training, the
median over log windows of 20 steps, leaving out the first window (warm-up); validation time
is left out of both (JoeyNMT subtracts it from its windows; our windows that contain a
validation are dropped).  BLEU of both = sacrebleu corpus BLEU on the same distinct test
sources, all references (multi-ref) and the first reference (single-ref), beam 5.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from datetime import datetime
from pathlib import Path

from translator_app.core.model.decoding import DecodeConfig

LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) - \w+ - [\w.]+ - (.*)$")
STEP = re.compile(r"Step:\s+(\d+), Batch Loss:\s+([\d.]+), Batch Acc: ([\d.]+), Tokens per Sec:\s+(\d+)")


def parse_joey_log(path: Path) -> dict:
    windows, validations, info = [], [], {}
    start = first_step = last = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = LINE.match(raw)
        if not m:
            continue
        t = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
        msg = m.group(2)
        start = start if start is not None else t
        last = t
        if msg.strip() == "EPOCH 1":
            first_step = t
        elif s := STEP.search(msg):
            windows.append({"step": int(s.group(1)), "tok_s": float(s.group(4)), "t": round(t - start, 1)})
        elif msg.startswith("Evaluation result (greedy)"):
            bleu = re.search(r"bleu:\s+([\d.]+)", msg)
            validations.append(
                {
                    "step": windows[-1]["step"] if windows else 0,
                    "t": round(t - start, 1),
                    "bleu": float(bleu.group(1)) if bleu else None,
                    "seconds": float(re.search(r"([\d.]+)\[sec\]", msg).group(1)),
                }
            )
        elif msg.startswith("Total params:"):
            info["parameters"] = int(msg.split(":")[1])
        elif msg.startswith("Interrupt at epoch"):
            info["interrupted_at_step"] = int(msg.rstrip(".").split()[-1])
    kept = windows[1:]
    steps_span = (kept[-1]["step"] - windows[0]["step"]) if len(windows) > 1 else 0
    time_span = (kept[-1]["t"] - windows[0]["t"]) if len(windows) > 1 else 0
    valid_in_span = (
        sum(v["seconds"] for v in validations if windows and windows[0]["t"] <= v["t"] <= kept[-1]["t"]) if kept else 0
    )
    return {
        **info,
        "windows": len(kept),
        "median_tok_s": round(statistics.median(w["tok_s"] for w in kept), 1) if kept else None,
        "mean_tok_s": round(statistics.mean(w["tok_s"] for w in kept), 1) if kept else None,
        "steps_per_s": round(steps_span / max(time_span - valid_in_span, 1e-9), 3) if kept else None,
        "steps": max([w["step"] for w in windows] + [info.get("interrupted_at_step", 0)]),
        "setup_s": round(first_step - start, 1) if first_step else None,
        "log_span_s": round(last - start, 1) if start else None,
        "validations": validations,
    }


def score(hyps: list[str], refs: list[list[str]]) -> dict:
    from translator_app.core.text.metrics import corpus_scores

    multi = corpus_scores(hyps, refs)
    single = corpus_scores(hyps, [r[:1] for r in refs])
    return {"multi_bleu": multi.bleu, "multi_chrf": multi.chrf, "single_bleu": single.bleu, "single_chrf": single.chrf}


def evaluate_ours(run: Path, sources: list[str], refs: list[list[str]], beam: int) -> dict:
    from translator_app.core.translation.translator import Translator

    out = {}
    for name, quantize in (("fp32", False), ("int8", True)):
        tr = Translator.load(run, quantize=quantize)
        t0 = time.perf_counter()
        hyps: list[str] = []
        for start in range(0, len(sources), 64):
            hyps += tr.translate_lines(sources[start : start + 64], decode=DecodeConfig(beam_size=beam))
        out[name] = {**score(hyps, refs), "decode_s": round(time.perf_counter() - t0, 1)}
        (run / f"test.hyps.{name}.txt").write_text("\n".join(hyps) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ours-json", required=True)
    p.add_argument("--ours-run", required=True)
    p.add_argument("--joey-dir", required=True, help="JoeyNMT model_dir")
    p.add_argument("--joey-data", required=True, help="folder written by joeynmt_prepare.py")
    p.add_argument("--joey-hyps", help="JoeyNMT test hypotheses (missing: BLEU not compared)")
    p.add_argument("--joey-decode-s", type=float, help="seconds JoeyNMT took to decode the test set")
    p.add_argument("--budget-min", type=float, required=True)
    p.add_argument("--beam", type=int, default=5)
    p.add_argument("--json", help="also write the results here")
    args = p.parse_args(argv)

    test = json.loads((Path(args.joey_data) / "test.refs.json").read_text(encoding="utf-8"))
    sources, refs = test["sources"], test["refs"]
    ours_all = json.loads(Path(args.ours_json).read_text(encoding="utf-8"))
    ours = next(iter(ours_all["runs"].values())) if "runs" in ours_all else ours_all
    joey = parse_joey_log(Path(args.joey_dir) / "train.log")
    result = {
        "budget_min": args.budget_min,
        "test_sources": len(sources),
        "beam": args.beam,
        "ours": {
            "parameters": ours["parameters"],
            "steps": ours["steps"],
            "setup_s": ours["setup_s"],
            **ours["throughput"],
            "validations": ours["validations"],
            "peak_rss_mib": ours["ru_maxrss_mib"],
        },
        "joeynmt": joey,
    }
    result["ours"]["test"] = evaluate_ours(Path(args.ours_run), sources, refs, args.beam)
    if args.joey_hyps and Path(args.joey_hyps).is_file():
        hyps = Path(args.joey_hyps).read_text(encoding="utf-8").splitlines()
        if len(hyps) != len(sources):
            raise SystemExit(f"{args.joey_hyps}: {len(hyps)} lines for {len(sources)} test sources")
        result["joeynmt"]["test"] = {"fp32": {**score(hyps, refs), "decode_s": args.joey_decode_s}}

    o, j = result["ours"], result["joeynmt"]
    print(
        f"\n== Ours vs JoeyNMT 2.3.0: same data, tokenizer, architecture size, batch tokens, "
        f"{ours.get('threads')} threads, {args.budget_min:g} min each =="
    )
    print(f"{'':28} {'ours':>12} {'JoeyNMT':>12} {'ratio':>8}")

    def row(label, a, b, fmt="{:,.0f}", ratio=True):
        sa = fmt.format(a) if a is not None else "-"
        sb = fmt.format(b) if b is not None else "-"
        r = f"{a / b:.2f}x" if ratio and a and b else ""
        print(f"{label:28} {sa:>12} {sb:>12} {r:>8}")

    row("parameters", o["parameters"], j.get("parameters"), ratio=False)
    row("target tokens/s (median)", o.get("median_tok_s"), j.get("median_tok_s"))
    row("target tokens/s (mean)", o.get("mean_tok_s"), j.get("mean_tok_s"))
    row("steps/s", o.get("steps_per_s"), j.get("steps_per_s"), "{:.2f}")
    row("steps in budget", o["steps"], j["steps"])
    row(
        "target tokens/step",
        o.get("tokens_per_step"),
        j["mean_tok_s"] / j["steps_per_s"] if j.get("mean_tok_s") and j.get("steps_per_s") else None,
    )
    row("setup before step 1 (s)", o["setup_s"], j.get("setup_s"), "{:.1f}", ratio=False)
    jt = j.get("test", {}).get("fp32", {})
    for key, label in (
        ("multi_bleu", "test BLEU multi-ref"),
        ("single_bleu", "test BLEU single-ref"),
        ("multi_chrf", "test chrF multi-ref"),
    ):
        row(f"{label} (fp32)", o["test"]["fp32"][key], jt.get(key), "{:.2f}", ratio=False)
    row("test BLEU multi-ref (int8)", o["test"]["int8"]["multi_bleu"], None, "{:.2f}", ratio=False)
    if o.get("median_tok_s") and j.get("median_tok_s"):
        ratio = o["median_tok_s"] / j["median_tok_s"]
        result["ratio_tok_s"] = round(ratio, 2)
        print(f"throughput ratio ours/JoeyNMT: {ratio:.2f}x (target >= 2x: {'met' if ratio >= 2 else 'NOT met'})")
    if jt:
        result["delta_bleu_multi"] = round(o["test"]["fp32"]["multi_bleu"] - jt["multi_bleu"], 2)
        print(
            f"BLEU after {args.budget_min:g} min, ours - JoeyNMT: {result['delta_bleu_multi']:+.2f} (multi-ref, fp32)"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
