"""The Translate tab's lower pane: a sentence chooser and the attention heat map of that sentence.

The chooser follows the cursor, in the source (by the sentence starts, :meth:`AttentionPane.follow_source`)
or in the translation (:meth:`AttentionPane.follow_target`). The heat map shows the alignment of
the text as shown: the machine's, or, for an edited sentence, the one the editor reports (that of
the accepted completion; none when the sentence's source changed since).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from translator_app.gui.alignment_words import readable_alignment
from translator_app.gui.heatmap import HeatMap

HEAT_HINT = "Rows: words of the translation · columns: words of the source · hover for weights"
COPY_HINT = " · copy: how likely each word was copied from the source rather than translated"


class AttentionPane(QWidget):
    def __init__(self, alignment: Callable[[int], tuple | None], parent: QWidget | None = None):
        """``alignment(index)``: the alignment of sentence ``index`` as shown (source tokens, target
        tokens, attention, copy probabilities; no attention when there is none), or None (then the
        translation's own is shown)."""
        super().__init__(parent)
        self._alignment = alignment
        self.translation: Any = None  # the Translation whose sentences are offered
        self._starts: list[int] = []
        self.sentence = QComboBox()
        self.sentence.setToolTip("The sentence whose attention is shown (follows the cursor in the source)")
        self.sentence.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sentence.setMinimumContentsLength(12)
        self.sentence.currentIndexChanged.connect(self.show_sentence)
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
        heat_column = QVBoxLayout(self)
        heat_column.setContentsMargins(0, 0, 0, 0)
        heat_column.addLayout(heat_head)
        heat_column.addWidget(scroll)

    def set_translation(self, translation: Any, source_text: str, position: int) -> None:
        """Offer the sentences of ``translation`` (of ``source_text``); the one at ``position`` is shown."""
        self.translation = translation
        self._starts = self._sentence_starts(source_text, translation.sentences)
        with QSignalBlocker(self.sentence):
            self.sentence.clear()
            for i, s in enumerate(translation.sentences, 1):
                short = s.source if len(s.source) <= 60 else s.source[:57] + "…"
                self.sentence.addItem(f"{i}: {short}")
            self.sentence.setEnabled(len(translation.sentences) > 1)
            self.sentence.setCurrentIndex(self._sentence_at(position))
        self.show_sentence(self.sentence.currentIndex())

    def clear(self, message: str) -> None:
        """No translation: no sentences, and ``message`` in place of the heat map."""
        self.translation = None
        self.sentence.clear()
        self.heatmap.clear(message)

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

    def follow_source(self, position: int) -> None:
        """The source pane's cursor moved to ``position``."""
        if self.translation is not None and len(self._starts) > 1:
            self.sentence.setCurrentIndex(self._sentence_at(position))

    def follow_target(self, index: int) -> None:
        """The translation's cursor is in sentence ``index``."""
        if self.translation is not None and 0 <= index < self.sentence.count():
            self.sentence.setCurrentIndex(index)

    def alignment_changed(self, index: int) -> None:
        if index == self.sentence.currentIndex():
            self.show_sentence(index)

    def show_sentence(self, index: int) -> None:
        if self.translation is None or not 0 <= index < len(self.translation.sentences):
            if self.translation is not None:
                self.heatmap.clear("Nothing to show")
            return
        s = self.translation.sentences[index]
        # the shown text's alignment: the machine's, or that of the accepted completion
        source_tokens, target_tokens, attention, copy_probs = self._alignment(index) or (
            s.source_tokens,
            s.target_tokens,
            s.attention,
            getattr(s, "copy_probs", None),
        )
        if attention is None:
            self.heatmap.clear("Edited: its source changed (Tab in the sentence re-aligns it)")
            return
        if copy_probs is not None and np.size(copy_probs) != len(target_tokens):
            copy_probs = None  # never let a malformed extra hide the attention itself
        # the words a person reads: pieces merged, ⟦1⟧ as the text it stands for, no ▁ and no </s>
        words = readable_alignment(source_tokens, target_tokens, attention, copy_probs, getattr(s, "placeholders", ()))
        self.heatmap.set_alignment(*words[:3], copy_probs=words[3])
        self.heat_hint.setText(HEAT_HINT + (COPY_HINT if copy_probs is not None else ""))
