#!/usr/bin/env python3
"""Kill -9 a training run at random moments and check that nothing is lost.

Each trial starts a tiny CLI training run as a subprocess on a small corpus
(``translator-app train CORPUS --out DIR --preset tiny --max-steps N --vocab-size 400
--threads 1 --json``, one JSON event per line) and SIGKILLs it:

* ``random``: at a uniformly random time within the calibrated length of a run;
* ``targeted``: the moment the k-th temporary file of an atomic write shows up in the
  output folder (a checkpoint, bundle or data file half-written), optionally a few ms later;
* ``checkpoint``: a random time after the first checkpoint.pt appeared.

After the kill it checks that

1. the user's corpus file and an earlier model folder are byte-identical to before (sha256);
2. ``checkpoint.pt``, if present, loads with ``load_train_state`` and holds a checkpoint step;
3. the bundle, if its ``config.json`` is there, loads with ``Translator.load`` and translates;
4. ``--resume`` for a few more steps exits 0, says it resumed at the checkpoint's step (or that
   there was no checkpoint), ends at step + K, and the optimizer's own step counter is
   step + K (the Adam state was restored, not restarted); with ``--reference`` the resumed
   weights are also compared with an uninterrupted run to the same step;
5. the resumed bundle loads, and the corpus and earlier model are still unchanged.

    .venv/bin/python scripts/kill_during_training.py --trials 20
    .venv/bin/python scripts/kill_during_training.py --trials 3 --modes checkpoint,targeted --max-steps 60

Prints one line per trial and the counts; exit status 0 when there were no failures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from translator_app.core.base.config import PRESETS
from translator_app.core.folders.filenames import CONFIG_FILE, JOINT_TOKENIZER, TRAIN_STATE_FILE, WEIGHTS_FILE

REPO = Path(__file__).resolve().parents[1]
TATOEBA = REPO.parent / "shared" / "corpora" / "tatoeba.en-es.tsv"
PRESET = "tiny"
CHECKPOINT_EVERY = PRESETS[PRESET][1].checkpoint_every


def sha_tree(root: Path) -> dict[str, str]:
    root = Path(root)
    if root.is_file():
        return {root.name: hashlib.sha256(root.read_bytes()).hexdigest()}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def temp_names(out: Path) -> set[str]:
    names = set()
    for folder in (out, out / "data"):
        try:
            with os.scandir(folder) as it:
                names.update(f"{folder.name}/{e.name}" for e in it if e.name.endswith(".tmp"))
        except OSError:
            pass
    return names


class Runner:
    def __init__(self, args, work: Path):
        self.args = args
        self.work = work
        self.env = {
            **os.environ,
            "TRANSLATOR_APP_HOME": str(work / "home"),
            "OMP_NUM_THREADS": "1",
            "PYTHONUNBUFFERED": "1",
        }
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    def command(self, corpus: Path, out: Path, max_steps: int, resume: bool = False) -> list[str]:
        cmd = [
            sys.executable,
            "-m",
            "translator_app",
            "train",
            str(corpus),
            "--out",
            str(out),
            "--preset",
            PRESET,
            "--max-steps",
            str(max_steps),
            "--vocab-size",
            "400",
            "--threads",
            "1",
            "--json",
        ]
        return cmd + (["--resume"] if resume else [])

    def start(self, cmd: list[str], log: Path) -> subprocess.Popen:
        with open(log, "wb") as handle:  # the child keeps its own copy of the descriptor
            return subprocess.Popen(
                cmd, stdout=handle, stderr=subprocess.STDOUT, env=self.env, cwd=self.work, start_new_session=True
            )

    def run(self, cmd: list[str], log: Path, timeout: float) -> tuple[int, str]:
        proc = self.start(cmd, log)
        try:
            rc = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            rc = -999
        return rc, log.read_text(encoding="utf-8", errors="replace")


def events(log: str) -> list[dict]:
    """The training events of a ``train --json`` log (its other lines: warnings on stderr)."""
    records = []
    for line in log.splitlines():
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return records


def make_corpus(dest: Path, lines: int, seed: int) -> Path:
    if TATOEBA.exists():
        rows = [r for r in TATOEBA.read_text(encoding="utf-8").splitlines() if r.strip()]
        step = max(1, len(rows) // lines)
        picked = rows[seed % step :: step][:lines]
    else:  # a synthetic stand-in, so the script still runs without the shared corpora
        rng = random.Random(seed)
        words = [
            "the",
            "cat",
            "dog",
            "house",
            "tree",
            "water",
            "book",
            "big",
            "small",
            "red",
            "green",
            "run",
            "see",
            "eat",
        ]
        picked = []
        for _ in range(lines):
            n = rng.randint(2, 6)
            src = [rng.choice(words) for _ in range(n)]
            picked.append(" ".join(src).capitalize() + ".\t" + " ".join(w[::-1] for w in src).capitalize() + ".")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("\n".join(picked) + "\n", encoding="utf-8")
    return dest


def check_bundle_and_checkpoint(out: Path, max_steps: int, problems: list[str]) -> dict:
    """What is on disk after the kill; appends to ``problems``."""
    from translator_app.core.model.checkpoint import load_train_state
    from translator_app.core.translation.translator import Translator

    info = {"step": 0, "bundle": False, "partial_bundle": False, "temps": sorted(temp_names(out))}
    ckpt = out / TRAIN_STATE_FILE
    if ckpt.exists():
        try:
            state = load_train_state(ckpt)
            info["step"] = int(state["step"])
            if info["step"] % CHECKPOINT_EVERY and info["step"] != max_steps:
                problems.append(f"checkpoint at unexpected step {info['step']}")
        except Exception as exc:  # noqa: BLE001 - every failure is a finding to report
            problems.append(f"{TRAIN_STATE_FILE} does not load: {type(exc).__name__}: {exc}")
    if (out / CONFIG_FILE).exists():
        info["bundle"] = True
        try:
            Translator.load(out).translate("Hello.")
        except Exception as exc:  # noqa: BLE001 - every failure is a finding to report
            problems.append(f"bundle does not load: {type(exc).__name__}: {exc}")
    elif (out / WEIGHTS_FILE).exists():
        info["partial_bundle"] = True  # weights written, config not yet: not a bundle (clear BundleError)
    return info


def adam_step(state: dict) -> int | None:
    opt = state.get("optimizer", {}).get("state", {})
    for entry in opt.values():
        if "step" in entry:
            return int(float(entry["step"]))
    return None


def trial(
    runner: Runner,
    i: int,
    mode: str,
    rng: random.Random,
    corpus: Path,
    protected: dict[Path, dict],
    duration: float | None,
    references: dict[int, Path],
) -> dict:
    from translator_app.core.model.checkpoint import load_train_state
    from translator_app.core.translation.translator import Translator

    args = runner.args
    out = runner.work / "home" / "runs" / f"trial-{i:03d}"
    shutil.rmtree(out, ignore_errors=True)
    problems: list[str] = []
    proc = runner.start(runner.command(corpus, out, args.max_steps), runner.logs / f"trial-{i:03d}.log")
    started = time.monotonic()
    killed_at, detail = None, ""
    deadline = started + args.timeout
    if mode == "random":
        target = rng.uniform(0.3, (duration or 20.0) * 1.05)
        detail = f"at {target:.2f}s"
        while proc.poll() is None and time.monotonic() - started < target:
            time.sleep(0.005)
    elif mode == "targeted":
        k, delay = rng.randint(1, args.targeted_max), rng.choice([0.0, 0.0, 0.002, 0.01, 0.05])
        seen: list[str] = []  # distinct temp files, in the order they showed up
        detail = f"at temp file #{k} +{delay * 1000:.0f}ms"
        while proc.poll() is None and len(seen) < k and time.monotonic() < deadline:
            seen += sorted(temp_names(out) - set(seen))
            if len(seen) < k:
                time.sleep(0.001)
        if len(seen) >= k:
            detail += f" ({seen[k - 1].split('/')[-1].split('.tmp')[0]})"
            time.sleep(delay)
    else:  # "checkpoint": some time after the first checkpoint exists
        delay = rng.uniform(0.0, 3.0)
        detail = f"{delay:.2f}s after the first checkpoint"
        while proc.poll() is None and not (out / TRAIN_STATE_FILE).exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)  # only the process this trial started
        killed_at = time.monotonic() - started
    proc.wait()
    completed = killed_at is None

    for path, before in protected.items():
        if sha_tree(path) != before:
            problems.append(f"{path} was modified by the killed run")
    info = check_bundle_and_checkpoint(out, args.max_steps, problems)
    step = info["step"]

    # resume for a few steps: it must continue from the checkpoint (or start anew without one)
    goal = step + args.resume_steps
    rc, log = runner.run(
        runner.command(corpus, out, goal, resume=True), runner.logs / f"trial-{i:03d}-resume.log", args.timeout
    )
    if rc != 0:
        problems.append(f"resume exited with {rc}: {log.strip().splitlines()[-1:] if log.strip() else ''}")
    else:
        records = events(log)
        expect = f"resumed at step {step}" if step else "No checkpoint in"
        said = [
            r["message"] if r["event"] == "Status" else r["summary"]
            for r in records
            if r["event"] in ("Status", "DataReady")
        ]
        if not any(expect in text for text in said):
            problems.append(f"resume log does not say {expect!r}")
        finished = next((r for r in records if r["event"] == "Finished"), None)
        if not finished or finished["step"] != goal:
            got = f"step {finished['step']} ({finished['reason']})" if finished else "no Finished event"
            problems.append(f"resume did not finish at step {goal}: {got}")
        try:
            state = load_train_state(out / TRAIN_STATE_FILE)
            if int(state["step"]) != goal:
                problems.append(f"checkpoint after resume at step {state['step']}, expected {goal}")
            if adam_step(state) != goal:
                problems.append(
                    f"optimizer step counter {adam_step(state)} after resume, expected {goal} "
                    f"(the optimizer state was not continued)"
                )
            if args.reference and step:
                compare_with_reference(runner, corpus, out, goal, state, references, problems)
        except Exception as exc:  # noqa: BLE001 - every failure is a finding to report
            problems.append(f"checkpoint after resume does not load: {type(exc).__name__}: {exc}")
        try:
            Translator.load(out).translate("Good morning.")
        except Exception as exc:  # noqa: BLE001 - every failure is a finding to report
            problems.append(f"bundle after resume does not load: {type(exc).__name__}: {exc}")
    for path, before in protected.items():
        if sha_tree(path) != before:
            problems.append(f"{path} was modified by the resumed run")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "trial": i,
        "mode": mode,
        "detail": detail,
        "killed_at": killed_at,
        "completed": completed,
        "step": step,
        "bundle": info["bundle"],
        "partial_bundle": info["partial_bundle"],
        "temps": info["temps"],
        "problems": problems,
    }


def compare_with_reference(
    runner: Runner, corpus: Path, out: Path, goal: int, state: dict, references: dict[int, Path], problems: list[str]
) -> None:
    """The resumed weights must equal those of an uninterrupted run to the same step."""
    from translator_app.core.model.checkpoint import load_train_state

    ref = references.get(goal)
    if ref is None:
        ref = runner.work / "references" / f"step-{goal}"
        shutil.rmtree(ref, ignore_errors=True)
        rc, _ = runner.run(
            runner.command(corpus, ref, goal), runner.logs / f"reference-{goal}.log", runner.args.timeout
        )
        if rc != 0:
            problems.append(f"reference run to step {goal} failed ({rc})")
            return
        references[goal] = ref
    if (ref / JOINT_TOKENIZER).read_bytes() != (out / JOINT_TOKENIZER).read_bytes():
        problems.append("tokenizer differs from the reference run's (SentencePiece training not deterministic?)")
        return
    ref_model = load_train_state(ref / TRAIN_STATE_FILE)["model"]
    worst = max(float((state["model"][k].float() - v.float()).abs().max()) for k, v in ref_model.items())
    if worst > runner.args.tolerance:
        problems.append(f"resumed weights differ from an uninterrupted run by up to {worst:.2e}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--modes",
        default="random,targeted,checkpoint",
        help="comma list cycled over the trials: random, targeted, checkpoint",
    )
    ap.add_argument("--max-steps", type=int, default=120, help="steps of each killed run (checkpoints every 50)")
    ap.add_argument("--resume-steps", type=int, default=5, help="steps to run after resuming")
    ap.add_argument("--corpus-lines", type=int, default=600)
    ap.add_argument("--corpus", help="use this corpus file (default: a Tatoeba slice made in the work folder)")
    ap.add_argument(
        "--earlier-model",
        help="an existing model folder that must stay untouched (default: the calibration run's output)",
    )
    ap.add_argument(
        "--reference",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="compare resumed weights with an uninterrupted run to the same step",
    )
    ap.add_argument("--tolerance", type=float, default=1e-4, help="max abs weight difference against the reference")
    ap.add_argument("--targeted-max", type=int, default=6, help="targeted kills pick one of the first N temp files")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds allowed for one training subprocess")
    ap.add_argument("--workdir", help="work folder (default: a new temp folder, removed at the end)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder and the trial runs")
    ap.add_argument("--json", help="also write the summary (and every trial) as JSON here")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or any(m not in ("random", "targeted", "checkpoint") for m in modes):
        ap.error(f"bad --modes {args.modes!r}")
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="kill-training-"))
    work.mkdir(parents=True, exist_ok=True)
    runner = Runner(args, work)
    rng = random.Random(args.seed)
    started = time.monotonic()
    try:
        corpus = (
            Path(args.corpus)
            if args.corpus
            else make_corpus(work / "user" / "pairs.en-es.tsv", args.corpus_lines, args.seed)
        )
        duration = None
        earlier = Path(args.earlier_model) if args.earlier_model else None
        if earlier is None or "random" in modes:  # calibrate: one uninterrupted run (it becomes the earlier model)
            calib = work / "home" / "models" / "earlier-en-es"
            shutil.rmtree(calib, ignore_errors=True)
            t0 = time.monotonic()
            rc, log = runner.run(
                runner.command(corpus, calib, args.max_steps), runner.logs / "calibration.log", args.timeout
            )
            duration = time.monotonic() - t0
            if rc != 0:
                print(log[-3000:])
                print(f"calibration run failed with {rc}")
                return 2
            earlier = earlier or calib
            print(f"calibration: an uninterrupted {args.max_steps}-step run takes {duration:.1f}s")
        protected = {corpus: sha_tree(corpus), earlier: sha_tree(earlier)}
        results = []
        references: dict[int, Path] = {}
        for i in range(1, args.trials + 1):
            res = trial(runner, i, modes[(i - 1) % len(modes)], rng, corpus, protected, duration, references)
            results.append(res)
            state = (
                ("completed" if res["completed"] else f"killed {res['killed_at']:.2f}s")
                + (f", checkpoint step {res['step']}" if res["step"] else ", no checkpoint")
                + (", bundle" if res["bundle"] else "")
                + (", weights without config" if res["partial_bundle"] else "")
                + (f", temp left: {','.join(res['temps'])}" if res["temps"] else "")
            )
            verdict = "ok" if not res["problems"] else "FAIL: " + "; ".join(res["problems"])
            print(f"trial {i:3d} [{res['mode']:<10}] {res['detail']:<48} {state} -> {verdict}", flush=True)
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    failures = sum(1 for r in results if r["problems"])
    modes_count = Counter(r["mode"] for r in results)
    summary = {
        "trials": len(results),
        "failures": failures,
        "killed": sum(1 for r in results if not r["completed"]),
        "completed_before_kill": sum(1 for r in results if r["completed"]),
        "with_checkpoint": sum(1 for r in results if r["step"]),
        "resumed_from_steps": sorted({r["step"] for r in results if r["step"]}),
        "with_bundle": sum(1 for r in results if r["bundle"]),
        "weights_without_config": sum(1 for r in results if r["partial_bundle"]),
        "temp_files_left": sum(1 for r in results if r["temps"]),
        "modes": dict(modes_count),
        "elapsed_s": round(time.monotonic() - started, 1),
    }
    print(
        f"trials: {summary['trials']}, failures: {failures}  (killed {summary['killed']}, finished before the kill "
        f"{summary['completed_before_kill']}; checkpoint on disk {summary['with_checkpoint']} "
        f"(steps {summary['resumed_from_steps']}), bundle {summary['with_bundle']}, weights without config "
        f"{summary['weights_without_config']}, temp files left {summary['temp_files_left']}; "
        f"{summary['elapsed_s']}s)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({**summary, "results": results}, indent=2, default=str))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
