"""The translation worker: owns the loaded model, translates live text and interactive requests
(files and documents are translated by :mod:`.documents`, in their own thread).

:class:`TranslationWorker` owns the :class:`~translator_app.core.translation.translator.Translator` (not
thread-safe, so only this worker's thread ever touches it).  The GUI calls
:meth:`TranslationWorker.submit` (thread-safe) for every change of the text; requests replace each
other in a one-element, lock-protected "pending" slot, so while a translation runs only the newest
request waits and older ones are dropped (``dropped`` signal).  Interactive requests
(:meth:`TranslationWorker.submit_completion`: decode the rest of a sentence from the person's
prefix; :meth:`TranslationWorker.submit_alternatives`: the top words at one position) wait in a slot
per (kind, sentence): newer typing in a sentence replaces its older request, which is dropped
(``interactive_dropped``).  They run before a pending translation and come back as core objects
(``completion_ready`` with a ``Completion``, ``alternatives_ready`` with a list of ``WordChoice``),
tagged with the request id.

Every failure comes on one signal, ``failed``, as a :class:`Failure`: the exception object itself
with what the GUI needs to place it (which step, the request id or the path); the GUI turns the
exception into a message (``gui.errors.user_message``).
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from translator_app.core.model.decoding import LIVE, DecodeConfig
from translator_app.workers import memory
from translator_app.workers.base import NoModelLoaded

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompletionRequest:
    """Decode the rest of sentence ``sentence`` of the source text after ``prefix``."""

    request_id: int
    sentence: int  # index of the sentence in the shown translation
    source: str  # the source sentence
    prefix: str  # the target text the person typed (up to the cursor)
    decode: DecodeConfig = LIVE  # how to search


@dataclass(frozen=True)
class AlternativesRequest:
    """The ``k`` most likely next words of sentence ``sentence`` after ``prefix``."""

    request_id: int
    sentence: int
    source: str
    prefix: str  # the target text before the word the person clicked
    k: int = 5


class Step(enum.Enum):
    """What the translation worker was doing when it failed."""

    MODEL = "model"  # loading a model (the old model stays)
    GLOSSARY = "glossary"  # reading the glossary file (the glossary is not used)
    TRANSLATION = "translation"  # a live translation request
    INTERACTIVE = "interactive"  # a completion or alternatives request


@dataclass(frozen=True)
class Failure:
    """A failure of the translation worker: the exception and where it belongs."""

    step: Step
    error: BaseException  # InputTooLong, NoModelLoaded, BundleError, DocumentError, ...
    request_id: int = -1  # TRANSLATION / INTERACTIVE: the request that failed
    path: str = ""  # MODEL: the model folder; GLOSSARY: the glossary file


InteractiveRequest = CompletionRequest | AlternativesRequest
_Slot = tuple[type, int]  # (request class, sentence): one pending interactive request per slot


class TranslationWorker(QObject):
    """Owns the translation model; lives in its own thread."""

    model_loaded = Signal(object)  # core.translation.translator.ModelInfo
    translation_ready = Signal(int, object)  # request id, core.translation.translator.Translation
    started = Signal(int)  # request id whose translation begins now
    dropped = Signal(int)  # request id skipped because a newer one arrived
    completion_ready = Signal(int, object)  # request id, core.translation.interactive.Completion
    alternatives_ready = Signal(int, object)  # request id, list[core.translation.interactive.WordChoice]
    failed = Signal(object)  # Failure: every failure, with its exception
    interactive_dropped = Signal(int)  # interactive request id superseded by newer typing in its sentence
    _wake = Signal()

    def __init__(self, loader: Callable[[str], Any] | None = None):
        super().__init__()
        self._loader = loader
        self._translator: Any = None
        self._lock = threading.Lock()
        self._pending: tuple[int, str, DecodeConfig] | None = None
        self._latest_id = -1
        # interactive requests: one pending slot and the newest id per (kind, sentence)
        self._ia_pending: dict[_Slot, InteractiveRequest] = {}
        self._ia_latest: dict[_Slot, int] = {}
        self._glossary_path = ""  # the glossary setting (TSV or TBX); "" for none
        self._glossary: tuple[tuple, dict[str, str] | None] = (("", "", ""), None)  # (path, langs), terms
        self._wake.connect(self._drain)

    @property
    def loader(self) -> Callable[[str], Any] | None:
        """The model loader this worker was made with (None: ``Translator.load``)."""
        return self._loader

    # called from the GUI thread ------------------------------------------------------------
    def submit(self, request_id: int, text: str, decode: DecodeConfig = LIVE) -> None:
        """Queue a translation searched as ``decode`` says (thread-safe). Only the newest pending
        request survives."""
        with self._lock:
            replaced = self._pending
            self._pending = (request_id, text, decode)
            self._latest_id = max(self._latest_id, request_id)
        if replaced is not None:
            self.dropped.emit(replaced[0])
        else:
            self._wake.emit()

    def submit_completion(
        self, request_id: int, sentence: int, source: str, prefix: str, decode: DecodeConfig = LIVE
    ) -> None:
        """Queue "complete this sentence from ``prefix``" (thread-safe); replaces an older pending
        completion of the same sentence (that one is dropped)."""
        self._submit_interactive(CompletionRequest(request_id, sentence, source, prefix, decode))

    def submit_alternatives(self, request_id: int, sentence: int, source: str, prefix: str, k: int = 5) -> None:
        """Queue "the top ``k`` words after ``prefix``" (thread-safe), newest per sentence wins."""
        self._submit_interactive(AlternativesRequest(request_id, sentence, source, prefix, max(1, int(k))))

    def _submit_interactive(self, request: InteractiveRequest) -> None:
        key = (type(request), request.sentence)
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
        translation and completion (thread-safe; read in the worker thread)."""
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
                    self.failed.emit(Failure(Step.GLOSSARY, exc, path=path))
            self._glossary = (key, terms)
        terms = self._glossary[1]
        return {"glossary": terms} if terms else {}

    # slots, run in the worker thread ----------------------------------------------------------
    @Slot(str)
    def load_model(self, path: str) -> None:
        try:
            loader = self._loader
            if loader is None:
                from translator_app.core.translation.translator import Translator

                loader = Translator.load
            translator = loader(path)
            memory.attach(translator)  # the translation memory of its pair (workers.memory's setting)
        except Exception as exc:
            logger.exception("Cannot load the model in %s", path)
            self.failed.emit(Failure(Step.MODEL, exc, path=path))
            return
        self._translator = translator
        self.model_loaded.emit(translator.info)
        self._drain()  # text typed while the model loaded

    @Slot(int, str)
    @Slot(int, str, object)
    def translate(self, request_id: int, text: str, decode: DecodeConfig = LIVE) -> None:
        """Translate now unless a newer request is already known (then it is dropped)."""
        with self._lock:
            stale = request_id < self._latest_id
            self._latest_id = max(self._latest_id, request_id)
        if stale:
            self.dropped.emit(request_id)
            return
        if self._translator is None:
            self.failed.emit(Failure(Step.TRANSLATION, NoModelLoaded(), request_id))
            return
        self.started.emit(request_id)
        try:
            result = self._translator.translate(text, decode, **self._terms())
        except Exception as exc:
            logger.info("Translation %d failed: %s", request_id, exc, exc_info=True)
            self.failed.emit(Failure(Step.TRANSLATION, exc, request_id))
            return
        self.translation_ready.emit(request_id, result)

    def _interactive(self, request: InteractiveRequest) -> None:
        """Run one interactive request (worker thread) unless a newer one for its sentence is known."""
        with self._lock:
            stale = request.request_id < self._ia_latest.get((type(request), request.sentence), -1)
        if stale:
            self.interactive_dropped.emit(request.request_id)
            return
        try:
            if isinstance(request, CompletionRequest):
                result = self._translator.complete(request.source, request.prefix, request.decode, **self._terms())
                self.completion_ready.emit(request.request_id, result)
            else:
                choices = list(
                    self._translator.next_words(request.source, request.prefix, k=request.k, **self._terms())
                )
                self.alternatives_ready.emit(request.request_id, choices)
        except Exception as exc:
            logger.info("Interactive request %d failed: %s", request.request_id, exc, exc_info=True)
            self.failed.emit(Failure(Step.INTERACTIVE, exc, request.request_id))

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
                    request_id, text, decode = self._pending
                    self._pending = None
            if interactive is not None:
                self._interactive(interactive)
            else:
                self.translate(request_id, text, decode)
