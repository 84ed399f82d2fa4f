"""Document translation: one document at a time with ``core.documents``, in its own thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from translator_app.core.base.cancel import CancelToken
from translator_app.core.model.decoding import DOCUMENT, DecodeConfig


@dataclass(frozen=True)
class DocumentJob:
    source: str
    output: str
    model: str  # model folder
    decode: DecodeConfig = DOCUMENT  # how to search
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
        self._cancel = CancelToken()

    def cancel(self) -> None:
        self._cancel.cancel()

    def _translator(self, path: str) -> Any:
        if path not in self._translators:
            loader = self._loader
            if loader is None:
                from translator_app.core.translation.translator import Translator

                loader = Translator.load
            self._translators = {path: loader(path)}  # keep one model: a new one replaces the old
            from translator_app.workers import memory

            memory.attach(self._translators[path])  # its pair's translation memory, when one is set
        return self._translators[path]

    @Slot(object)
    def run(self, job: DocumentJob) -> None:
        self._cancel.reset()
        try:
            from translator_app.core import documents

            documents.check_paths(job.source, job.output)
            translator = self._translator(job.model)
            glossary = None
            if job.glossary:
                info = getattr(translator, "info", None)
                glossary = documents.load_glossary(
                    job.glossary, getattr(info, "src_lang", ""), getattr(info, "tgt_lang", "")
                )
            report = documents.translate_document(
                job.source,
                job.output,
                translator,
                fmt=job.fmt,
                decode=job.decode,
                glossary=glossary,
                all_units=job.all_units,
                progress=lambda done, total: self.progress.emit(done, total),
                cancel=self._cancel,
            )
        except Exception as exc:  # noqa: BLE001 - every failure goes to the GUI as an object
            self.failed.emit(exc)
        else:
            self.finished.emit(report)
        finally:
            self.stopped_running.emit()
