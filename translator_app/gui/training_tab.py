"""The Training tab: corpus, hyperparameters, start/stop/resume, live progress, curves, samples.

Like the Translate tab it only asks (``start_requested(TrainingJob)``, ``stop_requested``,
``preview_requested``); the main window forwards to the workers and feeds the events back
through the ``on_*`` slots.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QProgressBar, QPushButton,
    QScrollArea, QSplitter, QStyle, QVBoxLayout, QWidget,
)

from translator_app.core.store import sanitize_name
from translator_app.gui.charts import TrainingCharts
from translator_app.gui.corpus_panel import CorpusPanel
from translator_app.gui.samples_view import SamplesView
from translator_app.gui.training_form import HyperparameterForm
from translator_app.gui.widgets import MessageBanner, format_duration
from translator_app.workers import TrainingJob, model_dir_for


class TrainingTab(QWidget):
    start_requested = Signal(object)  # TrainingJob
    stop_requested = Signal()
    preview_requested = Signal(int, str, str)  # request id, path, target path
    use_model_requested = Signal(str)  # model path

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.running = False
        self.progress_events = 0
        self.validations = 0
        self.last_finished: Any = None
        self.out_dir = ""
        self._preview_id = 0
        self._name_touched = False

        self.corpus = CorpusPanel()
        self.corpus.corpus_changed.connect(self._corpus_changed)
        self.form = HyperparameterForm()
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.addWidget(self.corpus, 1)
        left_column.addWidget(self.form)
        left_scroll = QScrollArea()
        left_scroll.setWidgetResizable(True)
        left_scroll.setWidget(left)
        left_scroll.setMinimumWidth(320)

        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. my-en-es")
        self.name.setToolTip("Name of the new model; it is saved in your models folder under this name")
        self.name.textEdited.connect(self._name_edited)
        self.name.textChanged.connect(self._update_buttons)
        style = self.style()
        self.start_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "&Start")
        self.start_button.setToolTip("Start training a new model (Ctrl+R)")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaStop), "S&top")
        self.stop_button.setToolTip("Stop after the current batch; the checkpoint is kept for resuming (Esc)")
        self.stop_button.clicked.connect(self.stop)
        self.resume_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward), "Res&ume")
        self.resume_button.setToolTip("Continue the run with this name from its last checkpoint, "
                                      "with the budget set on the left")
        self.resume_button.clicked.connect(self.resume)
        self.use_button = QPushButton("Translate with it")
        self.use_button.setToolTip("Load the trained model in the Translate tab")
        self.use_button.clicked.connect(lambda: self.use_model_requested.emit(self.out_dir))
        self.use_button.hide()
        controls = QHBoxLayout()
        name_form = QFormLayout()
        name_form.addRow("Model &name:", self.name)
        controls.addLayout(name_form, 1)
        for button in (self.start_button, self.stop_button, self.resume_button, self.use_button):
            controls.addWidget(button)

        self.banner = MessageBanner()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.bar.setTextVisible(True)
        self.bar.setFormat("")
        self.bar.setToolTip("Share of the budget (time, steps or epochs, whichever ends first)")
        self.progress_label = QLabel("Not training.")
        self.progress_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_label = QLabel("")
        self.data_label.setWordWrap(True)
        self.data_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self.charts = TrainingCharts()
        self.samples = SamplesView()
        self.samples.setMinimumHeight(90)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(500)
        self.log.setPlaceholderText("Training log")
        self.log.setToolTip("Messages from the training run")
        self.log.setMinimumHeight(40)

        lower = QSplitter(Qt.Orientation.Vertical)
        lower.addWidget(self.charts)
        lower.addWidget(self.samples)
        lower.addWidget(self.log)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setStretchFactor(2, 0)
        lower.setSizes([330, 260, 70])
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addLayout(controls)
        right_column.addWidget(self.banner)
        right_column.addWidget(self.bar)
        right_column.addWidget(self.progress_label)
        right_column.addWidget(self.data_label)
        right_column.addWidget(lower, 1)

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(left_scroll)
        self.split.addWidget(right)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)
        self.split.setSizes([440, 840])
        layout = QVBoxLayout(self)
        layout.addWidget(self.split)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence("Ctrl+R"), self, self.start, context=context)
        QShortcut(QKeySequence("Escape"), self, self.stop, context=context)
        QShortcut(QKeySequence("Ctrl+O"), self, self.corpus.ask_corpus, context=context)
        self._update_buttons()

    # ---- corpus --------------------------------------------------------------------------------
    def _corpus_changed(self, path: str, target: str) -> None:
        self._preview_id += 1
        self.corpus.show_loading()
        self.preview_requested.emit(self._preview_id, path, target)
        if not self._name_touched or not self.name.text():
            self.name.setText(sanitize_name(Path(path).stem))

    def on_preview_ready(self, request_id: int, preview: Any) -> None:
        if request_id == self._preview_id:
            self.corpus.show_preview(preview)

    def on_preview_failed(self, request_id: int, message: str) -> None:
        if request_id == self._preview_id:
            self.corpus.show_error(message)

    def _name_edited(self, _text: str) -> None:
        self._name_touched = True

    # ---- commands ------------------------------------------------------------------------------
    def _job(self, resume: bool) -> TrainingJob | None:
        path, target = self.corpus.paths()
        name = self.name.text().strip()
        if not resume and not path:
            self.banner.show_message("Choose a corpus file first (Browse…, or drop a file on the Corpus box).",
                                     "warning")
            return None
        if not name:
            self.banner.show_message("Give the model a name first.", "warning")
            return None
        out = model_dir_for(name)
        if resume and not (out / "checkpoint.pt").exists():
            self.banner.show_message(f"There is no checkpoint to resume in {out}.", "warning")
            return None
        if resume and not path:
            try:
                path, target = json.loads((out / "run.json").read_text(encoding="utf-8"))["corpus"]
            except (OSError, ValueError, KeyError, TypeError):
                path, target = "", None
        model, train, tok = self.form.configs()
        return TrainingJob(path, str(out), target or None, model, train, tok, resume=resume)

    def start(self) -> None:
        if self.running:
            return
        job = self._job(resume=False)
        if job is None:
            return
        out = Path(job.out_dir)
        if out.exists() and any(out.iterdir()):
            answer = QMessageBox.question(self, "Replace model?", f"A model or run named “{out.name}” exists. "
                                          f"Training anew replaces it.\n{out}\n\nReplace it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.charts.clear()
        self._begin(job)

    def resume(self) -> None:
        if self.running:
            return
        job = self._job(resume=True)
        if job is None:
            return
        self.charts.clear()
        self._load_history(Path(job.out_dir))
        self._begin(job)

    def _begin(self, job: TrainingJob) -> None:
        self.banner.dismiss()
        self.use_button.hide()
        self.out_dir = job.out_dir
        self.progress_events = self.validations = 0
        self.last_finished = None
        self.log.appendPlainText(f"{'Resuming' if job.resume else 'Starting'} {Path(job.out_dir).name}")
        self.bar.setValue(0)
        self.bar.setFormat("")
        self.progress_label.setText("Preparing…")
        self.set_running(True)
        self.start_requested.emit(job)

    def stop(self) -> None:
        if self.running:
            self.stop_button.setEnabled(False)
            self.stop_button.setText("Stopping…")
            self.progress_label.setText(self.progress_label.text() + " — stopping after this batch…")
            self.stop_requested.emit()

    def _load_history(self, out: Path) -> None:
        try:
            rows = [json.loads(line) for line in (out / "history.jsonl").read_text(encoding="utf-8").splitlines()
                    if line.strip()]
        except (OSError, ValueError):
            return
        for row in rows:
            self.charts.add_validation(row["step"], row["valid_loss"], row["bleu"], row["chrf"])

    # ---- state -----------------------------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        self.running = running
        self.corpus.setEnabled(not running)
        self.form.setEnabled(not running)
        self.name.setEnabled(not running)
        self.stop_button.setText("S&top")
        self._update_buttons()

    def _update_buttons(self) -> None:
        name = self.name.text().strip()
        resumable = bool(name) and (model_dir_for(name) / "checkpoint.pt").exists()
        self.start_button.setEnabled(not self.running)
        self.stop_button.setEnabled(self.running)
        self.resume_button.setEnabled(not self.running and resumable)

    # ---- events from the training worker -------------------------------------------------------
    def on_status(self, message: str) -> None:
        self.log.appendPlainText(message)
        if self.progress_events == 0:
            self.progress_label.setText(message)

    def on_data_ready(self, ev: Any) -> None:
        self.data_label.setText(f"{ev.train_pairs:,} training pairs, {ev.valid_pairs:,} validation, "
                                f"{ev.test_pairs:,} test · vocabulary {ev.vocab_size:,} · "
                                f"{ev.parameters:,} parameters · {ev.src_lang or '?'}→{ev.tgt_lang or '?'}")
        self.log.appendPlainText(f"Data: {ev.summary}")

    def on_progress(self, ev: Any) -> None:
        self.progress_events += 1
        if ev.fraction is None:
            self.bar.setRange(0, 0)  # busy indicator: no budget
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(ev.fraction * 1000))
            self.bar.setFormat(f"{ev.fraction:.0%}")
        self.progress_label.setText(
            f"Step {ev.step:,} · epoch {ev.epoch + 1} · loss {ev.loss:.3f} · lr {ev.lr:.2g} · "
            f"{ev.tokens_per_sec:,.0f} tokens/s · elapsed {format_duration(ev.elapsed_s)} · "
            f"ETA {format_duration(ev.eta_s)}")
        self.charts.add_progress(ev.step, ev.loss)

    def on_validated(self, ev: Any) -> None:
        self.validations += 1
        self.charts.add_validation(ev.step, ev.valid_loss, ev.bleu, ev.chrf)
        self.samples.set_samples(ev.samples, ev.step)
        mark = " (best so far, saved)" if ev.best else ""
        self.log.appendPlainText(f"Step {ev.step}: validation loss {ev.valid_loss:.3f}, BLEU {ev.bleu:.1f}, "
                                 f"chrF {ev.chrf:.1f}{mark}")

    def on_finished(self, ev: Any) -> None:
        self.last_finished = ev
        self.set_running(False)
        self.bar.setRange(0, 1000)
        reasons = {"budget": "time budget reached", "max_steps": "step limit reached",
                   "max_epochs": "epoch limit reached", "early_stop": "no more improvement",
                   "stopped": "stopped; resume continues from the checkpoint"}
        best = f", best validation BLEU {ev.best_bleu:.1f}" if ev.best_bleu is not None else ""
        text = (f"Finished at step {ev.step:,} after {format_duration(ev.elapsed_s)} "
                f"({reasons.get(ev.reason, ev.reason)}){best}.")
        if ev.reason != "stopped":
            self.bar.setValue(1000)
        self.progress_label.setText(text)
        self.log.appendPlainText(text)
        self.banner.show_message(f"{text} The model “{Path(ev.out_dir).name}” is in the model picker.", "info")
        self.use_button.show()

    def on_failed(self, message: str) -> None:
        self.set_running(False)
        self.bar.setRange(0, 1000)
        self.progress_label.setText("Training failed.")
        self.log.appendPlainText(f"Error: {message}")
        self.banner.show_message(message, "error")

    # ---- settings ------------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        path, target = self.corpus.paths()
        settings.setValue("training/corpus", path)
        settings.setValue("training/target", target)
        settings.setValue("training/name", self.name.text())
        settings.setValue("training/split", self.split.saveState())
        self.form.save_settings(settings)

    def restore_settings(self, settings: QSettings) -> None:
        self.form.restore_settings(settings)
        name = str(settings.value("training/name", "") or "")
        path, target = str(settings.value("training/corpus", "") or ""), str(settings.value("training/target", "") or "")
        if path and Path(path).is_file():
            self.corpus.set_paths(path, target if target and Path(target).is_file() else "")
        if name:
            self.name.setText(name)
            self._name_touched = True
        state = settings.value("training/split")
        if state is not None:
            self.split.restoreState(state)
        self._update_buttons()
