"""File ▸ Translate document…: the dialog runs a DocumentWorker thread, shows progress and a
report, remembers the glossary, cancels cleanly, and the menu opens it with the loaded model."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QSettings


class SlowFake:
    """A stand-in model: "ES:" + each line, optionally slow, remembering glossaries."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.glossaries = []
        self.threads = set()
        self.info = type("Info", (), {"src_lang": "en", "tgt_lang": "es", "name": "fake", "path": "fake"})()

    def translate_lines(self, lines, decode=None, batch_size=64, *, glossary=None):
        self.threads.add(threading.current_thread().name)
        self.glossaries.append(glossary)
        time.sleep(self.delay)
        return ["ES:" + line for line in lines]


def _dialog(qtbot, fake, **kw):
    from translator_app.gui.document_dialog import DocumentDialog

    dialog = DocumentDialog(model_path="fake-model", loader=lambda path: fake, tgt_lang="es", **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_dialog_translates_a_document_in_a_worker_thread_and_shows_the_report(qtbot, tmp_path):
    from translator_app import workers

    src = tmp_path / "notes.md"
    src.write_text("# Title\n\nSome **bold** words.\n\n```\ncode\n```\n", encoding="utf-8")
    terms = tmp_path / "terms.tsv"
    terms.write_text("bold\tnegrita\n", encoding="utf-8")
    fake = SlowFake()
    dialog = _dialog(qtbot, fake)
    dialog.set_source(str(src))
    assert dialog.output.text() == str(tmp_path / "notes.es.md")
    dialog.glossary.setText(str(terms))
    with qtbot.waitSignal(dialog.translated, timeout=20_000) as blocker:
        dialog.translate_button.click()
        assert dialog.running() and not dialog.translate_button.isEnabled()
    report = blocker.args[0]
    qtbot.waitUntil(lambda: not dialog.running(), timeout=10_000)
    out = (tmp_path / "notes.es.md").read_text(encoding="utf-8")
    assert out == "# ES:Title\n\nES:Some **bold** words.\n\n```\ncode\n```\n"
    assert report.translated == 2 and "2 of 3 segments translated" in dialog.summary.toPlainText()
    assert "code" in dialog.summary.toPlainText()  # why the code block was left as it was
    assert fake.threads and "MainThread" not in fake.threads  # the model ran in the worker's thread
    assert fake.glossaries[-1] == {"bold": "negrita"}
    assert QSettings().value("documents/glossary") == str(terms)  # remembered for the next time
    assert dialog.translate_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert workers.running_threads() == []
    dialog.close()


def test_dialog_remembers_the_glossary_setting(qtbot, tmp_path):
    QSettings().setValue("documents/glossary", "/some/terms.tbx")
    QSettings().setValue("documents/all_units", "true")
    dialog = _dialog(qtbot, SlowFake())
    assert dialog.glossary.text() == "/some/terms.tbx" and dialog.all_units.isChecked()
    dialog.close()


def test_cancel_stops_the_run_and_writes_nothing(qtbot, tmp_path):
    src = tmp_path / "long.txt"
    src.write_text("\n\n".join(f"Paragraph number {i} has words." for i in range(400)), encoding="utf-8")
    dialog = _dialog(qtbot, SlowFake(delay=0.05))
    dialog.set_source(str(src))
    with qtbot.waitSignal(dialog.translation_failed, timeout=30_000) as blocker:
        dialog.translate_button.click()
        qtbot.waitUntil(lambda: dialog.bar.maximum() > 1 and dialog.bar.value() >= 1, timeout=20_000)
        assert "left" in dialog.eta.text()  # the ETA
        dialog.cancel_button.click()
    assert blocker.args[0].startswith("Cancelled")
    qtbot.waitUntil(lambda: not dialog.running(), timeout=10_000)
    assert not (tmp_path / "long.es.txt").exists()
    dialog.close()


def test_errors_are_shown_not_raised(qtbot, tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip")
    dialog = _dialog(qtbot, SlowFake())
    dialog.set_source(str(bad))
    with qtbot.waitSignal(dialog.translation_failed, timeout=20_000) as blocker:
        dialog.translate_button.click()
    assert str(bad) in blocker.args[0] and "zip" in blocker.args[0]
    qtbot.waitUntil(lambda: not dialog.running(), timeout=10_000)
    dialog.output.setText(str(bad))  # the output may never be the input
    with qtbot.waitSignal(dialog.translation_failed, timeout=20_000) as blocker:
        dialog.translate_button.click()
    assert "input file itself" in blocker.args[0]
    qtbot.waitUntil(lambda: not dialog.running(), timeout=10_000)
    odd = tmp_path / "a.xyz"
    odd.write_text("x")
    dialog.source.setText(str(odd))
    with qtbot.waitSignal(dialog.translation_failed, timeout=5_000) as blocker:
        dialog.translate_button.click()  # refused before any thread starts
    assert "extension" in blocker.args[0] and not dialog.running()
    dialog.close()


def test_file_menu_opens_the_dialog_with_the_loaded_model(qtbot, window, tmp_path):
    action = next(a for a in window.menuBar().actions()[0].menu().actions() if "document" in a.text().lower())
    assert action.shortcut().toString() == "Ctrl+Shift+T"
    action.trigger()
    dialog = window.document_dialog
    assert dialog.isVisible() and dialog.model_path == window.model_path and dialog.tgt_lang == "es"
    src = tmp_path / "page.html"
    src.write_text("<p>I am <b>happy</b>.</p>", encoding="utf-8")
    dialog.set_source(str(src))
    with qtbot.waitSignal(dialog.translated, timeout=60_000):
        dialog.translate_button.click()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=10_000)
    out = (tmp_path / "page.es.html").read_text(encoding="utf-8")
    assert out.startswith("<p>") and "<b>" in out and out != src.read_text()
    dialog.close()
