"""Memory ▸ Translation memory…: list, search, edit and delete the entries of the model's pair;
import (TMX, TSV, PO, XLIFF) and export (TMX); and the versions of the adapted model: compare
them (held-back memory and general scores), switch or roll back, adapt now, and the settings of
the background adaptation (after how many new entries, for how long, on how many threads)."""

from __future__ import annotations

import datetime
from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from translator_app.core.adapt import adaptation, memory_io
from translator_app.core.adapt.memory import TranslationMemory
from translator_app.gui.errors import user_message

# the adaptation settings this dialog edits and the memory feature (gui/memory_pane.py) reads
THRESHOLD_KEY, MINUTES_KEY, THREADS_KEY = "memory/adapt_threshold", "memory/adapt_minutes", "memory/adapt_threads"
COLUMNS = ("Source", "Translation", "Origin", "Changed")
LIMIT = 2000  # rows shown at once (search narrows them)


class MemoryWindow(QDialog):
    def __init__(self, memory: TranslationMemory, feature: Any = None, parent=None):
        super().__init__(parent)
        self.memory, self.feature = memory, feature
        self.setWindowTitle(f"Translation memory ({memory.src_lang} → {memory.tgt_lang})")
        self.resize(900, 600)
        self.search = QLineEdit(placeholderText="Search both sides…")
        self.search.textChanged.connect(self.refresh)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setColumnWidth(0, 340)
        self.table.setColumnWidth(1, 340)
        self.table.itemChanged.connect(self._edited)
        self.count = QLabel()
        buttons = QHBoxLayout()
        for text, slot in (
            ("Delete", self.delete_selected),
            ("Import…", self.ask_import),
            ("Export TMX…", self.ask_export),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.count)

        self.versions = QListWidget()
        self.versions.setToolTip("Your model's versions; * marks the one in use")
        use = QPushButton("Use this version")
        use.setToolTip("Switch to the selected version (an older one: roll back)")
        use.clicked.connect(self.use_selected)
        adapt = QPushButton("Adapt now")
        adapt.setToolTip("Fine-tune a new version on the memory in the background")
        adapt.clicked.connect(self.adapt_now)
        settings = QSettings()
        self.threshold = QSpinBox(minimum=0, maximum=100000, suffix=" new entries")
        self.threshold.setSpecialValueText("never by itself")
        self.threshold.setValue(int(settings.value(THRESHOLD_KEY, adaptation.DEFAULT_THRESHOLD)))
        self.minutes = QDoubleSpinBox(minimum=0.2, maximum=120, decimals=1, suffix=" min")
        self.minutes.setValue(float(settings.value(MINUTES_KEY, adaptation.DEFAULT_MINUTES)))
        self.threads = QSpinBox(minimum=1, maximum=64, suffix=" threads")
        self.threads.setValue(int(settings.value(THREADS_KEY, adaptation.DEFAULT_THREADS)))
        for box, key in ((self.threshold, THRESHOLD_KEY), (self.minutes, MINUTES_KEY), (self.threads, THREADS_KEY)):
            box.valueChanged.connect(lambda value, key=key: QSettings().setValue(key, value))
        adapt_row = QHBoxLayout()
        for widget in (QLabel("Adapt after"), self.threshold, QLabel("for"), self.minutes, QLabel("on"), self.threads):
            adapt_row.addWidget(widget)
        adapt_row.addStretch(1)
        adapt_row.addWidget(use)
        adapt_row.addWidget(adapt)

        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 3)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("<b>Versions of your model</b>"))
        layout.addWidget(self.versions, 1)
        layout.addLayout(adapt_row)
        self.refresh()

    # ---- entries -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        entries = self.memory.entries(self.search.text().strip(), LIMIT)
        self.table.blockSignals(True)
        self.table.setRowCount(len(entries))
        for row, e in enumerate(entries):
            changed = datetime.datetime.fromtimestamp(e.updated).strftime("%Y-%m-%d %H:%M")
            for col, text in enumerate((e.source, e.target, e.origin, changed)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, e.id)
                if col >= 2:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        self.count.setText(f"{len(self.memory):,} entries, {adaptation.pending(self.memory):,} new since adapting")
        self._refresh_versions()

    def _edited(self, item: QTableWidgetItem) -> None:
        row = item.row()
        entry_id = item.data(Qt.ItemDataRole.UserRole)
        try:
            self.memory.update(entry_id, self.table.item(row, 0).text(), self.table.item(row, 1).text())
        except ValueError as exc:
            QMessageBox.warning(self, "Translation memory", user_message(exc))
            self.refresh()

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        return [self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]

    def delete_selected(self) -> None:
        for entry_id in self.selected_ids():
            self.memory.delete(entry_id)
        self.refresh()

    def ask_import(self, path: str = "") -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import into the memory", "", "Memories (*.tmx *.tsv *.po *.xlf *.xliff)"
            )
        if not path:
            return
        try:
            result = memory_io.import_file(self.memory.path.parent, path, self.memory.src_lang, self.memory.tgt_lang)
        except ValueError as exc:
            QMessageBox.warning(self, "Import", user_message(exc))
            return
        self.refresh()
        QMessageBox.information(self, "Import", f"{result.added:,} entries imported ({result.report.summary()})")

    def ask_export(self, path: str = "") -> None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export the memory", f"{self.memory.pair}.tmx", "TMX (*.tmx)")
        if path:
            try:
                memory_io.export_tmx(self.memory, path)
            except (OSError, ValueError) as exc:
                QMessageBox.warning(self, "Export", user_message(exc))

    # ---- versions ------------------------------------------------------------------------------------------
    def _refresh_versions(self) -> None:
        current = adaptation.current_version(self.memory)
        self.versions.clear()
        item = QListWidgetItem(f"{'* ' if current == 0 else '  '}0: the original model")
        item.setData(Qt.ItemDataRole.UserRole, 0)
        self.versions.addItem(item)
        for v in adaptation.versions(self.memory):
            item = QListWidgetItem(f"{'* ' if current == v.number else '  '}{v.summary()}")
            item.setData(Qt.ItemDataRole.UserRole, v.number)
            item.setToolTip(v.path)
            self.versions.addItem(item)

    def use_selected(self) -> None:
        item = self.versions.currentItem()
        if item is not None and self.feature is not None:
            self.feature.use_version(int(item.data(Qt.ItemDataRole.UserRole)))
        self._refresh_versions()

    def adapt_now(self) -> None:
        if self.feature is not None and not self.feature.adapt(force=True):
            QMessageBox.information(self, "Adapt", "An adaptation is already running.")
