"""app.main: the window is shown and painted before the model load is requested, the default
model then loads in the worker, and the app exits cleanly."""

from __future__ import annotations

import threading

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def test_main_shows_the_window_first_then_loads_the_default_model_and_exits_cleanly(qapp, monkeypatch):
    from translator_app import app as app_module
    from translator_app import workers
    from translator_app.gui.main_window import MainWindow

    seen: dict = {}
    real_deferred = MainWindow.load_deferred

    def load_deferred(self):
        seen["thread"] = threading.current_thread()
        seen["visible_before_model"] = self.isVisible() and self.model_info is None
        seen["loading_shown"] = self.translate_tab.busy.text() == "Loading model…"
        seen["window"] = self
        return real_deferred(self)

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
    assert app_module.main(["translator-app-gui"], configure_logging=False) == 0
    assert seen["thread"] is threading.main_thread()
    assert seen["visible_before_model"] is True
    assert seen["loading_shown"] is True
    assert seen["loaded"]  # the bundled default (the tiny test model) was loaded in the worker
    assert seen["window"]._shut_down and workers.running_threads() == []
    assert QApplication.organizationName() == app_module.ORGANIZATION
