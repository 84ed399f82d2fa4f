"""app.main: preload on the main thread, window shown before the model is ready, clean exit."""

from __future__ import annotations

import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def test_main_shows_the_window_first_then_loads_the_default_model_and_exits_cleanly(qapp, monkeypatch):
    from translator_app import app as app_module, workers
    from translator_app.core import training
    from translator_app.gui.main_window import MainWindow

    seen: dict = {}
    real_preload, real_start = training.preload, MainWindow.start

    def preload():
        seen["preload_thread"] = threading.current_thread()
        real_preload()

    def start(self, model_path=None):
        seen["visible_before_model"] = self.isVisible() and self.model_info is None
        seen["window"] = self
        return real_start(self, model_path)

    monkeypatch.setattr(training, "preload", preload)
    monkeypatch.setattr(MainWindow, "start", start)

    def poll():
        window = seen.get("window")
        if window is not None and window.model_info is not None:
            seen["loaded"] = window.model_info.name
            window.close()
        else:
            QTimer.singleShot(50, poll)

    QTimer.singleShot(50, poll)
    QTimer.singleShot(60_000, QApplication.quit)  # never hang the suite
    assert app_module.main(["translator-app-gui"]) == 0
    assert seen["preload_thread"] is threading.main_thread()
    assert seen["visible_before_model"] is True
    assert seen["loaded"]  # the bundled default (the tiny test model) was loaded in the worker
    assert seen["window"]._shut_down and workers.running_threads() == []
    assert QApplication.organizationName() == app_module.ORGANIZATION
