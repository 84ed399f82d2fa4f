"""The main window: two tabs, the model store, and the worker threads that do the real work.

Threads (all QObjects moved to QThreads with :func:`workers.start_thread`):
  translation  TranslationWorker: owns the model, translates the latest request
  training     TrainingWorker: runs the training generator
  preview      CorpusPreviewWorker: reads a corpus for the preview
  tasks        TaskWorker: model import / export / delete
The GUI thread never runs torch. Closing the window during training stops the training
(stop flag), waits for its final checkpoint, then closes; :meth:`shutdown` quits and waits
for every thread.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget

from translator_app import paths
from translator_app.core.store import ModelEntry, ModelStore
from translator_app.gui.file_translate import FileTranslation
from translator_app.gui.training_tab import TrainingTab
from translator_app.gui.translate_tab import TranslateTab
from translator_app.workers import (
    CorpusPreviewWorker,
    TaskWorker,
    TrainingJob,
    TrainingWorker,
    TranslationWorker,
    start_thread,
    stop_thread,
)

logger = logging.getLogger(__name__)

SHORTCUTS = """<table>
<tr><td><b>Ctrl+Enter</b></td><td>translate now</td></tr>
<tr><td><b>Ctrl+Shift+C</b></td><td>copy the translation</td></tr>
<tr><td><b>Ctrl+Shift+S</b></td><td>swap languages (when a reverse model exists)</td></tr>
<tr><td><b>Alt+B</b> / <b>Alt+M</b></td><td>beam size / model picker</td></tr>
<tr><td><b>Ctrl+1</b> / <b>Ctrl+2</b></td><td>Translate / Training tab</td></tr>
<tr><td><b>Ctrl+O</b></td><td>choose a corpus (Training tab)</td></tr>
<tr><td><b>Ctrl+R</b> / <b>Esc</b></td><td>start / stop training (Training tab)</td></tr>
<tr><td><b>Tab</b> / <b>Esc</b></td><td>in the translation: accept / dismiss the grey completion</td></tr>
<tr><td><b>Ctrl+click</b></td><td>on a translated word: five alternatives</td></tr>
<tr><td><b>Ctrl+T</b> / <b>Ctrl+Shift+T</b></td><td>translate a text file / a document</td></tr>
<tr><td><b>Ctrl+I</b> / <b>Ctrl+E</b></td><td>import / export a model</td></tr>
<tr><td><b>Ctrl+Q</b></td><td>quit</td></tr></table>"""


class MainWindow(QMainWindow):
    _load_model = Signal(str)
    _run_training = Signal(object)
    _run_task = Signal(str, object)
    _preview = Signal(int, str, str)
    _translate_file = Signal(str, str, int)
    # GUI-thread notifications (for the status bar, other windows and tests)
    model_changed = Signal(object)  # ModelInfo of the model now in use
    model_error = Signal(str)
    task_finished = Signal(str, bool)  # "import" | "export" | "delete", success

    def __init__(self, store: ModelStore | None = None, *, loader=None, train_fn=None):
        super().__init__()
        self.setWindowTitle("Translator")
        self.store = store or ModelStore()
        self.model_path = ""  # the model the translation worker holds
        self.model_info: Any = None
        self.training_active = False
        self._closing = False
        self._shut_down = False
        self._deferred = ""  # the model start(defer_load=True) chose, loaded by load_deferred()

        self.translate_tab = TranslateTab()
        self.training_tab = TrainingTab()
        self.picker = self.translate_tab.picker
        self.tabs = QTabWidget()
        self.tabs.addTab(self.translate_tab, "&Translate")
        self.tabs.addTab(self.training_tab, "T&raining")
        self.tabs.setTabToolTip(0, "Translate text with a model (Ctrl+1)")
        self.tabs.setTabToolTip(1, "Train a model on your own parallel corpus (Ctrl+2)")
        self.setCentralWidget(self.tabs)
        self.model_status = QLabel("No model")
        self.decode_status = QLabel("")
        self.file_translation = FileTranslation()
        self.statusBar().addPermanentWidget(self.file_translation)
        self.statusBar().addPermanentWidget(self.decode_status)
        self.statusBar().addPermanentWidget(self.model_status)
        self._build_menus()

        # workers, each in its own thread
        self.translation_worker = TranslationWorker(loader)
        self.training_worker = TrainingWorker(train_fn)
        self.preview_worker = CorpusPreviewWorker()
        self.task_worker = TaskWorker()
        self.threads = {name: start_thread(worker, name) for name, worker in (
            ("translation", self.translation_worker), ("training", self.training_worker),
            ("preview", self.preview_worker), ("tasks", self.task_worker))}
        self._wire()
        self._restore_settings()

    # ---- construction ------------------------------------------------------------------------
    def _build_menus(self) -> None:
        def action(menu, text, slot, shortcut=None, tip=""):
            act = QAction(text, self)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            menu.addAction(act)
            return act

        file_menu = self.menuBar().addMenu("&File")
        action(file_menu, "&Translate file…", self.ask_translate_file, "Ctrl+T",
               "Translate a long text file line by line")
        action(file_menu, "Translate &document…", self.ask_translate_document, "Ctrl+Shift+T",
               "Translate a document (txt, Markdown, HTML, DOCX, ODT, SRT, VTT, PO, XLIFF), keeping its structure")
        file_menu.addSeparator()
        action(file_menu, "&Import model (.zip)…", self.picker.ask_import_zip, "Ctrl+I", "Import a model bundle")
        action(file_menu, "Import model &folder…", self.picker.ask_import_folder, None, "Import a model folder")
        action(file_menu, "&Export model…", self.picker.ask_export, "Ctrl+E", "Export the selected model as .zip")
        action(file_menu, "&Delete model…", self.picker.ask_delete, None, "Delete the selected user model")
        file_menu.addSeparator()
        action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit, "Quit (stops training first)")
        view = self.menuBar().addMenu("&View")
        action(view, "&Translate", lambda: self.tabs.setCurrentIndex(0), "Ctrl+1")
        action(view, "T&raining", lambda: self.tabs.setCurrentIndex(1), "Ctrl+2")
        help_menu = self.menuBar().addMenu("&Help")
        action(help_menu, "&Keyboard shortcuts", self._show_shortcuts, "F1")
        action(help_menu, "Open &log folder", self.open_log_folder, None,
               "Open the folder with the app's log files (attach translator-app.log to a bug report)")
        help_menu.addSeparator()
        action(help_menu, "&About", self._show_about)

    def _wire(self) -> None:
        tw, tr, pv, tk = self.translation_worker, self.training_worker, self.preview_worker, self.task_worker
        self._load_model.connect(tw.load_model)
        tw.model_loaded.connect(self._model_loaded)
        tw.model_failed.connect(self._model_failed)
        tw.translation_ready.connect(self.translate_tab.on_translation_ready)
        tw.translation_failed.connect(self.translate_tab.on_translation_failed)
        self.translate_tab.connect_worker(tw)  # interactive translation: completions and alternatives
        self._apply_glossary()
        self.translate_tab.translate_requested.connect(self._submit_translation)
        self.translate_tab.translated.connect(self._translated)
        self.translate_tab.swap_requested.connect(self.swap_languages)
        self.picker.model_chosen.connect(self.load_model)
        ft = self.file_translation
        self._translate_file.connect(tw.translate_file)
        ft.start_requested.connect(self._start_file)
        ft.cancel_requested.connect(self._cancel_file)
        ft.finished.connect(self._file_finished)
        tw.file_progress.connect(ft.on_progress)
        tw.file_done.connect(ft.on_done)
        tw.file_failed.connect(ft.on_failed)
        self.picker.import_requested.connect(self.import_model)
        self.picker.export_requested.connect(self.export_model)
        self.picker.delete_requested.connect(self.delete_model)

        tab = self.training_tab
        self._run_training.connect(tr.run)
        tab.start_requested.connect(self._start_training)
        tab.stop_requested.connect(self.stop_training)
        tab.use_model_requested.connect(self.use_model)
        tr.status.connect(tab.on_status)
        tr.data_ready.connect(tab.on_data_ready)
        tr.progress.connect(tab.on_progress)
        tr.validated.connect(tab.on_validated)
        tr.failed.connect(tab.on_failed)
        tr.finished.connect(self._training_finished)
        tr.stopped_running.connect(self._training_stopped)
        self._preview.connect(pv.preview)
        tab.preview_requested.connect(self._preview)
        pv.preview_ready.connect(tab.on_preview_ready)
        pv.failed.connect(tab.on_preview_failed)
        self._run_task.connect(tk.run)
        tk.done.connect(self._task_done)
        tk.failed.connect(self._task_failed)

    # ---- models ------------------------------------------------------------------------------
    def refresh_models(self, select: str | None = None) -> tuple[list[ModelEntry], list]:
        entries, problems = self.store.scan()
        self.picker.set_entries(entries, select or self.model_path or None)
        self._update_reverse()
        return entries, problems

    def start(self, model_path: str | None = None, *, defer_load: bool = False) -> str:
        """List the models and load ``model_path``, the last used or the default one (in the worker).
        Returns the path being loaded, or "" when there is none (the UI then says why).

        ``defer_load=True`` (app start-up) only selects the model and shows "Loading model…": the
        worker is told to load it by :meth:`load_deferred`, after the window has been painted, so
        that torch's import in the worker does not compete with the first paint for the GIL.
        Reads config.json files only (no torch on this, the GUI, thread)."""
        self._deferred = ""
        entries, problems = self.refresh_models()
        default = paths.default_model_dir()
        notes = []
        if not default.exists():
            notes.append(f"The bundled default model is missing ({default}).")
        elif self.store.entry(default) is None:
            why = next((p.message for p in problems if p.path == default), "its config.json cannot be read")
            notes.append(f"The bundled default model is damaged: {why}")
        last = str(QSettings().value("model/path", "") or "")
        for candidate in (model_path, last, str(default), *(str(e.path) for e in entries)):
            if candidate and self.store.entry(candidate) is not None:
                if notes:
                    self.translate_tab.banner.show_message(f"{' '.join(notes)} Using {Path(candidate).name}.", "info")
                if defer_load:
                    self._show_loading(candidate)
                    self._deferred = candidate
                else:
                    self.load_model(candidate)
                return candidate
        self.translate_tab.set_model_missing(
            " ".join(notes) + " No translation model is available: train one in the Training tab, or import "
            "a model bundle (File ▸ Import model).")
        return ""

    def load_deferred(self) -> str:
        """Send the model chosen by ``start(defer_load=True)`` to the worker; its path ("" if none)."""
        path, self._deferred = self._deferred, ""
        if path and not self._shut_down:
            self.load_model(path)
        return path

    def _show_loading(self, path: str) -> None:
        """The "Loading model…" state: picker on the model, status bar and panes say it is coming."""
        self.model_status.setText(f"Loading {Path(path).name}…")
        self.picker.select(path)
        if self.model_info is None:  # first model: nothing to translate with yet
            self.translate_tab.busy.setText("Loading model…")
            self.translate_tab.heatmap.clear("Loading model…")

    @Slot(str)
    def load_model(self, path: str) -> None:
        self._deferred = ""
        self._show_loading(path)
        self._load_model.emit(str(path))

    @Slot(object)
    def _model_loaded(self, info: Any) -> None:
        self.model_info = info
        self.model_path = info.path
        QSettings().setValue("model/path", info.path)
        self.picker.select(info.path)
        params = f"{info.parameters / 1e6:.1f}M" if info.parameters >= 1e5 else f"{info.parameters:,}"
        self.model_status.setText(f"Model: {info.name} ({info.src_lang or '?'}→{info.tgt_lang or '?'}, {params} parameters)")
        self.model_status.setToolTip(info.path)
        self._update_reverse()
        self.translate_tab.set_model(info)
        self.model_changed.emit(info)

    @Slot(str, str)
    def _model_failed(self, path: str, message: str) -> None:
        self.picker.select(self.model_path)
        if self.model_info is None:
            self.model_status.setText("No model")
            self.translate_tab.set_model_missing(message)
        else:
            self.model_status.setText(f"Model: {self.model_info.name}")
            self.translate_tab.banner.show_message(f"{message} Still using {self.model_info.name}.", "error")
        self.model_error.emit(message)

    def _current_entry(self) -> ModelEntry | None:
        return next((e for e in self.picker.entries() if str(e.path) == self.model_path), None)

    def reverse_entry(self) -> ModelEntry | None:
        entry = self._current_entry()
        return self.store.find_reverse(entry, self.picker.entries()) if entry else None

    def _update_reverse(self) -> None:
        self.translate_tab.set_reverse_available(self.reverse_entry() is not None)

    @Slot()
    def swap_languages(self) -> None:
        reverse = self.reverse_entry()
        if reverse is None:
            return
        text = self.translate_tab.target.toPlainText()
        self.load_model(str(reverse.path))
        self.translate_tab.source.setPlainText(text)

    @Slot(str)
    def use_model(self, path: str) -> None:
        self.refresh_models(select=path)
        self.load_model(path)
        self.tabs.setCurrentWidget(self.translate_tab)

    # ---- translation ---------------------------------------------------------------------------
    @Slot(int, str, int)
    def _submit_translation(self, request_id: int, text: str, beam: int) -> None:
        self.translation_worker.submit(request_id, text, beam)

    @Slot(object)
    def _translated(self, t: Any) -> None:
        n = len(t.sentences)
        self.decode_status.setText(f"{n} sentence{'s' if n != 1 else ''} in {t.elapsed_ms:,.0f} ms "
                                   f"(beam {t.beam_size})")

    # ---- document translation (its own dialog and worker thread) --------------------------------------
    def ask_translate_document(self, source: str = "") -> Any:
        """File ▸ Translate document…: the document dialog (DocumentWorker in its own thread)."""
        from translator_app.gui.document_dialog import DocumentDialog

        info = self.model_info
        dialog = DocumentDialog(self, model_path=self.model_path, loader=getattr(self.translation_worker, "_loader", None),
                                tgt_lang=info.tgt_lang if info else "", beam=self.translate_tab.beam.value())
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
        self._translate_file.emit(source, output, self.translate_tab.beam.value())

    @Slot()
    def _cancel_file(self) -> None:
        self.translation_worker.cancel_file()  # direct: the worker's thread is busy with the file

    @Slot(str)
    def _file_finished(self, message: str) -> None:
        self.statusBar().showMessage(message, 15_000)
        if "failed" in message:
            self.translate_tab.banner.show_message(message, "error")

    # ---- import / export / delete (in the task thread) --------------------------------------------
    @Slot(str)
    def import_model(self, source: str) -> None:
        self.statusBar().showMessage(f"Importing {source}…")
        self._run_task.emit("import", functools.partial(self.store.import_bundle, source))

    @Slot(str, str)
    def export_model(self, path: str, zip_path: str) -> None:
        self.statusBar().showMessage(f"Exporting to {zip_path}…")
        self._run_task.emit("export", functools.partial(self.store.export_zip, path, zip_path))

    @Slot(str)
    def delete_model(self, path: str) -> None:
        if self.training_active and Path(self.training_tab.out_dir) == Path(path):
            self.translate_tab.banner.show_message("This model is being trained; stop the training first.", "warning")
            return
        self._run_task.emit("delete", functools.partial(lambda p: (self.store.delete(p), p)[1], path))

    @Slot(str, object)
    def _task_done(self, tag: str, result: Any) -> None:
        if tag == "import":
            self.statusBar().showMessage(f"Imported {result.name}", 5000)
            self.refresh_models(select=str(result.path))
            self.load_model(str(result.path))
        elif tag == "export":
            self.statusBar().showMessage(f"Exported to {result}", 5000)
        elif tag == "delete":
            self.statusBar().showMessage(f"Deleted {Path(result).name}", 5000)
            entries, _ = self.refresh_models()
            if Path(result) == Path(self.model_path or "."):
                self.model_path, self.model_info = "", None
                fallback = next((str(e.path) for e in entries), "")
                if fallback:
                    self.load_model(fallback)
                else:
                    self.translate_tab.set_model_missing("The model was deleted and no other model is available.")
        self.task_finished.emit(tag, True)

    @Slot(str, str)
    def _task_failed(self, tag: str, message: str) -> None:
        self.statusBar().showMessage(f"{tag.capitalize()} failed", 5000)
        self.tabs.setCurrentWidget(self.translate_tab)
        self.translate_tab.banner.show_message(f"{tag.capitalize()} failed: {message}", "error")
        self.task_finished.emit(tag, False)

    # ---- training -------------------------------------------------------------------------------
    @Slot(object)
    def _start_training(self, job: TrainingJob) -> None:
        if self.training_active:
            return
        self.training_active = True
        self._run_training.emit(job)

    @Slot()
    def stop_training(self) -> None:
        # called directly, never queued: the worker's thread is busy in the training loop
        self.training_worker.stop()

    @Slot(object)
    def _training_finished(self, ev: Any) -> None:
        self.refresh_models()  # the new model is in the picker before the tab says it is done
        self.training_tab.on_finished(ev)

    @Slot()
    def _training_stopped(self) -> None:
        self.training_active = False
        self.training_tab.set_running(False)
        if self._closing:
            self.close()

    # ---- help ---------------------------------------------------------------------------------
    def _show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", SHORTCUTS)

    def open_log_folder(self) -> bool:
        """Show the log folder in the desktop's file manager; True when the desktop accepted."""
        folder = paths.logs_dir()
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            return True
        logger.warning("no file manager opened %s", folder)
        QMessageBox.information(self, "Log folder", f"The log files are in:\n{folder}")
        return False

    def _show_about(self) -> None:
        QMessageBox.about(self, "About Translator", "Neural machine translation on your computer: a BiLSTM "
                          "encoder with an attentional LSTM decoder, trained with PyTorch.")

    # ---- settings and shutdown ---------------------------------------------------------------
    def _restore_settings(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1200, 820)
        state = settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        self.translate_tab.restore_settings(settings)
        self.training_tab.restore_settings(settings)
        self.tabs.setCurrentIndex(int(settings.value("window/tab", 0)))

    def save_settings(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/tab", self.tabs.currentIndex())
        self.translate_tab.save_settings(settings)
        self.training_tab.save_settings(settings)
        settings.sync()

    def closeEvent(self, event) -> None:  # noqa: N802
        if self.training_active:
            # stop cleanly: the training loop saves its checkpoint, then _training_stopped closes us
            self._closing = True
            self.training_worker.stop()
            self.training_tab.stop()
            self.statusBar().showMessage("Stopping the training and saving its checkpoint…")
            self.tabs.setEnabled(False)
            event.ignore()
            return
        self.save_settings()
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop every worker thread (quit + wait). Safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        self.training_worker.stop()
        self.translation_worker.cancel_file()
        for thread in self.threads.values():
            stop_thread(thread)
