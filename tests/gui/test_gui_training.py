"""Training tab: corpus preview and errors, a tiny training run, stop/resume, closing mid-run."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.gui.conftest import GapMonitor, close_window
from translator_app.core.text.corpus import CorpusError
from translator_app.gui.alignment_words import readable_alignment
from translator_app.gui.widgets import Level


def configure(tab, corpus: Path, name: str, **values) -> None:
    tab.corpus.set_paths(str(corpus))
    tab.name.setText(name)
    tab.form.apply_preset("tiny")
    settings = dict(vocab_size=300, max_steps=30, valid_every=15, log_every=5, minutes=0.0, max_epochs=0, num_threads=1)
    settings.update(values)
    tab.form.set_values(**settings)


def test_training_a_tiny_model_from_the_tab_reports_progress_and_finishes(qtbot, window, gui_corpus, record_property):
    tab = window.training_tab
    configure(tab, gui_corpus, "tiny-from-gui")
    qtbot.waitUntil(lambda: tab.corpus.preview is not None, timeout=30_000)
    assert tab.corpus.preview.pairs > 100 and tab.corpus.samples.rowCount() > 0
    with GapMonitor() as monitor:
        tab.start_button.click()
        assert tab.is_training and not tab.start_button.isEnabled() and tab.stop_button.isEnabled()
        qtbot.waitUntil(lambda: tab.last_finished is not None, timeout=240_000)
    report = monitor.report()
    record_property("training_gaps", report)
    print(f"\nGUI event gaps while training a tiny model: {report}")
    assert tab.last_error is None, tab.banner.text()
    ev = tab.last_finished
    assert (ev.reason, ev.step) == ("max_steps", 30)
    assert tab.progress_events == 6 and tab.validations == 2
    assert [x for x, _ in tab.charts.loss.points("training loss")] == [5, 10, 15, 20, 25, 30]
    assert [x for x, _ in tab.charts.scores.points("BLEU")] == [15, 30]
    assert len(tab.charts.loss.points("validation loss")) == 2
    assert "Step 30" in tab.progress_label.text() or "Finished at step 30" in tab.progress_label.text()
    assert tab.bar.value() == 1000
    sample = tab.samples.samples()[0]
    src_words, tgt_words, _, _ = readable_alignment(sample.source_tokens, sample.target_tokens, sample.attention)
    assert tab.samples.heatmap.matrix_shape() == (len(tgt_words), len(src_words))
    # the new model is in the picker at once and can be used
    out = Path(ev.out_dir)
    assert out.parent == Path(window.store.user_dir) and out.name == "tiny-from-gui"
    assert "tiny-from-gui" in [e.name for e in window.picker.entries()]
    assert not tab.use_button.isHidden()  # (the tab itself is not the current one)
    with qtbot.waitSignal(window.model_changed, timeout=30_000):
        tab.use_button.click()
    assert Path(window.model_info.path) == out and window.tabs.currentWidget() is window.translate_tab
    window.translate_tab.source.setPlainText("Where is the station?")
    qtbot.waitUntil(
        lambda: (
            window.translate_tab.translation is not None
            and window.translate_tab.translation.source == "Where is the station?"
        ),
        timeout=20_000,
    )


def test_stop_then_resume_continues_from_the_checkpoint(qtbot, window, gui_corpus):
    tab = window.training_tab
    configure(tab, gui_corpus, "stop-resume", max_steps=5000, valid_every=10_000, log_every=2)
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.progress_events >= 2, timeout=240_000)
    tab.stop_button.click()
    assert tab.stop_button.text() == "Stopping…"
    qtbot.waitUntil(lambda: tab.last_finished is not None and not tab.is_training, timeout=60_000)
    stopped = tab.last_finished
    assert stopped.reason == "stopped" and 4 <= stopped.step < 5000
    out = Path(stopped.out_dir)
    assert (out / "checkpoint.pt").exists() and (out / "weights.pt").exists()
    assert tab.resume_button.isEnabled() and tab.start_button.isEnabled()
    assert "stop-resume" in [e.name for e in window.picker.entries()]  # usable even when stopped early

    tab.form.set_values(max_steps=stopped.step + 6)
    tab.resume_button.click()
    qtbot.waitUntil(lambda: tab.last_finished is not None and not tab.is_training, timeout=240_000)
    resumed = tab.last_finished
    assert tab.last_error is None, tab.banner.text()
    assert (resumed.reason, resumed.step) == ("max_steps", stopped.step + 6)
    steps = [x for x, _ in tab.charts.loss.points("training loss")]
    assert steps == sorted(set(steps)) and max(steps) > stopped.step  # the step count continued
    assert min(steps) <= stopped.step  # and the points before the resume are drawn from the history (#30)
    assert tab.validations == 1  # the final validation
    history = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    assert history[-1]["step"] == stopped.step + 6


def test_a_bad_corpus_shows_an_error_and_never_crashes(qtbot, window, tmp_path):
    tab = window.training_tab
    tab.start_button.click()  # nothing chosen yet
    assert "Choose a corpus" in tab.banner.text() and not tab.is_training
    bad = tmp_path / "binary.en-es.tsv"
    bad.write_bytes(b"hello\thola\n\x00\x01\x02 binary junk\n")
    tab.corpus.set_paths(str(bad))
    qtbot.waitUntil(lambda: tab.corpus.banner.text() != "", timeout=30_000)
    assert "NUL" in tab.corpus.banner.text() and str(bad) in tab.corpus.banner.text()
    assert tab.corpus.preview is None
    tab.name.setText("bad-model")
    tab.start_button.click()
    qtbot.waitUntil(lambda: not tab.is_training and tab.banner.text() != "", timeout=60_000)
    assert "NUL" in tab.banner.text() and tab.banner.level is Level.ERROR
    assert isinstance(tab.last_error, CorpusError)
    assert not tab.is_training and tab.start_button.isEnabled() and tab.last_finished is None
    # two files that are not line-aligned
    src, tgt = tmp_path / "a.en", tmp_path / "a.es"
    src.write_text("one\ntwo\nthree\n")
    tgt.write_text("uno\ndos\n")
    tab.corpus.set_paths(str(src), str(tgt))
    qtbot.waitUntil(lambda: "line-aligned" in tab.corpus.banner.text(), timeout=30_000)


def test_dropping_two_files_previews_pairs_and_skipped_lines(qtbot, window, tmp_path):
    tab = window.training_tab
    src, tgt = tmp_path / "pairs.en", tmp_path / "pairs.es"
    src.write_text("Hello.\nGood night.\nThank you.\nI am here.\nThe end.\n", encoding="utf-8")
    tgt.write_text("Hola.\nBuenas noches.\n\nEstoy aquí.\nEl fin.\n", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(src)), QUrl.fromLocalFile(str(tgt))])
    drop = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    tab.corpus.dropEvent(drop)
    assert tab.corpus.paths() == (str(src), str(tgt))
    qtbot.waitUntil(lambda: tab.corpus.preview is not None, timeout=30_000)
    p = tab.corpus.preview
    assert p.pairs == 4 and p.skipped == {"empty source or target": 1}
    assert "Skipped 1 lines" in tab.corpus.summary.text() and "4</b> usable pairs" in tab.corpus.summary.text()
    assert tab.corpus.samples.rowCount() == 4
    assert tab.name.text() == "pairs"  # suggested from the file name


def test_closing_the_window_during_training_stops_it_and_keeps_the_checkpoint(qtbot, window, gui_corpus):
    from translator_app import workers
    from translator_app.core.model.checkpoint import load_train_state

    tab = window.training_tab
    configure(tab, gui_corpus, "closed-mid-run", max_steps=5000, valid_every=10_000, log_every=2)
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.progress_events >= 2, timeout=240_000)
    window.close()
    assert window.isVisible() and window._closing  # waits for the training loop to stop first
    qtbot.waitUntil(lambda: window._shut_down, timeout=60_000)
    assert not window.isVisible()
    assert workers.running_threads() == []
    out = workers.model_dir_for("closed-mid-run")
    state = load_train_state(out / "checkpoint.pt")
    assert state["step"] >= 4
    close_window(qtbot, window)  # idempotent
