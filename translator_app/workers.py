"""The only bridge between Qt and the core: QObjects that live in their own QThreads.

* :class:`TranslationWorker` owns the :class:`~translator_app.core.translator.Translator`
  (not thread-safe, so only this worker's thread ever touches it).  The GUI calls
  :meth:`TranslationWorker.submit` (thread-safe) for every change of the text; requests
  replace each other in a one-element, lock-protected "pending" slot, so while a translation
  runs only the newest request waits and older ones are dropped (``dropped`` signal).
  Interactive requests (:meth:`TranslationWorker.submit_completion`: decode the rest of a
  sentence from the person's prefix; :meth:`TranslationWorker.submit_alternatives`: the top
  words at one position) wait in a slot per (kind, sentence): newer typing in a sentence
  replaces its older request, which is dropped (``interactive_dropped``).  They run before a pending translation and
  come back as core objects (``completion_ready`` with a ``Completion``, ``alternatives_ready``
  with a list of ``WordChoice``), tagged with the request id.
* :class:`TrainingWorker` runs the core ``train()`` generator and forwards its events;
  :meth:`TrainingWorker.stop` sets a thread-safe flag the loop polls between batches.
* :class:`TaskWorker` runs short jobs (corpus preview, model import/export) off the GUI thread;
  :class:`CorpusPreviewWorker` is the corpus-preview flavour.

Every exception becomes a ``failed`` (or ``translation_failed``) signal with a readable
message.  Threads are created with :func:`start_thread`, which keeps a Python reference to
each running QThread (a collected, running QThread aborts the process), and stopped with
:func:`stop_thread` (quit + wait).

Nothing here imports torch at import time: the core modules that need it are imported in
the worker threads, so GUI modules may import this one.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from translator_app.core.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig

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


def describe_error(exc: BaseException) -> str:
    """A message for the user: the exception's own text when it is a known, explained error."""
    from translator_app.core.corpus import CorpusError

    if isinstance(exc, (CorpusError, ValueError, OSError)) and str(exc):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "Out of memory. Try a smaller preset, fewer batch tokens or a shorter text."
    return f"Unexpected error: {type(exc).__name__}: {exc}"


# ---- translation -----------------------------------------------------------------------------

@dataclass(frozen=True)
class CompletionRequest:
    """Decode the rest of sentence ``sentence`` of the source text after ``prefix``."""

    request_id: int
    sentence: int  # index of the sentence in the shown translation
    source: str  # the source sentence
    prefix: str  # the target text the person typed (up to the cursor)
    beam: int = 1


@dataclass(frozen=True)
class AlternativesRequest:
    """The ``k`` most likely next words of sentence ``sentence`` after ``prefix``."""

    request_id: int
    sentence: int
    source: str
    prefix: str  # the target text before the word the person clicked
    k: int = 5


