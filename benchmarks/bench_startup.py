"""Start-up time of the desktop app (issue 17): time to first paint and to first translation.

    python benchmarks/bench_startup.py [-n 5] [--frozen DIR] [--no-frozen] [--offscreen] [--json OUT]

Each run starts the app in a fresh process with ``TRANSLATOR_APP_STARTUP_LOG`` (JSON time
stamps written by the app, seconds since ``TRANSLATOR_APP_LAUNCH_TIME``, which this script sets
right before it starts the process), ``TRANSLATOR_APP_STARTUP_TEXT`` (typed once the model is
ready) and ``TRANSLATOR_APP_STARTUP_EXIT=1`` (quit 3 s after that translation, which covers the background Adam warm-up).  Reported:
median over N runs (after one unmeasured warm-up run that fills the page cache) of

* first paint (the window with the model picker and "Loading model…" is on screen),
* model ready, first translation,
* the longest GUI event-loop stall after the first paint (a 10 ms timer's largest gap),
* whether torch had been imported before the first paint (must be no),

for the virtualenv app (``python -m translator_app``) and, when it exists, the frozen one
(``dist/translator-app/translator-app``), against a minimal PySide6 window (QApplication +
QMainWindow with a label, first paint) as the baseline ratio.

Runs under a real X server: an Xvfb of its own on :99 (``apt-get install xvfb``) unless
``DISPLAY`` is already set; ``--offscreen`` uses Qt's offscreen platform instead.  User data,
settings and caches live in a temporary folder (one per benchmark, shared by its runs).
Targets (2 cores): first paint ≤ 1.0 s, first translation ≤ 2.5 s, no stall > 100 ms.
Timing only: run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEXT = "Hello, how are you?"
TARGET_PAINT_S = 1.0
TARGET_TRANSLATION_S = 2.5
TARGET_STALL_MS = 100.0

BASELINE = r"""
import json, os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
launch = float(os.environ["TRANSLATOR_APP_LAUNCH_TIME"])
app = QApplication(sys.argv)
window = QMainWindow()
window.setCentralWidget(QLabel("Hello"))
window.resize(1200, 820)
class First(QObject):
    posted = False
    def eventFilter(self, obj, event):
        if not self.posted and event.type() == QEvent.Type.Paint:
            self.posted = True
            QTimer.singleShot(0, done)
        return False
def done():
    with open(sys.argv[1], "w") as f:
        json.dump({"marks": {"first_paint": round(time.time() - launch, 4)}}, f)
    app.quit()
