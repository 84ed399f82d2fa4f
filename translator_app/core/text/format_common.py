"""What the corpus-format readers share: the format names and limits, :class:`Options`, skip
reasons, reading and sniffing a file, XML helpers (the root element, well-formedness errors,
inline markup flattened to text) and PO / MO accelerator marks (:func:`strip_accelerators`).

The readers are :mod:`.format_xml` (TMX, XLIFF) and :mod:`.format_gettext` (PO, MO); the
dispatch by extension is :mod:`.formats`.  Imports only :mod:`.corpus_report` (and lxml when
a root element is read).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translator_app.core.text.corpus_report import CorpusError

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
XLIFF12_FUZZY = {"needs-review-translation", "needs-review-l10n", "needs-review-adaptation"}
XLIFF12_NEW = {"new", "needs-translation", "needs-l10n", "needs-adaptation"}
_PLACEHOLDERS = {"ph", "x", "bx", "ex", "bpt", "ept", "it", "ut", "sc", "ec", "sm", "em"}
_XML_POS = re.compile(r",? line \d+, column \d+$")
Candidates = Iterator[tuple[str, str, int, str | None]]  # source, target, line or entry, skip reason (None: keep)


@dataclass(frozen=True)
class Options:
    src_lang: str = ""  # TMX: which languages to read when the file has more than two
    tgt_lang: str = ""
    accelerators: bool | str | None = None  # None: on for PO / MO; a string: exactly these marks
    include_fuzzy: bool = False
    max_file_bytes: int = MAX_TREE_BYTES


# ---- shared helpers ---------------------------------------------------------------------------


def read_bytes(path: Path, limit: int | None, kind: str) -> bytes:
    """The whole file (``limit`` None: only its first bytes, for a streaming reader)."""
    try:
        size = path.stat().st_size
        if limit is not None and size > limit:
            raise CorpusError(
                path,
                None,
                f"the file has {size_text(size)}; {kind} files over {size_text(limit)} are "
                "not read (convert it to TMX or TSV, or split it)",
            )
        with open(path, "rb") as handle:
            data = handle.read() if limit is not None else handle.read(4)
    except OSError as exc:
        raise CorpusError(path, None, f"cannot open: {exc.strerror or exc}") from exc
    if size == 0:
        raise CorpusError(path, None, "the file is empty")
    return data


def size_text(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n:,} bytes"


def a_kind(kind: str) -> str:
    return f"{'an' if kind[0] in 'AEIMOX' else 'a'} {kind}"


def local_name(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def xml_error(path: Path, exc: Exception, kind: str) -> CorpusError:
    line = getattr(exc, "lineno", None) or None
    msg = _XML_POS.sub("", str(getattr(exc, "msg", "") or exc)).strip()
    col = (getattr(exc, "position", None) or (0, 0))[1]
    where = f" (column {col})" if line and col else ""
    return CorpusError(path, line, f"not a well-formed {kind} file: {msg}{where}")


def sniff_binary(path: Path, head: bytes, kind: str) -> None:
    for magic, what in ((b"PK\x03\x04", "a zip archive"), (b"\x1f\x8b", "gzip-compressed")):
        if head.startswith(magic):
            raise CorpusError(path, None, f"this is {what}, not {a_kind(kind)} file (unpack it first)")


def flatten(el: Any) -> str:
    """Plain text of an XLIFF / TMX segment: inline markup removed, placeholders as their equivalent text."""
    if el is None:
        return ""
    out = [el.text or ""]
    for child in el:
        name = local_name(child.tag)  # "" for comments, processing instructions, unresolved entities
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


def markers_for(option: bool | str | None, header_marker: str, default_on: bool) -> tuple[str, bool] | None:
    """(marks, known) to strip, or None: an explicit string, else the header's marker, else a guess."""
    option = default_on if option is None else option
    if isinstance(option, str) or not option:
        return (option, True) if option else None
    marker = (header_marker or "").strip()
    return (marker, True) if marker else (DEFAULT_MARKERS, False)


def root_element(path: Path, source: Any, kind: str, expected: str) -> Any:
    """The root element alone (start tag and attributes), checked to be ``<expected>``."""
    from lxml import etree

    try:
        _, root = next(
            etree.iterparse(source, events=("start",), resolve_entities=False, no_network=True, load_dtd=False)
        )
    except etree.XMLSyntaxError as exc:
        raise xml_error(path, exc, kind) from exc
    except StopIteration:
        raise CorpusError(path, None, f"not {a_kind(kind)} file: no root element") from None
    if local_name(root.tag) != expected:
        raise CorpusError(
            path,
            root.sourceline,
            f"not {a_kind(kind)} file: the root element is <{local_name(root.tag)}>, not <{expected}>",
        )
    return root
