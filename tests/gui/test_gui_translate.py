"""Translate tab: live translation, heat map, stale requests, long pastes, models, settings."""

from __future__ import annotations

import threading
import time
import zipfile
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import Q_ARG, QMetaObject, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import GapMonitor, close_window
from translator_app.gui.errors import user_message
from translator_app.gui.translate_tab import ModelState


def words_of(sentence):
    """What the heat map shows of a sentence: its words (issue #30), not its subword pieces."""
    from translator_app.gui.alignment_words import readable_alignment

    return readable_alignment(
        sentence.source_tokens, sentence.target_tokens, sentence.attention, sentence.copy_probs, sentence.placeholders
    )


def wait_translation(qtbot, tab, source: str, timeout: int = 20_000):
    qtbot.waitUntil(
        lambda: tab.translation is not None and tab.translation.source == source and tab.shown_id == tab.latest_id,
        timeout=timeout,
    )
    return tab.translation


def test_typing_produces_a_translation_and_a_heat_map_of_the_right_shape(qtbot, window):
    tab = window.translate_tab
    requests = []
    tab.translate_requested.connect(lambda i, text, beam: requests.append(text))
    tab.source.setFocus()
    qtbot.keyClicks(tab.source, "The cat sleeps.")
    assert requests == []  # debounced: nothing sent while typing
    t = wait_translation(qtbot, tab, "The cat sleeps.")
    assert requests == ["The cat sleeps."]  # one request for the whole burst of keys
    sentence = t.sentences[0]
    src_words, tgt_words, _, _ = words_of(sentence)
    assert tab.heatmap.matrix_shape() == (len(tgt_words), len(src_words))
    assert [w.lstrip("▁") for w in src_words] == ["The", "cat", "sleeps", "."]  # words, no ▁ and no </s> (#30)
    assert tab.heatmap.tokens() == (src_words, tgt_words)
    assert tab.target.toPlainText() == t.text
    assert tab.confidence.text().startswith("Confidence ")
    assert "ms" in window.decode_status.text() and "en-es" in window.picker.combo.currentText()
    assert "English" in tab.source_lang.text() and "Spanish" in tab.target_lang.text()


