"""Translation memory files in and out: TMX export (translate-toolkit), and TMX / TSV / PO / XLIFF
import through the corpus readers (:func:`translator_app.core.text.corpus.read_corpus`), which take the
languages from the file (TSV: from its name, ``terms.en-es.tsv``, or its header) and skip fuzzy
and untranslated units with a reason. No Qt, no torch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from translator_app.core.adapt.memory import TMError, TranslationMemory, check_pair
from translator_app.core.documents.common import atomic_write_bytes
from translator_app.core.text.corpus import CorpusReport, read_corpus


@dataclass(frozen=True)
class ImportResult:
    src_lang: str
    tgt_lang: str
    added: int  # entries added or replaced
    report: CorpusReport


def file_pair(
    path: str | Path, src_lang: str = "", tgt_lang: str = ""
) -> tuple[list[tuple[str, str]], str, str, CorpusReport]:
    """The pairs of a TMX / TSV / PO / XLIFF file and its language pair (given ones win)."""
    pairs, report = read_corpus(path, src_lang=src_lang, tgt_lang=tgt_lang, include_fuzzy=False)
    src = src_lang or report.src_lang
    tgt = tgt_lang or report.tgt_lang
    if not src or not tgt:
        raise TMError(
            f"{path}: the file does not say its languages; give them with --src and --tgt "
            "(or name a TSV file like memory.en-es.tsv)"
        )
    src, tgt = check_pair(src, tgt)
    return pairs, src, tgt, report


def import_file(folder: str | Path, path: str | Path, src_lang: str = "", tgt_lang: str = "") -> ImportResult:
    """Add every pair of ``path`` to the memory of its language pair in ``folder``."""
    pairs, src, tgt, report = file_pair(path, src_lang, tgt_lang)
    memory = TranslationMemory.open(folder, src, tgt)
    try:
        ids = memory.add_many(pairs, origin="import")
    finally:
        memory.close()
    return ImportResult(src, tgt, len(set(ids)), report)


def _tmx_date(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def export_tmx(memory: TranslationMemory, path: str | Path) -> int:
    """Write every entry of ``memory`` as TMX 1.4 (atomically); returns the number of units."""
    from translate.storage import tmx

    store = tmx.tmxfile(sourcelanguage=memory.src_lang, targetlanguage=memory.tgt_lang)
    entries = memory.entries()[::-1]  # oldest first
    for entry in entries:
        unit = store.addsourceunit(entry.source)
        unit.target = entry.target
        unit.xmlelement.set("creationdate", _tmx_date(entry.created))
        unit.xmlelement.set("changedate", _tmx_date(entry.updated))
        if entry.model:
            unit.xmlelement.set("creationid", entry.model)
    header = store.document.getroot().find("header")
    if header is not None:
        header.set("creationtool", "translator-app")
        header.set("creationdate", _tmx_date(time.time()))
    atomic_write_bytes(path, bytes(store))
    return len(entries)
