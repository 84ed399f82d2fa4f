"""The document dialog's paths (issue #30, item 6): a path typed into "Document" fills "Save as",
a name the person typed is kept, and an output extension of another format is refused."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.test_gui_documents import SlowFake, _dialog


def test_typing_the_document_path_fills_save_as_and_translates(qtbot, tmp_path):
    src = tmp_path / "notes.txt"
    src.write_text("Hello.\n", encoding="utf-8")
    dialog = _dialog(qtbot, SlowFake())
    dialog.source.setFocus()
    qtbot.keyClicks(dialog.source, str(src))  # typed, not chosen with Browse…
    assert dialog.output.text() == str(tmp_path / "notes.es.txt")
    with qtbot.waitSignal(dialog.translated, timeout=20_000):
        qtbot.mouseClick(dialog.translate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=10_000)
    assert (tmp_path / "notes.es.txt").read_text(encoding="utf-8") == "ES:Hello.\n"


def test_a_save_as_the_person_typed_is_kept_and_checked(qtbot, tmp_path):
    src = tmp_path / "page.html"
    src.write_text("<p>Hello.</p>\n", encoding="utf-8")
    dialog = _dialog(qtbot, SlowFake())
    qtbot.keyClicks(dialog.output, str(tmp_path / "out.pdf"))
    qtbot.keyClicks(dialog.source, str(src))
    assert dialog.output.text() == str(tmp_path / "out.pdf")  # not replaced
    with qtbot.waitSignal(dialog.translation_failed, timeout=5_000) as failed:
        dialog.translate_button.click()
    assert "HTML" in failed.args[0] and ".html" in failed.args[0] and not dialog.running()
    assert not (tmp_path / "out.pdf").exists()
    qtbot.keyClick(dialog.output, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(dialog.output, Qt.Key.Key_Delete)  # emptied: it follows the document again
    dialog.source.clear()
    qtbot.keyClicks(dialog.source, str(src))
    assert dialog.output.text() == str(tmp_path / "page.es.html")