class TranslationWorker(QObject):
    """Owns the translation model; lives in its own thread."""

    model_loaded = Signal(object)  # core.translator.ModelInfo
    model_failed = Signal(str, str)  # path, message (also reported through ``failed``)
    translation_ready = Signal(int, object)  # request id, core.translator.Translation
    translation_failed = Signal(int, str)  # request id, message (e.g. the core's "too long")
    started = Signal(int)  # request id whose translation begins now
    dropped = Signal(int)  # request id skipped because a newer one arrived
    failed = Signal(str)
    finished = Signal()  # the worker is idle: nothing pending any more
    file_progress = Signal(int, int)  # lines translated, lines in the file
    file_done = Signal(str, int, float)  # output path, lines, seconds
    file_failed = Signal(str)
    completion_ready = Signal(int, object)  # request id, core.interactive.Completion
    alternatives_ready = Signal(int, object)  # request id, list[core.interactive.WordChoice]
    interactive_failed = Signal(int, object)  # request id, the exception (describe_error makes a message)
    interactive_dropped = Signal(int)  # interactive request id superseded by newer typing in its sentence
    _wake = Signal()
    FILE_CHUNK = 64  # lines per batch; live requests are served between batches

    def __init__(self, loader: Callable[[str], Any] | None = None):
        super().__init__()
        self._loader = loader
        self._translator: Any = None
        self._lock = threading.Lock()
        self._pending: tuple[int, str, int] | None = None
        self._latest_id = -1
        # interactive requests: one pending slot and the newest id per (kind, sentence)
        self._ia_pending: dict[tuple[str, int], CompletionRequest | AlternativesRequest] = {}
        self._ia_latest: dict[tuple[str, int], int] = {}
        self._cancel_file = threading.Event()
        self._glossary_path = ""  # the glossary setting (TSV or TBX); "" for none
        self._glossary: tuple[tuple, dict[str, str] | None] = (("", "", ""), None)  # (path, langs), terms
        self._wake.connect(self._drain)

    # called from the GUI thread ------------------------------------------------------------
    def submit(self, request_id: int, text: str, beam: int = 1) -> None:
        """Queue a translation (thread-safe). Only the newest pending request survives."""
        with self._lock:
            replaced = self._pending
            self._pending = (request_id, text, beam)
            self._latest_id = max(self._latest_id, request_id)
        if replaced is not None:
            self.dropped.emit(replaced[0])
        else:
            self._wake.emit()

    def submit_completion(self, request_id: int, sentence: int, source: str, prefix: str, beam: int = 1) -> None:
        """Queue "complete this sentence from ``prefix``" (thread-safe); replaces an older pending
        completion of the same sentence (that one is dropped)."""
        self._submit_interactive(CompletionRequest(request_id, sentence, source, prefix, max(1, int(beam))))

    def submit_alternatives(self, request_id: int, sentence: int, source: str, prefix: str, k: int = 5) -> None:
        """Queue "the top ``k`` words after ``prefix``" (thread-safe), newest per sentence wins."""
        self._submit_interactive(AlternativesRequest(request_id, sentence, source, prefix, max(1, int(k))))

    def _submit_interactive(self, request: CompletionRequest | AlternativesRequest) -> None:
        key = (type(request).__name__, request.sentence)
        with self._lock:
            replaced = self._ia_pending.get(key)
            self._ia_pending[key] = request
            self._ia_latest[key] = max(self._ia_latest.get(key, -1), request.request_id)
        if replaced is not None:
            self.interactive_dropped.emit(replaced.request_id)
        else:
            self._wake.emit()

    def set_glossary(self, path: str) -> None:
        """Enforce the terms of this glossary file (TSV or TBX; "" for none) in every later
        translation, file translation and completion (thread-safe; read in the worker thread)."""
        with self._lock:
            self._glossary_path = str(path or "")

    def _terms(self) -> dict[str, str]:
        """``glossary=`` keyword for the translator: {} without a glossary (worker thread). A file
        that cannot be read is reported once (``failed``) and ignored."""
        with self._lock:
            path = self._glossary_path
        info = getattr(self._translator, "info", None)
        key = (path, str(getattr(info, "src_lang", "")), str(getattr(info, "tgt_lang", "")))
        if key != self._glossary[0]:
            terms = None
            if path:
                try:
                    from translator_app.core.documents.glossary import load_glossary

                    terms = load_glossary(path, key[1], key[2]) or None
                except Exception as exc:  # noqa: BLE001 - a bad glossary never stops translation
                    logger.warning("Glossary %s not used: %s", path, exc)
                    self.failed.emit(f"Glossary not used: {describe_error(exc)}")
            self._glossary = (key, terms)
        terms = self._glossary[1]
        return {"glossary": terms} if terms else {}

    def cancel_file(self) -> None:
        """Stop a running file translation after the current batch (thread-safe)."""
        self._cancel_file.set()

    @property
    def latest_request(self) -> int:
        with self._lock:
            return self._latest_id

    # slots, run in the worker thread ----------------------------------------------------------
    @Slot(str)
    def load_model(self, path: str) -> None:
        try:
            loader = self._loader
            if loader is None:
                from translator_app.core.translator import Translator

                loader = Translator.load
            translator = loader(path)
        except Exception as exc:  # noqa: BLE001 - reported to the GUI, the old model stays
            logger.exception("Cannot load the model in %s", path)
            message = f"Cannot load the model in {path}: {describe_error(exc)}"
            self.model_failed.emit(path, message)
            self.failed.emit(message)
            return
        self._translator = translator
        self.model_loaded.emit(translator.info)
        self._drain()  # text typed while the model loaded

    @Slot(int, str, int)
    def translate(self, request_id: int, text: str, beam: int = 1) -> None:
        """Translate now unless a newer request is already known (then it is dropped)."""
        with self._lock:
            stale = request_id < self._latest_id
            self._latest_id = max(self._latest_id, request_id)
        if stale:
            self.dropped.emit(request_id)
            return
        if self._translator is None:
            self.translation_failed.emit(request_id, "No model is loaded yet.")
            return
        self.started.emit(request_id)
        try:
            result = self._translator.translate(text, beam_size=max(1, int(beam)), **self._terms())
        except Exception as exc:  # noqa: BLE001 - InputTooLong and anything unexpected
            logger.info("Translation %d failed: %s", request_id, exc, exc_info=True)
            self.translation_failed.emit(request_id, describe_error(exc))
            return
        self.translation_ready.emit(request_id, result)

    @Slot(str, str, int)
    def translate_file(self, source: str, output: str, beam: int = 1) -> None:
        """Translate a UTF-8 text file line by line into ``output`` (written atomically)."""
        self._cancel_file.clear()
        if self._translator is None:
            self.file_failed.emit("No model is loaded yet.")
            return
        start = time.perf_counter()
        try:
            try:
                lines = Path(source).read_text(encoding="utf-8-sig").splitlines()
            except UnicodeDecodeError as exc:
                raise ValueError(f"{source}: not valid UTF-8 text (byte {exc.start})") from exc
            except OSError as exc:
                raise ValueError(f"{source}: cannot read ({exc.strerror or exc})") from exc
            out: list[str] = []
            for i in range(0, len(lines), self.FILE_CHUNK):
                if self._cancel_file.is_set():
                    self.file_failed.emit(f"Cancelled after {len(out):,} of {len(lines):,} lines; "
                                          f"{output} was not written.")
                    return
                out += self._translator.translate_lines(lines[i : i + self.FILE_CHUNK], beam_size=max(1, beam),
                                                        **self._terms())
                self.file_progress.emit(len(out), len(lines))
                self._drain()  # keep live translation responsive between batches
            from translator_app.core.checkpoint import atomic_write_text

            atomic_write_text(output, "\n".join(out) + ("\n" if out else ""))
        except Exception as exc:  # noqa: BLE001
            logger.exception("Translating the file %s failed", source)
            self.file_failed.emit(describe_error(exc))
            return
        self.file_done.emit(output, len(lines), time.perf_counter() - start)

    def _interactive(self, request: CompletionRequest | AlternativesRequest) -> None:
        """Run one interactive request (worker thread) unless a newer one for its sentence is known."""
        with self._lock:
            stale = request.request_id < self._ia_latest.get((type(request).__name__, request.sentence), -1)
        if stale:
            self.interactive_dropped.emit(request.request_id)
            return
        try:
            if isinstance(request, CompletionRequest):
                result = self._translator.complete(request.source, request.prefix, beam_size=request.beam,
                                                   **self._terms())
                self.completion_ready.emit(request.request_id, result)
            else:
                choices = list(self._translator.next_words(request.source, request.prefix, k=request.k,
                                                           **self._terms()))
                self.alternatives_ready.emit(request.request_id, choices)
        except Exception as exc:  # noqa: BLE001 - InputTooLong and anything unexpected
            logger.info("Interactive request %d failed: %s", request.request_id, exc, exc_info=True)
            self.interactive_failed.emit(request.request_id, exc)

    @Slot()
    def _drain(self) -> None:
        while True:
            with self._lock:
                idle = self._pending is None and not self._ia_pending
                if self._translator is None or idle:
                    break
                interactive = None
                if self._ia_pending:  # the person is typing in the output: serve that first, oldest first
                    key = min(self._ia_pending, key=lambda k: self._ia_pending[k].request_id)
                    interactive = self._ia_pending.pop(key)
                else:
                    request_id, text, beam = self._pending
                    self._pending = None
            if interactive is not None:
                self._interactive(interactive)
            else:
                self.translate(request_id, text, beam)
        if idle:
            self.finished.emit()


