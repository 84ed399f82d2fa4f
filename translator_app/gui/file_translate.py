"""File ▸ Translate file…: long documents, translated line by line by the translation worker.

A compact status-bar widget: progress bar and Cancel button, visible while a file runs.
"""

from __future__ import annotations

import enum
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QProgressBar, QToolButton, QWidget

from translator_app.gui.errors import user_message
from translator_app.workers import FileCancelled


class FileOutcome(enum.Enum):
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


class FileTranslation(QWidget):
    start_requested = Signal(str, str)  # source file, output file
    cancel_requested = Signal()
    finished = Signal(str, object)  # a message for the status bar, FileOutcome

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(180)
        self.bar.setToolTip("Lines of the file translated so far")
        cancel = QToolButton()
        cancel.setText("Cancel")
        cancel.setToolTip("Stop translating the file (nothing is written)")
        cancel.clicked.connect(self.cancel_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(cancel)
        self.running = False
        self.hide()

    def ask(self, tgt_lang: str = "") -> None:
        source, _ = QFileDialog.getOpenFileName(
            self, "Translate a text file", str(Path.home()), "Text files (*.txt *.md *.tsv);;All files (*)"
        )
        if not source:
            return
        suffix = f".{tgt_lang}" if tgt_lang else ".translated"
        default = str(Path(source).with_name(Path(source).stem + suffix + ".txt"))
        output, _ = QFileDialog.getSaveFileName(self, "Save the translation as", default, "Text files (*.txt)")
        if output:
            self.start(source, output)

    def start(self, source: str, output: str) -> None:
        if self.running:
            return
        self.running = True
        self.bar.setRange(0, 0)
        self.bar.setFormat("%v / %m lines")
        self.show()
        self.start_requested.emit(source, output)

    def on_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def on_done(self, output: str, lines: int, seconds: float) -> None:
        self.running = False
        self.hide()
        self.finished.emit(f"Translated {lines:,} lines in {seconds:.1f} s → {output}", FileOutcome.DONE)

    def on_failed(self, exc: BaseException) -> None:
        self.running = False
        self.hide()
        if isinstance(exc, FileCancelled):
            self.finished.emit(user_message(exc), FileOutcome.CANCELLED)
        else:
            self.finished.emit(f"File translation failed: {user_message(exc)}", FileOutcome.FAILED)
