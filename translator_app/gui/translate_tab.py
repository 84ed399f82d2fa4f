"""The Translate tab: source and target panes, live translation, attention heat map.

The tab never translates itself: it emits ``translate_requested(request_id, text, beam)``
(debounced while typing, at once on Ctrl+Enter) with a growing request id, and shows only
the result of its latest request (older results that still arrive are counted in
``stale_results`` and ignored).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QApplication, QComboBox, QHBoxLayout, QLabel, QPlainTextEdit, QScrollArea, QSizePolicy, QSpinBox, QSplitter,
    QStyle,
    QToolButton, QVBoxLayout, QWidget,
)

from translator_app.gui.heatmap import HeatMap
from translator_app.gui.model_picker import ModelPicker
from translator_app.gui.widgets import MessageBanner, language_name

DEBOUNCE_MS = 300
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

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.translate_now)

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
        self.target = QPlainTextEdit()
        self.target.setReadOnly(True)
        self.target.setPlaceholderText("Translation")
        self.target.setToolTip("The translation (read-only)")
        target_head = QHBoxLayout()
        for widget in (self.target_lang, self.busy):
            target_head.addWidget(widget)
        target_head.addStretch(1)
        for widget in (self.confidence, beam_label, self.beam, self.copy_button):
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
        hint = QLabel("Rows: target subwords · columns: source subwords · hover for weights")
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
        self.source_lang.setText(f"<b>{language_name(info.src_lang)}</b>")
        self.target_lang.setText(f"<b>{language_name(info.tgt_lang)}</b>")
        if self.banner.level == "error":  # the "no model" message
            self.banner.dismiss()
        self.translate_now()

    def set_model_missing(self, message: str) -> None:
        self.model_ready = False
        self.busy.setText("")
        self.banner.show_message(message, "error")
        self.heatmap.clear("No model loaded")

    def set_reverse_available(self, available: bool) -> None:
        self.swap_button.setEnabled(available)

    # ---- requests ----------------------------------------------------------------------------
    def _text_changed(self) -> None:
        self._debounce.start()
        count = self.source.document().characterCount() - 1
        self.char_count.setText(f"{count:,} characters" if count else "")

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
        self.target.setPlainText(translation.text)
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
        if self.banner.level == "warning":
            self.banner.dismiss()

    def copy_translation(self) -> None:
        QApplication.clipboard().setText(self.target.toPlainText())

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

    def _show_sentence(self, index: int) -> None:
        if self.translation is None or not 0 <= index < len(self.translation.sentences):
            if self.translation is not None:
                self.heatmap.clear("Nothing to show")
            return
        s = self.translation.sentences[index]
        self.heatmap.set_alignment(s.source_tokens, s.target_tokens, s.attention)

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
