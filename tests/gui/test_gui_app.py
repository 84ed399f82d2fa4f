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
    real_preload, real_start, real_load = training.preload, MainWindow.start, MainWindow.load_deferred

    def preload():
        seen["preload_thread"] = threading.current_thread()
        real_preload()

    def start(self, model_path=None, **kwargs):
        seen["window"] = self
        return real_start(self, model_path, **kwargs)

    def load_deferred(self):  # the model is loaded only once the window is up
        seen["visible_before_model"] = self.isVisible() and self.model_info is None
        return real_load(self)

    monkeypatch.setattr(training, "preload", preload)
    monkeypatch.setattr(MainWindow, "start", start)
    monkeypatch.setattr(MainWindow, "load_deferred", load_deferred)

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
    # the first-Adam import stall never runs on the GUI thread (issue 17: window first)
    assert seen.get("preload_thread") is not threading.main_thread()
    assert seen["visible_before_model"] is True
    assert seen["loaded"]  # the bundled default (the tiny test model) was loaded in the worker
    assert seen["window"]._shut_down and workers.running_threads() == []
    assert QApplication.organizationName() == app_module.ORGANIZATION
