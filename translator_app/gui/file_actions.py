"""File ▸ Translate file or document…: the main window's side of the one file-translation path.

:class:`FileActions` is a mixin of :class:`~translator_app.gui.main_window.MainWindow`, which
provides what it uses: ``translation_worker`` (its loader and glossary setting),
``model_path``/``model_info``, the Translate tab (its decoding settings) and the status bar. Every
file, plain text included, goes through the document dialog (:mod:`.document_dialog`: progress,
Cancel, the report) and its DocumentWorker thread, i.e. ``core.documents``; live translation goes
on meanwhile. The glossary chosen in the dialog applies to every translation.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings


class FileActions:
    def ask_translate_document(self, source: str = "") -> Any:
        """The document dialog for ``source`` ("": the person chooses), with the loaded model and
        the Translate tab's decoding settings."""
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
        dialog.translated.connect(self._file_translated)
        dialog.open()
        return dialog

    def translate_file(self, source: str, output: str) -> Any:
        """Translate ``source`` into ``output`` now, in the document dialog (which shows the progress)."""
        dialog = self.ask_translate_document(source)
        dialog.output.setText(output)
        dialog._output_edited(output)  # the person's own name: it stays
        dialog.start()
        return dialog

    def _file_translated(self, report: Any) -> None:
        self.statusBar().showMessage(report.summary().splitlines()[0], 15_000)

    def _apply_glossary(self, *_args: Any) -> None:
        """The glossary setting (chosen in the document dialog) for every translation."""
        from translator_app.gui.document_dialog import GLOSSARY_KEY

        self.translation_worker.set_glossary(str(QSettings().value(GLOSSARY_KEY, "") or ""))
