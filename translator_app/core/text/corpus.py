"""Reading and splitting parallel corpora.

Input forms:
  * one TSV file, ``source<TAB>target`` per line (extra columns ignored), optional header;
  * two line-aligned plain-text files (source file, target file);
  * one TMX, XLIFF (.xlf/.xliff), gettext PO (.po/.pot) or MO file, read by
    :mod:`translator_app.core.text.formats` (chosen by extension, any case).

Bytes are decoded as UTF-8 (a BOM and CRLF line ends are tolerated) and NFC-normalised.
Hard problems (binary data, invalid UTF-8, an empty file, a line over the byte limit,
mismatched line counts, no usable pair) raise :class:`CorpusError` naming file and line.
Soft problems (no tab, an empty side, a side over ``max_chars``, duplicates) skip the line
and are counted in :class:`CorpusReport`; ``strict=True`` turns them into errors.
"""

from __future__ import annotations

import codecs
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from translator_app.core.text import formats
from translator_app.core.text.corpus_report import CorpusError, CorpusReport, normalize

MAX_LINE_BYTES = 64 * 1024  # a longer line is not a sentence: the file is refused
SNIFF_BYTES = 8192

_HEADER_WORDS = {
    "source",
    "target",
    "src",
    "tgt",
    "input",
    "output",
    "text",
    "translation",
    "english",
    "spanish",
    "french",
    "german",
    "italian",
    "portuguese",
}
_LANG_IN_NAME = re.compile(r"(?:^|[._\-])([a-z]{2,3})[-_]([a-z]{2,3})(?:[._]|$)")


@dataclass(frozen=True)
class Split:
    train: list[tuple[str, str]]
    valid: list[tuple[str, str]]
    test: list[tuple[str, str]]


def languages_from_name(path: str | Path) -> tuple[str, str]:
    """``tatoeba.en-es.tsv`` -> ("en", "es"); ("", "") when the name says nothing."""
    match = _LANG_IN_NAME.search(Path(path).name.lower())
    return (match.group(1), match.group(2)) if match else ("", "")


def _iter_lines(path: Path, max_line_bytes: int) -> Iterator[tuple[int, str]]:
    """Yield (line number, decoded line without EOL); raise CorpusError on hard problems."""
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise CorpusError(path, None, f"cannot open: {exc.strerror or exc}") from exc
    with handle:
        head = handle.read(SNIFF_BYTES)
        if not head:
            raise CorpusError(path, None, "the file is empty")
        if b"\x00" in head:
            line_no = head[: head.index(b"\x00")].count(b"\n") + 1
            raise CorpusError(path, line_no, "contains NUL bytes; this looks like a binary file, not text")
        handle.seek(0)
        line_no = 0
        while True:
            raw = handle.readline(max_line_bytes + 2)
            if not raw:
                return
            line_no += 1
            eol = 2 if raw.endswith(b"\r\n") else 1 if raw.endswith(b"\n") else 0
            if len(raw) - eol > max_line_bytes:
                raise CorpusError(path, line_no, f"line is longer than {max_line_bytes} bytes")
            if b"\x00" in raw:
                raise CorpusError(path, line_no, "contains a NUL byte (binary data)")
            body = raw[3:] if line_no == 1 and raw.startswith(codecs.BOM_UTF8) else raw
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CorpusError(
                    path, line_no, f"not valid UTF-8 (byte 0x{body[exc.start]:02x} at column {exc.start + 1})"
                ) from exc
            yield line_no, text.rstrip("\r\n")


def _looks_like_header(src: str, tgt: str) -> bool:
    def word(s: str) -> bool:
        s = s.strip().lower()
        return s in _HEADER_WORDS or bool(re.fullmatch(r"[a-z]{2,3}([-_][a-z]{2,4})?", s))

    return word(src) and word(tgt)


def iter_pairs(
    path: str | Path,
    target_path: str | Path | None = None,
    *,
    report: CorpusReport,
    max_chars: int = 1000,
    strict: bool = False,
    lowercase: bool = False,
    max_line_bytes: int = MAX_LINE_BYTES,
    detect_header: bool = True,
) -> Iterator[tuple[str, str, int]]:
    """Yield (source, target, line number) for every usable line, updating ``report``."""
    path = Path(path)

    def bad(where: Path, line: int, reason: str) -> None:
        if strict:
            raise CorpusError(where, line, reason)
        report.skip(str(where), line, reason)

    if target_path is None:
        source = ((n, line.split("\t")) for n, line in _iter_lines(path, max_line_bytes))
    else:
        target_path = Path(target_path)
        source = _zip_files(path, target_path, max_line_bytes)
    for line_no, cols in source:
        report.lines += 1
        if len(cols) < 2:
            if not cols[0].strip():
                bad(path, line_no, "empty line")
            else:
                bad(path, line_no, "no tab between source and target")
            continue
        src, tgt = normalize(cols[0], lowercase), normalize(cols[1], lowercase)
        if detect_header and line_no == 1 and _looks_like_header(src, tgt):
            report.header = True
            if report.src_lang == "" and len(src) <= 3:
                report.src_lang, report.tgt_lang = src.lower(), tgt.lower()
            continue
        if not src or not tgt:
            bad(path, line_no, "empty source or target")
            continue
        if len(src) > max_chars or len(tgt) > max_chars:
            bad(path, line_no, f"longer than {max_chars} characters")
            continue
        yield src, tgt, line_no


