#!/usr/bin/env python
"""Regenerate the README's Training-tab screenshot (offscreen Qt): the bundled en->es model
fine-tuned on the GIMP help pairs for a few minutes, as a person would from the Training tab
(Start from: the bundled model; no corpus built, so the bundle's own replay set is replayed),
grabbed when the run ends: both curves, the general score beside the in-domain one, samples.

    .venv/bin/python scripts/build_gimp_domain.py          # data/gimp/train.en-es.tsv
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_training_screenshot.py [--minutes 4] [--threads 1]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TRANSLATOR_APP_HOME", tempfile.mkdtemp(prefix="shots-"))
REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=REPO / "data" / "gimp" / "train.en-es.tsv")
    ap.add_argument("--minutes", type=float, default=4.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--valid-every", type=int, default=60)
    ap.add_argument("--out", type=Path, default=REPO / "resources" / "screenshots" / "training.png")
    args = ap.parse_args(argv)
    if not args.corpus.is_file():
        print(f"{args.corpus} is missing: run scripts/build_gimp_domain.py first", file=sys.stderr)
        return 2

    from PySide6.QtCore import QTimer

    from translator_app import app as app_module
    from translator_app import startup
    from translator_app.gui.main_window import MainWindow

    qapp = app_module.make_application(["shots"])
    window = MainWindow(loader=startup.load_translator)
    window.resize(1280, 860)
    window.start(str(REPO / "models" / "en-es"))
    window.show()
    tab = window.training_tab
    state = {"status": 1}

    def begin() -> None:
        if window.model_info is None or not tab.form.base_models():
            QTimer.singleShot(200, begin)
            return
        tab.corpus.set_paths(str(args.corpus))
        tab.name.setText("gimp-help")
        base = next(
            (p for p in tab.form.base_models() if Path(p).resolve() == (REPO / "models" / "en-es").resolve()), ""
        )
        if not tab.form.select_base(base):
            print("the bundled en-es model is not offered under Start from", file=sys.stderr)
            qapp.quit()
            return
        tab.form.set_values(minutes=args.minutes, valid_every=args.valid_every, log_every=20, num_threads=args.threads)
        QTimer.singleShot(1500, start)  # (the corpus preview first)

    def start() -> None:
        tab.start_button.click()
        QTimer.singleShot(1000, watch)

    def watch() -> None:
        if tab.last_finished is None or tab.is_training:
            QTimer.singleShot(1000, watch)
            return
        QTimer.singleShot(1500, grab)

    def grab() -> None:
        window.grab().save(str(args.out))
        print(f"wrote {args.out}: {tab.last_finished}")
        state["status"] = 0
        window.close()
        qapp.quit()

    window.tabs.setCurrentWidget(tab)
    QTimer.singleShot(500, begin)
    QTimer.singleShot(int((args.minutes + 8) * 60_000), qapp.quit)
    qapp.exec()
    window.shutdown()
    return state["status"]


if __name__ == "__main__":
    sys.exit(main())
