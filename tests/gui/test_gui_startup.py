"""Issue 17: the window is painted before the model loads, with a "Loading model…" state; torch
stays off the GUI thread until then; Help ▸ Open log folder; the start-up log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from tests.gui.conftest import close_window

REPO = Path(__file__).resolve().parents[2]


def test_deferred_start_shows_loading_and_loads_only_when_asked(qtbot):
    from translator_app.gui.main_window import MainWindow

    requested = []
    win = MainWindow(loader=lambda path: requested.append(path) or _real_load(path))
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.models_listed, timeout=20_000) as listed:
        win.start(defer_load=True)  # the store is listed in the task thread
        assert win.translate_tab.busy.text() == "Loading model…"  # at once, before the list is in
    chosen = listed.args[0].chosen
    assert chosen.endswith("en-es")
    assert win.picker.entries()  # the picker is filled from the listing
    assert win.model_status.text() == "Loading en-es…"
    assert win.translate_tab.busy.text() == "Loading model…"
    win.show()
    qtbot.wait(50)
    assert requested == [] and win.model_info is None  # nothing sent to the worker yet
    with qtbot.waitSignal(win.model_changed, timeout=30_000):
        assert win.load_deferred() == chosen
    assert requested == [chosen]
    assert win.load_deferred() == ""  # only once
    close_window(qtbot, win)


def _real_load(path):
    from translator_app.core.translation.translator import Translator

    return Translator.load(path)


def test_help_open_log_folder_opens_the_logs_dir(qtbot, window, monkeypatch):
    from translator_app import paths

    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    action = next(a for a in help_menu.actions() if a.text() == "Open &log folder")
    action.trigger()
    assert [Path(u.toLocalFile()) for u in opened] == [paths.logs_dir()]


def test_app_paints_the_window_before_importing_torch_and_logs_the_start(tmp_path, bundled_dir):
    """A real start in a fresh interpreter (offscreen): the start-up log says the window was
    painted with torch not yet imported, then the model was ready and the typed text translated."""
    log = tmp_path / "startup.json"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "TRANSLATOR_APP_HOME": str(tmp_path / "home"),
        "TRANSLATOR_APP_MODELS": str(bundled_dir),
        "TRANSLATOR_APP_STARTUP_LOG": str(log),
        "TRANSLATOR_APP_STARTUP_TEXT": "Hello, how are you?",
        "TRANSLATOR_APP_STARTUP_EXIT": "1",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "OMP_NUM_THREADS": "1",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "translator_app"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    data = json.loads(log.read_text())
    marks = data["marks"]
    assert data["torch_imported_before_paint"] is False
    order = ["main", "qapp", "window_built", "shown", "first_paint", "model_ready", "first_translation", "exit"]
    assert [m for m in order if m in marks] == order, marks
    assert sorted(order, key=marks.get) == order
    assert data["stall_after_first_paint"]["ticks"] > 0
    assert (tmp_path / "home" / "logs" / "translator-app.log").is_file()
