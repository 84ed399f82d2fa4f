"""gettext PO / POT and MO catalogues (translate-toolkit) as candidate pairs.

A plural gives two candidates; fuzzy and obsolete entries are skipped with a reason; accelerator
marks are stripped (``X-Accelerator-Marker`` when the header names one).
"""

from __future__ import annotations

import codecs
import re
import struct
from pathlib import Path
from typing import Any

from translator_app.core.base.langcodes import base_code
from translator_app.core.text.corpus_report import CorpusError, CorpusReport
from translator_app.core.text.format_common import (
    FUZZY,
    OBSOLETE,
    Candidates,
    Options,
    markers_for,
    read_bytes,
    sniff_binary,
    strip_accelerators,
)

_MO_MAGIC = (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")


def _gettext_languages(report: CorpusReport, path: Path, header: dict[str, str]) -> None:
    tgt = base_code(header.get("Language"))
    if not tgt and re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z]{2,4})?(@\w+)?", path.stem):
        tgt = base_code(path.stem)  # es.po, pt_BR.po, sr@latin.po
    if tgt:
        report.src_lang, report.tgt_lang = base_code(header.get("X-Source-Language")) or "en", tgt


def _gettext_pairs(unit: Any) -> list[tuple[str, str]]:
    """msgid / msgstr[0], and msgid_plural / msgstr[1] when the entry has them."""
    srcs, tgts = (
        [str(s) for s in v.strings] if hasattr(v, "strings") else [str(v or "")] for v in (unit.source, unit.target)
    )
    return [(srcs[0], tgts[0])] + ([(srcs[1], tgts[1])] if len(srcs) > 1 and len(tgts) > 1 else [])


def _read_gettext_units(store: Any, path: Path, report: CorpusReport, opt: Options, by_line: bool) -> Candidates:
    header = store.parseheader()
    _gettext_languages(report, path, header)
    markers = markers_for(opt.accelerators, header.get("X-Accelerator-Marker", ""), default_on=True)
    for index, unit in enumerate(store.units, 1):
        if unit.isheader():
            continue
        where = (getattr(unit, "_line_number", None) or index) if by_line else index
        obsolete = getattr(unit, "isobsolete", lambda: False)()
        fuzzy = unit.isfuzzy() and not opt.include_fuzzy
        for src, tgt in _gettext_pairs(unit):
            if obsolete or fuzzy:
                yield src, tgt, where, OBSOLETE if obsolete else FUZZY
                continue
            if markers:
                src, tgt = strip_accelerators(src, *markers), strip_accelerators(tgt, *markers)
            yield src, tgt, where, None


def read_po(path: Path, report: CorpusReport, opt: Options) -> Candidates:
    from translate.storage import poparser, pypo

    data = read_bytes(path, opt.max_file_bytes, "PO")
    sniff_binary(path, data[:4], "PO")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        hint = " (it looks like a compiled MO file: name it .mo)" if data[:4] in _MO_MAGIC else ""
        raise CorpusError(path, line, f"contains NUL bytes; this is binary data, not a PO file{hint}")
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    match = re.search(rb"charset=\s*([-\w.:]+)", data[:16384])
    charset = match.group(1).decode("ascii") if match and match.group(1) != b"CHARSET" else "utf-8"
    try:
        data.decode(charset)
    except LookupError:
        raise CorpusError(path, None, f"unknown charset {charset!r} in the PO header") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(
            path, line, f"not valid {charset} (byte 0x{data[exc.start]:02x}); the header declares charset={charset}"
        ) from exc
    store = pypo.pofile()
    try:
        store.parse(data)
    except poparser.PoParseError as exc:
        detail, _, text = re.sub(r" on line \d+:", ":", str(exc), count=1).partition(": ")
        detail = "" if detail == "Syntax error" else f" ({detail})"
        text = re.sub(r"\\n(.)$", r"\1", text)  # the offending line's repr, without its "\n"
        raise CorpusError(path, exc.parse_state.lineno or None, f"PO syntax error{detail} at {text}") from exc
    yield from _read_gettext_units(store, path, report, opt, by_line=True)


def _check_mo(path: Path, data: bytes) -> None:
    """Refuse a truncated or corrupt MO file (translate-toolkit would silently read garbage)."""
    from translate.storage import mo

    if len(data) < 28:
        raise CorpusError(path, None, f"not an MO file or truncated: {len(data)} bytes, less than an MO header")
    try:
        endian, _, _, count, key_table, value_table, _, _ = mo.mofile.parse_header(data)
    except ValueError:
        raise CorpusError(path, None, "not an MO file (no gettext magic number at the start)") from None
    end = max(key_table, value_table) + 8 * count
    if count < 0 or min(key_table, value_table) < 28 or end > len(data):
        raise CorpusError(
            path,
            None,
            f"truncated or corrupt MO file: its tables of {count} entries end at byte {end}, the file has {len(data)}",
        )
    for i in range(count):
        for table in (key_table, value_table):
            length, offset = struct.unpack_from(f"{endian}ii", data, table + 8 * i)
            if length < 0 or offset < 0 or offset + length > len(data):
                raise CorpusError(
                    path,
                    None,
                    f"truncated or corrupt MO file: entry {i + 1} points past the "
                    f"end of the file (byte {offset + length} of {len(data)})",
                )


def read_mo(path: Path, report: CorpusReport, opt: Options) -> Candidates:
    from translate.storage import mo

    data = read_bytes(path, opt.max_file_bytes, "MO")
    _check_mo(path, data)
    store = mo.mofile()
    try:
        store.parse(data)  # (mo.mofile(data) would parse into a store it throws away)
    except UnicodeDecodeError as exc:
        raise CorpusError(path, None, f"an entry is not valid {store.encoding}: {exc.reason}") from exc
    report.unit_name = "entry"
    yield from _read_gettext_units(store, path, report, opt, by_line=False)
