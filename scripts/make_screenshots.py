#!/usr/bin/env python
"""Regenerate the README's Translate-tab screenshot (offscreen Qt, the bundled model).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TRANSLATOR_APP_HOME", tempfile.mkdtemp(prefix="shots-"))
REPO = Path(__file__).resolve().parents[1]
TEXT = ("Hello, my name is Anna and I live in Berlin. My flight BA2471 leaves at 19:45 "
        "from gate B12. Please send the report to anna.weber@example.com by Friday.")


def main() -> int:
    from PySide6.QtCore import QTimer

    from translator_app import app as app_module, startup
    from translator_app.gui.main_window import MainWindow

    qapp = app_module.make_application(["shots"])
    window = MainWindow(loader=startup.load_translator)
    window.resize(1180, 820)
    window.start(str(REPO / "models" / "en-es"))
    window.show()
    tab = window.translate_tab
    state = {"typed": False}

    def poll() -> None:
        if window.model_info is not None and not state["typed"]:
            state["typed"] = True
            tab.source.setPlainText(TEXT)
            tab.translate_now()
        QTimer.singleShot(100, poll)

    def shot(_translation) -> None:
        def grab() -> None:
            out = REPO / "resources" / "screenshots" / "translate.png"
            window.grab().save(str(out))
            print(f"wrote {out}")
            window.close()
            qapp.quit()
        QTimer.singleShot(500, grab)

    tab.translated.connect(shot)
    QTimer.singleShot(100, poll)
    QTimer.singleShot(60_000, qapp.quit)
    qapp.exec()
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
