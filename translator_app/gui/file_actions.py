"""File ▸ Translate file… and Translate document…: the main window's side of both.

:class:`FileActions` is a mixin of :class:`~translator_app.gui.main_window.MainWindow`, which
provides what it uses: ``translation_worker``, ``file_translation`` (the status-bar widget of
:mod:`translator_app.gui.file_translate`), its ``_translate_file`` signal (queued to the worker),
``model_path``/``model_info``, the Translate tab and the status bar. A text file is translated line
by line in the translation thread; a document in the document dialog's own worker thread. The
glossary chosen in the document dialog applies to every translation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Slot

from translator_app.gui.file_translate import FileOutcome
from translator_app.gui.widgets import Level


class FileActions:
    def _wire_files(self) -> None:
        tw, ft = self.translation_worker, self.file_translation
        self._translate_file.connect(tw.translate_file)
        ft.start_requested.connect(self._start_file)
        ft.cancel_requested.connect(self._cancel_file)
        ft.finished.connect(self._file_finished)
        tw.file_progress.connect(ft.on_progress)
        tw.file_done.connect(ft.on_done)
        tw.file_failed.connect(ft.on_failed)

    # ---- document translation (its own dialog and worker thread) --------------------------------------
    def ask_translate_document(self, source: str = "") -> Any:
        """File ▸ Translate document…: the document dialog (DocumentWorker in its own thread)."""
        from translator_app.gui.document_dialog import DocumentDialog

        info = self.model_info
        dialog = DocumentDialog(
            self,
            model_path=self.model_path,
            loader=self.translation_worker.loader,
            tgt_lang=info.tgt_lang if info else "",
            decode=self.translate_tab.decode_config(),
        )
        if isinstance(source, str) and source:  # (a menu action passes its checked state)
            dialog.set_source(source)
        self.document_dialog = dialog
        dialog.finished.connect(self._apply_glossary)  # its glossary setting applies everywhere
        dialog.open()
        return dialog

    def _apply_glossary(self, *_args: Any) -> None:
        """The glossary setting (chosen in the document dialog) for every translation."""
        from translator_app.gui.document_dialog import GLOSSARY_KEY

        self.translation_worker.set_glossary(str(QSettings().value(GLOSSARY_KEY, "") or ""))

    # ---- file translation (in the translation thread) -----------------------------------------------
    def ask_translate_file(self) -> None:
        self.file_translation.ask(self.model_info.tgt_lang if self.model_info else "")

    def translate_file(self, source: str, output: str) -> None:
        self.file_translation.start(source, output)

    @Slot(str, str)
    def _start_file(self, source: str, output: str) -> None:
        self.statusBar().showMessage(f"Translating {Path(source).name}…")
        self._translate_file.emit(source, output, self.translate_tab.decode_config())

    @Slot()
    def _cancel_file(self) -> None:
        self.translation_worker.cancel_file()  # direct: the worker's thread is busy with the file

    @Slot(str, object)
    def _file_finished(self, message: str, outcome: FileOutcome) -> None:
        self.statusBar().showMessage(message, 15_000)
        if outcome is FileOutcome.FAILED:
            self.translate_tab.show_message(message, Level.ERROR)
