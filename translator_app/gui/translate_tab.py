"""The Translate tab: source and target panes, live translation, attention heat map.

The tab never translates itself: it emits ``translate_requested(request_id, text, beam)``
(debounced while typing, at once on Ctrl+Enter) with a growing request id, and shows only
the result of its latest request (older results that still arrive are counted in
``stale_results`` and ignored).

With every request it also checks the language of the text (``core.langid``, a fraction of a
millisecond once its model is loaded; the model loads in a background thread on the first
keystroke, and the check is retried until it is in): text that is confidently in the model's
*target* language gets a non-modal bar, "This looks like Spanish. Translate Spanish → English
instead?", whose Swap button loads the reverse model and keeps the text, or, without a reverse
model, says that none is installed. Its × hides the bar until the model changes or the text is
cleared.

The target pane is an :class:`~translator_app.gui.interactive.InteractiveEditor`: the person
edits a sentence's translation, and the rest of that sentence is re-decoded from their prefix
(``completion_requested``/``alternatives_requested`` go to the TranslationWorker wired by
:meth:`TranslateTab.connect_worker`). Edited sentences survive re-translations of the source
until "Re-translate all".
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from PySide6.QtCore import QSettings, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from translator_app.core import langid
from translator_app.gui.heatmap import HeatMap
from translator_app.gui.interactive import InteractiveEditor
from translator_app.gui.model_picker import ModelPicker
from translator_app.gui.widgets import MessageBanner, language_name

DEBOUNCE_MS = 300
LANGID_RETRY_MS = 150  # while the language model is still loading
HEAT_HINT = "Rows: target subwords · columns: source subwords · hover for weights"
COPY_HINT = " · copy: how likely each output subword was copied from the source"
# Pastes that would make the source longer than this are not inserted: the core refuses far
# shorter texts anyway (20,000 characters), and Qt's line layout of a huge unbroken line takes
# seconds (quadratic). The text still goes to the worker, so the core's own message is shown.
PASTE_LIMIT = 50_000


class SourceEdit(QPlainTextEdit):
    oversized_paste = Signal(str)

    def insertFromMimeData(self, source) -> None:  # noqa: N802 - paste and drop
        if source.hasText():
            text = source.text()
            if len(text) + self.document().characterCount() > PASTE_LIMIT:
                self.oversized_paste.emit(text)
                return
        super().insertFromMimeData(source)


class LanguageHint(MessageBanner):
    """The non-modal "this looks like <target language>" bar: a message banner with an optional
    Swap button."""

    swap_clicked = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.close_button.setToolTip("Dismiss (until the model changes or the text is cleared)")
        self.swap_button = QPushButton("Swap")
        self.swap_button.setToolTip("Load the reverse model and translate this text with it")
        self.swap_button.clicked.connect(self.swap_clicked)
        self.add_action(self.swap_button)
        self.closed.connect(self.dismissed)
        self.language = ""  # the detected language the bar is about, "" when hidden

    def show_hint(self, language: str, text: str, can_swap: bool) -> None:
        self.language = language
        self.swap_button.setVisible(can_swap)
        self.show_message(text, "info")

    def clear(self) -> None:
        """Hide the bar without counting it as dismissed by the person."""
        self.language = ""
        self.hide()

    def dismiss(self) -> None:
        self.language = ""
        super().dismiss()


class TranslateTab(QWidget):
    translate_requested = Signal(int, str, int)  # request id, text, beam size
    swap_requested = Signal()
    translated = Signal(object)  # the Translation now shown

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.picker = ModelPicker()
        self.banner = MessageBanner()
        self._next_id = 0
        self.latest_id = 0
        self.shown_id = 0
        self.stale_results = 0
        self.model_ready = False
        self.translation: Any = None
        self._starts: list[int] = []
        self._note = ""  # appended to an error message (the paste that was not inserted)
        self.src_code = ""  # languages of the loaded model
        self.tgt_code = ""
        self.reverse_available = False
        self._hint_dismissed = False  # the language bar was closed (or a swap is under way)
        self.detect_ms = 0.0  # how long the last language check took
        self._worker: Any = None  # the TranslationWorker the editable output talks to

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.translate_now)
        self._langid_retry = QTimer(self)
        self._langid_retry.setSingleShot(True)
        self._langid_retry.setInterval(LANGID_RETRY_MS)
        self._langid_retry.timeout.connect(self.check_language)
        self.lang_hint = LanguageHint()
        self.lang_hint.swap_clicked.connect(self._swap_keeping_text)
        self.lang_hint.dismissed.connect(self._hint_closed)

        # source pane
        self.source_lang = QLabel("?")
        self.source_lang.setToolTip("Source language of the model")
        self.swap_button = QToolButton()
        self.swap_button.setText("⇄ Swap")
        self.swap_button.setToolTip("Swap languages: load the reverse model and translate the translation back "
                                    "(Ctrl+Shift+S). Available when a reverse model exists.")
        self.swap_button.setEnabled(False)
        self.swap_button.clicked.connect(self.swap_requested)
        self.char_count = QLabel("")
        self.char_count.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.source = SourceEdit()
        self.source.oversized_paste.connect(self._oversized_paste)
        self.source.setPlaceholderText("Type or paste text to translate…\nCtrl+Enter translates at once.")
        self.source.setToolTip("Text to translate. The translation follows as you type.")
        self.source.textChanged.connect(self._text_changed)
        self.source.cursorPositionChanged.connect(self._cursor_moved)
        source_head = QHBoxLayout()
        source_head.addWidget(self.source_lang)
        source_head.addStretch(1)
        source_head.addWidget(self.char_count)
        source_head.addWidget(self.swap_button)

        # target pane
        self.target_lang = QLabel("?")
        self.target_lang.setToolTip("Target language of the model")
        self.busy = QLabel("")
        self.confidence = QLabel("")
        self.confidence.setToolTip("Model confidence: geometric mean of the output token probabilities")
        beam_label = QLabel("&Beam:")
        self.beam = QSpinBox()
        self.beam.setRange(1, 12)
        self.beam.setSpecialValueText("1 (greedy)")
        self.beam.setToolTip("Beam size: 1 is fastest (greedy); larger beams search more translations")
        beam_label.setBuddy(self.beam)
        self.beam.valueChanged.connect(lambda _v: self.translate_now())
        self.copy_button = QToolButton()
        self.copy_button.setText("Copy")
        self.copy_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView))
        self.copy_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.copy_button.setToolTip("Copy the translation to the clipboard (Ctrl+Shift+C)")
        self.copy_button.clicked.connect(self.copy_translation)
        self.target = InteractiveEditor()
        self.target.beam = self.beam.value
        self.target.sentence_focused.connect(self._target_sentence)
        self.target.alignment_changed.connect(self._alignment_changed)
        self.target.retranslate_all_requested.connect(self.retranslate_all)
        self.target.failed.connect(lambda message: self.banner.show_message(message, "warning"))
        self.reset_button = self.target.reset_button
        target_head = QHBoxLayout()
        for widget in (self.target_lang, self.busy):
            target_head.addWidget(widget)
        target_head.addStretch(1)
        for widget in (self.confidence, beam_label, self.beam, self.reset_button, self.copy_button):
            target_head.addWidget(widget)

        self.panes = QSplitter(Qt.Orientation.Horizontal)
        for head, edit in ((source_head, self.source), (target_head, self.target)):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.addLayout(head)
            column.addWidget(edit)
            self.panes.addWidget(box)

        # heat map
        self.sentence = QComboBox()
        self.sentence.setToolTip("The sentence whose attention is shown (follows the cursor in the source)")
        self.sentence.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sentence.setMinimumContentsLength(12)
        self.sentence.currentIndexChanged.connect(self._show_sentence)
        self.heatmap = HeatMap()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.heatmap)
        heat_head = QHBoxLayout()
        title = QLabel("Attention")
        title.setFont(QFont(title.font().family(), -1, QFont.Weight.Bold))
        heat_head.addWidget(title)
        heat_head.addWidget(QLabel("Sentence:"))
        heat_head.addWidget(self.sentence, 1)
        self.heat_hint = hint = QLabel(HEAT_HINT)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # may be cut off
        heat_head.addWidget(hint)
        heat_box = QWidget()
        heat_column = QVBoxLayout(heat_box)
        heat_column.setContentsMargins(0, 0, 0, 0)
        heat_column.addLayout(heat_head)
        heat_column.addWidget(scroll)

        self.vsplit = QSplitter(Qt.Orientation.Vertical)
        self.vsplit.addWidget(self.panes)
        self.vsplit.addWidget(heat_box)
        self.vsplit.setStretchFactor(0, 2)
        self.vsplit.setStretchFactor(1, 3)
        self.vsplit.setSizes([260, 420])

        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addWidget(self.banner)
        layout.addWidget(self.lang_hint)
        layout.addWidget(self.vsplit, 1)

        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.translate_now, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+Shift+C"), self, self.copy_translation,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+Shift+S"), self, self.swap_button.click,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # ---- model -----------------------------------------------------------------------------
    def set_model(self, info: Any) -> None:
        """A model is loaded: show its languages and translate what is in the source pane."""
        self.model_ready = True
        if (str(info.src_lang or ""), str(info.tgt_lang or "")) != (self.src_code, self.tgt_code):
            self.target.clear_edits()  # other languages (a swap): edits of the old output do not carry over
        self.src_code, self.tgt_code = str(info.src_lang or ""), str(info.tgt_lang or "")
        self.source_lang.setText(f"<b>{language_name(info.src_lang)}</b>")
        self.target_lang.setText(f"<b>{language_name(info.tgt_lang)}</b>")
        if self.banner.level == "error":  # the "no model" message
            self.banner.dismiss()
        self._hint_dismissed = False  # a new model: its languages decide afresh
        self.lang_hint.clear()
        self.translate_now()

    def connect_worker(self, worker: Any) -> None:
        """Wire the editable output to a TranslationWorker (once)."""
        if self._worker is not worker:
            self._worker = worker
            self.target.connect_worker(worker)

    def retranslate_all(self) -> None:
        """Drop every edit of the translation and translate the text again."""
        self.target.clear_edits()
        self.translate_now()

    def set_model_missing(self, message: str) -> None:
        self.model_ready = False
        self.busy.setText("")
        self.banner.show_message(message, "error")
        self.heatmap.clear("No model loaded")
        self.lang_hint.clear()

    def set_reverse_available(self, available: bool) -> None:
        self.swap_button.setEnabled(available)
        if available != self.reverse_available:
            self.reverse_available = available
            if self.lang_hint.language:  # the bar is up: offer (or stop offering) the swap
                self._show_language_hint(self.lang_hint.language)

    # ---- requests ----------------------------------------------------------------------------
    def _text_changed(self) -> None:
        self._debounce.start()
        count = self.source.document().characterCount() - 1
        self.char_count.setText(f"{count:,} characters" if count else "")
        if not langid.is_loaded():
            langid.preload(background=True)  # ready by the time the debounce fires (usually)
        if not count:
            self._hint_dismissed = False
            self.lang_hint.clear()

    def translate_now(self) -> None:
        self._debounce.stop()
        self._note = ""
        text = self.source.toPlainText()
        self._next_id += 1
        self.latest_id = self._next_id
        if not text.strip():
            self._show_empty()
            return
        if not self.model_ready:
            self.busy.setText("waiting for the model…")
            return
        self.busy.setText("translating…")
        self.translate_requested.emit(self.latest_id, text, self.beam.value())
        self.check_language(text)

    # ---- language check ------------------------------------------------------------------------
    def check_language(self, text: str | None = None) -> None:
        """Show the language bar when the text is in the model's target language, hide it otherwise."""
        self._langid_retry.stop()
        if text is None:
            text = self.source.toPlainText()
        if not self.model_ready or self._hint_dismissed or not text.strip():
            self.lang_hint.clear()
            return
        if not langid.is_loaded():  # loading in the background: never block typing for it
            if langid.load_failed() is None:  # (a failed load means no bar, never an error)
                langid.preload(background=True)
                self._langid_retry.start()
            return
        start = time.perf_counter()
        try:
            found = langid.looks_like_target(text, self.src_code, self.tgt_code)
        except Exception:  # noqa: BLE001 - advice only: a failing check never disturbs translating
            found = None
        self.detect_ms = (time.perf_counter() - start) * 1000
        if found is None:
            self.lang_hint.clear()
        else:
            self._show_language_hint(found[0])

    def _show_language_hint(self, language: str) -> None:
        looks, model_src = langid.name(language), langid.name(self.src_code)
        if self.reverse_available:
            text = f"This looks like {looks}. Translate {looks} → {model_src} instead?"
        else:
            text = (f"This looks like {looks}, but this model translates {model_src} → {looks}, and no "
                    f"{looks} → {model_src} model is installed (train one in the Training tab).")
        self.lang_hint.show_hint(language, text, self.reverse_available)

    def _hint_closed(self) -> None:
        self._hint_dismissed = True

    def _swap_keeping_text(self) -> None:
        """The bar's Swap: load the reverse model and keep the text in the source pane (the
        toolbar's Swap instead moves the translation into the source pane)."""
        text = self.source.toPlainText()
        position = self.source.textCursor().position()
        self.lang_hint.clear()
        self.swap_requested.emit()  # the main window loads the reverse model and fills the source pane
        if self.source.toPlainText() != text:
            self.source.setPlainText(text)
            cursor = self.source.textCursor()
            cursor.setPosition(min(position, len(text)))
            self.source.setTextCursor(cursor)
        # until the reverse model is in (set_model clears it): the old model's languages would
        # otherwise bring the bar straight back for this very text
        self._hint_dismissed = True

    def _oversized_paste(self, text: str) -> None:
        self._debounce.stop()
        self._next_id += 1
        self.latest_id = self._next_id
        self._note = f"The pasted text ({len(text):,} characters) was not inserted."
        if self.model_ready:
            self.translate_requested.emit(self.latest_id, text, self.beam.value())
        else:
            self.on_translation_failed(self.latest_id, "The text is too long to translate at once.")

    def on_translation_ready(self, request_id: int, translation: Any) -> None:
        if request_id != self.latest_id:
            self.stale_results += 1
            return
        self.shown_id = request_id
        self.translation = translation
        self.busy.setText("")
        if self.banner.level == "warning":
            self.banner.dismiss()
        self.target.set_translation(translation)  # edited sentences stay as the person left them
        self.confidence.setText(f"Confidence {translation.confidence:.0%}")
        self._starts = self._sentence_starts(self.source.toPlainText(), translation.sentences)
        with QSignalBlocker(self.sentence):
            self.sentence.clear()
            for i, s in enumerate(translation.sentences, 1):
                short = s.source if len(s.source) <= 60 else s.source[:57] + "…"
                self.sentence.addItem(f"{i}: {short}")
            self.sentence.setEnabled(len(translation.sentences) > 1)
            self.sentence.setCurrentIndex(self._sentence_at(self.source.textCursor().position()))
        self._show_sentence(self.sentence.currentIndex())
        self.translated.emit(translation)

    def on_translation_failed(self, request_id: int, message: str) -> None:
        if request_id != self.latest_id:
            self.stale_results += 1
            return
        self.shown_id = request_id
        self.busy.setText("")
        if self._note:  # a refused paste: the text in the pane and its translation stay
            self.banner.show_message(f"{message} {self._note}", "warning")
            self._note = ""
            return
        self.translation = None
        self.target.clear()
        self.confidence.clear()
        self.sentence.clear()
        self.heatmap.clear("No translation")
        self.banner.show_message(message, "warning")

    def _show_empty(self) -> None:
        self.translation = None
        self.busy.setText("")
        self.target.clear()
        self.confidence.clear()
        self.sentence.clear()
        self.heatmap.clear("No translation yet")
        self.lang_hint.clear()
        if self.banner.level == "warning":
            self.banner.dismiss()

    def copy_translation(self) -> None:
        QApplication.clipboard().setText(self.target.accepted_text())

    # ---- sentences and the heat map --------------------------------------------------------
    @staticmethod
    def _sentence_starts(text: str, sentences) -> list[int]:
        """Approximate start offset of each translated sentence in the source text."""
        starts, pos = [], 0
        for s in sentences:
            key = s.source[:12]
            index = text.find(key, pos) if key else -1
            starts.append(index if index >= 0 else pos)
            pos = (index if index >= 0 else pos) + len(key)
        return starts

    def _sentence_at(self, position: int) -> int:
        index = 0
        for i, start in enumerate(self._starts):
            if start <= position:
                index = i
        return index

    def _cursor_moved(self) -> None:
        if self.translation is not None and len(self._starts) > 1:
            self.sentence.setCurrentIndex(self._sentence_at(self.source.textCursor().position()))

    def _target_sentence(self, index: int) -> None:
        if self.translation is not None and 0 <= index < self.sentence.count():
            self.sentence.setCurrentIndex(index)

    def _alignment_changed(self, index: int) -> None:
        if index == self.sentence.currentIndex():
            self._show_sentence(index)

    def _show_sentence(self, index: int) -> None:
        if self.translation is None or not 0 <= index < len(self.translation.sentences):
            if self.translation is not None:
                self.heatmap.clear("Nothing to show")
            return
        s = self.translation.sentences[index]
        # the shown text's alignment: the machine's, or that of the accepted completion
        source_tokens, target_tokens, attention, copy_probs = self.target.alignment(index) or (
            s.source_tokens, s.target_tokens, s.attention, getattr(s, "copy_probs", None))
        if attention is None:
            self.heatmap.clear("Edited: its source changed (Tab in the sentence re-aligns it)")
            return
        if copy_probs is not None and np.size(copy_probs) != len(target_tokens):
            copy_probs = None  # never let a malformed extra hide the attention itself
        self.heatmap.set_alignment(source_tokens, target_tokens, attention, copy_probs=copy_probs)
        self.heat_hint.setText(HEAT_HINT + (COPY_HINT if copy_probs is not None else ""))

    # ---- settings ------------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("translate/beam", self.beam.value())
        settings.setValue("translate/panes", self.panes.saveState())
        settings.setValue("translate/vsplit", self.vsplit.saveState())

    def restore_settings(self, settings: QSettings) -> None:
        with QSignalBlocker(self.beam):
            self.beam.setValue(int(settings.value("translate/beam", 1)))
        for key, splitter in (("translate/panes", self.panes), ("translate/vsplit", self.vsplit)):
            state = settings.value(key)
            if state is not None:
                splitter.restoreState(state)
