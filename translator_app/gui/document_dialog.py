"""File ▸ Translate document…: a document (txt, Markdown, HTML, DOCX, ODT, SRT, VTT, PO, XLIFF)
translated with its structure kept, in a DocumentWorker thread, with progress, ETA and Cancel.

The glossary file and the "all units" choice are remembered (QSettings ``documents/glossary``,
``documents/all_units``). The dialog owns its worker thread: it is started for a run and
stopped (quit + wait) when the run ends or the dialog closes; Cancel stops after the current
batch and nothing is written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from translator_app.core.documents import (
    FILE_FILTER,
    FORMATS,
    NAMES,
    Cancelled,
    DocumentError,
    check_output_format,
    detect_format,
)
from translator_app.core.model.decoding import DOCUMENT, DecodeConfig
from translator_app.gui.errors import user_message
from translator_app.workers import DocumentJob, DocumentWorker, start_thread, stop_thread

GLOSSARY_KEY = "documents/glossary"
ALL_UNITS_KEY = "documents/all_units"


def default_output(source: str, tgt_lang: str = "") -> str:
    path = Path(source)
    return str(path.with_name(f"{path.stem}.{tgt_lang or 'translated'}{path.suffix}"))


def _eta(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class DocumentDialog(QDialog):
    _run = Signal(object)  # DocumentJob -> DocumentWorker.run (queued into the worker thread)
    translated = Signal(object)  # DocumentReport, in the GUI thread
    translation_failed = Signal(str)  # a message, in the GUI thread (cancelled runs too)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        model_path: str = "",
        loader: Callable | None = None,
        tgt_lang: str = "",
        decode: DecodeConfig = DOCUMENT,
    ):
        super().__init__(parent)
        self.setWindowTitle("Translate a document")
        self.setMinimumWidth(560)
        self.model_path, self.tgt_lang, self._loader = model_path, tgt_lang, loader
        self.worker: DocumentWorker | None = None
        self.thread: Any = None
        self.report: Any = None
        self._started = 0.0
        layout = QVBoxLayout(self)
        layout.addLayout(self._form(decode))
        buttons = self._progress_widgets()
        layout.addWidget(self.bar)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        self.bar.hide()

    def _form(self, decode: DecodeConfig) -> QFormLayout:
        """The document, output, format, beam, glossary and PO/XLIFF fields, in their form."""
        settings = QSettings()
        self.source = QLineEdit()
        self.source.setPlaceholderText("the document to translate")
        self.output = QLineEdit()
        self.output.setPlaceholderText("where the translation goes (never the input)")
        self._output_auto = True  # "Save as" follows the document until the person types their own
        self.source.textChanged.connect(self._source_changed)
        self.output.textEdited.connect(self._output_edited)
        self.fmt = QComboBox()
        self.fmt.addItem("From the extension", "")
        for key in FORMATS:
            self.fmt.addItem(f"{NAMES[key]} ({', '.join(FORMATS[key])})", key)
        self.beam = QSpinBox()
        self.beam.setRange(1, 12)
        self.decode = decode  # the other knobs (the Translate tab's settings); the beam is set here
        self.beam.setValue(decode.beam_size)
        self.beam.setToolTip("1 = greedy (fastest); 5 = better translations, about 1.5× slower")
        self.glossary = QLineEdit(str(settings.value(GLOSSARY_KEY, "") or ""))
        self.glossary.setPlaceholderText("optional: source<TAB>target TSV or TBX")
        self.all_units = QCheckBox("PO / XLIFF: also retranslate units that have a translation")
        self.all_units.setChecked(str(settings.value(ALL_UNITS_KEY, "false")).lower() == "true")

        form = QFormLayout()
        form.addRow("Document", self._with_button(self.source, "Browse…", self.ask_source))
        form.addRow("Save as", self._with_button(self.output, "Browse…", self.ask_output))
        form.addRow("Format", self.fmt)
        form.addRow("Beam size", self.beam)
        glossary_row = self._with_button(self.glossary, "Browse…", self.ask_glossary)
        clear = QPushButton("Clear")
        clear.clicked.connect(self.glossary.clear)
        glossary_row.layout().addWidget(clear)
        form.addRow("Glossary", glossary_row)
        form.addRow("", self.all_units)
        return form

    def _progress_widgets(self) -> QHBoxLayout:
        """The progress bar, the report and the buttons; returns the buttons' row."""
        self.bar = QProgressBar()
        self.bar.setFormat("%v / %m segments")
        self.eta = QLabel("")
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setPlaceholderText("The report appears here: segments translated, left as they were and why.")
        self.summary.setMaximumHeight(150)
        self.translate_button = QPushButton("Translate")
        self.translate_button.setDefault(True)
        self.translate_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the current batch; nothing is written")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.eta, 1)
        for b in (self.translate_button, self.cancel_button, self.close_button):
            buttons.addWidget(b)
        return buttons

    def _with_button(self, edit: QLineEdit, text: str, slot) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
        return box

    # ---- choosing files ---------------------------------------------------------------------
    def set_source(self, path: str) -> None:
        self.source.setText(path)

    def _source_changed(self, text: str) -> None:
        """Chosen, typed or pasted: "Save as" gets the default name beside it, unless the person
        typed their own."""
        if self._output_auto or not self.output.text().strip():
            self._output_auto = True
            path = text.strip()  # (while it is typed: "/", "/ho", …)
            self.output.setText(default_output(path, self.tgt_lang) if Path(path).name else "")

    def _output_edited(self, text: str) -> None:
        self._output_auto = not text.strip()

    def ask_source(self) -> None:
        start = self.source.text() or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Document to translate", start, f"{FILE_FILTER};;All files (*)")
        if path:
            self._output_auto = True
            self.set_source(path)

    def ask_output(self) -> None:
        start = self.output.text() or default_output(self.source.text() or str(Path.home() / "document"), self.tgt_lang)
        path, _ = QFileDialog.getSaveFileName(self, "Save the translation as", start)
        if path:
            self._output_auto = False
            self.output.setText(path)

    def ask_glossary(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Glossary", self.glossary.text() or str(Path.home()), "Glossaries (*.tsv *.txt *.tbx);;All files (*)"
        )
        if path:
            self.glossary.setText(path)

    # ---- running ------------------------------------------------------------------------------
    def running(self) -> bool:
        return self.thread is not None

    def start(self) -> None:
        if self.running():
            return
        source, output = self.source.text().strip(), self.output.text().strip()
        problem = ""
        if not self.model_path:
            problem = "No model is loaded yet."
        elif not source:
            problem = "Choose the document to translate (type its path or Browse…)."
        elif not output:
            problem = "Choose where to save its translation (Save as)."
        else:
            try:
                check_output_format(output, detect_format(source, self.fmt.currentData() or None), source)
            except DocumentError as exc:
                problem = str(exc)
        if problem:
            self._show_failure(problem)
            return
        settings = QSettings()
        settings.setValue(GLOSSARY_KEY, self.glossary.text().strip())
        settings.setValue(ALL_UNITS_KEY, "true" if self.all_units.isChecked() else "false")
        job = DocumentJob(
            source,
            output,
            self.model_path,
            self.decode.with_beam(self.beam.value()),
            self.fmt.currentData() or None,
            self.glossary.text().strip() or None,
            self.all_units.isChecked(),
        )
        self.worker = DocumentWorker(self._loader)
        self.worker.progress.connect(self.on_progress)
        self.worker.finished.connect(self.on_finished)
        self.worker.failed.connect(self.on_failed)
        self.worker.stopped_running.connect(self._stop_thread)
        self._run.connect(self.worker.run)
        self.thread = start_thread(self.worker, "documents")
        self.report = None
        self._started = time.monotonic()
        self.bar.setRange(0, 0)
        self.bar.show()
        self.eta.setText("Loading the model…")
        self.summary.clear()
        self.translate_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self._run.emit(job)

    def on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        elapsed = time.monotonic() - self._started
        if done and total > done:
            self.eta.setText(f"About {_eta(elapsed / done * (total - done))} left")
        elif total:
            self.eta.setText("Translating…" if not done else "Writing…")

    def on_finished(self, report: Any) -> None:
        self.report = report
        self.eta.setText(f"Done in {_eta(report.seconds)}")
        self.summary.setPlainText(report.summary())
        self.translated.emit(report)

    def on_failed(self, exc: BaseException) -> None:
        message = user_message(exc)
        output = self.output.text().strip()
        if isinstance(exc, Cancelled) and output not in message:
            message += f"; {output} was not written."
        self._show_failure(message)

    def _show_failure(self, message: str) -> None:
        self.eta.setText("")
        self.summary.setPlainText(message)
        self.translation_failed.emit(message)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()  # direct call: the worker's thread is busy translating
            self.eta.setText("Cancelling after the current batch…")

    def _stop_thread(self) -> None:
        thread, self.thread = self.thread, None
        if thread is not None:
            stop_thread(thread)
        if self.worker is not None:
            self._run.disconnect(self.worker.run)
        self.worker = None
        self.bar.hide()
        self.translate_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def reject(self) -> None:  # Close, Esc, the window's close button
        if self.worker is not None:
            self.worker.cancel()
        if self.thread is not None:
            stop_thread(self.thread)  # waits for the current batch
            self.thread = None
            self.worker = None
        super().reject()