def _zip_files(src_path: Path, tgt_path: Path, max_line_bytes: int) -> Iterator[tuple[int, list[str]]]:
    src_lines = _iter_lines(src_path, max_line_bytes)
    tgt_lines = _iter_lines(tgt_path, max_line_bytes)
    while True:
        a = next(src_lines, None)
        b = next(tgt_lines, None)
        if a is None and b is None:
            return
        if a is None or b is None:
            short, long_, n = (src_path, tgt_path, b[0]) if a is None else (tgt_path, src_path, a[0])
            raise CorpusError(long_, n, f"the files are not line-aligned: {short} ends before line {n}")
        yield a[0], [a[1], b[1]]


def read_corpus(
    path: str | Path,
    target_path: str | Path | None = None,
    *,
    max_chars: int = 1000,
    strict: bool = False,
    dedupe: bool = True,
    lowercase: bool = False,
    max_line_bytes: int = MAX_LINE_BYTES,
    detect_header: bool = True,
    src_lang: str = "",
    tgt_lang: str = "",
    accelerators: bool | str | None = None,
    include_fuzzy: bool = False,
    max_file_bytes: int | None = None,
    line_numbers: list[int] | None = None,
) -> tuple[list[tuple[str, str]], CorpusReport]:
    """Read a whole corpus into memory as (source, target) pairs plus a report.

    TMX / XLIFF / PO / MO files go through :func:`translator_app.core.text.formats.iter_pairs`, which
    takes the languages from the file (``src_lang`` / ``tgt_lang`` choose two of a multilingual
    TMX), strips PO / MO accelerator marks (``accelerators``: None = on for PO / MO, False = off,
    a string = exactly these marks), skips fuzzy entries unless ``include_fuzzy``, and refuses
    XLIFF / PO / MO files over ``max_file_bytes`` (default ``formats.MAX_TREE_BYTES``).
    ``line_numbers``: a list that gets the line number of every returned pair (it aligns a sidecar
    file with the pairs, see :mod:`translator_app.core.text.corpus_sources`).
    """
    paths = (str(path),) if target_path is None else (str(path), str(target_path))
    report = CorpusReport(paths=paths)
    report.src_lang, report.tgt_lang = languages_from_name(path)
    pairs: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    where = Path(path)
    fmt = formats.format_of(path)
    if fmt and target_path is not None:
        raise CorpusError(
            target_path,
            None,
            f"{path} is a {formats.NAMES[fmt]} file, which holds both languages: give it alone, without a target file",
        )
    if fmt:
        options = formats.Options(
            src_lang,
            tgt_lang,
            accelerators,
            include_fuzzy,
            formats.MAX_TREE_BYTES if max_file_bytes is None else max_file_bytes,
        )
        source = formats.iter_pairs(
            path, fmt, report=report, max_chars=max_chars, strict=strict, lowercase=lowercase, options=options
        )
    else:
        source = iter_pairs(
            path,
            target_path,
            report=report,
            max_chars=max_chars,
            strict=strict,
            lowercase=lowercase,
            max_line_bytes=max_line_bytes,
            detect_header=detect_header,
        )
    for src, tgt, line_no in source:
        if dedupe:
            if (src, tgt) in seen:
                report.skip(str(where), line_no, "duplicate pair")
                continue
            seen.add((src, tgt))
        pairs.append((src, tgt))
        if line_numbers is not None:
            line_numbers.append(line_no)
    report.pairs = len(pairs)
    if not pairs:
        detail = f" ({report.summary()}; first problem: {report.examples[0]})" if report.examples else ""
        raise CorpusError(where, None, f"no usable sentence pairs{detail}")
    return pairs, report


def split_by_source(pairs: list[tuple[str, str]], valid_size: int, test_size: int, seed: int) -> Split:
    """Deterministic split by *distinct source sentence*: every translation of a source
    goes to the same side, so no test source is ever seen in training.

    Small corpora get proportionally smaller held-out sets (at most 10% each).
    """
    sources = sorted({s for s, _ in pairs})
    random.Random(seed).shuffle(sources)
    n = len(sources)
    cap = max(1, n // 10) if n >= 3 else 0
    n_test = min(test_size, cap)
    n_valid = min(valid_size, cap)
    test_src = set(sources[:n_test])
    valid_src = set(sources[n_test : n_test + n_valid])
    train, valid, test = [], [], []
    for pair in pairs:
        (test if pair[0] in test_src else valid if pair[0] in valid_src else train).append(pair)
    return Split(train=train, valid=valid, test=test)


def group_references(pairs: list[tuple[str, str]]) -> tuple[list[str], list[list[str]]]:
    """Distinct sources in first-seen order and all their references (for multi-reference BLEU)."""
    refs: dict[str, list[str]] = {}
    for src, tgt in pairs:
        refs.setdefault(src, []).append(tgt)
    return list(refs), list(refs.values())


def write_tsv(path: str | Path, pairs: list[tuple[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for src, tgt in pairs:
            handle.write(f"{src}\t{tgt}\n")
