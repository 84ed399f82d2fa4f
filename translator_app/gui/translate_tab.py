"""The Translate tab: source and target panes, live translation, attention heat map.

The tab never translates itself: it emits ``translate_requested(request_id, text, DecodeConfig)``
(debounced while typing, at once on Ctrl+Enter) with a growing request id, and shows only
the result of its latest request (older results that still arrive are counted in
``stale_results`` and ignored).

With every request it also checks the language of the text (:mod:`translator_app.gui.language_hint`):
text that is confidently in the model's *target* language gets a non-modal bar whose Swap button
loads the reverse model and keeps the text. Below the panes, :mod:`translator_app.gui.attention_pane`
shows the attention of the sentence at the cursor.

The target pane is an :class:`~translator_app.gui.interactive.InteractiveEditor`: the person
edits a sentence's translation, and the rest of that sentence is re-decoded from their prefix
(``completion_requested``/``alternatives_requested`` go to the TranslationWorker wired by
:meth:`TranslateTab.connect_worker`). Edited sentences survive re-translations of the source
until "Re-translate all".
"""

from __future__ import annotations

import enum
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QSplitter, QStyle, QToolButton, QVBoxLayout, QWidget

from translator_app.core.model.decoding import DecodeConfig
from translator_app.gui.attention_pane import AttentionPane
from translator_app.gui.decode_settings import DecodeControls
from translator_app.gui.errors import user_message
from translator_app.gui.interactive import InteractiveEditor
from translator_app.gui.language_hint import LanguageHint
from translator_app.gui.model_picker import ModelPicker
from translator_app.gui.source_edit import SourceEdit
from translator_app.gui.widgets import Level, MessageBanner, language_name
from translator_app.workers.translation import Failure, Step

DEBOUNCE_MS = 300


class ModelState(enum.Enum):
    """Whether the tab has a model to translate with."""

    NONE = "none"  # no model at all: the banner says why and what to do
    LOADING = "loading"  # the first model is on its way
    READY = "ready"


class Notice(enum.Enum):
    """What the tab's message banner is about (decides when it goes away by itself)."""

    NO_MODEL = "no model"  # until a model is loaded
    TRANSLATION = "translation"  # a failed translation or completion: until the next one works
    OTHER = "other"  # the main window's messages: until the person closes them