def test_ctrl_enter_translates_without_waiting_for_the_debounce(qtbot, window):
    tab = window.translate_tab
    tab.source.setPlainText("I am here.")
    tab.source.setFocus()
    window.activateWindow()
    with qtbot.waitSignal(tab.translate_requested, timeout=200):  # well before the 300 ms debounce
        qtbot.keyClick(tab.source, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert tab.source.toPlainText() == "I am here."  # the shortcut did not insert a line break
    wait_translation(qtbot, tab, "I am here.")


def test_a_stale_request_is_dropped_and_the_newest_text_wins(qtbot, window):
    tab = window.translate_tab
    dropped = []
    window.translation_worker.dropped.connect(dropped.append)
    ready = []
    window.translation_worker.translation_ready.connect(lambda i, t: ready.append(i))
    texts = [f"The house number {n} is big. The dog eats." for n in range(8)]
    translator = window.translation_worker._translator
    real = translator.translate

    def slowed(*args, **kwargs):  # every translation takes 100 ms more: typing is faster than translating
        time.sleep(0.1)
        return real(*args, **kwargs)

    translator.translate = slowed
    for text in texts:  # most requests are superseded while one is being translated
        tab.source.setPlainText(text)
        tab.translate_now()
    wait_translation(qtbot, tab, texts[-1])
    assert tab.target.toPlainText() == tab.translation.text
    # the test's own slot runs after the tab's for the same result: wait for it too
    qtbot.waitUntil(lambda: bool(ready) and ready[-1] == tab.latest_id, timeout=5_000)
    assert len(ready) < len(texts)  # some requests never ran
    assert dropped, "no request was dropped"
    assert tab.latest_id not in dropped
    del translator.translate  # (the instance attribute: the class's method again)


class SlowTranslator:
    """Stands in for core.translation.translator.Translator: records calls, takes 200 ms each."""

    def __init__(self):
        self.info = SimpleNamespace(path="fake", name="fake", src_lang="en", tgt_lang="es", parameters=1, meta={})
        self.calls: list[str] = []
        self.thread = None

    def translate(self, text, decode=None):
        self.thread = threading.current_thread()
        self.calls.append(text)
        time.sleep(0.2)
        return SimpleNamespace(
            source=text,
            text=text.upper(),
            sentences=(),
            beam_size=getattr(decode, "beam_size", 1),
            elapsed_ms=200.0,
            confidence=1.0,
        )


def test_worker_translates_in_its_thread_and_skips_queued_stale_requests(qtbot):
    from translator_app import workers

    fake = SlowTranslator()
    worker = workers.TranslationWorker(loader=lambda path: fake)
    thread = workers.start_thread(worker, "test-translation")
    try:
        results, dropped, started = [], [], []
        worker.translation_ready.connect(lambda i, t: results.append((i, t.text)))
        worker.dropped.connect(dropped.append)
        worker.started.connect(started.append)
        loaded = []
        worker.model_loaded.connect(loaded.append)  # a lambda/builtin runs in the worker thread
        QMetaObject.invokeMethod(worker, "load_model", Qt.ConnectionType.QueuedConnection, Q_ARG(str, "fake"))
        qtbot.waitUntil(lambda: len(loaded) == 1, timeout=5000)
        worker.submit(1, "one")
        qtbot.waitUntil(lambda: started == [1], timeout=5000)
        for i, text in ((2, "two"), (3, "three"), (4, "four")):  # while "one" is being translated
            worker.submit(i, text)
        qtbot.waitUntil(lambda: len(results) == 2, timeout=5000)
        qtbot.wait(300)
        assert results == [(1, "ONE"), (4, "FOUR")]
        assert fake.calls == ["one", "four"]
        assert sorted(dropped) == [2, 3]
        assert fake.thread is not threading.main_thread()
        # a request older than the newest one known is skipped even when called directly
        QMetaObject.invokeMethod(
            worker, "translate", Qt.ConnectionType.QueuedConnection, Q_ARG(int, 3), Q_ARG(str, "late")
        )
        qtbot.waitUntil(lambda: len(dropped) == 3, timeout=5000)
        assert dropped[-1] == 3 and fake.calls == ["one", "four"]
    finally:
        workers.stop_thread(thread)
    assert not thread.isRunning()


def test_a_one_megabyte_paste_shows_the_core_too_long_message_without_freezing(qtbot, window, record_property):
    tab = window.translate_tab
    tab.source.setPlainText("Good morning.")
    wait_translation(qtbot, tab, "Good morning.")
    QApplication.clipboard().setText(("The cat sleeps on the mat. " * 40 + "\n") * 926)  # 1 MB
    size = len(QApplication.clipboard().text())
    assert size > 1_000_000
    with GapMonitor() as monitor:
        tab.source.moveCursor(tab.source.textCursor().MoveOperation.End)
        tab.source.paste()
        qtbot.waitUntil(lambda: "characters" in tab.banner.text(), timeout=10_000)
        qtbot.wait(500)
    report = monitor.report()
    record_property("paste_gaps", report)
    print(f"\nGUI event gaps around a 1 MB paste: {report}")
    message = tab.banner.text()
    assert f"{size:,} characters" in message and "at most 20,000" in message  # the core's own message
    assert "not inserted" in message
    assert tab.source.toPlainText() == "Good morning."  # the giant paste was kept out of the editor
    # a 1 MB text set programmatically (not a paste) gets the same clear message
    tab.source.setPlainText("Hello there. " * 80_000)
    tab.translate_now()
    qtbot.waitUntil(lambda: "1,040,000 characters" in tab.banner.text(), timeout=10_000)
    assert tab.target.toPlainText() == "" and tab.heatmap.matrix_shape() == (0, 0)


def test_multi_sentence_input_has_a_sentence_selector_following_the_cursor(qtbot, window):
    tab = window.translate_tab
    text = "I like the house.\nThe dog eats a lot of food every day."
    tab.source.setPlainText(text)
    tab.translate_now()
    t = wait_translation(qtbot, tab, text)
    assert len(t.sentences) == 2 and tab.sentence.count() == 2
    cursor = tab.source.textCursor()
    cursor.setPosition(len(text) - 3)
    tab.source.setTextCursor(cursor)
    assert tab.sentence.currentIndex() == 1
    second = words_of(t.sentences[1])
    assert tab.heatmap.matrix_shape() == (len(second[1]), len(second[0]))
    cursor.setPosition(2)
    tab.source.setTextCursor(cursor)
    assert tab.sentence.currentIndex() == 0
    assert tab.heatmap.matrix_shape()[1] == len(words_of(t.sentences[0])[0])


def test_beam_size_retranslates_and_copy_puts_the_translation_on_the_clipboard(qtbot, window):
    tab = window.translate_tab
    tab.source.setPlainText("We are friends.")
    wait_translation(qtbot, tab, "We are friends.")
    tab.beam.setValue(3)
    qtbot.waitUntil(lambda: tab.translation.beam_size == 3 and tab.shown_id == tab.latest_id, timeout=20_000)
    assert "beam 3" in window.decode_status.text()
    QApplication.clipboard().clear()
    tab.copy_button.click()
    assert QApplication.clipboard().text() == tab.target.toPlainText() == tab.translation.text


def test_heat_map_hover_highlights_the_row_and_its_aligned_source_tokens(qtbot):
    from translator_app.gui.heatmap import HeatMap

    heat = HeatMap()
    qtbot.addWidget(heat)
    att = np.array([[0.7, 0.2, 0.1], [0.05, 0.45, 0.5]], dtype=np.float32)
    heat.set_alignment(("▁a", "b", "</s>"), ("▁x", "</s>"), att)
    heat.resize(400, 200)
    heat.show()
    assert heat.aligned_columns(0) == [0] and heat.aligned_columns(1) == [1, 2]
    left, top, cell = heat._grid()
    target = QPoint(left + 2 * cell + cell // 2, top + cell + cell // 2)  # row 1, column 2
    move = QMouseEvent(
        QMouseEvent.Type.MouseMove,
        QPointF(target),
        QPointF(heat.mapToGlobal(target)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(heat, move)
    assert (heat.hovered_row, heat.hovered_col) == (1, 2)
    assert "0.500" in heat.tooltip_text(1, 2) and "</s> → </s>" in heat.tooltip_text(1, 2)
    assert heat.cell_at(QPoint(5, top + cell // 2)) == (0, -1)  # the row label counts as the row
    image = heat.grab().toImage()
    assert image.pixelColor(left + cell // 2, top + cell // 2) != image.pixelColor(
        left + cell + cell // 2, top + cell // 2
    )
    with pytest.raises(ValueError, match="does not match"):
        heat.set_alignment(("a",), ("x", "y"), att)


def finished(kind):
    """check_params_cb for ``MainWindow.task_finished``: the task of this kind is done."""
    return lambda task, succeeded: task.kind is kind


def test_models_export_import_swap_and_delete(qtbot, window, tmp_path):
    from tests.core.test_store import make_bundle
    from translator_app.workers import TaskKind

    tab = window.translate_tab
    assert not tab.swap_button.isEnabled()  # no es->en model yet
    zip_path = tmp_path / "out" / "en-es.zip"
    with qtbot.waitSignal(window.task_finished, timeout=20_000, check_params_cb=finished(TaskKind.EXPORT)) as done:
        window.export_model(window.model_path, str(zip_path))
    assert done.args[1] is True and f"Exported to {zip_path}" in window.statusBar().currentMessage()
    with zipfile.ZipFile(zip_path) as archive:
        assert {"en-es/config.json", "en-es/weights.pt", "en-es/tokenizer.model"} == set(archive.namelist())
    reverse = make_bundle(tmp_path / "es-en", "es", "en")
    with qtbot.waitSignal(window.model_changed, timeout=20_000):
        window.import_model(str(reverse))  # imported models are loaded at once
    assert window.model_info.src_lang == "es" and "es-en" in window.picker.combo.currentText()
    assert [e.name for e in window.picker.entries()] == ["en-es", "es-en"]
    assert tab.swap_button.isEnabled()
    window.load_model(str(window.picker.entries()[0].path))
    qtbot.waitUntil(lambda: window.model_info.src_lang == "en", timeout=20_000)
    tab.source.setPlainText("The cat sleeps.")
    t = wait_translation(qtbot, tab, "The cat sleeps.")
    with qtbot.waitSignal(window.model_changed, timeout=20_000):
        tab.swap_button.click()
    assert window.model_info.src_lang == "es" and tab.source.toPlainText() == t.text
    assert "Spanish" in tab.source_lang.text()
    with qtbot.waitSignal(window.model_changed, timeout=20_000):
        window.delete_model(window.model_path)  # deleting the model in use falls back to another
    assert [e.name for e in window.picker.entries()] == ["en-es"] and window.model_info.src_lang == "en"
    assert not tab.swap_button.isEnabled()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with qtbot.waitSignal(window.task_finished, timeout=20_000, check_params_cb=finished(TaskKind.IMPORT)) as done:
        window.import_model(str(bad))
    assert done.args[1] is False
    assert tab.banner.text().startswith("Import failed: ") and "Unexpected error" not in tab.banner.text()


def test_missing_or_corrupt_default_model_gives_a_clear_message(qtbot, tmp_path, monkeypatch):
    from translator_app.gui.main_window import MainWindow

    monkeypatch.setenv("TRANSLATOR_APP_MODELS", str(tmp_path / "no-models-here"))
    win = MainWindow()
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.models_listed, timeout=20_000) as listed:
        win.start()
    assert listed.args[0].chosen == "" and win.translate_tab.model_state is ModelState.NONE
    text = win.translate_tab.banner.text()
    assert "missing" in text and "no-models-here" in text and "Training tab" in text
    close_window(qtbot, win)

    corrupt = tmp_path / "corrupt"
    (corrupt / "en-es").mkdir(parents=True)
    (corrupt / "en-es" / "config.json").write_text(
        '{"format": "translator-app-bundle", "version": 1, "meta": {"src_lang": "en", "tgt_lang": "es"}}'
    )
    (corrupt / "en-es" / "weights.pt").write_bytes(b"not weights")
    monkeypatch.setenv("TRANSLATOR_APP_MODELS", str(corrupt))
    win = MainWindow()
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.model_error, timeout=20_000):
        win.start()
    assert "Cannot load the model" in win.translate_tab.banner.text()
    assert win.model_status.text() == "No model" and win.translate_tab.model_state is ModelState.NONE
    close_window(qtbot, win)


def test_window_geometry_and_choices_persist(qtbot, window, tmp_path):
    from translator_app.gui.main_window import MainWindow

    window.resize(760, 560)  # fits the 800x600 offscreen screen
    window.translate_tab.beam.setValue(5)
    window.tabs.setCurrentIndex(1)
    window.training_tab.form.set_values(max_steps=123)
    close_window(qtbot, window)
    assert (tmp_path / "settings").exists()
    assert QSettings().value("translate/beam") in (5, "5")
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.translate_tab.beam.value() == 5
    assert again.tabs.currentIndex() == 1
    assert again.training_tab.form.value("max_steps") == 123
    assert (again.width(), again.height()) == (760, 560)
    close_window(qtbot, again)


def test_translate_file_writes_one_line_per_input_line(qtbot, window, tmp_path):
    """File ▸ Translate file or document: a text file goes through the document path (the dialog's
    progress, Cancel and report), one output line per input line."""
    src, dst = tmp_path / "doc.txt", tmp_path / "out" / "doc.es.txt"
    src.write_text("\n".join(["The cat sleeps."] * 70 + ["", "Good night."]) + "\n", encoding="utf-8")
    dialog = window.translate_file(str(src), str(dst))
    assert dialog.running() and dialog.output.text() == str(dst)
    with qtbot.waitSignal(dialog.translated, timeout=120_000) as blocker:
        pass
    assert blocker.args[0].translated == 71 and window.translate_tab.banner.text() == ""
    qtbot.waitUntil(lambda: not dialog.running(), timeout=10_000)
    assert window.statusBar().currentMessage().startswith("71 of 71 segments translated")
    lines = dst.read_text(encoding="utf-8").split("\n")
    assert len(lines) == 73 and lines[-1] == "" and lines[70] == "" and lines[0] == lines[69]
    dialog.close()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\n\xff\xfe broken\n")
    dialog = window.translate_file(str(bad), str(tmp_path / "bad.out.txt"))
    with qtbot.waitSignal(dialog.translation_failed, timeout=60_000) as blocker:
        pass
    assert "not valid utf-8" in blocker.args[0] and "not valid utf-8" in dialog.summary.toPlainText()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=10_000)
    assert not (tmp_path / "bad.out.txt").exists()
    dialog.close()


def test_the_glossary_setting_reaches_every_translation(qtbot, tmp_path):
    """The glossary chosen in the document dialog is enforced in live translation too (files go through
    the document dialog, which passes it itself: tests/gui/test_gui_documents.py)."""
    from translator_app import workers

    class Fake:
        info = type("Info", (), {"src_lang": "en", "tgt_lang": "es"})()

        def __init__(self):
            self.seen = []

        def translate(self, text, decode=None, glossary=None):
            self.seen.append(glossary)
            return type("T", (), {"text": text, "sentences": ()})()

        def translate_lines(self, lines, decode=None, glossary=None):
            self.seen.append(glossary)
            return list(lines)

    fake = Fake()
    worker = workers.TranslationWorker(loader=lambda path: fake)
    worker.load_model("model")
    terms = tmp_path / "terms.tsv"
    terms.write_text("Writer\tEscritor\n", encoding="utf-8")
    worker.translate(1, "Open Writer.")
    worker.set_glossary(str(terms))
    worker.translate(2, "Open Writer.")
    failures = []
    worker.failed.connect(lambda failure: failures.append((failure.path, failure.error)))
    worker.set_glossary(str(tmp_path / "missing.tsv"))
    worker.translate(3, "Open Writer.")
    assert fake.seen == [None, {"Writer": "Escritor"}, None]
    assert failures and failures[0][0].endswith("missing.tsv") and isinstance(failures[0][1], Exception)
    assert "missing.tsv" in user_message(failures[0][1])
