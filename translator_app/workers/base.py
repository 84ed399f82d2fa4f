"""What every worker shares: starting and stopping QThreads, the two generic workers, and the
errors workers raise themselves.

Threads are created with :func:`start_thread`, which keeps a Python reference to each running
QThread (a collected, running QThread aborts the process), and stopped with :func:`stop_thread`
(quit + wait).  Nothing else may create or drop a worker thread.

The generic workers (after superqt's ``FunctionWorker`` / ``GeneratorWorker``):

* :class:`FunctionWorker` lives in its thread and runs the jobs queued to it, one at a time, in
  order: a job is any object with a ``fn`` (a callable without arguments) and a ``name`` (for the
  log); its outcome is ``returned(job, result)`` or ``errored(job, exception)``.
  :class:`~translator_app.workers.tasks.TaskRunner` is its GUI-thread end.
* :class:`GeneratorWorker` runs one generator function: ``yielded(value)`` for each item,
  ``returned(value)`` with the generator's return value, ``errored(exception)``, or ``aborted()``
  when :meth:`GeneratorWorker.quit` (a :class:`~translator_app.core.base.cancel.CancelToken`) stopped it
  between two items; ``finished()`` after any of them.

**One error path.**  A worker failure is never a message: it is the exception object, on the
worker's one ``errored`` signal.  The GUI turns it into text in one place, its
:class:`~translator_app.gui.errors.ErrorRelay` (``MainWindow.errors``), like napari's single
notification relay.  To plug a worker in::

    worker.errored.connect(lambda exc: window.errors.relay(exc, "Training"))          # shown in the banner
    worker.errored.connect(window.errors.to(panel.show_failure, "Cannot read the corpus"))  # shown by a widget

(``to(show, what)`` returns a slot that hands ``show`` the message; ``relay`` shows it in the
window's default place.)  The training, translation and document workers are not generic: each has
one ``failed`` signal carrying the exception (the translation worker's wrapped in a ``Failure``
that names the step), relayed the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from translator_app.core.base.cancel import CancelToken

logger = logging.getLogger(__name__)

_THREADS: set[QThread] = set()  # running threads, referenced so that none is garbage-collected


def start_thread(worker: QObject, name: str) -> QThread:
    """Move ``worker`` to a new, started QThread; the thread is referenced until it finishes."""
    thread = QThread()
    thread.setObjectName(name)
    worker.moveToThread(thread)
    _THREADS.add(thread)
    thread.finished.connect(lambda t=thread: _THREADS.discard(t))
    thread.start()
    return thread


def stop_thread(thread: QThread | None, timeout_ms: int | None = None) -> bool:
    """quit() + wait(); True when the thread is no longer running."""
    if thread is None:
        return True
    thread.quit()
    done = thread.wait() if timeout_ms is None else thread.wait(timeout_ms)
    if done:
        _THREADS.discard(thread)
    return bool(done)


def running_threads() -> list[QThread]:
    """Threads started by :func:`start_thread` that are still running (tests check it is empty)."""
    return [t for t in list(_THREADS) if t.isRunning()]


class FunctionWorker(QObject):
    """Runs queued jobs in its thread, one at a time: ``returned(job, result)`` or ``errored(job, exc)``.

    A job is any object with ``fn`` (called without arguments) and ``name`` (named in the log when
    it fails, with the traceback).  Queue jobs with a queued signal connected to :meth:`run` (as
    :class:`~translator_app.workers.tasks.TaskRunner` does) or call :meth:`run` directly."""

    returned = Signal(object, object)  # the job, its result
    errored = Signal(object, object)  # the job, the exception: the one failure path

    @Slot(object)
    def run(self, job: Any) -> None:
        try:
            result = job.fn()
        except Exception as exc:
            logger.exception("Task %s failed", job.name)
            self.errored.emit(job, exc)
            return
        self.returned.emit(job, result)


class GeneratorWorker(QObject):
    """Runs ``fn(*args, **kwargs)``, a generator function, in the thread it lives in.

    Each item is emitted on ``yielded``; the generator's return value on ``returned``; an exception
    on ``errored`` (the one failure path); ``aborted`` when :meth:`quit` was called, checked before
    each item (the generator is closed there).  ``finished`` follows any of them.  With
    ``cancel_kwarg`` the worker's :class:`~translator_app.core.base.cancel.CancelToken` is also passed to
    ``fn`` under that name (``should_stop=`` for the core's training generators), so that a long
    step can stop inside itself.  :meth:`run` may run again: the token is reset at each start."""

    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(object)  # the exception
    aborted = Signal()
    finished = Signal()

    def __init__(
        self, fn: Callable[..., Generator[Any, Any, Any]], *args: Any, cancel_kwarg: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__()
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.token = CancelToken()
        if cancel_kwarg:
            self.kwargs[cancel_kwarg] = self.token

    def quit(self) -> None:
        """Stop before the next item (thread-safe: call it directly, not through a queued signal)."""
        self.token.cancel()

    @Slot()
    def run(self) -> None:
        self.token.reset()
        try:
            gen = self.fn(*self.args, **self.kwargs)
            while True:
                if self.token.cancelled:
                    gen.close()
                    self.aborted.emit()
                    break
                try:
                    value = next(gen)
                except StopIteration as stop:
                    self.returned.emit(stop.value)
                    break
                self.yielded.emit(value)
        except Exception as exc:
            logger.exception("%s failed", getattr(self.fn, "__name__", "a generator worker"))
            self.errored.emit(exc)
        finally:
            self.finished.emit()


class WorkerError(Exception):
    """A failure a worker explains itself; its text is meant for the person using the app."""


class NoModelLoaded(WorkerError):
    """A translation was asked for before any model was loaded."""

    def __init__(self, message: str = "No model is loaded yet.") -> None:
        super().__init__(message)