# ---- training ------------------------------------------------------------------------------

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

    status = Signal(str)
    data_ready = Signal(object)  # core.training.DataReady
    progress = Signal(object)  # core.training.Progress
    validated = Signal(object)  # core.training.Validation
    finished = Signal(object)  # core.training.Finished
    failed = Signal(str)
    stopped_running = Signal()  # after finished or failed: the worker is idle again

    def __init__(self, train_fn: Callable[..., Any] | None = None):
        super().__init__()
        self._train_fn = train_fn
        self._stop = threading.Event()
        self._running = threading.Event()

    def stop(self) -> None:
        """Ask the running training to stop after the current batch (thread-safe)."""
        self._stop.set()

    def is_running(self) -> bool:
        return self._running.is_set()

    @Slot(object)
    def run(self, job: TrainingJob) -> None:
        self._stop.clear()
        self._running.set()
        try:
            from translator_app.core import training

            train = self._train_fn or training.train
            events = train(training.CorpusSpec(job.corpus, job.target_corpus), job.out_dir, model_cfg=job.model,
                           train_cfg=job.train, tok_cfg=job.tokenizer, data_cfg=job.data, resume=job.resume,
                           should_stop=self._stop.is_set, meta=dict(job.meta) or None)
            for event in events:
                kind = type(event).__name__
                if kind == "Status":
                    self.status.emit(event.message)
                elif kind == "DataReady":
                    self.data_ready.emit(event)
                elif kind == "Progress":
                    self.progress.emit(event)
                elif kind == "Validation":
                    self.validated.emit(event)
                elif kind == "Finished":
                    self.finished.emit(event)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a message
            logger.exception("Training into %s failed", job.out_dir)
            traceback.print_exc()
            self.failed.emit(describe_error(exc))
        finally:
            self._running.clear()
            self.stopped_running.emit()


