"""The Training tab's corpus previews, read in their own thread (a big corpus never delays the
other background tasks): ``TrainingTab.preview_requested(id, path, target)`` in,
``on_preview_ready`` / ``on_preview_failed`` out.  A request that a newer one superseded before
it started is skipped (the tab shows only its latest anyway)."""

from __future__ import annotations

import functools
from typing import Any

from PySide6.QtCore import QObject, Slot

from translator_app.core.text.corpus_preview import preview_corpus
from translator_app.workers import Task, TaskKind, TaskRunner


class CorpusPreviews(QObject):
    """Previews for ``tab`` (a TrainingTab) on a :class:`~translator_app.workers.TaskRunner` of its own."""

    def __init__(self, tab: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tab = tab
        self.runner = TaskRunner("preview", self)
        self._latest = -1
        tab.preview_requested.connect(self.preview)

    @Slot(int, str, str)
    def preview(self, request_id: int, path: str, target: str = "") -> Task:
        self._latest = request_id

        def read() -> Any:  # in the preview thread
            if request_id != self._latest:
                return None
            return preview_corpus(path, target or None)

        def ready(preview: Any) -> None:
            if preview is not None:
                self.tab.on_preview_ready(request_id, preview)

        task = Task(TaskKind.PREVIEW, read).success(ready)
        return self.runner.run(task.failure(functools.partial(self.tab.on_preview_failed, request_id)))
