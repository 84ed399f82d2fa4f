"""Corpus chooser (file dialog or drag and drop) and the preview of what training will read."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from translator_app.gui.widgets import Level, MessageBanner, language_name

# The formats read_corpus dispatches to core.text.formats (the gui does not import the core): file
# suffix -> what the preview's line count counts. tests/core/test_formats.py checks they agree.
BILINGUAL = {
    ".tmx": "translation units",
    ".xlf": "segments",
    ".xliff": "segments",
    ".po": "messages",
    ".pot": "messages",
    ".mo": "messages",
}
FILTER = (
    "Parallel corpora (*.tsv *.txt *.tab *.csv *.tmx *.xlf *.xliff *.po *.pot *.mo *.*);;"
    "TSV or line-aligned text (*.tsv *.txt *.tab *.csv);;TMX translation memory (*.tmx);;"
    "XLIFF 1.2 / 2.0 (*.xlf *.xliff);;gettext catalogues (*.po *.pot *.mo);;All files (*)"
)


def _sentence(note: str) -> str:
    """A report note as a line of the summary: 'the TMX has 3 languages …' -> 'The TMX has 3 languages ….'"""
    note = note.strip()
    return note[:1].upper() + note[1:] + ("" if note.endswith((".", "!", "?")) else ".")


def local_files(mime) -> list[str]:
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and Path(url.toLocalFile()).is_file()]


class CorpusPanel(QGroupBox):
    """Emits ``corpus_changed(path, target_path)`` whenever the chosen files change."""

    corpus_changed = Signal(str, str)
    preview_shown = Signal()  # the preview (``self.preview``) changed: shown, failed or being read

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Corpus", parent)
        self.setAcceptDrops(True)
        self.setToolTip(
            "Drop one TSV file (source<TAB>target per line), a TMX, XLIFF, PO or MO file, "
            "or two line-aligned text files"
        )
        self.path = QLineEdit()
        self.path.setPlaceholderText("TSV, TMX, XLIFF, PO or MO file, or drop one")
        self.path.setToolTip("The parallel corpus. Drag and drop a file onto this box to choose it.")
        self.path.editingFinished.connect(self._edited)
        self.target = QLineEdit()
        self.target.setPlaceholderText("Optional: target side, line-aligned")
        self.target.setToolTip(
            "Leave empty for a TSV, TMX, XLIFF, PO or MO file; set it when source and target are two files"
        )
        self.target.editingFinished.connect(self._edited)
        folder = self.style().standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon)
        browse = QToolButton()
        browse.setIcon(folder)
        browse.setToolTip("Choose the corpus file (Ctrl+O)")
        browse.clicked.connect(self.ask_corpus)
        browse_target = QToolButton()
        browse_target.setIcon(folder)
        browse_target.setToolTip("Choose the target-language file of a two-file corpus")
        browse_target.clicked.connect(self.ask_target)
        clear_target = QToolButton()
        clear_target.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_LineEditClearButton))
        clear_target.setToolTip("No target file: the corpus is a single TSV file")
        clear_target.clicked.connect(lambda: self.set_paths(self.path.text(), ""))
        grid = QGridLayout()
        grid.addWidget(QLabel("Corpus:"), 0, 0)
        grid.addWidget(self.path, 0, 1)
        grid.addWidget(browse, 0, 2)
        grid.addWidget(QLabel("Target file:"), 1, 0)
        grid.addWidget(self.target, 1, 1)
        grid.addWidget(browse_target, 1, 2)
        grid.addWidget(clear_target, 1, 3)

        self.banner = MessageBanner()
        self.summary = QLabel("No corpus chosen yet.")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.samples = QTableWidget(0, 2)
        self.samples.setHorizontalHeaderLabels(["Source", "Target"])
        self.samples.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.samples.verticalHeader().hide()
        self.samples.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.samples.setWordWrap(False)
        self.samples.setMinimumHeight(90)
        self.samples.setToolTip("Sample pairs spread over the corpus")
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addWidget(self.samples, 1)
        self.preview: Any = None

    # ---- choosing --------------------------------------------------------------------------
    def paths(self) -> tuple[str, str]:
        return self.path.text().strip(), self.target.text().strip()

    def set_paths(self, path: str, target: str = "") -> None:
        self.path.setText(path)
        self.target.setText(target)
        self._edited()

    def _edited(self) -> None:
        path, target = self.paths()
        if path:
            self.corpus_changed.emit(path, target)

    def ask_corpus(self) -> None:
        start = str(Path(self.paths()[0]).parent) if self.paths()[0] else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Choose a parallel corpus", start, FILTER)
        if path:
            self.set_paths(path, self.paths()[1])

    def ask_target(self) -> None:
        start = str(Path(self.paths()[0]).parent) if self.paths()[0] else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Choose the target-language file", start, FILTER)
        if path:
            self.set_paths(self.paths()[0], path)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - a Qt override keeps its camelCase name
        if local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    dragMoveEvent = dragEnterEvent

    def dropEvent(self, event) -> None:  # noqa: N802 - a Qt override keeps its camelCase name
        files = local_files(event.mimeData())
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        one_file = len(files) == 1 or Path(files[0]).suffix.lower() in BILINGUAL  # holds both languages
        self.set_paths(files[0], "" if one_file else files[1])

    # ---- preview ---------------------------------------------------------------------------
    def show_loading(self) -> None:
        self.banner.dismiss()
        self.summary.setText("Reading the corpus…")
        self.samples.setRowCount(0)
        self.preview_shown.emit()

    def show_error(self, message: str) -> None:
        self.preview = None
        self.summary.setText("This corpus cannot be used.")
        self.samples.setRowCount(0)
        self.banner.show_message(message, Level.ERROR)
        self.preview_shown.emit()

    def show_preview(self, p: Any) -> None:
        self.preview = p
        self.banner.dismiss()
        langs = (
            f"{language_name(p.src_lang)} → {language_name(p.tgt_lang)}"
            if p.src_lang
            else f"languages unknown (name the file like corpus.en-es{Path(p.path).suffix.lower() or '.tsv'})"
        )
        skipped = sum(p.skipped.values())
        counted = BILINGUAL.get(Path(p.path).suffix.lower(), "lines")
        lines = [f"<b>{p.pairs:,}</b> usable pairs from {p.lines:,} {counted} · {langs}"]
        if p.header:
            lines.append("A header line was skipped.")
        if skipped:
            reasons = ", ".join(
                f"{n:,} {html.escape(reason)}" for reason, n in sorted(p.skipped.items(), key=lambda kv: -kv[1])
            )
            lines.append(f"Skipped {skipped:,} {counted}: {reasons}.")
            if p.examples:
                lines.append("First: " + html.escape("; ".join(p.examples[:3])))
        else:
            lines.append("No line skipped." if counted == "lines" else f"No {counted[:-1]} skipped.")
        lines += [
            html.escape(_sentence(note)) for note in getattr(p, "notes", ()) if note.strip()
        ]  # e.g. TMX languages
        (sm, smed, smax), (tm, tmed, tmax) = p.src_words, p.tgt_words
        lines.append(
            f"Words per sentence — source: mean {sm:g}, median {smed:g}, max {smax}; "
            f"target: mean {tm:g}, median {tmed:g}, max {tmax}"
        )
        self.summary.setText("<br>".join(lines))
        self.samples.setRowCount(len(p.samples))
        for row, (src, tgt) in enumerate(p.samples):
            for col, text in enumerate((src, tgt)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.samples.setItem(row, col, item)
        self.preview_shown.emit()
