"""Model picker: a combo box of the store's models with import, export and delete buttons.

The picker only asks (signals); the main window does the work in a background thread and
calls :meth:`ModelPicker.set_entries` with the new list.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QStyle,
    QToolButton,
    QWidget,
)

from translator_app.core.library.store import ModelEntry


class ModelPicker(QWidget):
    model_chosen = Signal(str)  # path
    import_requested = Signal(str)  # a .zip file or a folder
    export_requested = Signal(str, str)  # model path, zip path
    delete_requested = Signal(str)  # model path

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._entries: list[ModelEntry] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel("&Model:")
        self.combo = QComboBox()
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.combo.setMinimumContentsLength(14)
        self.combo.setToolTip("The translation model: the bundled default and your trained or imported models")
        label.setBuddy(self.combo)
        self.combo.activated.connect(self._activated)
        style = self.style()
        self.import_button = self._button(
            "Import…",
            style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton),
            "Import a model bundle from a .zip file or a folder (Ctrl+I)",
        )
        menu = QMenu(self.import_button)
        menu.addAction("From a .zip file…", self.ask_import_zip)
        menu.addAction("From a folder…", self.ask_import_folder)
        self.import_button.setMenu(menu)
        self.import_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.import_button.clicked.connect(self.ask_import_zip)
        self.export_button = self._button(
            "Export…",
            style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton),
            "Export the selected model as a .zip bundle (Ctrl+E)",
        )
        self.export_button.clicked.connect(self.ask_export)
        self.delete_button = self._button(
            "Delete",
            style.standardIcon(QStyle.StandardPixmap.SP_TrashIcon),
            "Delete the selected model (only your own models)",
        )
        self.delete_button.clicked.connect(self.ask_delete)
        layout.addWidget(label)
        layout.addWidget(self.combo, 1)
        for button in (self.import_button, self.export_button, self.delete_button):
            layout.addWidget(button)
        self._update_buttons()

    def _button(self, text: str, icon, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setIcon(icon)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    # ---- contents ----------------------------------------------------------------------------
    def set_entries(self, entries: Sequence[ModelEntry], current: str | None = None) -> None:
        current = current if current is not None else self.current_path()
        self._entries = list(entries)
        with QSignalBlocker(self.combo):
            self.combo.clear()
            for entry in self._entries:
                self.combo.addItem(entry.label, str(entry.path))
                self.combo.setItemData(self.combo.count() - 1, entry.describe(), Qt.ItemDataRole.ToolTipRole)
            if not self._entries:
                self.combo.addItem("No model: train one or import one", "")
            index = self.combo.findData(current) if current else -1
            self.combo.setCurrentIndex(max(index, 0))
        self._update_buttons()

    def entries(self) -> list[ModelEntry]:
        return list(self._entries)

    def current_path(self) -> str:
        return str(self.combo.currentData() or "")

    def current_entry(self) -> ModelEntry | None:
        path = self.current_path()
        return next((e for e in self._entries if str(e.path) == path), None)

    def select(self, path: str) -> None:
        index = self.combo.findData(str(path))
        if index >= 0:
            with QSignalBlocker(self.combo):
                self.combo.setCurrentIndex(index)
        self._update_buttons()

    def _activated(self, index: int) -> None:
        self._update_buttons()
        path = self.combo.itemData(index)
        if path:
            self.model_chosen.emit(str(path))

    def _update_buttons(self) -> None:
        entry = self.current_entry()
        self.export_button.setEnabled(entry is not None)
        self.delete_button.setEnabled(entry is not None and not entry.bundled)

    # ---- dialogs -------------------------------------------------------------------------------
    def ask_import_zip(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a model bundle", str(Path.home()), "Model bundles (*.zip);;All files (*)"
        )
        if path:
            self.import_requested.emit(path)

    def ask_import_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Import a model folder", str(Path.home()))
        if path:
            self.import_requested.emit(path)

    def ask_export(self) -> None:
        entry = self.current_entry()
        if entry is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the model", str(Path.home() / f"{entry.name}.zip"), "Model bundles (*.zip)"
        )
        if path:
            if not path.lower().endswith(".zip"):
                path += ".zip"
            self.export_requested.emit(str(entry.path), path)

    def ask_delete(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.bundled:
            return
        answer = QMessageBox.question(
            self, "Delete model", f"Delete the model “{entry.name}” and its training files?\n{entry.path}"
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_requested.emit(str(entry.path))
