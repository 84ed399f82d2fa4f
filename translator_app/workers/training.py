"""The training worker: runs the core ``train(request)`` generator in its own thread and forwards its events.

Each event is emitted as the core object itself, on the signal for its class (:data:`EVENT_SIGNALS`,
keyed by the classes of :mod:`translator_app.core.base.events`); a failure is emitted as the exception.
:meth:`TrainingWorker.stop` sets a thread-safe flag the loop polls between batches.  Whether a
training is running is the Training tab's to know: the worker only says when it is idle again
(``stopped_running``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from translator_app.core.base import events
from translator_app.core.base.cancel import CancelToken
from translator_app.core.train.request import TrainRequest

logger = logging.getLogger(__name__)

# event class -> name of the TrainingWorker signal that carries it
EVENT_SIGNALS: dict[type, str] = {
    events.Status: "status",
    events.DataReady: "data_ready",
    events.Progress: "progress",
    events.Validation: "validated",
    events.Finished: "finished",
}


TrainingJob = TrainRequest  # the name the main window's slot is typed with


class TrainingWorker(QObject):
    """Runs ``core.train.training.train`` in its own thread and forwards its events."""

    status = Signal(object)  # core.base.events.Status
    data_ready = Signal(object)  # core.base.events.DataReady
    progress = Signal(object)  # core.base.events.Progress
    validated = Signal(object)  # core.base.events.Validation
    finished = Signal(object)  # core.base.events.Finished
    failed = Signal(object)  # the exception (CorpusError, TokenizerError, MemoryError, ...)
    stopped_running = Signal()  # after finished or failed: the worker is idle again

    def __init__(self, train_fn: Callable[..., Any] | None = None):
        super().__init__()
        self._train_fn = train_fn
        self._stop = CancelToken()

    def stop(self) -> None:
        """Ask the running training to stop after the current batch (thread-safe)."""
        self._stop.cancel()

    def emit_event(self, event: Any) -> None:
        """Emit ``event`` on the signal for its class; events of other classes are logged and skipped."""
        name = next((n for cls, n in EVENT_SIGNALS.items() if isinstance(event, cls)), None)
        if name is None:
            logger.warning("Unknown training event %r skipped", event)
            return
        getattr(self, name).emit(event)

    @Slot(object)
    def run(self, request: TrainRequest) -> None:
        self._stop.reset()
        try:
            from translator_app.core.folders import run_history
            from translator_app.core.train import training

            train = self._train_fn or training.train
            stream = train(request, should_stop=self._stop)
            for event in run_history.record(stream, request.out_dir):  # training-loss points, how it ended
                self.emit_event(event)
        except Exception as exc:
            logger.exception("Training into %s failed", request.out_dir)
            self.failed.emit(exc)
        finally:
            self.stopped_running.emit()
