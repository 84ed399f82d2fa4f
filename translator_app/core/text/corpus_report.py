"""What reading a corpus reports: :class:`CorpusError` (a corpus that cannot be used, naming the file
and line), :class:`CorpusReport` (counts of kept and skipped lines, with examples) and
:func:`normalize` (NFC, white space collapsed), shared by the TSV / text reader (:mod:`.corpus`)
and the TMX / XLIFF / PO / MO readers (:mod:`.formats`).  Imports nothing of the app.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

MAX_EXAMPLES = 20


class CorpusError(ValueError):
    """A corpus that cannot be used; the message names the file and line."""

    def __init__(self, path: str | Path, line: int | None, reason: str):
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}, line {line}" if line else self.path
        super().__init__(f"{where}: {reason}")


@dataclass
class CorpusReport:
    """What reading a corpus did: counts of kept and skipped lines, with examples."""

    paths: tuple[str, ...]
    lines: int = 0
    pairs: int = 0
    header: bool = False
    skipped: Counter = field(default_factory=Counter)  # reason -> count
    examples: list[str] = field(default_factory=list)  # "file:line: reason", first few
    src_lang: str = ""
    tgt_lang: str = ""
    unit_name: str = "line"  # what the numbers in ``examples`` count ("entry" for MO files)
    counted: str = "lines"  # what ``lines`` counts ("translation units" for TMX, ...)
    notes: list[str] = field(default_factory=list)  # e.g. which languages of a multilingual TMX were read

    def skip(self, path: str, line: int, reason: str) -> None:
        self.skipped[reason] += 1
        if len(self.examples) < MAX_EXAMPLES:
            where = f"{path}:{line}" if self.unit_name == "line" else f"{path}, {self.unit_name} {line}"
            self.examples.append(f"{where}: {reason}")

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def summary(self) -> str:
        parts = [f"{self.pairs} pairs from {self.lines} {self.counted}"]
        if self.header:
            parts.append("header skipped")
        parts += [f"{n} {reason}" for reason, n in self.skipped.most_common()]
        return ", ".join(parts + self.notes)


def normalize(text: str, lowercase: bool = False) -> str:
    text = unicodedata.normalize("NFC", text).strip()
    text = " ".join(text.split())  # collapse runs of white space (tabs inside a side, NBSP kept)
    return text.lower() if lowercase else text
