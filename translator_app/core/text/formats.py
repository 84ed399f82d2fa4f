"""Translation-memory and localisation files as parallel corpora: TMX, XLIFF 1.2 / 2.0, gettext PO / MO.

:func:`translator_app.core.text.corpus.read_corpus` dispatches here by extension (:data:`SUFFIXES`);
the readers are :mod:`.format_xml` (TMX, XLIFF) and :mod:`.format_gettext` (PO, MO), their shared
helpers :mod:`.format_common`.
TMX is streamed with lxml ``iterparse`` (a 200 MB memory stays at a few MB of tree); XLIFF, PO
and MO are read whole by translate-toolkit and refused above ``max_file_bytes``. Every unit
becomes zero, one or two (source, target) candidates (a PO plural gives two), each kept or
skipped with a reason, so ``report.lines == pairs + skipped`` as for TSV. Inline markup becomes
plain text (placeholders keep their ``equiv-text`` / ``equiv`` / ``disp`` text, else vanish);
PO / MO accelerator marks are stripped (printf and similar placeholders are left alone).
A malformed file raises :class:`CorpusError` naming the file and, where it has one, the line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from translator_app.core.text.corpus_report import CorpusError, CorpusReport, normalize
from translator_app.core.text.format_common import (
    COUNTED,
    DEFAULT_MARKERS,
    EMPTY,
    MAX_TREE_BYTES,
    NAMES,
    SUFFIXES,
    Options,
    strip_accelerators,
)
from translator_app.core.text.format_gettext import read_mo, read_po
from translator_app.core.text.format_xml import read_tmx, read_xliff

__all__ = [
    "COUNTED",
    "DEFAULT_MARKERS",
    "MAX_TREE_BYTES",
    "NAMES",
    "SUFFIXES",
    "Options",
    "format_of",
    "iter_pairs",
    "strip_accelerators",
]


def format_of(path: str | Path) -> str | None:
    """ "tmx", "xliff", "po" or "mo" from the extension (any case); None for TSV and plain text."""
    return SUFFIXES.get(Path(path).suffix.lower())


def iter_pairs(
    path: str | Path,
    fmt: str,
    *,
    report: CorpusReport,
    max_chars: int = 1000,
    strict: bool = False,
    lowercase: bool = False,
    options: Options = Options(),
) -> Iterator[tuple[str, str, int]]:
    """Yield (source, target, line or entry number) for every usable pair, updating ``report``."""
    path = Path(path)
    report.counted = COUNTED[fmt]
    reader = {"tmx": read_tmx, "xliff": read_xliff, "po": read_po, "mo": read_mo}[fmt]
    try:
        for src, tgt, where, reason in reader(path, report, options):
            report.lines += 1
            if reason is None:
                src, tgt = normalize(src, lowercase), normalize(tgt, lowercase)
                if not src or not tgt:
                    reason = EMPTY
                elif len(src) > max_chars or len(tgt) > max_chars:
                    reason = f"longer than {max_chars} characters"
                else:
                    yield src, tgt, where
                    continue
                if strict:
                    by_line = report.unit_name == "line"
                    raise CorpusError(
                        path, where if by_line else None, reason if by_line else f"{report.unit_name} {where}: {reason}"
                    )
            report.skip(str(path), where, reason)
    except (CorpusError, MemoryError):
        raise
    except Exception as exc:
        raise CorpusError(path, None, f"cannot read this {NAMES[fmt]} file: {type(exc).__name__}: {exc}") from exc
