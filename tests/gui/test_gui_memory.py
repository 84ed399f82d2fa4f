"""The translation memory in the app: a correction made in the pane survives a restart and comes back
as an exact match (tinted) or a fuzzy suggestion; the memory window lists, edits and deletes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from tests.gui.conftest import close_window

CORRECTION = "¿Dónde está la estación de tren?"


def _start(qtbot):
    from translator_app.gui.main_window import MainWindow

    window = MainWindow()  # the real core, the tiny bundled model
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.model_changed, timeout=60_000):
        window.start()
    return window


def _translate(qtbot, tab, text: str):
    tab.source.setPlainText(text)
    tab.translate_now()
    qtbot.waitUntil(
        lambda: tab.translation is not None and tab.translation.source == text and tab.shown_id == tab.latest_id,
        timeout=30_000,
    )
    return tab.translation


def test_a_correction_survives_a_restart_and_comes_back(qtbot):
    win = _start(qtbot)
    tab, editor, feature = win.translate_tab, win.translate_tab.target, win.memory_feature
    _translate(qtbot, tab, "Where is the station?")
    assert tab.translation.sentences[0].origin == "model"
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(len(editor.toPlainText()), QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    editor.insertPlainText(CORRECTION)  # typed over the selection (keyClicks cannot type "¿")
    qtbot.wait(50)
    if editor.suggestion is not None:
        qtbot.keyClick(editor, Qt.Key.Key_Escape)  # no grey completion
    assert editor.segment_text(0) == CORRECTION and editor.segments[0].edited
    feature.confirm()  # Ctrl+Shift+Return
    assert feature.memory.lookup("Where is the station?").target == CORRECTION
    close_window(qtbot, win)

    win = _start(qtbot)  # a restart: the memory is read from the user data folder
    tab, editor, feature = win.translate_tab, win.translate_tab.target, win.memory_feature
    t = _translate(qtbot, tab, "where is the station?")
    assert t.text == CORRECTION and t.sentences[0].origin == "memory"
    assert editor.toPlainText() == CORRECTION and len(editor.extraSelections()) == 1  # tinted
    feature._focused(0)
    assert "exact match" in feature.hint.label.text()
    t = _translate(qtbot, tab, "Where is the old station?")
    assert t.sentences[0].origin == "model" and not t.sentences[0].match.exact
    feature._focused(0)
    assert "Memory" in feature.hint.label.text() and feature.hint.use_button.isVisibleTo(feature.hint)
    feature.use_match()
    assert editor.segment_text(0) == CORRECTION and editor.segments[0].edited

    from translator_app.gui.memory_window import MemoryWindow

    dialog = MemoryWindow(feature.memory, feature, win)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == CORRECTION
    dialog.table.item(0, 1).setText("¿Dónde está la estación?")  # edited in place
    assert feature.memory.lookup("Where is the station?").target == "¿Dónde está la estación?"
    assert dialog.versions.count() == 1  # the original model only
    dialog.table.selectRow(0)
    dialog.delete_selected()
    assert len(feature.memory) == 0 and dialog.table.rowCount() == 0
    close_window(qtbot, win)