watcher = First()
app.installEventFilter(watcher)
window.show()
QTimer.singleShot(20000, app.quit)
app.exec()
"""


def start_xvfb(display: str = ":99") -> subprocess.Popen | None:
    exe = shutil.which("Xvfb")
    if exe is None:
        return None
    proc = subprocess.Popen(
        [exe, display, "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    socket = Path("/tmp/.X11-unix") / f"X{display.lstrip(':')}"
    deadline = time.monotonic() + 10
    while not socket.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    if proc.poll() is not None or not socket.exists():
        proc.kill()
        return None
    return proc


def run_once(cmd: list[str], env: dict[str, str], log: Path, timeout: float = 120.0) -> dict:
    log.unlink(missing_ok=True)
    env = dict(env, TRANSLATOR_APP_LAUNCH_TIME=repr(time.time()))
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    if not log.is_file():
        raise RuntimeError(f"{' '.join(cmd)} wrote no start-up log (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    data = json.loads(log.read_text())
    data["returncode"] = proc.returncode
    return data


def summarize(runs: list[dict]) -> dict:
    def med(key: str):
        values = [r["marks"][key] for r in runs if key in r.get("marks", {})]
        return round(statistics.median(values), 3) if values else None

    out = {
        k: med(k) for k in ("qapp", "gui_imported", "window_built", "first_paint", "model_ready", "first_translation")
    }
    stalls = [r["stall_after_first_paint"]["max_ms"] for r in runs if "stall_after_first_paint" in r]
    out["stall_max_ms"] = round(statistics.median(stalls), 1) if stalls else None
    out["stall_worst_ms"] = max(stalls) if stalls else None
    out["stalls_over_100ms"] = sum(r.get("stall_after_first_paint", {}).get("over_100ms", 0) for r in runs)
    out["torch_before_paint"] = any(r.get("torch_imported_before_paint") for r in runs)
    out["runs"] = len(runs)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5, help="measured runs per variant (median)")
    parser.add_argument(
        "--frozen",
        type=Path,
        default=REPO / "dist" / "translator-app",
        help="folder of the frozen app (default dist/translator-app)",
    )
    parser.add_argument("--no-frozen", action="store_true")
    parser.add_argument("--offscreen", action="store_true", help="QT_QPA_PLATFORM=offscreen instead of X")
    parser.add_argument("--model", type=Path, help="models folder (TRANSLATOR_APP_MODELS; default: the bundled one)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    xvfb = None
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRANSLATOR_APP_")}
    if args.offscreen:
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:
        env.pop("QT_QPA_PLATFORM", None)
        env.pop("WAYLAND_DISPLAY", None)
        if not env.get("DISPLAY"):
            xvfb = start_xvfb()
            if xvfb is None:
                print("Xvfb is not available (apt-get install xvfb); using QT_QPA_PLATFORM=offscreen", flush=True)
                env["QT_QPA_PLATFORM"] = "offscreen"
            else:
                env["DISPLAY"] = ":99"
    platform = env.get("QT_QPA_PLATFORM") or f"xcb on {env.get('DISPLAY')}"
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    env.update(
        TRANSLATOR_APP_HOME=str(work / "home"),
        XDG_CONFIG_HOME=str(work / "config"),
        XDG_CACHE_HOME=str(work / "cache"),
        TRANSLATOR_APP_STARTUP_TEXT=TEXT,
        TRANSLATOR_APP_STARTUP_EXIT="1",
    )
    if args.model:
        env["TRANSLATOR_APP_MODELS"] = str(args.model)
    log = work / "startup.json"
    env["TRANSLATOR_APP_STARTUP_LOG"] = str(log)
    baseline_script = work / "baseline.py"
    baseline_script.write_text(BASELINE)

    variants = [
        ("minimal PySide6 window (baseline)", [sys.executable, str(baseline_script), str(log)]),
        ("app, virtualenv", [sys.executable, "-m", "translator_app"]),
    ]
    exe = args.frozen / "translator-app"
    if not args.no_frozen and exe.is_file():
        variants.append(("app, frozen (PyInstaller)", [str(exe)]))
    elif not args.no_frozen:
        print(f"(no frozen app at {exe}: build it with `make package` to measure it too)", flush=True)

    results: dict[str, dict] = {}
    try:
        for name, cmd in variants:
            print(f"{name}: warm-up run, then {args.n} measured runs ({platform})", flush=True)
            run_once(cmd, env, log)  # page cache, caches in the temporary home
            runs = []
            for i in range(args.n):
                data = run_once(cmd, env, log)
                runs.append(data)
                m = data["marks"]
                print(
                    f"  run {i + 1}: first paint {m.get('first_paint')} s, model ready {m.get('model_ready', '-')} s, "
                    f"first translation {m.get('first_translation', '-')} s, stall "
                    f"{data.get('stall_after_first_paint', {}).get('max_ms', '-')} ms",
                    flush=True,
                )
            results[name] = summarize(runs)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)

    base = results[variants[0][0]]["first_paint"]
    print(f"\nmedian of {args.n} runs, seconds since launch ({platform}, {os.cpu_count()} CPUs)")
    print(f"{'variant':38s} {'paint':>7s} {'×base':>6s} {'model':>7s} {'transl.':>8s} {'stall ms':>9s} torch<paint")
    for name, r in results.items():
        ratio = f"{r['first_paint'] / base:.2f}" if base and r["first_paint"] else "-"
        print(
            f"{name:38s} {r['first_paint'] or '-':>7} {ratio:>6s} {r['model_ready'] or '-':>7} "
            f"{r['first_translation'] or '-':>8} {r['stall_max_ms'] if r['stall_max_ms'] is not None else '-':>9} "
            f"{'yes' if r['torch_before_paint'] else 'no'}"
        )
    print()
    for name, r in list(results.items())[1:]:
        checks = [
            ("first paint ≤ 1.0 s", r["first_paint"] is not None and r["first_paint"] <= TARGET_PAINT_S),
            (
                "first translation ≤ 2.5 s",
                r["first_translation"] is not None and r["first_translation"] <= TARGET_TRANSLATION_S,
            ),
            (
                "no GUI stall > 100 ms after first paint (worst run)",
                r["stall_worst_ms"] is not None and r["stall_worst_ms"] <= TARGET_STALL_MS,
            ),
            ("torch not imported before first paint", not r["torch_before_paint"]),
        ]
        for label, ok in checks:
            print(f"{name}: {label}: {'met' if ok else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps({"platform": platform, "n": args.n, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
