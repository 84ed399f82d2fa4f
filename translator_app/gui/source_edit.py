"""The Translate tab's source pane: a plain text edit that refuses pastes too long to translate."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPlainTextEdit

# Pastes that would make the source longer than this are not inserted: the core refuses far
# shorter texts anyway (20,000 characters), and Qt's line layout of a huge unbroken line takes
# seconds (quadratic). The text still goes to the worker, so the core's own message is shown.
PASTE_LIMIT = 50_000


class SourceEdit(QPlainTextEdit):
    oversized_paste = Signal(str)  # the text of a paste (or drop) that was not inserted

    def insertFromMimeData(self, source) -> None:  # noqa: N802 - paste and drop
        if source.hasText():
            text = source.text()
            if len(text) + self.document().characterCount() > PASTE_LIMIT:
                self.oversized_paste.emit(text)
                return
        super().insertFromMimeData(source)
