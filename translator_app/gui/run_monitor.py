"""The Training tab's live view of a run: progress bar and line, data summary, fine-tuning scores,
the curves, the validation samples and the log.

:class:`RunMonitor` shows the core's events (``core.base.events``: ``Status``, ``DataReady``,
``Progress``, ``Validation``, ``Finished``) as the Training tab hands them on; the tab keeps the run
control (start / stop / resume) and its messages. A resumed run's curves start with its
``history.jsonl`` (:mod:`translator_app.core.folders.run_history`): validations and training-loss points.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QProgressBar, QSplitter, QVBoxLayout, QWidget

from translator_app.core.folders import run_history
from translator_app.gui.charts import TrainingCharts
from translator_app.gui.samples_view import SamplesView
from translator_app.gui.widgets import format_duration

FINISH_REASONS = {
    "budget": "time budget reached",
    "max_steps": "step limit reached",
    "max_epochs": "epoch limit reached",
    "early_stop": "no more improvement",
    "stopped": "stopped; resume continues from the checkpoint",
}


class RunMonitor(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.progress_events = 0  # of the current run
        self.validations = 0
        self._best: float | None = None  # (see begin)
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
        self.score_label = QLabel("")  # fine-tuning: in-domain and general scores against the base model
        self.score_label.setWordWrap(True)
        self.score_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.score_label.setToolTip(
            "The trade-off of fine-tuning: the score on your corpus (which picks the saved "
            "model) and on the general dev set, each against the base model's"
        )
        self.score_label.hide()

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
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.bar)
        column.addWidget(self.progress_label)
        column.addWidget(self.data_label)
        column.addWidget(self.score_label)
        column.addWidget(lower, 1)

    def begin(self, job: Any) -> None:
        """A run of ``job`` (a ``core.train.request.TrainRequest``) is asked for: fresh curves (a resumed run's
        with its history) and counters."""
        self.charts.clear()
        self._best = None  # the best validation BLEU of the run so far: the saved model's
        if job.resume:
            self._load_history(Path(job.out_dir))
        self.progress_events = self.validations = 0
        self.score_label.clear()
        self.score_label.hide()
        self.log.appendPlainText(f"{'Resuming' if job.resume else 'Starting'} {Path(job.out_dir).name}")
        self.bar.setValue(0)
        self.bar.setFormat("")
        self.progress_label.setText("Preparing…")

    def _load_history(self, out: Path) -> None:
        rows = run_history.read_history(out)
        for step, loss in run_history.train_losses(rows):
            self.charts.add_progress(step, loss)
        saved = run_history.saved_steps(rows)
        for row in run_history.validations(rows):
            if row["step"] in saved:
                self.charts.mark_saved(row["step"], row["valid_loss"], row["bleu"])
                self._best = row["bleu"]
            self.charts.add_validation(
                row["step"],
                row["valid_loss"],
                row["bleu"],
                row["chrf"],
                row.get("general_bleu"),
                row.get("general_chrf"),
            )

    def show_stopping(self) -> None:
        self.progress_label.setText(self.progress_label.text() + " — stopping after this batch…")

    # ---- events from the training worker (core.base.events objects) ------------------------------------
    def on_status(self, ev: Any) -> None:
        self.log.appendPlainText(ev.message)
        if self.progress_events == 0:
            self.progress_label.setText(ev.message)

    def on_data_ready(self, ev: Any) -> None:
        self.data_label.setText(
            f"{ev.train_pairs:,} training pairs, {ev.valid_pairs:,} validation, "
            f"{ev.test_pairs:,} test · vocabulary {ev.vocab_size:,} · "
            f"{ev.parameters:,} parameters · {ev.src_lang or '?'}→{ev.tgt_lang or '?'}"
        )
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
            f"ETA {format_duration(ev.eta_s)}"
        )
        self.charts.add_progress(ev.step, ev.loss)

    def on_validated(self, ev: Any) -> None:
        self.validations += 1
        general_bleu, general_chrf = getattr(ev, "general_bleu", None), getattr(ev, "general_chrf", None)
        base_general, limit = getattr(ev, "base_general_bleu", None), getattr(ev, "max_general_drop", None)
        floor = base_general - limit if base_general is not None and limit is not None else None
        self.charts.add_validation(ev.step, ev.valid_loss, ev.bleu, ev.chrf, general_bleu, general_chrf, floor)
        self.samples.set_samples(ev.samples, ev.step)
        mark = self._saved_text(ev)
        if getattr(ev, "within_limit", None) is False:
            mark = f" (general BLEU more than {limit:g} below the base model's: not kept)"
        tradeoff = tradeoff_text(ev)
        if tradeoff:
            self.score_label.setText(tradeoff)
            self.score_label.show()
            drop = getattr(ev, "general_drop", None)
            if drop is not None and ev.step:
                self.samples.setTitle(f"{self.samples.title()} — general BLEU {-drop:+.1f} vs the base model")
        general = f", general BLEU {general_bleu:.1f}" if general_bleu is not None else ""
        self.log.appendPlainText(
            f"Step {ev.step}: validation loss {ev.valid_loss:.3f}, BLEU {ev.bleu:.1f}, "
            f"chrF {ev.chrf:.1f}{general}{mark}"
        )

    def _saved_text(self, ev: Any) -> str:
        """Whether this validation saved the model, and the rule: the best validation BLEU wins."""
        if ev.best:
            self._best = ev.bleu
            self.charts.mark_saved(ev.step, ev.valid_loss, ev.bleu)
            return " — saved: the best BLEU so far (the model kept is the one with the best validation BLEU)"
        best = f" ({self._best:.1f})" if self._best is not None else ""
        return f" — not saved: BLEU is not above the best so far{best}; the model is chosen by BLEU, not by loss"

    def show_finished(self, ev: Any) -> str:
        """The run ended (a ``core.base.events.Finished``); returns the sentence that says how."""
        self.bar.setRange(0, 1000)
        best = f", best validation BLEU {ev.best_bleu:.1f}" if ev.best_bleu is not None else ""
        text = (
            f"Finished at step {ev.step:,} after {format_duration(ev.elapsed_s)} "
            f"({FINISH_REASONS.get(ev.reason, ev.reason)}){best}."
        )
        if ev.reason != "stopped":
            self.bar.setValue(1000)
            self.bar.setFormat("%p%")  # (progress events set a literal "92%")
        self.progress_label.setText(text)
        if getattr(ev, "kept", ""):  # fine-tuning kept a judged model, not the last validation's
            self.score_label.setText(ev.kept)
        self.log.appendPlainText(text)
        return text

    def show_failure(self, message: str) -> None:
        self.bar.setRange(0, 1000)
        self.progress_label.setText("Training failed.")
        self.log.appendPlainText(f"Error: {message}")


def _signed(x: float) -> str:
    return f"{x:+.1f}".replace("-", "\u2212")


def tradeoff_text(ev: Any) -> str:
    """ "In-domain BLEU 31.2 (base 18.4, +12.8) · general BLEU 39.0 (base 41.9, −2.9)"; "" for a new model."""
    base = getattr(ev, "base_bleu", None)
    general, base_general = getattr(ev, "general_bleu", None), getattr(ev, "base_general_bleu", None)
    if base is None and general is None:
        return ""
    if ev.step == 0:
        text = f"Base model: in-domain BLEU {ev.bleu:.1f}"
        return text + (f" · general BLEU {general:.1f}" if general is not None else "")
    text = f"In-domain BLEU {ev.bleu:.1f}"
    if base is not None:
        text += f" (base {base:.1f}, {_signed(ev.bleu - base)})"
    if general is not None:
        text += f" · general BLEU {general:.1f}" + (
            f" (base {base_general:.1f}, {_signed(general - base_general)})" if base_general is not None else ""
        )
    return text
