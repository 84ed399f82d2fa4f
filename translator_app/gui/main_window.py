"""The main window: two tabs, the model store, and the worker threads that do the real work.

Threads (all QObjects moved to QThreads with :func:`workers.start_thread`):
  translation  TranslationWorker: owns the model, translates the latest request
  training     TrainingWorker: runs the training generator
  preview      a TaskRunner's worker (``gui.corpus_previews``): reads a corpus for the preview
  tasks        TaskRunner's TaskWorker: listing the model store (``core.library.model_list``), model import /
               export / delete, the Training tab's corpus checks; each ``workers.Task`` carries its
               own callbacks
Failures it shows go through its one error relay, ``self.errors`` (``gui.errors.ErrorRelay``).
The GUI thread never runs torch and never reads the store: the models are listed in the task
thread (:meth:`MainWindow.refresh_models`, ``models_listed``). Closing the window during training
stops the training (stop flag), waits for its final checkpoint, then closes; :meth:`shutdown`
quits and waits for every thread. The window talks to its tabs through their methods and signals;
the Training tab alone knows whether a training runs (``TrainingTab.is_training``).

The menu bar is built by :mod:`translator_app.gui.menus`; model import / export / delete
(:mod:`translator_app.gui.model_actions`) and file and document translation
(:mod:`translator_app.gui.file_actions`) are mixins of the window.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget

from translator_app import paths
from translator_app.core.library.model_list import ModelListing, list_models, model_ref, resolve_model_ref
from translator_app.core.library.store import ModelEntry, ModelStore
from translator_app.gui.corpus_previews import CorpusPreviews
from translator_app.gui.errors import ErrorRelay
from translator_app.gui.file_actions import FileActions
from translator_app.gui.memory_pane import MemoryFeature
from translator_app.gui.menus import build_menus
from translator_app.gui.model_actions import ModelActions
from translator_app.gui.training_tab import TrainingTab
from translator_app.gui.translate_tab import TranslateTab
from translator_app.gui.widgets import Level
from translator_app.workers import (
    Task,
    TaskKind,
    TaskRunner,
    TrainingJob,
    TrainingWorker,
    TranslationWorker,
    start_thread,
    stop_thread,
)
from translator_app.workers.translation import Failure, Step

logger = logging.getLogger(__name__)
MODEL_KEY = "model/ref"  # the model in use, by store name ("bundled/en-es"), see core.library.model_list.model_ref


class MainWindow(ModelActions, FileActions, QMainWindow):
    _load_model = Signal(str)
    _run_training = Signal(object)
    # GUI-thread notifications (for the status bar, other windows and tests)
    model_changed = Signal(object)  # ModelInfo of the model now in use
    model_error = Signal(str)  # a message: the model could not be loaded
    models_listed = Signal(object)  # core.library.model_list.ModelListing, once the picker and the Training tab show it
    task_finished = Signal(object, bool)  # workers.Task, success (after the task's own callback ran)

    def __init__(self, store: ModelStore | None = None, *, loader=None, train_fn=None):
        super().__init__()
        self.setWindowTitle("Translator")
        # app.py passes the store; tests and scripts may leave it to the default folders
        self.store = store or ModelStore(paths.bundled_models_dir(), paths.user_models_dir())
        self.model_path = ""  # the model the translation worker holds
        self.model_info: Any = None
        self.listing = ModelListing((), ())  # the latest listing of the store
        self.errors = ErrorRelay(self._show_error, self)  # the one place failures become messages
        self._closing = False
        self._shut_down = False
        self._deferred = ""  # the model start(defer_load=True) chose, loaded by load_deferred()
        self._load_when_listed = False  # load the model start() chooses as soon as the list is in

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
        self.statusBar().addPermanentWidget(self.decode_status)
        self.statusBar().addPermanentWidget(self.model_status)
        build_menus(self)

        # workers, each in its own thread
        self.translation_worker = TranslationWorker(loader)
        self.training_worker = TrainingWorker(train_fn)
        self.tasks = TaskRunner("tasks", self)
        self.threads = {
            name: start_thread(worker, name)
            for name, worker in (("translation", self.translation_worker), ("training", self.training_worker))
        }
        self.previews = CorpusPreviews(self.training_tab, self)
        self.threads["preview"] = self.previews.runner.worker_thread
        self.threads["tasks"] = self.tasks.worker_thread
        self._wire()
        self._restore_settings()
        self.memory_feature = MemoryFeature(self)  # the translation memory: Memory menu, hint, adaptation

    # ---- construction ------------------------------------------------------------------------
    def _wire(self) -> None:
        tw, tr = self.translation_worker, self.training_worker
        self._load_model.connect(tw.load_model)
        tw.model_loaded.connect(self._model_loaded)
        tw.failed.connect(self._model_failed)  # (the tab shows the worker's other failures)
        tw.translation_ready.connect(self.translate_tab.on_translation_ready)
        self.translate_tab.connect_worker(tw)  # interactive translation: completions and alternatives
        self._apply_glossary()
        self.translate_tab.translate_requested.connect(self._submit_translation)
        self.translate_tab.translated.connect(self._translated)
        self.translate_tab.swap_requested.connect(self.swap_languages)
        self.picker.model_chosen.connect(self.load_model)
        self.picker.import_requested.connect(self.import_model)
        self.picker.export_requested.connect(self.export_model)
        self.picker.delete_requested.connect(self.delete_model)

        tab = self.training_tab
        self._run_training.connect(tr.run)
        tab.start_requested.connect(self._start_training)
        tab.stop_requested.connect(self.stop_training)
        tab.use_model_requested.connect(self.use_model)
        tab.models_wanted.connect(self.refresh_models)
        tab.task_requested.connect(self.tasks.run)
        tr.status.connect(tab.on_status)
        tr.data_ready.connect(tab.on_data_ready)
        tr.progress.connect(tab.on_progress)
        tr.validated.connect(tab.on_validated)
        tr.failed.connect(tab.on_failed)
        tr.finished.connect(self._training_finished)
        tr.stopped_running.connect(self._training_stopped)
        self.tasks.finished.connect(self.task_finished)
        for runner in (self.tasks, self.previews.runner):  # failures no task handles itself
            runner.errored.connect(lambda task, exc: self.errors.relay(exc, f"{task.kind.title} failed"))

    def _show_error(self, message: str) -> None:
        self.translate_tab.show_message(message, Level.ERROR)

    # ---- models ------------------------------------------------------------------------------
    def refresh_models(self, select: str | None = None, then: Callable[[ModelListing], None] | None = None) -> Task:
        """List the store in the task thread; the picker and the Training tab then show the list
        (``models_listed``), and ``then(listing)`` runs (with the previous listing if this one failed)."""

        def listed(listing: ModelListing) -> None:
            self._apply_listing(listing, select)
            if then is not None:
                then(listing)

        def failed(exc: BaseException) -> None:
            self.errors.relay(exc, "Cannot list the models")
            if then is not None:
                then(self.listing)

        return self.tasks.run(
            Task(TaskKind.SCAN, functools.partial(list_models, self.store)).success(listed).failure(failed)
        )

    def _apply_listing(self, listing: ModelListing, select: str | None = None) -> None:
        self.listing = listing
        self.picker.set_entries(listing.entries, select or self.model_path or None)
        self.training_tab.set_base_models(listing.entries)
        self._update_reverse()
        self.models_listed.emit(listing)

    def start(self, model_path: str | None = None, *, defer_load: bool = False) -> Task:
        """List the models (in the task thread), then load ``model_path``, the last used or the
        default one (in the translation worker); without a usable model the Translate tab says why.
        ``models_listed`` is emitted once the list is shown.

        ``defer_load=True`` (app start-up) only selects the model and shows "Loading model…": the
        worker is told to load it by :meth:`load_deferred`, after the window has been painted, so
        that torch's import in the worker does not compete with the first paint for the GIL."""
        self._deferred = ""
        self._load_when_listed = not defer_load
        self.translate_tab.show_loading()
        default = paths.default_model_dir()
        last = resolve_model_ref(self.store, str(QSettings().value(MODEL_KEY, "") or ""))
        listing = functools.partial(list_models, self.store, (model_path, last, str(default)), default)
        return self.tasks.run(Task(TaskKind.SCAN, listing).success(self._listed_at_start).failure(self._start_failed))

    def _listed_at_start(self, listing: ModelListing) -> None:
        self._apply_listing(listing, listing.chosen or None)
        chosen = listing.chosen
        if not chosen:
            logger.info("no usable model: %s", " ".join(listing.notes) or "none installed")
            self.model_status.setText("No model")
            missing = (
                "No translation model is available: train one in the Training tab, "
                "or import a model bundle (File ▸ Import model)."
            )
            self.translate_tab.set_model_missing(" ".join([*listing.notes, missing]))
            return
        logger.info("model chosen: %s", chosen)
        if listing.notes:
            self.translate_tab.show_message(f"{' '.join(listing.notes)} Using {Path(chosen).name}.", Level.INFO)
        if self._load_when_listed:
            self.load_model(chosen)
        else:
            self._show_loading(chosen)
            self._deferred = chosen

    def _start_failed(self, exc: BaseException) -> None:
        self.model_status.setText("No model")
        self.errors.relay(exc, "Cannot list the models", self.translate_tab.set_model_missing)

    def load_deferred(self) -> str:
        """Send the model chosen by ``start(defer_load=True)`` to the worker: now, when the list is
        in (returns its path), else as soon as it is (returns "")."""
        path, self._deferred = self._deferred, ""
        if self._shut_down:
            return ""
        if path:
            self.load_model(path)
        else:
            self._load_when_listed = True
        return path

    def _show_loading(self, path: str) -> None:
        """The "Loading model…" state: picker on the model, status bar and panes say it is coming."""
        self.model_status.setText(f"Loading {Path(path).name}…")
        self.picker.select(path)
        self.translate_tab.show_loading()

    @Slot(str)
    def load_model(self, path: str) -> None:
        self._deferred = ""
        self._show_loading(path)
        self._load_model.emit(str(path))

    @Slot(object)
    def _model_loaded(self, info: Any) -> None:
        self.model_info = info
        self.model_path = info.path
        QSettings().setValue(MODEL_KEY, model_ref(self.store, info.path))
        self.picker.select(info.path)
        params = f"{info.parameters / 1e6:.1f}M" if info.parameters >= 1e5 else f"{info.parameters:,}"
        self.model_status.setText(
            f"Model: {info.name} ({info.src_lang or '?'}→{info.tgt_lang or '?'}, {params} parameters)"
        )
        self.model_status.setToolTip(info.path)
        self._update_reverse()
        self.translate_tab.set_model(info)
        self.model_changed.emit(info)

    @Slot(object)
    def _model_failed(self, failure: Failure) -> None:
        if failure.step is not Step.MODEL:
            return
        message = self.errors.message(failure.error, f"Cannot load the model in {failure.path}")
        self.picker.select(self.model_path)
        if self.model_info is None:
            self.model_status.setText("No model")
            self.translate_tab.set_model_missing(message)
        else:
            self.model_status.setText(f"Model: {self.model_info.name}")
            self.translate_tab.show_message(f"{message} Still using {self.model_info.name}.", Level.ERROR)
        self.model_error.emit(message)

    def _current_entry(self) -> ModelEntry | None:
        """The picker's entry of the model in use, else (a model from outside the store) one from its info."""
        entry = next((e for e in self.picker.entries() if str(e.path) == self.model_path), None)
        info = self.model_info
        if entry is None and info is not None and info.path == self.model_path:
            entry = ModelEntry(info.name, Path(info.path), info.src_lang, info.tgt_lang, False)
        return entry

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
        text = self.translate_tab.translation_text()
        self.load_model(str(reverse.path))
        self.translate_tab.set_source_text(text)

    @Slot(str)
    def use_model(self, path: str) -> None:
        self.refresh_models(select=path, then=lambda _listing: self.load_model(path))
        self.tabs.setCurrentWidget(self.translate_tab)

    # ---- translation ---------------------------------------------------------------------------
    @Slot(int, str, int)
    def _submit_translation(self, request_id: int, text: str, decode: Any) -> None:
        self.translation_worker.submit(request_id, text, decode)  # decode: core.model.decoding.DecodeConfig

    @Slot(object)
    def _translated(self, t: Any) -> None:
        n = len(t.sentences)
        self.decode_status.setText(
            f"{n} sentence{'s' if n != 1 else ''} in {t.elapsed_ms:,.0f} ms (beam {t.beam_size})"
        )

    # ---- training (the Training tab knows whether one runs) ---------------------------------------
    @Slot(object)
    def _start_training(self, job: TrainingJob) -> None:
        self._run_training.emit(job)

    @Slot()
    def stop_training(self) -> None:
        # called directly, never queued: the worker's thread is busy in the training loop
        self.training_worker.stop()

    @Slot(object)
    def _training_finished(self, ev: Any) -> None:
        # the new model is in the picker (and in "Start from") before the tab says it is done
        self.refresh_models(then=lambda _listing: self.training_tab.on_finished(ev))

    @Slot()
    def _training_stopped(self) -> None:
        self.training_tab.on_stopped()
        if self._closing:
            self.close()

    # ---- help ---------------------------------------------------------------------------------
    def open_log_folder(self) -> bool:
        """Show the log folder in the desktop's file manager; True when the desktop accepted."""
        folder = paths.logs_dir()
        if QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            return True
        logger.warning("no file manager opened %s", folder)
        QMessageBox.information(self, "Log folder", f"The log files are in:\n{folder}")
        return False

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

    def closeEvent(self, event) -> None:  # noqa: N802 - a Qt override keeps its camelCase name
        if self.training_tab.is_training:
            # stop cleanly: the training loop saves its checkpoint, then _training_stopped closes us
            self._closing = True
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
        self.tasks.stop()  # outcomes of tasks still queued are dropped
        self.previews.runner.stop()
        for thread in self.threads.values():
            stop_thread(thread)
