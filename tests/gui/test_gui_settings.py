"""Settings per installation (issue #30, item 1): the settings file follows TRANSLATOR_APP_HOME /
XDG_CONFIG_HOME, the model is remembered by its store name, a stale one falls back to the bundled
default, and Swap is offered whenever a reverse model exists."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QSettings

from tests.gui.conftest import close_window


def test_the_settings_file_lives_in_the_apps_own_configuration_folder(tmp_path, monkeypatch):
    from translator_app import app

    monkeypatch.setenv("TRANSLATOR_APP_HOME", str(tmp_path / "home"))
    path = Path(app.configure_settings())
    assert path.is_relative_to(tmp_path / "home" / "config"), path
    monkeypatch.delenv("TRANSLATOR_APP_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    path = Path(app.configure_settings())
    assert path.is_relative_to(tmp_path / "xdg"), path
    QSettings().setValue("probe", 1)
    QSettings().sync()
    assert path.is_file()


def start(qtbot, model: str | None = None):
    from translator_app.gui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.model_changed, timeout=30_000):
        win.start(model)
    return win


def test_the_model_is_remembered_by_its_store_name_not_its_absolute_path(qtbot, tmp_path, monkeypatch, bundled_dir):
    win = start(qtbot)
    close_window(qtbot, win)
    assert QSettings().value("model/ref") == "bundled/en-es"
    assert str(bundled_dir) not in " ".join(str(QSettings().value(k)) for k in QSettings().allKeys())

    other = tmp_path / "other-installation" / "models"  # e.g. the unpacked packaged binary
    shutil.copytree(bundled_dir, other)
    monkeypatch.setenv("TRANSLATOR_APP_MODELS", str(other))
    win = start(qtbot)
    assert Path(win.model_path) == other / "en-es"  # its own bundled model, not the checkout's
    close_window(qtbot, win)


def test_a_stale_model_falls_back_to_the_bundled_default(qtbot, tmp_path, bundled_dir):
    for stale in ("user/deleted-run", str(tmp_path / "moved-checkout" / "models" / "en-es")):
        QSettings().setValue("model/ref", stale)
        win = start(qtbot)
        assert Path(win.model_path) == bundled_dir / "en-es"
        close_window(qtbot, win)


def test_swap_is_enabled_for_a_model_from_outside_the_store_when_the_reverse_exists(qtbot, tmp_path, monkeypatch):
    from tests.core.test_store import make_bundle

    models = tmp_path / "models"
    make_bundle(models / "en-es", "en", "es")
    make_bundle(models / "es-en", "es", "en")
    outside = make_bundle(tmp_path / "checkout" / "models" / "en-es", "en", "es")
    monkeypatch.setenv("TRANSLATOR_APP_MODELS", str(models))
    win = start(qtbot, str(outside))
    assert win.model_path == str(outside)
    assert win.translate_tab.swap_button.isEnabled()
    assert Path(str(win.reverse_entry().path)) == models / "es-en"
    close_window(qtbot, win)
