"""The Translate tab's editable output: interactive-predictive translation, sentence by sentence.

:class:`InteractiveEditor` shows a ``Translation`` as one text and tracks where each sentence is
(``segments``). Typing in a sentence, then a pause (:data:`SUGGEST_MS`) or Tab, emits
``completion_requested`` (prefix: the sentence up to the cursor); the ``Completion`` replaces the
rest of the sentence by a grey suggestion: Tab accepts it (the heat map then follows its
attention), Esc or moving away dismisses it, typing its next characters consumes them. Ctrl+click
(or right-click ▸ Alternatives…) on a word asks for the top :data:`ALTERNATIVES_K` words there; a
chosen one replaces the word and the rest of the sentence is re-decoded. Edited sentences are
tinted and survive new translations of the source (matched by source sentence, see
:func:`carry_edits`) until Re-translate sentence / all. Results for anything but a sentence's
newest request, or after its text or the cursor moved on, are ignored (``stale_results``).
What keys, the mouse and the context menu do is in :class:`~translator_app.gui.editor_input.EditorInput`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QTextEdit, QToolButton, QWidget

from translator_app.core.model.decoding import LIVE, DecodeConfig
from translator_app.gui.editor_input import EditorInput
from translator_app.gui.edits import Segment, Suggestion, alignment_of, carry_edits, locate, text_diff

SUGGEST_MS = 300  # pause after typing before the rest of the sentence is re-decoded
ALTERNATIVES_K = 5
EDITED_TINT = QColor(255, 200, 0, 55)
STALE_TINT = QColor(255, 90, 0, 70)
MEMORY_TINT = QColor(60, 170, 90, 45)  # an exact match from the translation memory
TOOLTIP = (
    "The translation — edit it. After a pause (or Tab) the rest of the sentence is re-translated from what "
    "you typed and shown in grey: Tab accepts it, Esc dismisses it.\nCtrl+click a word (or right-click ▸ "
    "Alternatives…) for other words at that place.\nEdited sentences are tinted (orange: their source changed "
    "since) and kept when the source is re-translated; right-click ▸ Re-translate sentence, or Re-translate "
    "all, to drop edits."
)
_WORD = re.compile(r"\w+")


class InteractiveEditor(EditorInput, QPlainTextEdit):
    completion_requested = Signal(int, int, str, str, object)  # request id, sentence, source, prefix, DecodeConfig
    alternatives_requested = Signal(int, int, str, str, int)  # request id, sentence, source, prefix, k
    sentence_focused = Signal(int)  # the cursor is in this sentence
    alignment_changed = Signal(int)  # this sentence's heat-map data changed
    edits_changed = Signal(int)  # number of edited sentences
    retranslate_all_requested = Signal()
    failed = Signal(object)  # the exception of a failed request of the latest typing

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.segments: list[Segment] = []
        self.suggestion: Suggestion | None = None
        self.decode: Callable[[], DecodeConfig] = lambda: LIVE  # the search settings of a completion
        self.stale_results = 0
        self._translation: Any = None
        self._text = ""  # the document text as last seen
        self._quiet = 0  # > 0 while this class changes the document itself
        self._next_id = 0
        self._latest: dict[tuple[str, int], tuple[int, int, str]] = {}  # (kind, sentence) -> id, offset, prefix
        self._word: tuple[int, int, int, str] | None = None  # sentence, start, end, word of the popup
        self._focused = -1
        self.setReadOnly(True)  # until there is a translation to edit
        self.setUndoRedoEnabled(False)  # suggestions come and go as document edits
        self.setAcceptDrops(False)
        self.setPlaceholderText("Translation")
        self.setToolTip(TOOLTIP)
        self._timer = QTimer(self, singleShot=True, interval=SUGGEST_MS)
        self._timer.timeout.connect(self.request_completion)
        self.popup = QMenu(self)  # the alternatives of a word; one chosen replaces it
        self.popup.setToolTip("Other words at this place, most likely first")
        self.popup.triggered.connect(lambda action: self.choose_alternative(action.data()))
        self.reset_button = QToolButton()  # (for the pane's header)
        self.reset_button.setText("Re-translate all")
        self.reset_button.setToolTip("Drop your edits of the translation and translate the whole text again")
        self.reset_button.setEnabled(False)
        self.reset_button.clicked.connect(self.retranslate_all_requested)
        self.edits_changed.connect(
            lambda n: (
                self.reset_button.setEnabled(n > 0),
                self.reset_button.setText(f"Re-translate all ({n} edited)" if n else "Re-translate all"),
            )
        )
        self.document().contentsChanged.connect(self._contents_changed)
        self.cursorPositionChanged.connect(self._cursor_moved)

    def connect_worker(self, worker: Any) -> None:
        """Requests go straight to the TranslationWorker's thread-safe submit_* methods; its
        results come back queued to this (the GUI) thread."""
        direct = Qt.ConnectionType.DirectConnection
        self.completion_requested.connect(worker.submit_completion, direct)
        self.alternatives_requested.connect(worker.submit_alternatives, direct)
        worker.completion_ready.connect(self.on_completion_ready)
        worker.alternatives_ready.connect(self.on_alternatives_ready)
        # (its failures come through the tab: TranslateTab.on_worker_failed -> on_failed)

    # ---- content ----------------------------------------------------------------------------
    def set_translation(self, translation: Any, keep_edits: bool = True) -> None:
        """Show a new machine translation; edited sentences keep their text (see carry_edits)."""
        sentences = list(getattr(translation, "sentences", None) or ())
        full = getattr(translation, "text", "") or ""
        old = [(s.source, s.edited) for s in self.segments] if keep_edits else []
        old_texts = [self.segment_text(i) for i in range(len(self.segments))]
        carried = carry_edits(old, [s.source for s in sentences])
        at = self.cursor_context() if self.hasFocus() else None
        self._translation, self.suggestion, self._latest, self._word = translation, None, {}, None
        self._focused = -1
        self._timer.stop()
        self.popup.hide()
        spans = locate(full, [s.text for s in sentences]) if sentences else None
        segments, text, last = [], [], 0
        for i, (s, (a, b)) in enumerate(zip(sentences, spans or ())):
            prev = self.segments[carried[i][0]] if carried[i] else None
            shown = old_texts[carried[i][0]] if prev else s.text
            text.append(full[last:a])
            start = sum(map(len, text))
            seg = Segment(s.source, s.text, start, start + len(shown), alignment_of(s), alignment_of(s))
            if prev is not None:
                seg.edited, seg.stale = True, carried[i][1] or prev.stale
                seg.alignment = (None,) * 4 if seg.stale else prev.alignment  # (None: no heat map)
            text.append(shown)
            segments.append(seg)
            last = b
        text.append(full[last:])  # (no spans: plain text, nothing interactive)
        self.segments = segments
        self.setReadOnly(not segments)  # editable only when its sentences are known
        with self._quietly():
            super().setPlainText("".join(text))
        if at is not None and at[0] < len(segments):
            self._place(min(segments[at[0]].start + at[1], segments[at[0]].end))
        self._refresh_marks()
        self.edits_changed.emit(self.edited_count())

    def setPlainText(self, text: str) -> None:  # noqa: N802 - plain text: no sentences to work with
        self.segments, self.suggestion, self._translation = [], None, None
        self.setReadOnly(True)
        with self._quietly():
            super().setPlainText(text)
        self._refresh_marks()

    def clear(self) -> None:
        self.setPlainText("")

    def clear_edits(self) -> None:
        """Drop every edit: back to the machine translation."""
        if self._translation is not None:
            self.set_translation(self._translation, keep_edits=False)

    def reset_sentence(self, index: int) -> None:
        self.dismiss_suggestion()
        seg = self.segments[index]
        self._replace(index, seg.start, seg.end, seg.machine)
        seg.edited = seg.stale = False
        seg.alignment = seg.machine_alignment
        self._changed(index, alignment=True, edited=False)

    def segment_text(self, index: int) -> str:
        """Sentence ``index`` as accepted (without a grey suggestion)."""
        seg, s = self.segments[index], self.suggestion
        text = self._text[seg.start : seg.end]
        if s is not None and s.sentence == index:
            text = text[: s.start - seg.start] + s.old_tail + text[s.start - seg.start + s.length :]
        return text

    def accepted_text(self) -> str:
        s = self.suggestion
        return self._text if s is None else self._text[: s.start] + s.old_tail + self._text[s.start + s.length :]

    def edited_count(self) -> int:
        return sum(seg.edited for seg in self.segments)

    def alignment(self, index: int) -> tuple | None:
        return self.segments[index].alignment if 0 <= index < len(self.segments) else None

    def segment_at(self, position: int) -> int | None:
        return next((i for i, s in enumerate(self.segments) if s.start <= position <= s.end), None)

    def cursor_context(self) -> tuple[int, int] | None:
        """(sentence, offset in it) of the text cursor, None outside every sentence."""
        position = self.textCursor().position()
        index = self.segment_at(position)
        return None if index is None else (index, position - self.segments[index].start)

    # ---- requests and results ------------------------------------------------------------------
    def request_completion(self) -> None:
        """Re-decode the rest of the cursor's sentence from the text before the cursor."""
        self._timer.stop()
        at = self.cursor_context()
        if at is None or self.suggestion is not None:
            return
        index, offset = at
        prefix = self.segment_text(index)[:offset]
        self._next_id += 1
        self._latest[("complete", index)] = (self._next_id, offset, prefix)
        self.completion_requested.emit(self._next_id, index, self.segments[index].source, prefix, self.decode())

    def request_alternatives(self, position: int) -> bool:
        """Ask for the alternatives of the word at document ``position``; False when there is none."""
        self.dismiss_suggestion()
        index = self.segment_at(position)
        if index is None:
            return False
        seg, text = self.segments[index], self.segment_text(index)
        word = next((m for m in _WORD.finditer(text) if m.start() <= position - seg.start <= m.end()), None)
        if word is None:
            return False
        self._next_id += 1
        self._latest[("words", index)] = (self._next_id, word.start(), text[: word.start()])
        self._word = (index, word.start(), word.end(), word.group())
        self.alternatives_requested.emit(self._next_id, index, seg.source, text[: word.start()], ALTERNATIVES_K)
        return True

    def _take(self, kind: str, request_id: int) -> tuple[int, int, str] | None:
        """The (sentence, offset, prefix) of the newest request of its kind, if still current."""
        key = next((k for k, v in self._latest.items() if k[0] == kind and v[0] == request_id), None)
        if key is None:
            self.stale_results += 1
            return None
        _, offset, prefix = self._latest.pop(key)
        if key[1] >= len(self.segments) or self.segment_text(key[1])[:offset] != prefix:
            self.stale_results += 1  # the text changed since
            return None
        return key[1], offset, prefix

    def on_completion_ready(self, request_id: int, completion: Any) -> None:
        taken = self._take("complete", request_id)
        if taken is None:
            return
        index, offset, prefix = taken
        if self.cursor_context() != (index, offset) or self.suggestion is not None:
            self.stale_results += 1  # the cursor moved on
            return
        seg, text = self.segments[index], completion.text
        suffix = text[len(prefix) :] if text.startswith(prefix) else completion.suffix
        start = seg.start + offset
        old_tail = self._text[start : seg.end]
        if not suffix:  # the model would end the sentence here: nothing to show, the rest stays
            if not old_tail:  # ...and that is the text itself: its alignment is the completion's
                seg.alignment = alignment_of(completion)
                self.alignment_changed.emit(index)
            return
        grey = QTextCharFormat()
        grey.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
        grey.setFontItalic(True)
        self._replace(index, start, seg.end, suffix, grey)
        self._place(start)
        self.suggestion = Suggestion(index, start, len(suffix), old_tail, completion)

    def on_alternatives_ready(self, request_id: int, choices: Any) -> None:
        taken = self._take("words", request_id)
        if taken is None or self._word is None or self._word[0] != taken[0]:
            return
        index, start, _, word = self._word
        self.popup.clear()
        for choice in choices:
            action = self.popup.addAction(f"{choice.word}\t{choice.prob:.0%}")
            action.setData(choice.word)
            action.setCheckable(choice.word == word)
            action.setChecked(choice.word == word)
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.segments[index].start + start)
        self.popup.popup(self.viewport().mapToGlobal(self.cursorRect(cursor).bottomLeft()))

    def on_failed(self, request_id: int, error: BaseException) -> None:
        if any(v[0] == request_id for v in self._latest.values()):
            self._latest = {k: v for k, v in self._latest.items() if v[0] != request_id}
            self.failed.emit(error)

    def choose_alternative(self, word: str) -> None:
        """Put ``word`` in place of the popup's word, then re-decode the rest of the sentence."""
        self.popup.hide()
        chosen, self._word = self._word, None
        if chosen is None or not word or self.segment_text(chosen[0])[chosen[1] : chosen[2]] != chosen[3]:
            return
        index, start, end, _ = chosen
        self.dismiss_suggestion()
        seg = self.segments[index]
        self._replace(index, seg.start + start, seg.start + end, word)
        self._place(seg.start + start + len(word))
        self.setFocus()
        self._changed(index)
        self.request_completion()

    # ---- the suggestion ------------------------------------------------------------------------
    def accept_suggestion(self) -> None:
        s, self.suggestion = self.suggestion, None
        if s is None:
            return
        self._format(s.start, s.start + s.length)
        self._place(s.start + s.length)
        seg = self.segments[s.sentence]
        seg.alignment, seg.stale = alignment_of(s.completion), False
        self._changed(s.sentence, alignment=True)

    def dismiss_suggestion(self) -> None:
        """Put the sentence's previous ending back in place of the grey suggestion."""
        s, self.suggestion = self.suggestion, None
        if s is not None:
            self._replace(s.sentence, s.start, s.start + s.length, s.old_tail)
            self._place(s.start)

    # ---- document bookkeeping --------------------------------------------------------------------
    @contextlib.contextmanager
    def _quietly(self):
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    def _place(self, position: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(max(0, min(position, len(self._text))))
        with self._quietly():
            self.setTextCursor(cursor)

    def _format(self, start: int, end: int) -> None:
        """Plain (accepted) text format for [start, end)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        with self._quietly():
            cursor.setCharFormat(QTextCharFormat())

    def _replace(self, index: int, start: int, end: int, text: str, fmt: QTextCharFormat | None = None) -> None:
        """Replace document range [start, end) inside sentence ``index`` (not a person's edit)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        with self._quietly():
            cursor.insertText(text, fmt or QTextCharFormat())
        self._shift(index, len(text) - (end - start))

    def _shift(self, index: int, delta: int, after: int | None = None) -> None:
        self.segments[index].end += delta
        for seg in self.segments[(index if after is None else after) + 1 :]:
            seg.start, seg.end = seg.start + delta, seg.end + delta

    def _contents_changed(self) -> None:
        old, self._text = self._text, self.toPlainText()
        if self._quiet or not self.segments or old == self._text:
            return
        pos, removed, added = text_diff(old, self._text, self.textCursor().position())
        self.suggestion = None  # (keys dismiss it first; this is any other path)
        end, segs = pos + removed, self.segments
        owner = next((i for i, s in enumerate(segs) if s.start <= pos and end <= s.end), None)
        if owner is None:  # across sentences (e.g. a cut from the menu): the first one touched takes it
            touched = [i for i, s in enumerate(segs) if s.start <= end and s.end >= pos] or [
                max([i for i, s in enumerate(segs) if s.end <= pos] or [0])
            ]
            owner, last = touched[0], touched[-1]
            segs[owner].start, segs[owner].end = min(segs[owner].start, pos), max(segs[last].end, end)
            for i in touched[1:]:
                segs[i].start = segs[i].end = segs[owner].end + added - removed
                segs[i].edited = True
            self._shift(owner, added - removed, after=last)
        else:
            self._shift(owner, added - removed)
        self._changed(owner)
        self._timer.start()  # re-decode the rest after a pause

    def _changed(self, index: int, alignment: bool = False, edited: bool = True) -> None:
        """Sentence ``index`` changed (by the person, unless ``edited`` is False)."""
        self.segments[index].edited |= edited
        self._refresh_marks()
        self.edits_changed.emit(self.edited_count())
        if alignment:
            self.alignment_changed.emit(index)

    def _refresh_marks(self) -> None:
        marks = []
        origins = [getattr(s, "origin", "") for s in getattr(self._translation, "sentences", None) or ()]
        memory = {id(s) for s, o in zip(self.segments, origins) if o == "memory" and not s.edited}
        for seg in (s for s in self.segments if (s.edited or id(s) in memory) and s.end > s.start):
            mark = QTextEdit.ExtraSelection()
            mark.cursor = QTextCursor(self.document())
            mark.cursor.setPosition(seg.start)
            mark.cursor.setPosition(seg.end, QTextCursor.MoveMode.KeepAnchor)
            mark.format.setBackground(STALE_TINT if seg.stale else EDITED_TINT if seg.edited else MEMORY_TINT)
            marks.append(mark)
        self.setExtraSelections(marks)

    def _cursor_moved(self) -> None:
        if self._quiet:
            return
        position, s = self.textCursor().position(), self.suggestion
        if s is not None and position != s.start:  # moved away: the suggestion goes
            after = position - s.length + len(s.old_tail) if position > s.start + s.length else s.start
            self.dismiss_suggestion()
            self._place(after)
            position = self.textCursor().position()
        index = self.segment_at(position)
        if index is not None and index != self._focused:
            self._focused = index
            self.sentence_focused.emit(index)
