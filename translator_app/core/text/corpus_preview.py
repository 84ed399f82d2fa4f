"""The corpus preview: read a corpus like training will and summarise it (counts, skips, languages,
sentence lengths, a few samples) for the Training tab.  Torch-free and Qt-free; the GUI runs
:func:`preview_corpus` as a background task."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from translator_app.core.text.corpus import read_corpus


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
