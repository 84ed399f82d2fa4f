"""The translation memory in the Translate tab: corrections are stored, matches are shown.

:class:`MemoryFeature` (made by the main window) points the workers at the memories' folder (so
every loaded model uses its pair's memory: exact matches replace the model's output, tinted in
the pane), stores a sentence the person edited when the cursor leaves it (and any sentence they
confirm with Ctrl+Shift+Return or the hint's button), shows the focused sentence's memory match
under the translation (:class:`MemoryHint`: a fuzzy match with its differing words highlighted,
"Use it" and "Keep the unchanged part", which lets the model complete the kept start), adds the
Memory menu, and starts an adaptation in the background once enough new entries have gathered.
Memory writes are single-row SQLite commits (WAL), made in the GUI thread.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from translator_app import paths
from translator_app.core.adapt import adaptation
from translator_app.core.adapt.memory import TranslationMemory, diff_words, kept_prefix
from translator_app.gui.errors import user_message
from translator_app.gui.memory_window import MINUTES_KEY, THREADS_KEY, THRESHOLD_KEY, MemoryWindow
from translator_app.workers import memory as worker_memory
from translator_app.workers.adaptation import AdaptationProcess

logger = logging.getLogger(__name__)
CHANGED_STYLE = "background:#ffd8a8"


def highlighted(runs: list[tuple[str, bool]]) -> str:
    return "".join(
        f'<span style="{CHANGED_STYLE}">{html.escape(t)}</span>' if changed else html.escape(t) for t, changed in runs
    )


class MemoryHint(QWidget):
    """One line under the translation: the focused sentence's memory match and what to do with it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.use_button = QPushButton("Use it")
        self.use_button.setToolTip("Replace the sentence with the memory's translation")
        self.keep_button = QPushButton("Keep the unchanged part")
        self.keep_button.setToolTip("Keep the start of the memory's translation; the model completes the rest")
        self.confirm_button = QPushButton("Confirm")
        self.confirm_button.setToolTip("Store this sentence as it is in your translation memory (Ctrl+Shift+Return)")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        for button in (self.use_button, self.keep_button, self.confirm_button):
            row.addWidget(button)
        self.show_match(None, "")

    def show_match(self, match: Any, source: str, origin: str = "model") -> None:
        fuzzy = match is not None and not match.exact
        self.use_button.setVisible(fuzzy)
        self.keep_button.setVisible(fuzzy)
        if match is None:
            self.label.setText("")
        elif origin == "memory":
            self.label.setText("<i>From your translation memory (exact match)</i>")
        elif match.exact:
            self.label.setText("<i>In your translation memory (your edit is shown)</i>")
        else:
            new, old = diff_words(source, match.source)
            self.label.setText(
                f"<b>Memory {match.similarity:.0f} %:</b> {highlighted(old)} → {html.escape(match.target)}"
            )
            self.label.setToolTip(f"This sentence: {highlighted(new)}")


