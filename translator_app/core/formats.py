"""Translation-memory and localisation files as parallel corpora: TMX, XLIFF 1.2 / 2.0, gettext PO / MO.

:func:`translator_app.core.corpus.read_corpus` dispatches here by extension (:data:`SUFFIXES`).
TMX is streamed with lxml ``iterparse`` (a 200 MB memory stays at a few MB of tree); XLIFF, PO
and MO are read whole by translate-toolkit and refused above ``max_file_bytes``. Every unit
becomes zero, one or two (source, target) candidates (a PO plural gives two), each kept or
skipped with a reason, so ``report.lines == pairs + skipped`` as for TSV. Inline markup becomes
plain text (placeholders keep their ``equiv-text`` / ``equiv`` / ``disp`` text, else vanish);
PO / MO accelerator marks are stripped (printf and similar placeholders are left alone).
A malformed file raises :class:`CorpusError` naming the file and, where it has one, the line.
"""

from __future__ import annotations

import codecs
import io
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translator_app.core.corpus import CorpusError, CorpusReport, normalize
from translator_app.core.langcodes import base_code

SUFFIXES = {".tmx": "tmx", ".xlf": "xliff", ".xliff": "xliff", ".po": "po", ".pot": "po", ".mo": "mo"}
NAMES = {"tmx": "TMX", "xliff": "XLIFF", "po": "gettext PO", "mo": "gettext MO"}
COUNTED = {"tmx": "translation units", "xliff": "segments", "po": "messages", "mo": "messages"}
MAX_TREE_BYTES = 64 * 1024 * 1024  # XLIFF / PO / MO are parsed whole (about 15x their size in RAM)
DEFAULT_MARKERS = "~_&"  # LibreOffice, GNOME, KDE / Qt

FUZZY = "fuzzy (needs review)"
UNTRANSLATED = "not translated yet (XLIFF state)"
NOT_TRANSLATABLE = "marked translate=no"
OBSOLETE = "obsolete entry"
EMPTY = "empty source or target"  # the same reasons as corpus.iter_pairs
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XLIFF12_FUZZY = {"needs-review-translation", "needs-review-l10n", "needs-review-adaptation"}
_XLIFF12_NEW = {"new", "needs-translation", "needs-l10n", "needs-adaptation"}
_PLACEHOLDERS = {"ph", "x", "bx", "ex", "bpt", "ept", "it", "ut", "sc", "ec", "sm", "em"}
_XML_POS = re.compile(r",? line \d+, column \d+$")
Candidates = Iterator[tuple[str, str, int, str | None]]  # source, target, line or entry, skip reason (None: keep)


def format_of(path: str | Path) -> str | None:
    """ "tmx", "xliff", "po" or "mo" from the extension (any case); None for TSV and plain text."""
    return SUFFIXES.get(Path(path).suffix.lower())


@dataclass(frozen=True)
class Options:
    src_lang: str = ""  # TMX: which languages to read when the file has more than two
    tgt_lang: str = ""
    accelerators: bool | str | None = None  # None: on for PO / MO; a string: exactly these marks
    include_fuzzy: bool = False
    max_file_bytes: int = MAX_TREE_BYTES


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
    reader = {"tmx": _read_tmx, "xliff": _read_xliff, "po": _read_po, "mo": _read_mo}[fmt]
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


# ---- shared helpers ---------------------------------------------------------------------------


def _read_bytes(path: Path, limit: int | None, kind: str) -> bytes:
    """The whole file (``limit`` None: only its first bytes, for a streaming reader)."""
    try:
        size = path.stat().st_size
        if limit is not None and size > limit:
            raise CorpusError(
                path,
                None,
                f"the file has {_size(size)}; {kind} files over {_size(limit)} are "
                "not read (convert it to TMX or TSV, or split it)",
            )
        with open(path, "rb") as handle:
            data = handle.read() if limit is not None else handle.read(4)
    except OSError as exc:
        raise CorpusError(path, None, f"cannot open: {exc.strerror or exc}") from exc
    if size == 0:
        raise CorpusError(path, None, "the file is empty")
    return data


def _size(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n:,} bytes"


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'AEIMOX' else 'a'} {kind}"


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _xml_error(path: Path, exc: Exception, kind: str) -> CorpusError:
    line = getattr(exc, "lineno", None) or None
    msg = _XML_POS.sub("", str(getattr(exc, "msg", "") or exc)).strip()
    col = (getattr(exc, "position", None) or (0, 0))[1]
    where = f" (column {col})" if line and col else ""
    return CorpusError(path, line, f"not a well-formed {kind} file: {msg}{where}")


def _sniff_binary(path: Path, head: bytes, kind: str) -> None:
    for magic, what in ((b"PK\x03\x04", "a zip archive"), (b"\x1f\x8b", "gzip-compressed")):
        if head.startswith(magic):
            raise CorpusError(path, None, f"this is {what}, not {_a(kind)} file (unpack it first)")


