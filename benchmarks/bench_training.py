#!/usr/bin/env python
"""Training throughput and peak memory of our trainer (``translator_app.core.train.training.train``).

Each run happens in a fresh subprocess (clean peak-RSS accounting) that drives the training
generator with PRESETS[--preset] and records its events:

* throughput: target tokens/s as reported by the trainer for each log window (20 steps);
  the first window (warm-up) and windows that contain a validation are left out; we print
  the median window and the time-weighted mean, plus steps/s.
* memory: peak RSS (VmHWM) of the data preparation (reading, splitting, SentencePiece
  training, encoding), then — after resetting the high-water mark through
  /proc/self/clear_refs — the peak of the training loop alone, and ru_maxrss of the whole run.

By default it trains on the full corpus and on a half-size corpus (every other line, so the
length distribution stays the same) for the same number of steps, to show how memory scales
with corpus size.

With ``--baseline COMMIT`` it runs the trainer of that git commit (its tree exported with
``git archive`` into a temporary folder and put first on PYTHONPATH, driven by that commit's own
copy of this script) beside the current one, alternating the two ``--repeats`` times on the same
corpus sample, and prints the ratios of throughput and of the final validation scores.

Usage:
  .venv/bin/python benchmarks/bench_training.py [--corpus TSV] [--pairs N] [--steps 300 | --minutes M]
        [--threads 2] [--amp bf16] [--batch-tokens N] [--sizes full,half] [--valid-every N] [--json OUT]
  .venv/bin/python benchmarks/bench_training.py --baseline ce71429 --pairs 60000 --vocab-size 8000 \
        --amp bf16 --minutes 4 [--repeats 1] [--baseline-batch-tokens N]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from translator_app.core.base.config import AMP_MODES, PRESETS

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "tatoeba.en-es.tsv"
NO_VALIDATION = 10**9


def log(msg: str = "") -> None:
    print(msg, flush=True)


def _status_kib(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    return int(match.group(1)) if match else -1


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux >= 4.0)
        return True
    except OSError:
        return False


def steady_throughput(windows: list[dict]) -> dict:
    """Windows are {step, t, dt, tok_s, has_validation}; leave out the first and validation windows."""
    kept = [w for w in windows[1:] if not w["has_validation"] and w["dt"] > 0]
    if not kept:
        return {"windows": 0}
    total_t = sum(w["dt"] for w in kept)
    total_tok = sum(w["tok_s"] * w["dt"] for w in kept)
    steps = sum(w["steps"] for w in kept)
    return {
        "windows": len(kept),
        "median_tok_s": round(statistics.median(w["tok_s"] for w in kept), 1),
        "mean_tok_s": round(total_tok / total_t, 1),
        "steps_per_s": round(steps / total_t, 3),
        "tokens_per_step": round(total_tok / steps, 1),
    }


# ---- child: one training run -----------------------------------------------------------------


def child(args) -> int:
    from translator_app.core.base.config import DataConfig
    from translator_app.core.train import training

    model_cfg, train_cfg, tok_cfg = PRESETS[args.preset]
    train_cfg = replace(
        train_cfg,
        num_threads=args.threads,
        max_steps=args.steps or 0,
        minutes=args.minutes or 0.0,
        valid_every=args.valid_every or NO_VALIDATION,
        seed=args.seed,
    )
    if args.amp:
        train_cfg = replace(train_cfg, amp=args.amp)
    if args.batch_tokens:
        train_cfg = replace(train_cfg, batch_tokens=args.batch_tokens)
    if args.vocab_size:
        tok_cfg = replace(tok_cfg, vocab_size=args.vocab_size)
    training.preload()
    t_start = time.monotonic()
    out: dict = {
        "corpus": args.corpus,
        "preset": args.preset,
        "threads": args.threads,
        "steps_budget": args.steps,
        "minutes_budget": args.minutes,
        "valid_every": args.valid_every,
    }
    windows: list[dict] = []
    validations: list[dict] = []
    last_t = None
    last_step = 0
    pending_validation = False
    events = training.train(
        training.TrainRequest(
            training.CorpusSpec(args.corpus),
            args.out,
            model_cfg=model_cfg,
            train_cfg=train_cfg,
            tok_cfg=tok_cfg,
            data_cfg=DataConfig(seed=args.seed),
        ),
    )
    for ev in events:
        now = time.monotonic()
        if isinstance(ev, training.DataReady):
            out.update(
                setup_s=round(now - t_start, 1),
                train_pairs=ev.train_pairs,
                valid_pairs=ev.valid_pairs,
                test_pairs=ev.test_pairs,
                vocab=ev.vocab_size,
                parameters=ev.parameters,
                rss_after_setup_mib=round(_status_kib("VmRSS") / 1024, 1),
                peak_rss_setup_mib=round(_status_kib("VmHWM") / 1024, 1),
            )
            out["peak_reset"] = _reset_peak()
            last_t = time.monotonic()
        elif isinstance(ev, training.Progress):
            windows.append(
                {
                    "step": ev.step,
                    "t": round(now - t_start, 2),
                    "dt": now - last_t,
                    "steps": ev.step - last_step,
                    "tok_s": ev.tokens_per_sec,
                    "has_validation": pending_validation,
                    "loss": round(ev.loss, 4),
                    "rss_mib": round(_status_kib("VmRSS") / 1024, 1),
                }
            )
            out["peak_rss_loop_mib"] = round(_status_kib("VmHWM") / 1024, 1)
            last_t, last_step, pending_validation = now, ev.step, False
        elif isinstance(ev, training.Validation):
            pending_validation = True
            validations.append(
                {
                    "step": ev.step,
                    "t": round(now - t_start, 1),
                    "valid_loss": round(ev.valid_loss, 4),
                    "bleu": ev.bleu,
                    "chrf": ev.chrf,
                }
            )
        elif isinstance(ev, training.Finished):
            out.update(
                reason=ev.reason,
                steps=ev.step,
                elapsed_s=round(ev.elapsed_s, 1),
                best_valid_bleu=ev.best_bleu,
                peak_rss_after_loop_mib=round(_status_kib("VmHWM") / 1024, 1),
            )
    out["wall_s"] = round(time.monotonic() - t_start, 1)
    out["ru_maxrss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["throughput"] = steady_throughput(windows)
    out["validations"] = validations
    out["windows"] = [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in w.items()} for w in windows]
    Path(args.child_json).write_text(json.dumps(out, indent=1))
    return 0


# ---- parent ------------------------------------------------------------------------------------


def half_corpus(corpus: Path, dest: Path) -> Path:
    """Every other line of ``corpus`` (same length distribution, half the pairs)."""
    with open(corpus, encoding="utf-8") as src, open(dest, "w", encoding="utf-8") as out:
        for i, line in enumerate(src):
            if i % 2 == 0:
                out.write(line)
    return dest


def sample_corpus(corpus: Path, pairs: int, seed: int, dest: Path) -> Path:
    """``pairs`` lines of ``corpus`` drawn with ``seed`` (the same sample for every trainer compared)."""
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(seed).shuffle(lines)
    dest.write_text("".join(lines[:pairs]), encoding="utf-8")
    return dest


def export_commit(commit: str, dest: Path) -> Path:
    """The tree of ``commit`` in ``dest`` (git archive | tar -x): its trainer and its bench script."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], check=True, stdout=subprocess.PIPE).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def run_child(args, corpus: Path, out_dir: Path, tree: Path | None = None, batch_tokens: int = 0) -> dict:
    """One training run in a subprocess: this tree's trainer, or with ``tree`` another commit's."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        child_json = tmp.name
    script = Path(__file__).resolve() if tree is None else tree / "benchmarks" / "bench_training.py"
    cmd = [
        sys.executable,
        str(script),
        "--child",
        "--corpus",
        str(corpus),
        "--out",
        str(out_dir),
        "--preset",
        args.preset,
        "--threads",
        str(args.threads),
        "--seed",
        str(args.seed),
        "--child-json",
        child_json,
    ]
    for flag in ("steps", "minutes", "valid_every", "vocab_size", "amp"):
        if getattr(args, flag):
            cmd += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    if batch_tokens or args.batch_tokens:
        cmd += ["--batch-tokens", str(batch_tokens or args.batch_tokens)]
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads)}
    if tree is not None:  # that commit's translator_app first (before this checkout's editable install)
        env["PYTHONPATH"] = os.pathsep.join([str(tree), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    t0 = time.monotonic()
    proc = subprocess.run(
        cmd, env=env, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"training run failed ({proc.returncode}):\n{proc.stdout[-3000:]}")
    result = json.loads(Path(child_json).read_text())
    os.unlink(child_json)
    result["process_wall_s"] = round(time.monotonic() - t0, 1)
    result["out_dir"] = str(out_dir)
    return result


def print_run(name: str, r: dict) -> None:
    th = r["throughput"]
    log(
        f"\n[{name}] {r['corpus']}: {r['train_pairs']:,} training pairs, vocab {r['vocab']}, "
        f"{r['parameters']:,} parameters, {r['threads']} threads"
    )
    log(
        f"  setup (read, split, SentencePiece, encode): {r['setup_s']} s; stopped: {r['reason']} at step {r['steps']} "
        f"after {r['elapsed_s']} s"
    )
    if th.get("windows"):
        log(
            f"  throughput: median {th['median_tok_s']:,.0f} target tok/s, time-weighted mean {th['mean_tok_s']:,.0f} "
            f"tok/s, {th['steps_per_s']:.2f} steps/s, {th['tokens_per_step']:,.0f} target tokens/step "
            f"({th['windows']} windows of 20 steps)"
        )
    log(
        f"  peak RSS: setup {r['peak_rss_setup_mib']:,.0f} MiB (RSS after setup {r['rss_after_setup_mib']:,.0f} MiB); "
        f"training loop {r.get('peak_rss_loop_mib', float('nan')):,.0f} MiB; whole process (ru_maxrss) "
        f"{r['ru_maxrss_mib']:,.0f} MiB"
    )
    for v in r["validations"]:
        log(
            f"  validation at step {v['step']} (t={v['t']} s): loss {v['valid_loss']}, BLEU {v['bleu']}, chrF {v['chrf']}"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    p.add_argument("--preset", default="small", choices=list(PRESETS))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=0, help="steps per run (default 300 unless --minutes)")
    p.add_argument("--minutes", type=float, default=0.0, help="wall-clock budget per run (includes setup)")
    p.add_argument("--valid-every", type=int, default=0, help="validate every N steps (default: only at the end)")
    p.add_argument("--vocab-size", type=int, default=0, help="override the preset's vocabulary (smoke tests)")
    p.add_argument(
        "--amp",
        default="",
        choices=["", *AMP_MODES],
        help="autocast precision (default: the preset's; bf16 works on CPU, fp16 needs CUDA)",
    )
    p.add_argument("--batch-tokens", type=int, default=0, help="override the preset's target tokens per batch")
    p.add_argument("--sizes", default="full,half", help="comma list of corpus sizes to run: full, half")
    p.add_argument("--pairs", type=int, default=0, help="train on a seeded sample of N pairs of the corpus")
    p.add_argument("--baseline", metavar="COMMIT", help="also run the trainer of this git commit and print ratios")
    p.add_argument("--repeats", type=int, default=1, help="with --baseline: alternating runs of each trainer")
    p.add_argument(
        "--baseline-batch-tokens",
        type=int,
        default=0,
        help="with --baseline: its tokens per batch (default: its preset's)",
    )
    p.add_argument(
        "--out",
        help="run folder (default: a temporary folder, deleted); with several sizes, OUT-full and OUT-half; "
        "with --baseline, OUT-baseline-I and OUT-current-I (kept, to score their bundles)",
    )
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--json", help="also write the results here")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--child-json", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return child(args)
    if not args.steps and not args.minutes:
        args.steps = 300
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    corpus = Path(args.corpus).resolve()  # the baseline's child runs in its own tree (cwd)
    if args.out:
        args.out = str(Path(args.out).resolve())
    if args.baseline:
        return compare(args, corpus)
    results: dict = {
        "preset": args.preset,
        "threads": args.threads,
        "steps": args.steps,
        "minutes": args.minutes,
        "cpus": os.cpu_count(),
        "runs": {},
    }
    with tempfile.TemporaryDirectory(prefix="bench-training-") as tmp:
        if args.pairs:
            corpus = sample_corpus(corpus, args.pairs, args.seed, Path(tmp) / f"sample{args.pairs}-{corpus.name}")
        for size in sizes:
            if size == "full":
                path = corpus
            elif size == "half":
                path = half_corpus(corpus, Path(tmp) / f"half-{corpus.name}")
            else:
                raise SystemExit(f"unknown size {size!r}")
            if args.out:
                out_dir = Path(args.out if len(sizes) == 1 else f"{args.out}-{size}")
            else:
                out_dir = Path(tmp) / f"run-{size}"
            log(f"training on the {size} corpus ({path}) ...")
            r = run_child(args, path, out_dir)
            results["runs"][size] = r
            print_run(size, r)
    runs = results["runs"]
    if "full" in runs and "half" in runs:
        f, h = runs["full"], runs["half"]
        log(
            f"\nfull / half corpus: training pairs {f['train_pairs'] / h['train_pairs']:.2f}x; peak RSS of setup "
            f"{f['peak_rss_setup_mib'] / h['peak_rss_setup_mib']:.2f}x ({f['peak_rss_setup_mib'] - h['peak_rss_setup_mib']:+.0f} MiB), "
            f"RSS after setup {f['rss_after_setup_mib'] - h['rss_after_setup_mib']:+.0f} MiB, "
            f"training-loop peak {f['peak_rss_loop_mib'] / h['peak_rss_loop_mib']:.2f}x "
            f"({f['peak_rss_loop_mib'] - h['peak_rss_loop_mib']:+.0f} MiB)"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"results written to {args.json}")
    return 0


def compare(args, corpus: Path) -> int:
    """The trainer of ``args.baseline`` and the current one, alternating, on the same sample."""
    results: dict = {"baseline": args.baseline, "runs": {"baseline": [], "current": []}}
    with tempfile.TemporaryDirectory(prefix="bench-training-") as tmp:
        if args.pairs:
            corpus = sample_corpus(corpus, args.pairs, args.seed, Path(tmp) / f"sample{args.pairs}-{corpus.name}")
        tree = export_commit(args.baseline, Path(tmp) / "baseline")
        for i in range(args.repeats):
            for name in ("baseline", "current"):
                log(f"run {i + 1}/{args.repeats}: the {name} trainer ...")
                r = run_child(
                    args,
                    corpus,
                    Path(f"{args.out}-{name}-{i}") if args.out else Path(tmp) / f"run-{name}-{i}",
                    tree if name == "baseline" else None,
                    args.baseline_batch_tokens if name == "baseline" else 0,
                )
                results["runs"][name].append(r)
                print_run(f"{name} #{i + 1}", r)

    def median(name: str, get) -> float | None:
        values = [get(r) for r in results["runs"][name]]
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    log("\n| trainer | target tok/s (median of runs) | steps | final valid BLEU | chrF |")
    log("| --- | ---: | ---: | ---: | ---: |")
    rows = {}
    for name in ("baseline", "current"):
        tok = median(name, lambda r: r["throughput"].get("mean_tok_s"))
        steps = median(name, lambda r: r.get("steps"))
        bleu = median(name, lambda r: r["validations"][-1]["bleu"] if r["validations"] else None)
        chrf = median(name, lambda r: r["validations"][-1]["chrf"] if r["validations"] else None)
        rows[name] = (tok, bleu)
        label = f"{args.baseline} (baseline)" if name == "baseline" else "current tree"
        log(f"| {label} | {tok or 0:,.0f} | {steps or 0:,.0f} | {bleu} | {chrf} |")
    (tok_b, bleu_b), (tok_c, bleu_c) = rows["baseline"], rows["current"]
    if tok_b and tok_c:
        log(f"\nthroughput ratio current / baseline: {tok_c / tok_b:.2f}x")
    if bleu_b is not None and bleu_c is not None:
        log(f"final validation BLEU, current - baseline: {bleu_c - bleu_b:+.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
