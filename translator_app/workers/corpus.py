"""The corpus preview: read a corpus like training will, in its own thread, and summarise it."""

from __future__ import annotations

import logging
import statistics
import time
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

logger = logging.getLogger(__name__)


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
        str(path),
        target_path or None,
        report.pairs,
        report.lines,
        report.header,
        dict(report.skipped),
        tuple(report.examples),
        report.src_lang,
        report.tgt_lang,
        stats([len(s.split()) for s, _ in pairs]),
        stats([len(t.split()) for _, t in pairs]),
        tuple(pairs[::step][:n_samples]),
        report.summary(),
        time.perf_counter() - start,
        tuple(report.notes),
    )


class CorpusPreviewWorker(QObject):
    """Previews a corpus in its own thread. Results carry the request id; a queued request
    older than one already seen is skipped (the GUI ignores results other than its latest)."""

    preview_ready = Signal(int, object)  # request id, CorpusPreview
    failed = Signal(int, object)  # request id, the exception (CorpusError, OSError, ...)

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
        except Exception as exc:
            logger.info("Corpus preview of %s failed: %s", path, exc, exc_info=True)
            self.failed.emit(request_id, exc)
            return
        self.preview_ready.emit(request_id, result)
