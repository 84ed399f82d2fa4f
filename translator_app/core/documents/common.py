"""What every document format shares: pieces and segments, the report, errors, reading and writing.

A reader turns a document into :class:`Segment` objects, one per paragraph, heading, table
cell, subtitle cue or catalogue message. A segment is a row of :class:`Piece` objects in
source order:

* ``TEXT``: a slot of translatable text (a DOCX ``w:t``, an HTML text node or tail, a range of
  a Markdown source line). Its ``label`` names its formatting (bold run, link, plain...);
  slots with the same label may share the translated text.
* ``CODE``: content kept verbatim and never sent to the model (inline code, placeholders,
  footnote anchors, images). It stays where it is; the text around it is translated.
* ``SEP``: fixed markup between slots that has no text of its own (a line break, an emphasis
  delimiter, a subtitle tag); ``space`` marks the ones that read as white space.

The engine (:mod:`.engine`) fills ``Segment.result`` with the new text of every TEXT slot;
the reader writes those back into its own structure, so the structure is never rebuilt.
"""

from __future__ import annotations

import codecs
import os
import re
import time
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path

from translator_app.core.base.cancel import Cancelled  # noqa: F401  (the one cancellation type, re-exported)
from translator_app.core.folders.runfolder import atomic_write_bytes  # noqa: F401  (the one atomic writer, re-exported)

TEXT, CODE, SEP = "text", "code", "sep"
MAX_INPUT_BYTES = 256 * 1024 * 1024  # a larger document is refused before it is read
MAX_SEGMENT_CHARS = 20_000  # the Translator's own limit for one text

# why a segment was left as it was (the keys of DocumentReport.skipped)
EMPTY = "empty"
NO_WORDS = "no words to translate (numbers, symbols)"
CODE_BLOCK = "code"
ALREADY_TRANSLATED = "already translated"
FUZZY_KEPT = "already translated (fuzzy, kept)"
NOT_TRANSLATABLE = "marked not to translate"
OBSOLETE = "obsolete entry"
TOO_LONG = f"too long (over {MAX_SEGMENT_CHARS:,} characters)"
EMPTY_RESULT = "the model returned no text (source kept)"
UNREADABLE_MARKUP = "markup not understood (kept as it was)"

_LETTER = re.compile(r"[^\W\d_]")


class DocumentError(ValueError):
    """A document that cannot be translated; the message starts with the file's path."""

    def __init__(self, path: str | os.PathLike, message: str):
        self.path = str(path)
        self.detail = message
        super().__init__(f"{path}: {message}")


@dataclass
class Piece:
    kind: str  # TEXT, CODE or SEP
    text: str = ""
    label: Hashable = None
    space: bool = False  # SEP only: it reads as white space (line break, tab)


@dataclass
class Segment:
    pieces: list[Piece]
    where: str = ""  # "paragraph 12", "cue 3", "unit hello-1": for the report
    skip: str | None = None  # a reason decided by the reader: leave the segment as it is
    counted: bool = True  # whether an empty segment appears in the report (block, not container)
    result: list[str | None] | None = None  # per piece: the new text of a TEXT slot, else None

    @property
    def source(self) -> str:
        return "".join(p.text for p in self.pieces if p.kind == TEXT)

    def output(self, i: int) -> str:
        """The text for piece ``i``: translated, or as it was."""
        if self.result is not None and self.result[i] is not None:
            return self.result[i]
        return self.pieces[i].text


def text_segment(text: str, where: str = "", label: Hashable = None, **kw) -> Segment:
    return Segment([Piece(TEXT, text, label)], where, **kw)


def has_words(text: str) -> bool:
    return bool(_LETTER.search(text))


