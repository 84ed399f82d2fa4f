"""The Training tab's "what to expect" note under the corpus preview: what a corpus of this size
reaches from scratch in the chosen time (measured runs, :mod:`translator_app.core.text.expectations`),
and fine-tuning a model of the same language pair instead when one is installed.

It follows the corpus preview (``CorpusPanel.preview_shown``) and the form (time budget, preset,
"Start from"); while a model is chosen in "Start from" it says nothing (that is fine-tuning)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget

from translator_app.core.text.expectations import expectation


class ExpectationNote(QLabel):
    def __init__(self, corpus: Any, form: Any, parent: QWidget | None = None):
        """``corpus``: the CorpusPanel; ``form``: the HyperparameterForm."""
        super().__init__(parent)
        self.corpus, self.form = corpus, form
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.setToolTip("Measured runs on an idle 2-core CPU; see benchmarks/README.md and benchmarks/quality.md")
        corpus.preview_shown.connect(self.update_note)
        form.fields["minutes"].valueChanged.connect(self.update_note)
        form.preset.currentTextChanged.connect(self.update_note)
        form.base_changed.connect(self.update_note)
        self.hide()

    def update_note(self, *_args: Any) -> None:
        preview = self.corpus.preview
        if preview is None or not preview.pairs or self.form.base_path():
            self.clear()
            self.hide()
            return
        self.setText(
            expectation(
                preview.pairs,
                float(self.form.value("minutes")),
                self.form.preset.currentText(),
                preview.src_lang,
                preview.tgt_lang,
                getattr(self.form, "base_entries", ()),
            )
        )
        self.show()
