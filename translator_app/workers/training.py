"""The training worker: runs the core ``train()`` generator in its own thread and forwards its events.

Each event is emitted as the core object itself, on the signal for its class (:data:`EVENT_SIGNALS`,
keyed by the classes of :mod:`translator_app.core.events`); a failure is emitted as the exception.
:meth:`TrainingWorker.stop` sets a thread-safe flag the loop polls between batches.  Whether a
training is running is the Training tab's to know: the worker only says when it is idle again
(``stopped_running``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from translator_app.core import events
from translator_app.core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig

logger = logging.getLogger(__name__)

# event class -> name of the TrainingWorker signal that carries it
EVENT_SIGNALS: dict[type, str] = {
    events.Status: "status",
    events.DataReady: "data_ready",
    events.Progress: "progress",
    events.Validation: "validated",
    events.Finished: "finished",
}


@dataclass(frozen=True)
class TrainingJob:
    corpus: str
    out_dir: str
    target_corpus: str | None = None
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    tokenizer: TokenizerConfig = field(default_factory=TokenizerConfig)
    data: DataConfig = field(default_factory=DataConfig)
    resume: bool = False
    meta: dict[str, Any] = field(default_factory=dict)


class TrainingWorker(QObject):
    """Runs ``core.training.train`` in its own thread and forwards its events."""

    status = Signal(object)  # core.events.Status
    data_ready = Signal(object)  # core.events.DataReady
    progress = Signal(object)  # core.events.Progress
    validated = Signal(object)  # core.events.Validation
    finished = Signal(object)  # core.events.Finished
    failed = Signal(object)  # the exception (CorpusError, TokenizerError, MemoryError, ...)
    stopped_running = Signal()  # after finished or failed: the worker is idle again

    def __init__(self, train_fn: Callable[..., Any] | None = None):
        super().__init__()
        self._train_fn = train_fn
        self._stop = threading.Event()

    def stop(self) -> None:
        """Ask the running training to stop after the current batch (thread-safe)."""
        self._stop.set()

    def emit_event(self, event: Any) -> None:
        """Emit ``event`` on the signal for its class; events of other classes are logged and skipped."""
        name = next((n for cls, n in EVENT_SIGNALS.items() if isinstance(event, cls)), None)
        if name is None:
            logger.warning("Unknown training event %r skipped", event)
            return
        getattr(self, name).emit(event)

    @Slot(object)
    def run(self, job: TrainingJob) -> None:
        self._stop.clear()
        try:
            from translator_app.core import run_history, training

            train = self._train_fn or training.train
            stream = train(
                training.CorpusSpec(job.corpus, job.target_corpus),
                job.out_dir,
                model_cfg=job.model,
                train_cfg=job.train,
                tok_cfg=job.tokenizer,
                data_cfg=job.data,
                resume=job.resume,
                should_stop=self._stop.is_set,
                meta=dict(job.meta) or None,
            )
            for event in run_history.record(stream, job.out_dir):  # training-loss points, how it ended
                self.emit_event(event)
        except Exception as exc:
            logger.exception("Training into %s failed", job.out_dir)
            self.failed.emit(exc)
        finally:
            self.stopped_running.emit()
