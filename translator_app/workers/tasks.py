"""Short background tasks (model import / export / delete, listing the store, corpus checks).

A :class:`Task` is what to run plus what to do with its outcome, like Anki's
``CollectionOp(...).success(...)``::

    tasks.run(Task(TaskKind.EXPORT, partial(store.export_zip, path, zip_path))
              .success(lambda zip_file: status_bar.showMessage(f"Exported to {zip_file}"))
              .failure(show_error))

:class:`TaskWorker` runs the callable in its own thread and signals the task back with its result
or exception; :class:`TaskRunner` (a GUI-thread object owning a TaskWorker thread) then calls the
task's own callback in the GUI thread.  No code ever switches on what kind of task came back.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from translator_app.workers.base import start_thread, stop_thread

logger = logging.getLogger(__name__)


class TaskKind(enum.Enum):
    """What a background task does (its value names it in logs and messages)."""

    IMPORT = "import"
    EXPORT = "export"
    DELETE = "delete"
    SCAN = "scan"  # listing the model store
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

    def fail(self, exc: BaseException) -> None:
        """Hand ``exc`` to the failure callback, or log it when there is none."""
        if self.on_failure is not None:
            self.on_failure(exc)
        else:
            logger.warning("Task %s failed without a failure callback: %s", self.kind.value, exc)


class TaskWorker(QObject):
    """Runs tasks in its thread: ``done(task, result)`` or ``failed(task, exception)``."""

    done = Signal(object, object)  # Task, its result
    failed = Signal(object, object)  # Task, the exception

    @Slot(object)
    def run(self, task: Task) -> None:
        try:
            result = task.fn()
        except Exception as exc:
            logger.exception("Task %s failed", task.kind.value)
            self.failed.emit(task, exc)
            return
        self.done.emit(task, result)


class TaskRunner(QObject):
    """The GUI-thread end of a :class:`TaskWorker` in its own thread.

    :meth:`run` queues a task (tasks run one at a time, in order); when it ends, its ``success``
    or ``failure`` callback runs here, in the GUI thread, then ``finished(task, succeeded)`` is
    emitted.  :meth:`stop` quits and waits for the thread; outcomes arriving later are dropped."""

    finished = Signal(object, bool)  # Task, succeeded (after its callback ran)
    _submit = Signal(object)

    def __init__(self, name: str = "tasks", parent: QObject | None = None):
        super().__init__(parent)
        self.worker = TaskWorker()
        self.worker.done.connect(self._done)  # queued: this object lives in the GUI thread
        self.worker.failed.connect(self._failed)
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
            task.fail(exc)
            self.finished.emit(task, False)
