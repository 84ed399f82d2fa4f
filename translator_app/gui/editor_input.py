"""Keys, mouse and context menu of the Translate tab's editable output.

:class:`EditorInput` is a mixin of :class:`~translator_app.gui.interactive.InteractiveEditor` (before
``QPlainTextEdit`` in its bases): Tab asks for a completion of the sentence or accepts the grey one,
Esc dismisses it, typing its next characters consumes it, any other edit or a move of the cursor
drops it; a key edit stays inside one sentence and a paste stays on one line (one output line per
input line); Ctrl+click on a word asks for its alternatives; the context menu adds Alternatives…
and Re-translate sentence / all. It uses the editor's ``segments``, ``suggestion``, ``_text`` and its
suggestion and request methods.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication


class EditorInput:
    def event(self, e) -> bool:
        if (
            e.type() == QEvent.Type.ShortcutOverride
            and self.segments
            and (e.key() == Qt.Key.Key_Tab or (e.key() == Qt.Key.Key_Escape and self.suggestion is not None))
        ):
            e.accept()  # Tab and Esc are ours here, not a window shortcut's
            return True
        return super().event(e)

    def keyPressEvent(self, e) -> None:  # noqa: N802 - a Qt override keeps its camelCase name
        key, s, text = e.key(), self.suggestion, e.text()
        plain = not (e.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier))
        typing = bool(text) and text.isprintable()
        if key == Qt.Key.Key_Tab and self.segments and plain:
            self.accept_suggestion() if s is not None else self.request_completion()
        elif key == Qt.Key.Key_Escape and s is not None:
            self.dismiss_suggestion()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.segments:
            pass  # one output line per input line: no line breaks of our own
        elif s is not None and typing and self._text[s.start : s.start + s.length].startswith(text):
            self._format(s.start, s.start + len(text))  # typed what was suggested: it is the person's now
            s.start, s.length = s.start + len(text), s.length - len(text)
            self._place(s.start)
            self.accept_suggestion() if s.length == 0 else self._changed(s.sentence)
        elif (
            typing
            or key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)
            or e.matches(QKeySequence.StandardKey.Cut)
            or e.matches(QKeySequence.StandardKey.Paste)
        ):  # (moving the cursor dismisses in _cursor_moved)
            self.dismiss_suggestion()
            if self.segments and not self._editable(key):
                QApplication.beep()
            else:
                super().keyPressEvent(e)
        else:
            return super().keyPressEvent(e)
        e.accept()

    def _editable(self, key: int) -> bool:
        """A key edit stays inside one sentence (never removes what is between two)."""
        cursor = self.textCursor()
        lo, hi = sorted((cursor.anchor(), cursor.position()))
        index = self.segment_at(lo)
        if index is None or hi > self.segments[index].end:
            return False
        seg = self.segments[index]
        return lo != hi or not (
            (key == Qt.Key.Key_Backspace and lo == seg.start) or (key == Qt.Key.Key_Delete and hi == seg.end)
        )

    def insertFromMimeData(self, source) -> None:  # noqa: N802 - pastes stay on one line
        self.dismiss_suggestion()
        if source.hasText() and self.segments:
            self.textCursor().insertText(re.sub(r"\s*[\r\n\u2029]+\s*", " ", source.text()))
        else:
            super().insertFromMimeData(source)

    def mousePressEvent(self, e) -> None:  # noqa: N802 - a Qt override keeps its camelCase name
        self.dismiss_suggestion()
        ctrl = e.modifiers() & Qt.KeyboardModifier.ControlModifier
        if e.button() == Qt.MouseButton.LeftButton and ctrl and self.segments:
            position = self.cursorForPosition(e.position().toPoint()).position()
            self._place(position)
            self.request_alternatives(position)
            return e.accept()
        super().mousePressEvent(e)

    def contextMenuEvent(self, e) -> None:  # noqa: N802 - a Qt override keeps its camelCase name
        self.dismiss_suggestion()
        menu = self.createStandardContextMenu(e.pos())
        position = self.cursorForPosition(e.pos()).position()
        index = self.segment_at(position)
        menu.addSeparator()
        menu.addAction("Alternatives…  (Ctrl+click)", lambda: self.request_alternatives(position)).setEnabled(
            index is not None
        )
        menu.addAction("Re-translate sentence", lambda: self.reset_sentence(index)).setEnabled(
            index is not None and self.segments[index].edited
        )
        menu.addAction("Re-translate all", self.retranslate_all_requested.emit).setEnabled(self.edited_count() > 0)
        menu.exec(e.globalPos())