@dataclass
class DocumentReport:
    source: str
    output: str = ""
    format: str = ""
    segments: int = 0  # segments found (empty containers are not counted)
    translated: int = 0
    skipped: Counter = field(default_factory=Counter)  # reason -> segments left as they were
    examples: dict[str, list[str]] = field(default_factory=dict)  # reason -> first places
    approximated: int = 0  # segments whose inline formatting could not be placed word by word
    words: int = 0  # source words in the translated segments
    seconds: float = 0.0
    beam_size: int = 1
    notes: list[str] = field(default_factory=list)

    def skip(self, reason: str, where: str = "") -> None:
        self.skipped[reason] += 1
        places = self.examples.setdefault(reason, [])
        if where and len(places) < 3:
            places.append(where)

    @property
    def left(self) -> int:
        return sum(self.skipped.values())

    def summary(self) -> str:
        lines = [
            f"{self.translated:,} of {self.segments:,} segments translated ({self.words:,} words) "
            f"in {self.seconds:.1f} s, beam {self.beam_size}" + (f" → {self.output}" if self.output else "")
        ]
        if self.skipped:
            lines.append(f"{self.left:,} left as they were:")
            for reason, n in self.skipped.most_common():
                where = self.examples.get(reason)
                lines.append(f"  {n:>6,}  {reason}" + (f" (e.g. {', '.join(where)})" if where else ""))
        if self.approximated:
            lines.append(
                f"{self.approximated:,} segments: inline formatting kept on the whole sentence "
                "(it could not be placed on single words)"
            )
        lines += self.notes
        return "\n".join(lines)


# ---- reading --------------------------------------------------------------------------------


def check_paths(source: str | os.PathLike, output: str | os.PathLike) -> tuple[Path, Path]:
    """Refuse a missing input, a folder, and an output that is the input (same path or same file)."""
    src, out = Path(source), Path(output)
    if not src.exists():
        raise DocumentError(src, "no such file")
    if src.is_dir():
        raise DocumentError(src, "is a folder, not a document")
    if out.is_dir():
        raise DocumentError(out, "is a folder; give the name of the output file")
    same = os.path.abspath(src) == os.path.abspath(out)
    try:
        same = same or src.resolve() == out.resolve() or (out.exists() and os.path.samefile(src, out))
    except OSError:
        pass
    if same:
        raise DocumentError(
            src,
            f"the output {out} is the input file itself; choose another output file (the input is never overwritten)",
        )
    return src, out


def read_input(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise DocumentError(
                path,
                f"the file has {size / 2**20:,.0f} MB; documents over "
                f"{limit / 2**20:,.0f} MB are not translated (split it)",
            )
        with open(path, "rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        raise DocumentError(path, f"cannot read: {exc.strerror or exc}") from exc


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    bom: bytes
    newline: str  # "\r\n" when every line break of the file is CRLF, else "\n"

    def encode(self, text: str) -> bytes:
        if self.newline == "\r\n":
            text = text.replace("\n", "\r\n")
        return self.bom + text.encode(self.encoding)


def decode_strict(path: Path, data: bytes, encoding: str, unknown: str, hint: str) -> str:
    """``data`` decoded strictly; DocumentError(``unknown``) for an encoding Python does not know,
    "line N: not valid ENCODING (byte 0x..); ``hint``" for bytes that are not in it."""
    try:
        return data.decode(encoding)
    except LookupError:
        raise DocumentError(path, unknown) from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DocumentError(path, f"line {line}: not valid {encoding} (byte 0x{data[exc.start]:02x}); {hint}") from None


def decode_text(path: Path, data: bytes, kind: str, encoding: str | None = None) -> Decoded:
    """Text of a text-based document: a BOM decides, else ``encoding`` (default UTF-8), strictly.
    Line breaks become "\\n" (CRLF files are written back with CRLF)."""
    if not data:
        raise DocumentError(path, "the file is empty")
    bom = b""
    for mark, name in _BOMS:
        if data.startswith(mark):
            bom, encoding = mark, name
            break
    encoding = encoding or "utf-8"
    body = data[len(bom) :]
    if not bom and b"\x00" in body[:8192] and encoding.replace("-", "").lower() in ("utf8", "ascii"):
        line = body[: body.index(b"\x00")].count(b"\n") + 1
        raise DocumentError(
            path,
            f"line {line}: contains NUL bytes; this is binary data, not {kind} "
            "(or text in UTF-16 without a byte order mark)",
        )
    text = decode_strict(path, body, encoding, f"unknown character encoding {encoding!r}", "save the file as UTF-8")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DocumentError(path, f"line {line}: contains NUL characters; this is not {kind}")
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf == text.count("\n") and crlf == text.count("\r") else "\n"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Decoded(text, encoding, bom, newline)


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """Drop the characters XML 1.0 cannot hold (a model never needs them)."""
    return _XML_BAD.sub("", text)


class Clock:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.start
