"""Short background tasks (model import / export / delete, listing the store, corpus checks).

A :class:`Task` is what to run plus what to do with its outcome, like Anki's
``CollectionOp(...).success(...)``::

    tasks.run(Task(TaskKind.EXPORT, partial(store.export_zip, path, zip_path))
              .success(lambda zip_file: status_bar.showMessage(f"Exported to {zip_file}"))
              .failure(show_error))

:class:`TaskWorker` (the generic :class:`~translator_app.workers.base.FunctionWorker`) runs the
callable in its own thread and signals the task back with its result or exception;
:class:`TaskRunner` (a GUI-thread object owning a TaskWorker thread) then calls the task's own
callback in the GUI thread.  No code ever switches on what kind of task came back.  A task without
a failure callback fails on the runner's ``errored(task, exception)``, which the main window
connects to its one error relay (:class:`translator_app.gui.errors.ErrorRelay`).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from translator_app.workers.base import FunctionWorker, start_thread, stop_thread

logger = logging.getLogger(__name__)


class TaskKind(enum.Enum):
    """What a background task does (its value names it in logs and messages)."""

    IMPORT = "import"
    EXPORT = "export"
    DELETE = "delete"
    SCAN = "scan"  # listing the model store
    PREVIEW = "corpus preview"  # reading a corpus for the Training tab's preview
    FIT_CHECK = "corpus check"  # a corpus against a base model (fine-tuning)
    KEEP_CHECKPOINT = "keep checkpoint"  # fine-tuning: the best in-domain checkpoint over the general limit

    @property
    def title(self) -> str:
        """ "Import", "Export", ...: the start of a message about this task."""
        return self.value.capitalize()


@dataclass(eq=False)
class Task:
    """A callable to run off the GUI thread and the callbacks for its outcome (run in the GUI thread).

    ``success(result)`` gets the callable's return value, ``failure(exc)`` the exception it raised;
    a task without a failure callback has its failure logged."""

    kind: TaskKind
    fn: Callable[[], Any]
    on_success: Callable[[Any], None] | None = None
    on_failure: Callable[[BaseException], None] | None = None

    @property
    def name(self) -> str:
        """What the task does, for the log."""
        return self.kind.value

    def success(self, callback: Callable[[Any], None]) -> Task:
        self.on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Task:
        self.on_failure = callback
        return self

    def complete(self, result: Any) -> None:
        """Hand ``result`` to the success callback (called by :class:`TaskRunner` in the GUI thread)."""
        if self.on_success is not None:
            self.on_success(result)

    def fail(self, exc: BaseException) -> bool:
        """Hand ``exc`` to the failure callback; False when there is none (the runner relays it)."""
        if self.on_failure is None:
            return False
        self.on_failure(exc)
        return True


TaskWorker = FunctionWorker  # runs tasks in its thread: ``returned(task, result)`` or ``errored(task, exception)``


class TaskRunner(QObject):
    """The GUI-thread end of a :class:`TaskWorker` in its own thread.

    :meth:`run` queues a task (tasks run one at a time, in order); when it ends, its ``success``
    or ``failure`` callback runs here, in the GUI thread, then ``finished(task, succeeded)`` is
    emitted; a failed task without a failure callback is emitted on ``errored(task, exception)``
    (the one failure path: the main window relays it).  :meth:`stop` quits and waits for the
    thread; outcomes arriving later are dropped."""

    finished = Signal(object, bool)  # Task, succeeded (after its callback ran)
    errored = Signal(object, object)  # Task, the exception: a failure its task does not handle itself
    _submit = Signal(object)

    def __init__(self, name: str = "tasks", parent: QObject | None = None):
        super().__init__(parent)
        self.worker = TaskWorker()
        self.worker.returned.connect(self._done)  # queued: this object lives in the GUI thread
        self.worker.errored.connect(self._failed)
        self._submit.connect(self.worker.run)
        self._stopped = False
        self.worker_thread = start_thread(self.worker, name)

    def run(self, task: Task) -> Task:
        """Queue ``task`` for the worker thread; returns it."""
        if self._stopped:
            logger.info("Task %s not run: the task thread is stopped", task.kind.value)
        else:
            self._submit.emit(task)
        return task

    def stop(self, timeout_ms: int | None = None) -> bool:
        """quit() + wait() the worker thread; True when it has ended."""
        self._stopped = True
        return stop_thread(self.worker_thread, timeout_ms)

    @Slot(object, object)
    def _done(self, task: Task, result: Any) -> None:
        if not self._stopped:
            task.complete(result)
            self.finished.emit(task, True)

    @Slot(object, object)
    def _failed(self, task: Task, exc: BaseException) -> None:
        if not self._stopped:
            if not task.fail(exc):
                logger.warning("Task %s failed without a failure callback: %s", task.kind.value, exc)
                self.errored.emit(task, exc)
            self.finished.emit(task, False)
