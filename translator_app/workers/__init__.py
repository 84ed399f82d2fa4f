"""The only bridge between Qt and the core: QObjects that live in their own QThreads.

* :mod:`.translation` — :class:`TranslationWorker` owns the loaded model: live translation,
  interactive completions and alternatives (every failure one ``Failure`` on ``failed``);
* :mod:`.training` — :class:`TrainingWorker` runs the core ``train()`` generator and emits each
  event object on the signal for its class;
* :mod:`.tasks` — :class:`Task` (a callable with its own ``success``/``failure`` callbacks),
  :class:`TaskWorker` and its GUI-thread end :class:`TaskRunner`: model import / export / delete,
  store listings, corpus checks;
* :mod:`.store` — :func:`list_models` (a store listing for a task), :func:`model_dir_for`, and
  :func:`model_ref` / :func:`resolve_model_ref` (a model as the settings remember it: by store name);
* :mod:`.corpus` — :class:`CorpusPreviewWorker` and :func:`preview_corpus`;
* :mod:`.documents` — :class:`DocumentWorker` (File ▸ Translate file or document: every file);
* :mod:`.base` — :func:`start_thread` / :func:`stop_thread` (quit + wait; every running QThread is
  referenced, so none is garbage-collected while it runs) and the errors workers raise themselves.

Workers signal failures with the exception object; the GUI alone turns exceptions into messages
(:func:`translator_app.gui.errors.user_message`).  Nothing here imports torch at import time: the
core modules that need it are imported in the worker threads, so GUI modules may import this package.
"""

from __future__ import annotations

from translator_app.workers.base import (
    FileCancelled,
    InputFileError,
    NoModelLoaded,
    WorkerError,
    running_threads,
    start_thread,
    stop_thread,
)
from translator_app.workers.corpus import CorpusPreview, CorpusPreviewWorker, preview_corpus
from translator_app.workers.documents import DocumentJob, DocumentWorker
from translator_app.workers.store import ModelListing, list_models, model_dir_for, model_ref, resolve_model_ref
from translator_app.workers.tasks import Task, TaskKind, TaskRunner, TaskWorker
from translator_app.workers.training import EVENT_SIGNALS, TrainingJob, TrainingWorker
from translator_app.workers.translation import AlternativesRequest, CompletionRequest, TranslationWorker

__all__ = [
    "EVENT_SIGNALS",
    "AlternativesRequest",
    "CompletionRequest",
    "CorpusPreview",
    "CorpusPreviewWorker",
    "DocumentJob",
    "DocumentWorker",
    "FileCancelled",
    "InputFileError",
    "ModelListing",
    "NoModelLoaded",
    "Task",
    "TaskKind",
    "TaskRunner",
    "TaskWorker",
    "TrainingJob",
    "TrainingWorker",
    "TranslationWorker",
    "WorkerError",
    "list_models",
    "model_dir_for",
    "model_ref",
    "resolve_model_ref",
    "preview_corpus",
    "running_threads",
    "start_thread",
    "stop_thread",
]
