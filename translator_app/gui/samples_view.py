"""Sample translations from the latest validation, each with its attention heat map."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QListWidget, QScrollArea, QVBoxLayout, QWidget

from translator_app.gui.alignment_words import readable_alignment
from translator_app.gui.heatmap import HeatMap


class SamplesView(QGroupBox):
    def __init__(self, parent: QWidget | None = None):
        super().__init__("Sample translations (latest validation)", parent)
        self.list = QListWidget()
        self.list.setToolTip(
            "Validation sentences translated by the model being trained; pick one to see its attention"
        )
        self.list.setMaximumWidth(260)
        self.list.currentRowChanged.connect(self._show)
        self.detail = QLabel("Samples appear after the first validation.")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heatmap = HeatMap()
        self.heatmap.clear("Attention of the selected sample")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.heatmap)
        right = QVBoxLayout()
        right.addWidget(self.detail)
        right.addWidget(scroll, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list)
        layout.addLayout(right, 1)
        self._samples: tuple[Any, ...] = ()

    def set_samples(self, samples: Sequence[Any], step: int) -> None:
        row = max(self.list.currentRow(), 0)
        self._samples = tuple(samples)
        self.setTitle(f"Sample translations (validation at step {step:,})")
        self.list.blockSignals(True)
        self.list.clear()
        for s in self._samples:
            self.list.addItem(s.source)
        self.list.blockSignals(False)
        if self._samples:
            self.list.setCurrentRow(min(row, len(self._samples) - 1))
            self._show(self.list.currentRow())

    def samples(self) -> tuple[Any, ...]:
        return self._samples

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self._samples):
            return
        s = self._samples[row]
        self.detail.setText(
            f"<b>Source:</b> {html.escape(s.source)}<br><b>Reference:</b> "
            f"{html.escape(s.reference)}<br><b>Model:</b> {html.escape(s.hypothesis)}"
        )
        self.heatmap.set_alignment(*readable_alignment(s.source_tokens, s.target_tokens, s.attention)[:3])
