#!/usr/bin/env python
"""Markdown tables of the figures in benchmarks/results/*.json (used for README.md).

.venv/bin/python benchmarks/make_tables.py [RESULTS_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def fmt(x, spec=",.1f"):
    return "–" if x is None else format(x, spec)


def translate_tables(t: dict) -> list[str]:
    out = [
        f"Model `{t['model']}` ({t['parameters']:,} parameters), torch {t['torch']}, {t['threads']} threads, "
        f"{t['cpus']} CPUs.",
        "",
    ]
    if "latency" in t:
        lat = t["latency"]
        out += [
            f"**Latency, one typed sentence at a time** ({lat['sentences']} test sources ≤ 20 subwords, "
            f"mean {lat['mean_source_subwords']} subwords; cache bypassed; after warm-up)",
            "",
            "| model | search | p50 ms | p90 ms | mean ms | target p50 | met? |",
            "| --- | --- | ---: | ---: | ---: | ---: | --- |",
        ]
        for r in lat["rows"]:
            search = "greedy" if r["beam"] == 1 else f"beam {r['beam']}"
            out.append(
                f"| {r['model']} | {search} | {r['p50_ms']:.1f} | {r['p90_ms']:.1f} | {r['mean_ms']:.1f} | "
                f"≤ {r['target_p50_ms']:.0f} | {'yes' if r['target_met'] else '**no**'} |"
            )
        out.append("")
    if "file" in t:
        f = t["file"]
        out += [
            f"**File translation** ({f['lines']} shuffled test sources, {f['model']}, batch size {f['batch_size']}; "
            "sentences/s)",
            "",
            "| search | length-sorted batches | unsorted batches | one by one | sorted / unsorted | sorted / one by one |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in f["rows"]:
            s, u, o = r["sorted_sent_per_s"], r["unsorted_sent_per_s"], r["one_by_one_sent_per_s"]
            search = "greedy" if r["beam"] == 1 else f"beam {r['beam']}"
            out.append(f"| {search} | {s:.1f} | {u:.1f} | {o:.1f} | {s / u:.2f}× | {s / o:.2f}× |")
        out.append("")
    if "bleu" in t:
        b = t["bleu"]
        out += [
            f"**int8 vs fp32 quality** (full test split: {b['sentences']} distinct sources, beam {b['beam']}, sacrebleu)",
            "",
            "| model | BLEU multi-ref | chrF multi-ref | BLEU single-ref | chrF single-ref | decode s |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name in ("int8", "fp32"):
            if name in b:
                r = b[name]
                out.append(
                    f"| {name} | {r['multi_bleu']:.2f} | {r['multi_chrf']:.2f} | {r['single_bleu']:.2f} | "
                    f"{r['single_chrf']:.2f} | {r['seconds']} |"
                )
        if "delta_multi_bleu" in b:
            out += [
                "",
                f"int8 − fp32: {b['delta_multi_bleu']:+.2f} BLEU multi-ref, {b['delta_single_bleu']:+.2f} "
                f"single-ref → within 0.5 BLEU: **{'yes' if b['within_tolerance'] else 'no'}**",
            ]
        out.append("")
    rows = []
    for name in ("int8", "fp32"):
        r = t.get("rss", {}).get(name)
        if r:
            rows.append(
                f"| engine only, {name} (load + 50 translations) | {r['peak_rss_mib']:.0f} | "
                f"import + load {r['import_load_s']} s |"
            )
    g = t.get("gui")
    if g and "peak_rss_mib" in g:
        rows.append(
            f"| desktop app, offscreen, model loaded, one beam-5 translation | {g['peak_rss_mib']:.0f} | "
            f"window + model load {g['load_s']} s |"
        )
    elif g:
        rows.append(f"| desktop app | skipped | {g.get('skipped')} |")
    if rows:
        out += [
            "**Peak RSS** (fresh process, VmHWM)",
            "",
            "| process | peak RSS MiB | note |",
            "| --- | ---: | --- |",
            *rows,
            "",
        ]
    return out


def training_tables(tr: dict) -> list[str]:
    runs = tr["runs"]
    out = [
        f'**Training** (`PRESETS["{tr["preset"]}"]`, {tr["threads"]} threads, {tr["steps"] or ""} steps per run'
        f"{', ' + str(tr['minutes']) + ' min' if tr['minutes'] else ''})",
        "",
        "| corpus | training pairs | target tok/s (median) | tok/s (mean) | steps/s | tokens/step | setup s | "
        "peak RSS setup MiB | RSS after setup MiB | peak RSS training loop MiB | ru_maxrss MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in runs.items():
        th = r["throughput"]
        out.append(
            f"| {name} | {r['train_pairs']:,} | {fmt(th.get('median_tok_s'), ',.0f')} | "
            f"{fmt(th.get('mean_tok_s'), ',.0f')} | {fmt(th.get('steps_per_s'), '.2f')} | "
            f"{fmt(th.get('tokens_per_step'), ',.0f')} | {r['setup_s']} | {r['peak_rss_setup_mib']:.0f} | "
            f"{r['rss_after_setup_mib']:.0f} | {fmt(r.get('peak_rss_loop_mib'), '.0f')} | {r['ru_maxrss_mib']:.0f} |"
        )
    for name, r in runs.items():
        trace = [(w["step"], w["rss_mib"]) for w in r.get("windows", []) if "rss_mib" in w]
        if len(trace) >= 2:
            marks = [trace[0], *trace[len(trace) // 4 :: max(1, len(trace) // 4)], trace[-1]]
            marks = sorted(set(marks))
            out += ["", f"RSS during the {name} run (step: MiB): " + ", ".join(f"{s}: {m:,.0f}" for s, m in marks)]
    if "full" in runs and "half" in runs:
        f, h = runs["full"], runs["half"]
        out += [
            "",
            f"Full vs half corpus ({f['train_pairs'] / h['train_pairs']:.2f}× the pairs): setup peak "
            f"{f['peak_rss_setup_mib'] - h['peak_rss_setup_mib']:+.0f} MiB, RSS after setup "
            f"{f['rss_after_setup_mib'] - h['rss_after_setup_mib']:+.0f} MiB, training-loop peak "
            f"{f['peak_rss_loop_mib'] - h['peak_rss_loop_mib']:+.0f} MiB.",
        ]
    out.append("")
    return out


def compare_tables(c: dict) -> list[str]:
    o, j = c["ours"], c["joeynmt"]
    ot, jt = o.get("test", {}), j.get("test", {})

    def r(label, a, b, spec=",.0f", ratio=True):
        rat = f"{a / b:.2f}×" if ratio and a and b else ""
        return f"| {label} | {fmt(a, spec)} | {fmt(b, spec)} | {rat} |"

    jtok = j["mean_tok_s"] / j["steps_per_s"] if j.get("mean_tok_s") and j.get("steps_per_s") else None
    out = [
        f"**Ours vs JoeyNMT 2.3.0** ({c['budget_min']:g} min wall clock each, 2 threads, one after the other; "
        f"test: first {c['test_sources']} distinct test sources, beam {c['beam']})",
        "",
        "| | ours | JoeyNMT | ours / JoeyNMT |",
        "| --- | ---: | ---: | ---: |",
        r("parameters", o.get("parameters"), j.get("parameters"), ratio=False),
        r("target tokens/s, median of 20-step windows", o.get("median_tok_s"), j.get("median_tok_s")),
        r("target tokens/s, mean", o.get("mean_tok_s"), j.get("mean_tok_s")),
        r("steps/s", o.get("steps_per_s"), j.get("steps_per_s"), ".2f"),
        r("target tokens per step", o.get("tokens_per_step"), jtok),
        r("steps done in the budget", o.get("steps"), j.get("steps")),
        r("setup before the first step, s", o.get("setup_s"), j.get("setup_s"), ".1f", ratio=False),
        r(
            "test BLEU multi-ref (fp32)",
            ot.get("fp32", {}).get("multi_bleu"),
            jt.get("fp32", {}).get("multi_bleu"),
            ".2f",
            ratio=False,
        ),
        r(
            "test BLEU single-ref (fp32)",
            ot.get("fp32", {}).get("single_bleu"),
            jt.get("fp32", {}).get("single_bleu"),
            ".2f",
            ratio=False,
        ),
        r(
            "test chrF multi-ref (fp32)",
            ot.get("fp32", {}).get("multi_chrf"),
            jt.get("fp32", {}).get("multi_chrf"),
            ".2f",
            ratio=False,
        ),
        r("test BLEU multi-ref (our int8)", ot.get("int8", {}).get("multi_bleu"), None, ".2f", ratio=False),
    ]
    if c.get("ratio_tok_s"):
        out += [
            "",
            f"Throughput ratio ours / JoeyNMT: **{c['ratio_tok_s']:.2f}×** (target ≥ 2×: "
            f"{'met' if c['ratio_tok_s'] >= 2 else '**not met**'}).",
        ]
    out.append("")
    return out


def main() -> int:
    d = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent / "results")
    lines: list[str] = []
    if t := load(d / "translate.json"):
        lines += translate_tables(t)
    if tr := load(d / "training.json"):
        lines += training_tables(tr)
    if c := load(d / "joeynmt_compare.json"):
        lines += compare_tables(c)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