class MemoryFeature(QObject):
    """The memory's side of the main window (see the module doc)."""

    def __init__(self, window: Any, folder: str | None = None):
        super().__init__(window)
        self.window = window
        self.folder = str(folder or paths.memory_dir())
        worker_memory.set_folder(self.folder)
        self.memory: TranslationMemory | None = None
        self.tab = window.translate_tab
        self.editor = self.tab.target
        self.hint = MemoryHint()
        self.editor.parentWidget().layout().addWidget(self.hint)
        self.focused = -1
        self.adapter = AdaptationProcess(self)
        self.adapter.done.connect(self._adapted)
        self.adapter.errored.connect(window.errors.to(lambda text: window.statusBar().showMessage(text, 10000)))
        self.adapter.status.connect(lambda text: window.statusBar().showMessage(f"Adaptation: {text}", 5000))
        window.model_changed.connect(self._model_changed)
        self.editor.sentence_focused.connect(self._focused)
        self.tab.translated.connect(lambda _t: self._show(self.focused))
        self.hint.use_button.clicked.connect(self.use_match)
        self.hint.keep_button.clicked.connect(self.keep_unchanged)
        self.hint.confirm_button.clicked.connect(self.confirm)
        confirm = QAction("Confirm sentence", self.editor)
        confirm.setShortcut(QKeySequence("Ctrl+Shift+Return"))
        confirm.triggered.connect(self.confirm)
        self.editor.addAction(confirm)
        self._menu(window)

    def _menu(self, window: Any) -> None:
        bar = window.menuBar()
        menu = bar.addMenu("&Memory")
        if len(bar.actions()) > 1:  # before Help
            bar.insertMenu(bar.actions()[-2], menu)
        for text, slot, key in (
            ("Translation &memory…", self.open_window, "Ctrl+M"),
            ("&Save edited sentences", self.save_edits, "Ctrl+Shift+M"),
            ("&Adapt the model now", lambda: self.adapt(force=True), None),
        ):
            act = menu.addAction(text)
            act.triggered.connect(slot)
            if key:
                act.setShortcut(QKeySequence(key))
        self.menu = menu

    # ---- the memory of the model's pair ----------------------------------------------------------
    def _model_changed(self, info: Any) -> None:
        self.memory = None
        if info is not None and info.src_lang and info.tgt_lang:
            try:
                self.memory = TranslationMemory.open(self.folder, info.src_lang, info.tgt_lang)
            except ValueError as exc:
                logger.warning("No translation memory: %s", exc)
        self.focused = -1
        self._show(-1)

    def _sentence(self, index: int) -> Any:
        sentences = getattr(self.tab.translation, "sentences", ()) or ()
        return sentences[index] if 0 <= index < len(sentences) else None

    def _show(self, index: int) -> None:
        sent = self._sentence(index)
        if sent is None:
            self.hint.show_match(None, "")
            return
        self.hint.show_match(getattr(sent, "match", None), sent.source, getattr(sent, "origin", "model"))

    def _focused(self, index: int) -> None:
        previous, self.focused = self.focused, index
        if 0 <= previous < len(self.editor.segments):
            seg = self.editor.segments[previous]
            if seg.edited and not seg.stale:
                self.record(previous, "edit")
        self._show(index)

    # ---- storing ------------------------------------------------------------------------------------
    def record(self, index: int, origin: str) -> bool:
        """Store sentence ``index`` as shown in the pane (its source and the accepted text)."""
        if self.memory is None or not 0 <= index < len(self.editor.segments):
            return False
        seg = self.editor.segments[index]
        target = self.editor.segment_text(index).strip()
        if not target or not seg.source.strip():
            return False
        model = str(getattr(self.window.model_info, "name", "") or "")
        try:
            self.memory.add(seg.source, target, origin=origin, model=model)
        except ValueError as exc:
            self.window.statusBar().showMessage(user_message(exc), 8000)
            return False
        self.window.statusBar().showMessage(f"Stored in your translation memory: {target}", 4000)
        self.adapt()
        return True

    def confirm(self) -> None:
        index = self.editor.segment_at(self.editor.textCursor().position())
        if index is not None:
            self.record(index, "edit" if self.editor.segments[index].edited else "confirm")

    def save_edits(self) -> int:
        return sum(self.record(i, "edit") for i, seg in enumerate(self.editor.segments) if seg.edited and not seg.stale)

    # ---- fuzzy matches ---------------------------------------------------------------------------
    def _replace_sentence(self, index: int, text: str) -> None:
        seg = self.editor.segments[index]
        self.editor.dismiss_suggestion()
        self.editor._replace(index, seg.start, seg.end, text)
        self.editor._place(seg.start + len(text))
        self.editor._changed(index)

    def use_match(self) -> None:
        sent = self._sentence(self.focused)
        if sent is not None and sent.match is not None:
            self._replace_sentence(self.focused, sent.match.target)

    def keep_unchanged(self) -> None:
        sent = self._sentence(self.focused)
        if sent is None or sent.match is None:
            return
        self._replace_sentence(self.focused, kept_prefix(sent.source, sent.match))
        self.editor.setFocus()
        self.editor.request_completion()  # the model continues the kept start (prefix-constrained)

    # ---- adaptation -----------------------------------------------------------------------------------
    def adapt(self, force: bool = False) -> bool:
        settings = QSettings()
        threshold = int(settings.value(THRESHOLD_KEY, adaptation.DEFAULT_THRESHOLD))
        if self.memory is None or self.adapter.running:
            return False
        if not force and not adaptation.due(self.memory, threshold):
            return False
        minutes = float(settings.value(MINUTES_KEY, adaptation.DEFAULT_MINUTES))
        threads = int(settings.value(THREADS_KEY, adaptation.DEFAULT_THREADS))
        return self.adapter.start(self.memory.src_lang, self.memory.tgt_lang, minutes, threads)

    def _adapted(self, version: adaptation.Version) -> None:
        answer = QMessageBox.question(
            self.window,
            "A new version of your model",
            f"{version.summary()}.\n\nSwitch to version {version.number}? (You can roll back in Memory ▸ "
            "Translation memory.)",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.use_version(version.number)
        else:
            self.window.refresh_models()

    def use_version(self, number: int) -> None:
        if self.memory is None:
            return
        try:
            folder = adaptation.use_version(self.memory, number)
        except ValueError as exc:
            QMessageBox.warning(self.window, "Version", user_message(exc))
            return
        path = str(folder) if folder else self._root_path()
        if path:
            self.window.refresh_models(select=path)
            self.window.load_model(path)

    def _root_path(self) -> str:
        pair = (self.memory.src_lang, self.memory.tgt_lang)
        for entry in self.window.listing.entries:
            if entry.bundled and (entry.src_lang, entry.tgt_lang) == pair:
                return str(entry.path)
        return ""

    def open_window(self) -> None:

        if self.memory is None:
            QMessageBox.information(self.window, "Translation memory", "Load a model first: each pair has its memory.")
            return
        self.dialog = MemoryWindow(self.memory, self, self.window)
        self.dialog.show()