def flatten(el: Any) -> str:
    """Plain text of an XLIFF / TMX segment: inline markup removed, placeholders as their equivalent text."""
    if el is None:
        return ""
    out = [el.text or ""]
    for child in el:
        name = _local(child.tag)  # "" for comments, processing instructions, unresolved entities
        if name in _PLACEHOLDERS:
            out.append(child.get("equiv-text") or child.get("equiv") or child.get("disp") or "")
        elif name == "cp":  # XLIFF 2.0 code point
            try:
                out.append(chr(int(child.get("hex", ""), 16)))
            except (ValueError, OverflowError):
                pass
        elif name and name != "sub":  # sub: a sub-flow (e.g. an image's alt text), not the sentence
            out.append(flatten(child))
        out.append(child.tail or "")
    return "".join(out)


# ---- accelerators -----------------------------------------------------------------------------

_PROTECTED = re.compile(
    r"""
      %\([^()\s]+\)[-+\ #0]*\d*(?:\.\d+)?[A-Za-z]   # %(file_name)s
    | %[A-Z][A-Z0-9_]+%?                           # %PRODUCTNAME, %APP_NAME%
    | %(?:\d+\$)?[-+\ #0]*\d*(?:\.\d+)?[a-zA-Z]     # %s %d %1$s %5.2f
    | \$\([^()]*\) | \$\{[^{}]*\} | \{[^{}]*\}      # $(ARG1) ${name} {0} {file_name}
    | &(?:[A-Za-z][A-Za-z0-9]*|\#[0-9]+|\#x[0-9A-Fa-f]+);   # &amp; &#38;
    | <[^<>]*>                                      # markup
""",
    re.VERBOSE,
)


def strip_accelerators(text: str, markers: str = DEFAULT_MARKERS, known: bool = False) -> str:
    """Remove the accelerator mark of a UI label: "~Open", "_Save As", "&Quit", "Datei(&F)".

    A mark counts only before a letter or digit, outside placeholders, and only when the string
    has exactly one such mark (so "a_b_c" stays). With ``known`` marks (from the catalogue's
    X-Accelerator-Marker header or given explicitly) a doubled mark ("&&") becomes a literal one.
    """
    for mark in markers:
        if mark not in text:
            continue
        protected = [m.span() for m in _PROTECTED.finditer(text)]
        free = [
            m
            for m in re.finditer(re.escape(mark) * 2 + "|" + re.escape(mark) + r"(?=[^\W_])", text)
            if not any(a <= m.start() < b for a, b in protected)
        ]
        singles = [m.start() for m in free if m.end() - m.start() == 1]
        if len(singles) == 1:
            i = singles[0]
            if text[i - 1 : i] == "(" and text[i + 2 : i + 3] == ")":  # "Datei(&F)": drop the whole group
                text = text[: i - 1].rstrip() + text[i + 3 :]
            else:
                text = text[:i] + text[i + 1 :]
        if known:
            text = text.replace(mark * 2, mark)
    return text


def _markers(option: bool | str | None, header_marker: str, default_on: bool) -> tuple[str, bool] | None:
    """(marks, known) to strip, or None: an explicit string, else the header's marker, else a guess."""
    option = default_on if option is None else option
    if isinstance(option, str) or not option:
        return (option, True) if option else None
    marker = (header_marker or "").strip()
    return (marker, True) if marker else (DEFAULT_MARKERS, False)


# ---- TMX (streamed) ---------------------------------------------------------------------------


def _root_element(path: Path, source: Any, kind: str, expected: str) -> Any:
    """The root element alone (start tag and attributes), checked to be ``<expected>``."""
    from lxml import etree

    try:
        _, root = next(
            etree.iterparse(source, events=("start",), resolve_entities=False, no_network=True, load_dtd=False)
        )
    except etree.XMLSyntaxError as exc:
        raise _xml_error(path, exc, kind) from exc
    except StopIteration:
        raise CorpusError(path, None, f"not {_a(kind)} file: no root element") from None
    if _local(root.tag) != expected:
        raise CorpusError(
            path, root.sourceline, f"not {_a(kind)} file: the root element is <{_local(root.tag)}>, not <{expected}>"
        )
    return root