# ---- short background tasks --------------------------------------------------------------------

class TaskWorker(QObject):
    """Runs callables off the GUI thread: ``done(tag, result)`` or ``failed(tag, message)``."""

    done = Signal(str, object)
    failed = Signal(str, str)

    @Slot(str, object)
    def run(self, tag: str, fn: Callable[[], Any]) -> None:
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001
            logger.exception("Task %s failed", tag)
            self.failed.emit(tag, describe_error(exc))
            return
        self.done.emit(tag, result)


@dataclass(frozen=True)
class CorpusPreview:
    path: str
    target_path: str | None
    pairs: int
    lines: int
    header: bool
    skipped: dict[str, int]
    examples: tuple[str, ...]
    src_lang: str
    tgt_lang: str
    src_words: tuple[float, float, int]  # mean, median, max words per source sentence
    tgt_words: tuple[float, float, int]
    samples: tuple[tuple[str, str], ...]
    summary: str
    seconds: float
    notes: tuple[str, ...] = ()  # CorpusReport.notes, e.g. which languages of a multilingual TMX were read


def preview_corpus(path: str, target_path: str | None = None, n_samples: int = 8) -> CorpusPreview:
    """Read a corpus like training will and summarise it (raises CorpusError on hard problems)."""
    from translator_app.core.corpus import read_corpus

    start = time.perf_counter()
    pairs, report = read_corpus(path, target_path or None)

    def stats(lengths: list[int]) -> tuple[float, float, int]:
        return (round(statistics.fmean(lengths), 1), float(statistics.median(lengths)), max(lengths))

    step = max(1, len(pairs) // n_samples)
    return CorpusPreview(
        str(path), target_path or None, report.pairs, report.lines, report.header, dict(report.skipped),
        tuple(report.examples), report.src_lang, report.tgt_lang,
        stats([len(s.split()) for s, _ in pairs]), stats([len(t.split()) for _, t in pairs]),
        tuple(pairs[::step][:n_samples]), report.summary(), time.perf_counter() - start,
        tuple(report.notes))


class CorpusPreviewWorker(QObject):
    """Previews a corpus in its own thread. Results carry the request id; a queued request
    older than one already seen is skipped (the GUI ignores results other than its latest)."""

    preview_ready = Signal(int, object)  # request id, CorpusPreview
    failed = Signal(int, str)  # request id, message

    def __init__(self) -> None:
        super().__init__()
        self._latest = -1

    @Slot(int, str, str)
    def preview(self, request_id: int, path: str, target_path: str = "") -> None:
        if request_id < self._latest:
            return
        self._latest = request_id
        try:
            result = preview_corpus(path, target_path or None)
        except Exception as exc:  # noqa: BLE001
            logger.info("Corpus preview of %s failed: %s", path, exc, exc_info=True)
            self.failed.emit(request_id, describe_error(exc))
            return
        self.preview_ready.emit(request_id, result)


def model_dir_for(name: str) -> Path:
    """Where a training run named ``name`` writes its model."""
    from translator_app import paths
    from translator_app.core.store import sanitize_name

    return paths.user_models_dir() / sanitize_name(name)


# ---- document translation ----------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentJob:
    source: str
    output: str
    model: str  # model folder
    beam: int = 1
    fmt: str | None = None  # None: from the extension
    glossary: str | None = None  # TSV or TBX file
    all_units: bool = False  # PO / XLIFF: retranslate units that already have a translation


class DocumentWorker(QObject):
    """Translates one document at a time with ``core.documents`` in its own thread.

    It loads its own Translator (cached per model folder), so live translation in the
    TranslationWorker goes on meanwhile. :meth:`cancel` (thread-safe) stops before the next
    batch of segments; nothing is written then. Signals carry the result or the exception."""

    progress = Signal(int, int)  # segments done, segments to translate
    finished = Signal(object)  # core.documents.DocumentReport
    failed = Signal(object)  # the exception: DocumentError, Cancelled, BundleError, OSError, ...
    stopped_running = Signal()  # after finished or failed

    def __init__(self, loader: Callable[[str], Any] | None = None):
        super().__init__()
        self._loader = loader
        self._translators: dict[str, Any] = {}
        self._cancel = threading.Event()
        self._running = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def is_running(self) -> bool:
        return self._running.is_set()

    def _translator(self, path: str) -> Any:
        if path not in self._translators:
            loader = self._loader
            if loader is None:
                from translator_app.core.translator import Translator

                loader = Translator.load
            self._translators = {path: loader(path)}  # keep one model: a new one replaces the old
        return self._translators[path]

    @Slot(object)
    def run(self, job: DocumentJob) -> None:
        self._cancel.clear()
        self._running.set()
        try:
            from translator_app.core import documents

            documents.check_paths(job.source, job.output)
            translator = self._translator(job.model)
            glossary = None
            if job.glossary:
                info = getattr(translator, "info", None)
                glossary = documents.load_glossary(job.glossary, getattr(info, "src_lang", ""),
                                                   getattr(info, "tgt_lang", ""))
            report = documents.translate_document(
                job.source, job.output, translator, fmt=job.fmt, beam_size=max(1, int(job.beam)), glossary=glossary,
                all_units=job.all_units, progress=lambda done, total: self.progress.emit(done, total),
                cancel=self._cancel)
        except Exception as exc:  # noqa: BLE001 - every failure goes to the GUI as an object
            self.failed.emit(exc)
        else:
            self.finished.emit(report)
        finally:
            self._running.clear()
            self.stopped_running.emit()
