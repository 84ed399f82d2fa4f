"""The only bridge between Qt and the core: QObjects that live in their own QThreads.

* :mod:`.translation` — :class:`TranslationWorker` owns the loaded model: live translation,
  interactive completions and alternatives (every failure one ``Failure`` on ``failed``);
* :mod:`.training` — :class:`TrainingWorker` runs the core ``train(request)`` generator and emits each
  event object on the signal for its class;
* :mod:`.tasks` — :class:`Task` (a callable with its own ``success``/``failure`` callbacks),
  :class:`TaskWorker` and its GUI-thread end :class:`TaskRunner`: model import / export / delete,
  store listings (``core.library.model_list.list_models``), corpus previews (``core.text.corpus_preview``) and
  checks;
* :mod:`.store` — :func:`model_dir_for` (where a training run of the app writes);
* :mod:`.documents` — :class:`DocumentWorker` (File ▸ Translate file or document: every file);
* :mod:`.base` — :func:`start_thread` / :func:`stop_thread` (quit + wait; every running QThread is
  referenced, so none is garbage-collected while it runs), the generic :class:`FunctionWorker` and
  :class:`GeneratorWorker`, and the errors workers raise themselves.

Workers signal failures with the exception object, on one ``errored`` signal; the GUI alone turns
exceptions into messages, in one relay (:class:`translator_app.gui.errors.ErrorRelay`, built on
:func:`~translator_app.gui.errors.user_message`; how to plug a worker in: :mod:`.base`).  Nothing here imports torch at import time: the
core modules that need it are imported in the worker threads, so GUI modules may import this package.
"""

from __future__ import annotations

from translator_app.workers.base import (
    FunctionWorker,
    GeneratorWorker,
    NoModelLoaded,
    WorkerError,
    running_threads,
    start_thread,
    stop_thread,
)
from translator_app.workers.documents import DocumentJob, DocumentWorker
from translator_app.workers.store import model_dir_for
from translator_app.workers.tasks import Task, TaskKind, TaskRunner, TaskWorker
from translator_app.workers.training import EVENT_SIGNALS, TrainingJob, TrainingWorker
from translator_app.workers.translation import AlternativesRequest, CompletionRequest, TranslationWorker

__all__ = [
    "EVENT_SIGNALS",
    "AlternativesRequest",
    "CompletionRequest",
    "DocumentJob",
    "DocumentWorker",
    "FunctionWorker",
    "GeneratorWorker",
    "NoModelLoaded",
    "Task",
    "TaskKind",
    "TaskRunner",
    "TaskWorker",
    "TrainingJob",
    "TrainingWorker",
    "TranslationWorker",
    "WorkerError",
    "model_dir_for",
    "running_threads",
    "start_thread",
    "stop_thread",
]
