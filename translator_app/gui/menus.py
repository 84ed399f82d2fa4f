"""The main window's menu bar (File, View, Help) and its Help dialogs.

Every action calls a method of the window; only the Help texts live here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

if TYPE_CHECKING:
    from translator_app.gui.main_window import MainWindow

SHORTCUTS = """<table>
<tr><td><b>Ctrl+Enter</b></td><td>translate now</td></tr>
<tr><td><b>Ctrl+Shift+C</b></td><td>copy the translation</td></tr>
<tr><td><b>Ctrl+Shift+S</b></td><td>swap languages (when a reverse model exists)</td></tr>
<tr><td><b>Alt+B</b> / <b>Alt+M</b></td><td>beam size / model picker</td></tr>
<tr><td><b>Ctrl+1</b> / <b>Ctrl+2</b></td><td>Translate / Training tab</td></tr>
<tr><td><b>Ctrl+O</b></td><td>choose a corpus (Training tab)</td></tr>
<tr><td><b>Ctrl+R</b> / <b>Esc</b></td><td>start / stop training (Training tab)</td></tr>
<tr><td><b>Tab</b> / <b>Esc</b></td><td>in the translation: accept / dismiss the grey completion</td></tr>
<tr><td><b>Ctrl+click</b></td><td>on a translated word: five alternatives</td></tr>
<tr><td><b>Ctrl+T</b> or <b>Ctrl+Shift+T</b></td><td>translate a text file or document</td></tr>
<tr><td><b>Ctrl+I</b> / <b>Ctrl+E</b></td><td>import / export a model</td></tr>
<tr><td><b>Ctrl+Q</b></td><td>quit</td></tr></table>"""
ABOUT = (
    "Neural machine translation on your computer: a BiLSTM encoder with an attentional LSTM decoder, "
    "trained with PyTorch."
)


def build_menus(window: MainWindow) -> None:
    """Fill the menu bar of ``window``."""

    def action(menu, text, slot, shortcut=None, tip=""):
        act = QAction(text, window)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.setStatusTip(tip)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    picker = window.picker
    file_menu = window.menuBar().addMenu("&File")
    translate_file = action(
        file_menu,
        "&Translate file or document…",
        window.ask_translate_document,
        "Ctrl+Shift+T",
        "Translate a text file or document (txt, Markdown, HTML, DOCX, ODT, SRT, VTT, PO, XLIFF), keeping its structure",
    )
    translate_file.setShortcuts([QKeySequence("Ctrl+Shift+T"), QKeySequence("Ctrl+T")])  # (Ctrl+T: the old entry's)
    file_menu.addSeparator()
    action(file_menu, "&Import model (.zip)…", picker.ask_import_zip, "Ctrl+I", "Import a model bundle")
    action(file_menu, "Import model &folder…", picker.ask_import_folder, None, "Import a model folder")
    action(file_menu, "&Export model…", picker.ask_export, "Ctrl+E", "Export the selected model as .zip")
    action(file_menu, "&Delete model…", picker.ask_delete, None, "Delete the selected user model")
    file_menu.addSeparator()
    action(file_menu, "&Quit", window.close, QKeySequence.StandardKey.Quit, "Quit (stops training first)")
    view = window.menuBar().addMenu("&View")
    action(view, "&Translate", lambda: window.tabs.setCurrentIndex(0), "Ctrl+1")
    action(view, "T&raining", lambda: window.tabs.setCurrentIndex(1), "Ctrl+2")
    help_menu = window.menuBar().addMenu("&Help")
    action(help_menu, "&Keyboard shortcuts", lambda: show_shortcuts(window), "F1")
    action(
        help_menu,
        "Open &log folder",
        window.open_log_folder,
        None,
        "Open the folder with the app's log files (attach translator-app.log to a bug report)",
    )
    help_menu.addSeparator()
    action(help_menu, "&About", lambda: show_about(window))


def show_shortcuts(parent: QWidget) -> None:
    QMessageBox.information(parent, "Keyboard shortcuts", SHORTCUTS)


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About Translator", ABOUT)