class TranslateTab(QWidget):
    translate_requested = Signal(int, str, object)  # request id, text, core.model.decoding.DecodeConfig
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
        self.model_state = ModelState.NONE
        self.notice: Notice | None = None  # what the banner shows, None when it is hidden
        self.translation: Any = None
        self._note = ""  # appended to an error message (the paste that was not inserted)
        self.src_code = ""  # languages of the loaded model
        self.tgt_code = ""
        self._worker: Any = None  # the TranslationWorker the editable output talks to

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.translate_now)
        self.lang_hint = LanguageHint()
        self.lang_hint.swap_clicked.connect(self._swap_keeping_text)
        self.lang_hint.recheck.connect(self.check_language)

        self._build_layout(self._build_source_pane(), self._build_target_pane())
        self._add_shortcuts()

    def _build_source_pane(self) -> QHBoxLayout:
        """The source pane's widgets; returns its head row."""
        self.source_lang = QLabel("?")
        self.source_lang.setToolTip("Source language of the model")
        self.swap_button = QToolButton()
        self.swap_button.setText("⇄ Swap")
        self.swap_button.setToolTip(
            "Swap languages: load the reverse model and translate the translation back "
            "(Ctrl+Shift+S). Available when a reverse model exists."
        )
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
        return source_head

    def _build_target_pane(self) -> QHBoxLayout:
        """The target pane's widgets (the editable output, beam, copy); returns its head row."""
        self.target_lang = QLabel("?")
        self.target_lang.setToolTip("Target language of the model")
        self.busy = QLabel("")
        self.confidence = QLabel("")
        self.confidence.setToolTip("Model confidence: geometric mean of the output token probabilities")
        self.decoding = DecodeControls()
        self.decoding.changed.connect(self.translate_now)
        self.beam = self.decoding.beam
        self.copy_button = QToolButton()
        self.copy_button.setText("Copy")
        self.copy_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView))
        self.copy_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.copy_button.setToolTip("Copy the translation to the clipboard (Ctrl+Shift+C)")
        self.copy_button.clicked.connect(self.copy_translation)
        self.target = InteractiveEditor()
        self.target.decode = self.decoding.config
        self.target.retranslate_all_requested.connect(self.retranslate_all)
        self.target.failed.connect(lambda exc: self._notify(user_message(exc), Level.WARNING, Notice.TRANSLATION))
        self.reset_button = self.target.reset_button
        target_head = QHBoxLayout()
        for widget in (self.target_lang, self.busy):
            target_head.addWidget(widget)
        target_head.addStretch(1)
        for widget in (self.confidence, self.decoding, self.reset_button, self.copy_button):
            target_head.addWidget(widget)
        return target_head

    def _build_layout(self, source_head: QHBoxLayout, target_head: QHBoxLayout) -> None:
        """The panes side by side above the heat map, under the picker, banner and language bar."""
        self.panes = QSplitter(Qt.Orientation.Horizontal)
        for head, edit in ((source_head, self.source), (target_head, self.target)):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.addLayout(head)
            column.addWidget(edit)
            self.panes.addWidget(box)

        # heat map
        self.attention = AttentionPane(self.target.alignment)
        self.target.sentence_focused.connect(self.attention.follow_target)
        self.target.alignment_changed.connect(self.attention.alignment_changed)
        self.sentence, self.heatmap = self.attention.sentence, self.attention.heatmap
        self.heat_hint = self.attention.heat_hint

        self.vsplit = QSplitter(Qt.Orientation.Vertical)
        self.vsplit.addWidget(self.panes)
        self.vsplit.addWidget(self.attention)
        self.vsplit.setStretchFactor(0, 2)
        self.vsplit.setStretchFactor(1, 3)
        self.vsplit.setSizes([260, 420])

        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addWidget(self.banner)
        layout.addWidget(self.lang_hint)
        layout.addWidget(self.vsplit, 1)

    def _add_shortcuts(self) -> None:
        """Ctrl+Enter translates at once, Ctrl+Shift+C copies the translation, Ctrl+Shift+S swaps."""
        for keys, slot in (
            ("Ctrl+Return", self.translate_now),
            ("Ctrl+Enter", self.translate_now),
            ("Ctrl+Shift+C", self.copy_translation),
            ("Ctrl+Shift+S", self.swap_button.click),
        ):
            QShortcut(QKeySequence(keys), self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    # ---- messages ---------------------------------------------------------------------------
    @property
    def model_ready(self) -> bool:
        return self.model_state is ModelState.READY

    @property
    def detect_ms(self) -> float:
        """How long the last language check took."""
        return self.lang_hint.detect_ms

    def show_message(self, text: str, level: Level = Level.ERROR) -> None:
        """Show a message from outside the tab (the main window's); it stays until closed."""
        self._notify(text, level, Notice.OTHER)

    def _notify(self, text: str, level: Level, notice: Notice) -> None:
        self.notice = notice
        self.banner.show_message(text, level)

    def _clear_notice(self, notice: Notice) -> None:
        """Hide the banner if it still shows a message about ``notice``."""
        if self.notice is notice:
            self.notice = None
            self.banner.dismiss()

    def translation_text(self) -> str:
        """The translation as shown (edits included)."""
        return self.target.toPlainText()

    def set_source_text(self, text: str) -> None:
        self.source.setPlainText(text)

    def decode_config(self) -> DecodeConfig:
        """How to search: the beam set here and the other knobs of Decoding… (:mod:`.decode_settings`)."""
        return self.decoding.config()

    # ---- model -----------------------------------------------------------------------------
    def show_loading(self) -> None:
        """A model is being loaded; before the first one there is nothing to translate with yet."""
        if self.model_state is not ModelState.READY:
            self.model_state = ModelState.LOADING
            self.busy.setText("Loading model…")
            self.heatmap.clear("Loading model…")

    def set_model(self, info: Any) -> None:
        """A model is loaded: show its languages and translate what is in the source pane."""
        self.model_state = ModelState.READY
        if (str(info.src_lang or ""), str(info.tgt_lang or "")) != (self.src_code, self.tgt_code):
            self.target.clear_edits()  # other languages (a swap): edits of the old output do not carry over
        self.src_code, self.tgt_code = str(info.src_lang or ""), str(info.tgt_lang or "")
        self.source_lang.setText(f"<b>{language_name(info.src_lang)}</b>")
        self.target_lang.setText(f"<b>{language_name(info.tgt_lang)}</b>")
        self._clear_notice(Notice.NO_MODEL)
        self.lang_hint.reset()  # a new model: its languages decide afresh
        self.translate_now()

    def connect_worker(self, worker: Any) -> None:
        """Wire the editable output to a TranslationWorker (once)."""
        if self._worker is not worker:
            self._worker = worker
            self.target.connect_worker(worker)
            worker.failed.connect(self.on_worker_failed)

    def retranslate_all(self) -> None:
        """Drop every edit of the translation and translate the text again."""
        self.target.clear_edits()
        self.translate_now()

    def set_model_missing(self, message: str) -> None:
        """No model to translate with: the banner says why (until a model is loaded)."""
        self.model_state = ModelState.NONE
        self.busy.setText("")
        self._notify(message, Level.ERROR, Notice.NO_MODEL)
        self.heatmap.clear("No model loaded")
        self.lang_hint.clear()

    def set_reverse_available(self, available: bool) -> None:
        self.swap_button.setEnabled(available)
        self.lang_hint.set_can_swap(available)

    # ---- requests ----------------------------------------------------------------------------
    def _text_changed(self) -> None:
        self._debounce.start()
        count = self.source.document().characterCount() - 1
        self.char_count.setText(f"{count:,} characters" if count else "")
        self.lang_hint.preload()  # ready by the time the debounce fires (usually)
        if not count:
            self.lang_hint.reset()

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
        self.translate_requested.emit(self.latest_id, text, self.decode_config())
        self.check_language(text)

    # ---- language check ------------------------------------------------------------------------
    def check_language(self, text: str | None = None) -> None:
        """Show the language bar when the text is in the model's target language, hide it otherwise."""
        if text is None:
            text = self.source.toPlainText()
        if not self.model_ready:
            text = ""  # no model: nothing to compare the text with, no bar
        self.lang_hint.check(text, self.src_code, self.tgt_code)

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
        # until the reverse model is in (set_model resets it): the old model's languages would
        # otherwise bring the bar straight back for this very text
        self.lang_hint.dismissed = True

    def _oversized_paste(self, text: str) -> None:
        self._debounce.stop()
        self._next_id += 1
        self.latest_id = self._next_id
        self._note = f"The pasted text ({len(text):,} characters) was not inserted."
        if self.model_ready:
            self.translate_requested.emit(self.latest_id, text, self.decode_config())
        else:
            self._show_failure(self.latest_id, "The text is too long to translate at once.")

    def on_translation_ready(self, request_id: int, translation: Any) -> None:
        if request_id != self.latest_id:
            self.stale_results += 1
            return
        self.shown_id = request_id
        self.translation = translation
        self.busy.setText("")
        self._clear_notice(Notice.TRANSLATION)
        self.target.set_translation(translation)  # edited sentences stay as the person left them
        self.confidence.setText(f"Confidence {translation.confidence:.0%}")
        self.attention.set_translation(translation, self.source.toPlainText(), self.source.textCursor().position())
        self.translated.emit(translation)

    def on_worker_failed(self, failure: Failure) -> None:
        """The translation worker's one failure signal: each failure, in words (``user_message``), where it belongs."""
        if failure.step is Step.TRANSLATION:
            self.on_translation_failed(failure.request_id, failure.error)
        elif failure.step is Step.INTERACTIVE:
            self.target.on_failed(failure.request_id, failure.error)
        elif failure.step is Step.GLOSSARY:
            self.show_message(f"The glossary is not used: {user_message(failure.error)}", Level.WARNING)

    def on_translation_failed(self, request_id: int, error: BaseException) -> None:
        self._show_failure(request_id, user_message(error))

    def _show_failure(self, request_id: int, message: str) -> None:
        if request_id != self.latest_id:
            self.stale_results += 1
            return
        self.shown_id = request_id
        self.busy.setText("")
        if self._note:  # a refused paste: the text in the pane and its translation stay
            self._notify(f"{message} {self._note}", Level.WARNING, Notice.TRANSLATION)
            self._note = ""
            return
        self.translation = None
        self.target.clear()
        self.confidence.clear()
        self.attention.clear("No translation")
        self._notify(message, Level.WARNING, Notice.TRANSLATION)

    def _show_empty(self) -> None:
        self.translation = None
        self.busy.setText("")
        self.target.clear()
        self.confidence.clear()
        self.attention.clear("No translation yet")
        self.lang_hint.clear()
        self._clear_notice(Notice.TRANSLATION)

    def copy_translation(self) -> None:
        QApplication.clipboard().setText(self.target.accepted_text())

    def _cursor_moved(self) -> None:
        self.attention.follow_source(self.source.textCursor().position())

    # ---- settings ------------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        self.decoding.save(settings)
        settings.setValue("translate/panes", self.panes.saveState())
        settings.setValue("translate/vsplit", self.vsplit.saveState())

    def restore_settings(self, settings: QSettings) -> None:
        self.decoding.restore(settings)
        for key, splitter in (("translate/panes", self.panes), ("translate/vsplit", self.vsplit)):
            state = settings.value(key)
            if state is not None:
                splitter.restoreState(state)
