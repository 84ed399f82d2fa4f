"""The Translate tab's "this looks like <target language>" bar.

With every request the tab has the bar check the language of its text (``core.text.langid``, a fraction
of a millisecond once its model is loaded; the model loads in a background thread on the first
keystroke, :meth:`LanguageHint.preload`, and the check is retried until it is in): text that is
confidently in the model's *target* language gets a non-modal bar, "This looks like Spanish.
Translate Spanish → English instead?", whose Swap button asks for the reverse model, or, without a
reverse model, says that none is installed. Its × hides the bar until :meth:`LanguageHint.reset`
(the model changes or the text is cleared).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from translator_app.core.text import langid
from translator_app.gui.widgets import Level, MessageBanner

LANGID_RETRY_MS = 150  # while the language model is still loading


class LanguageHint(MessageBanner):
    """A message banner with an optional Swap button, and the language check that raises it."""

    swap_clicked = Signal()
    recheck = Signal()  # the language model was still loading: check the (current) text again

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.close_button.setToolTip("Dismiss (until the model changes or the text is cleared)")
        self.swap_button = QPushButton("Swap")
        self.swap_button.setToolTip("Load the reverse model and translate this text with it")
        self.swap_button.clicked.connect(self.swap_clicked)
        self.add_action(self.swap_button)
        self.language = ""  # the detected language the bar is about, "" when hidden
        self.dismissed = False  # closed by the person (or a swap is under way): no bar until reset()
        self.can_swap = False  # a reverse model is installed
        self.detect_ms = 0.0  # how long the last language check took
        self._source = ""  # the model's source language the bar speaks of
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(LANGID_RETRY_MS)
        self._retry.timeout.connect(self.recheck)

    @staticmethod
    def preload() -> None:
        """Start loading the language model in the background (ready by the time it is needed, usually)."""
        if not langid.is_loaded():
            langid.preload(background=True)

    def check(self, text: str, src: str, tgt: str) -> None:
        """Show the bar when ``text`` is in ``tgt``, the target language of a ``src`` → ``tgt``
        model; hide it otherwise ("" for text: nothing to check)."""
        self._retry.stop()
        if self.dismissed or not text.strip():
            self.clear()
            return
        if not langid.is_loaded():  # loading in the background: never block typing for it
            if langid.load_failed() is None:  # (a failed load means no bar, never an error)
                langid.preload(background=True)
                self._retry.start()
            return
        start = time.perf_counter()
        try:
            found = langid.looks_like_target(text, src, tgt)
        except Exception:  # noqa: BLE001 - advice only: a failing check never disturbs translating
            found = None
        self.detect_ms = (time.perf_counter() - start) * 1000
        if found is None:
            self.clear()
        else:
            self._source = src
            self._offer(found[0])

    def set_can_swap(self, available: bool) -> None:
        if available != self.can_swap:
            self.can_swap = available
            if self.language:  # the bar is up: offer (or stop offering) the swap
                self._offer(self.language)

    def _offer(self, language: str) -> None:
        looks, model_src = langid.name(language), langid.name(self._source)
        if self.can_swap:
            text = f"This looks like {looks}. Translate {looks} → {model_src} instead?"
        else:
            text = (
                f"This looks like {looks}, but this model translates {model_src} → {looks}, and no "
                f"{looks} → {model_src} model is installed (train one in the Training tab)."
            )
        self.language = language
        self.swap_button.setVisible(self.can_swap)
        self.show_message(text, Level.INFO)

    def reset(self) -> None:
        """A new model or an empty text: the languages decide afresh (a dismissal no longer holds)."""
        self.dismissed = False
        self.clear()

    def clear(self) -> None:
        """Hide the bar without counting it as dismissed by the person."""
        self.language = ""
        self.hide()

    def dismiss(self) -> None:
        """The person closed the bar (its × button)."""
        self.language = ""
        super().dismiss()
        self.dismissed = True
