"""File ▸ Import / Export / Delete model: store operations run in the main window's task thread.

:class:`ModelActions` is a mixin of :class:`~translator_app.gui.main_window.MainWindow`, which
connects the model picker's requests to it and provides what it uses: ``store``, ``tasks`` (the
TaskRunner), ``model_path``/``model_info``, the tabs, the status bar, ``refresh_models`` and
``load_model``. Each operation is a ``workers.Task`` that brings its own callbacks.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import Slot

from translator_app.core.library.model_list import ModelListing
from translator_app.core.library.store import ModelEntry
from translator_app.gui.widgets import Level
from translator_app.workers import Task, TaskKind


class ModelActions:
    @Slot(str)
    def import_model(self, source: str) -> Task:
        self.statusBar().showMessage(f"Importing {source}…")
        return self.tasks.run(
            Task(TaskKind.IMPORT, functools.partial(self.store.import_bundle, source))
            .success(self._imported)
            .failure(functools.partial(self._task_failed, TaskKind.IMPORT))
        )

    @Slot(str, str)
    def export_model(self, path: str, zip_path: str) -> Task:
        self.statusBar().showMessage(f"Exporting to {zip_path}…")
        return self.tasks.run(
            Task(TaskKind.EXPORT, functools.partial(self.store.export_zip, path, zip_path))
            .success(lambda zip_file: self.statusBar().showMessage(f"Exported to {zip_file}", 5000))
            .failure(functools.partial(self._task_failed, TaskKind.EXPORT))
        )

    @Slot(str)
    def delete_model(self, path: str) -> Task | None:
        if self.training_tab.is_training_into(path):
            self.translate_tab.show_message("This model is being trained; stop the training first.", Level.WARNING)
            return None
        return self.tasks.run(
            Task(TaskKind.DELETE, functools.partial(self.store.delete, path))
            .success(lambda _none: self._deleted(path))
            .failure(functools.partial(self._task_failed, TaskKind.DELETE))
        )

    def _imported(self, entry: ModelEntry) -> None:
        self.statusBar().showMessage(f"Imported {entry.name}", 5000)
        path = str(entry.path)
        self.refresh_models(
            select=path, then=lambda _listing: self.load_model(path)
        )  # imported models are used at once

    def _deleted(self, path: str) -> None:
        self.statusBar().showMessage(f"Deleted {Path(path).name}", 5000)

        def fall_back(listing: ModelListing) -> None:
            if Path(path) != Path(self.model_path or "."):
                return
            self.model_path, self.model_info = "", None
            other = next((str(e.path) for e in listing.entries), "")
            if other:
                self.load_model(other)
            else:
                self.translate_tab.set_model_missing("The model was deleted and no other model is available.")

        self.refresh_models(then=fall_back)

    def _task_failed(self, kind: TaskKind, exc: BaseException) -> None:
        self.statusBar().showMessage(f"{kind.title} failed", 5000)
        self.tabs.setCurrentWidget(self.translate_tab)
        self.errors.relay(exc, f"{kind.title} failed")  # the window's one relay: the Translate tab's banner
