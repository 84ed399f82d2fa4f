"""What every worker shares: starting and stopping QThreads, and the errors workers raise themselves.

Threads are created with :func:`start_thread`, which keeps a Python reference to each running
QThread (a collected, running QThread aborts the process), and stopped with :func:`stop_thread`
(quit + wait).  Nothing else may create or drop a worker thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread

from translator_app.core.cancel import Cancelled

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


class WorkerError(Exception):
    """A failure a worker explains itself; its text is meant for the person using the app."""


class NoModelLoaded(WorkerError):
    """A translation was asked for before any model was loaded."""

    def __init__(self, message: str = "No model is loaded yet.") -> None:
        super().__init__(message)


class InputFileError(WorkerError):
    """A text file to translate cannot be read (missing, unreadable, not UTF-8)."""


class FileCancelled(WorkerError, Cancelled):
    """A file translation was cancelled; nothing was written (a :class:`~translator_app.core.cancel.Cancelled`)."""