def _read_tmx(path: Path, report: CorpusReport, opt: Options) -> Candidates:
    from lxml import etree

    _sniff_binary(path, _read_bytes(path, None, "TMX"), "TMX")
    _root_element(path, str(path), "TMX", "tmx")
    markers = _markers(opt.accelerators, "", default_on=False)
    src, tgt = base_code(opt.src_lang), base_code(opt.tgt_lang)
    header_src = ""
    seen: dict[str, None] = {}  # every language met, in order
    events = etree.iterparse(
        str(path),
        events=("start", "end"),
        tag=("{*}header", "{*}tu"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for event, el in events:
            if event == "start":
                if _local(el.tag) == "header":
                    header_src = base_code(el.get("srclang"))
                continue
            if _local(el.tag) != "tu":
                continue
            variants: dict[str, str] = {}
            for tuv in el:
                if _local(tuv.tag) == "tuv":
                    lang = base_code(tuv.get(XML_LANG) or tuv.get("lang"))
                    seg = next((c for c in tuv if _local(c.tag) == "seg"), None)
                    if lang and lang not in variants:
                        variants[lang] = flatten(seg)
                        seen.setdefault(lang)
            src = src or header_src or next(iter(variants), "")
            tgt = tgt or next((lang for lang in variants if lang != src), "")
            if tgt:
                report.src_lang, report.tgt_lang = src, tgt
            line = el.sourceline or 0
            if src in variants and tgt in variants:
                s, t = variants[src], variants[tgt]
                if markers:
                    s, t = strip_accelerators(s, *markers), strip_accelerators(t, *markers)
                yield s, t, line, None
            else:
                yield "", "", line, f"missing the {src or '?'} or {tgt or '?'} segment"
            el.clear(keep_tail=False)  # keep memory flat: drop this unit and the ones before it
            parent = el.getparent()
            while parent is not None and el.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise _xml_error(path, exc, "TMX") from exc
    if len(seen) > 2:
        hint = "" if opt.src_lang or opt.tgt_lang else " (choose others with src_lang / tgt_lang)"
        report.notes.append(f"the TMX has {len(seen)} languages ({', '.join(seen)}); read {src} → {tgt}{hint}")


# ---- XLIFF 1.2 / 2.0 (translate-toolkit) ------------------------------------------------------


def _read_xliff(path: Path, report: CorpusReport, opt: Options) -> Candidates:
    from lxml import etree
    from translate.storage import xliff, xliff2

    data = _read_bytes(path, opt.max_file_bytes, "XLIFF")
    _sniff_binary(path, data[:4], "XLIFF")
    root = _root_element(path, io.BytesIO(data), "XLIFF", "xliff")  # which version, before parsing it all
    version = root.get("version", "")
    v2 = version.startswith("2") or (not version and ":2." in (root.nsmap.get(None) or ""))
    try:
        store = (xliff2.Xliff2File if v2 else xliff.xlifffile).parsestring(data)
    except etree.XMLSyntaxError as exc:
        raise _xml_error(path, exc, "XLIFF") from exc
    del data
    markers = _markers(opt.accelerators, "", default_on=False)
    doc = store.document.getroot()
    first = doc if v2 else next((f for f in doc if _local(f.tag) == "file"), doc)
    pair = (
        base_code(first.get("srcLang" if v2 else "source-language")),
        base_code(first.get("trgLang" if v2 else "target-language")),
    )
    if pair[0] and pair[1]:
        report.src_lang, report.tgt_lang = pair
    other_pair = f"a <file> with another language pair than {pair[0]} → {pair[1]}"
    for unit in store.units:
        el = unit.xmlelement
        line = el.sourceline or 0
        src_el, tgt_el = el.find(unit.namespaced("source")), el.find(unit.namespaced("target"))
        if not unit.istranslatable():
            yield "", "", line, NOT_TRANSLATABLE
            continue
        if v2:
            fuzzy, new = unit.isfuzzy(), False
        else:
            file_el = next(el.iterancestors(store.namespaced("file")), None)
            if (
                file_el is not None
                and (base_code(file_el.get("source-language")), base_code(file_el.get("target-language"))) != pair
            ):
                yield "", "", line, other_pair
                continue
            attrs = tgt_el.attrib if tgt_el is not None else {}
            state = attrs.get("state", "")
            fuzzy, new = state in _XLIFF12_FUZZY or attrs.get("state-qualifier") == "fuzzy-match", state in _XLIFF12_NEW
        src, tgt = flatten(src_el), flatten(tgt_el)
        if new and tgt.strip():
            yield src, tgt, line, UNTRANSLATED
        elif fuzzy and not opt.include_fuzzy and tgt.strip():
            yield src, tgt, line, FUZZY
        else:
            if markers:
                src, tgt = strip_accelerators(src, *markers), strip_accelerators(tgt, *markers)
            yield src, tgt, line, None


# ---- gettext PO / MO (translate-toolkit) ------------------------------------------------------

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
    markers = _markers(opt.accelerators, header.get("X-Accelerator-Marker", ""), default_on=True)
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


def _read_po(path: Path, report: CorpusReport, opt: Options) -> Candidates:
    from translate.storage import poparser, pypo

    data = _read_bytes(path, opt.max_file_bytes, "PO")
    _sniff_binary(path, data[:4], "PO")
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


def _read_mo(path: Path, report: CorpusReport, opt: Options) -> Candidates:
    from translate.storage import mo

    data = _read_bytes(path, opt.max_file_bytes, "MO")
    _check_mo(path, data)
    store = mo.mofile()
    try:
        store.parse(data)  # (mo.mofile(data) would parse into a store it throws away)
    except UnicodeDecodeError as exc:
        raise CorpusError(path, None, f"an entry is not valid {store.encoding}: {exc.reason}") from exc
    report.unit_name = "entry"
    yield from _read_gettext_units(store, path, report, opt, by_line=False)
