"""Plain text (.txt) and subtitles (.srt, .vtt).

Text: every non-blank line is one segment (a line is never merged with its neighbours, so
nothing moves between lines) and keeps its indentation. Subtitles: numbering, timings, cue settings, NOTE /
STYLE / REGION blocks and blank lines stay byte for byte; the text lines of a cue are one
segment re-wrapped to the same number of lines (a dialogue cue whose lines all start with "-"
is translated line by line); tags (<i>, <b>, <font …>, <c.x>, <v Name>, {\\an8}) stay and the
words inside them keep them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from translator_app.core.documents.common import SEP, TEXT, Decoded, DocumentError, Piece, Segment, decode_text

_SRT_TIME = re.compile(r"^\s*\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3}\s*-->\s*\d{1,3}:\d{1,2}:\d{1,2}[,.]\d{1,3}")
_VTT_TIME = re.compile(r"^\s*(?:\d{1,}:)?\d{1,2}:\d{1,2}\.\d{1,3}\s+-->\s+(?:\d{1,}:)?\d{1,2}:\d{1,2}\.\d{1,3}")
_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>|<\d[\d:.]*>|\{\\[^{}\n]*\}")
_VOID_TAGS = re.compile(r"^<\d|^\{|^<br", re.IGNORECASE)

Item = str | Segment | tuple  # a verbatim line, a segment, or ("cue", [segments])


@dataclass
class TextDocument:
    items: list
    decoded: Decoded
    final_newline: bool

    @property
    def segments(self) -> list[Segment]:
        out = []
        for item in self.items:
            if isinstance(item, Segment):
                out.append(item)
            elif isinstance(item, tuple):
                out += item[1]
        return out

    def render(self) -> bytes:
        lines: list[str] = []
        for item in self.items:
            if isinstance(item, str):
                lines.append(item)
            elif isinstance(item, Segment):
                lines.append(render_pieces(item))
            else:  # a cue: its lines, none of them left empty (a blank line would end the cue)
                text = "\n".join(render_pieces(seg) for seg in item[1])
                kept = [line for line in text.split("\n") if line.strip()]
                lines.append("\n".join(kept) if kept else text)
        return self.decoded.encode("\n".join(lines) + ("\n" if self.final_newline else ""))


def render_pieces(seg: Segment) -> str:
    return "".join(seg.output(i) if p.kind == TEXT else p.text for i, p in enumerate(seg.pieces))


def _split_lines(text: str) -> tuple[list[str], bool]:
    final = text.endswith("\n")
    lines = text.split("\n")
    if final:
        lines.pop()
    return lines, final


def line_segment(lines: list[str], where: str, tags: bool = False) -> Segment:
    """One segment of several lines: TEXT per line, the line breaks (and indentation) as SEPs."""
    pieces: list[Piece] = []
    stack: list[str] = []
    for k, line in enumerate(lines):
        if k:
            indent = line[: len(line) - len(line.lstrip())]
            pieces.append(Piece(SEP, "\n" + indent, space=True))
            line = line[len(indent) :]
        if not tags:
            pieces.append(Piece(TEXT, line, ""))
            continue
        pos = 0
        for m in _TAG.finditer(line):
            pieces.append(Piece(TEXT, line[pos : m.start()], tuple(stack)))
            tag = m.group()
            if tag.startswith("</"):
                name = tag[2:].split(">")[0].split(".")[0].strip().lower()
                if name in stack:
                    while stack and stack.pop() != name:
                        pass
            elif not _VOID_TAGS.match(tag) and not tag.endswith("/>"):
                stack.append(re.split(r"[\s.>]", tag[1:], maxsplit=1)[0].lower())
            pieces.append(Piece(SEP, tag))
            pos = m.end()
        pieces.append(Piece(TEXT, line[pos:], tuple(stack)))
    return Segment(pieces, where)


# ---- plain text -----------------------------------------------------------------------------


def load_txt(path: Path, data: bytes, options) -> TextDocument:
    decoded = decode_text(path, data, "a text file", options.encoding)
    lines, final = _split_lines(decoded.text)
    # every line is a segment of its own: a line is never merged with its neighbours (a file
    # with one sentence per line keeps each sentence on its line; sentences split within a line)
    items: list[Item] = [
        line_segment([line], f"line {k + 1}") if line.strip() else line for k, line in enumerate(lines)
    ]
    return TextDocument(items, decoded, final)


# ---- subtitles ------------------------------------------------------------------------------


def _cue(text_lines: list[str], where: str) -> tuple:
    if len(text_lines) > 1 and all(line.lstrip().startswith("-") for line in text_lines):
        return ("cue", [line_segment([line], f"{where}, line {n + 1}", tags=True) for n, line in enumerate(text_lines)])
    return ("cue", [line_segment(text_lines, where, tags=True)])


def _srt_cue_start(lines: list[str], k: int) -> bool:
    """Whether line ``k`` starts a cue: a timing line, or a cue number followed by one."""
    return bool(_SRT_TIME.match(lines[k])) or (
        lines[k].strip().isdigit() and k + 1 < len(lines) and bool(_SRT_TIME.match(lines[k + 1]))
    )


def load_srt(path: Path, data: bytes, options) -> TextDocument:
    decoded = decode_text(path, data, "a SubRip subtitle", options.encoding)
    lines, final = _split_lines(decoded.text)
    items: list[Item] = []
    k, cues = 0, 0
    while k < len(lines):
        line = lines[k]
        if not line.strip():
            items.append(line)
            k += 1
            continue
        start = k
        if line.strip().isdigit() and k + 1 < len(lines) and _SRT_TIME.match(lines[k + 1]):
            items += [line, lines[k + 1]]
            k += 2
        elif _SRT_TIME.match(line):
            items.append(line)
            k += 1
        elif line.strip().isdigit() and k + 1 < len(lines) and lines[k + 1].strip():
            raise DocumentError(
                path,
                f"line {k + 2}: expected the timing of cue {line.strip()} "
                f"(00:00:01,000 --> 00:00:04,000), found {lines[k + 1][:60]!r}",
            )
        else:
            raise DocumentError(
                path,
                f"line {k + 1}: expected a cue number and a timing line "
                f"(00:00:01,000 --> 00:00:04,000), found {line[:60]!r}",
            )
        cues += 1
        text = []
        while k < len(lines) and lines[k].strip() and not _srt_cue_start(lines, k):
            text.append(lines[k])  # (a cue that follows without a blank line starts a cue of its own)
            k += 1
        if text:
            items.append(_cue(text, f"cue {cues} (line {start + 1})"))
    if not cues:
        raise DocumentError(path, "no subtitle cues found (expected 1, 00:00:01,000 --> 00:00:04,000, text)")
    return TextDocument(items, decoded, final)


def load_vtt(path: Path, data: bytes, options) -> TextDocument:
    decoded = decode_text(path, data, "a WebVTT subtitle", options.encoding)
    lines, final = _split_lines(decoded.text)
    if not lines or not re.match(r"^WEBVTT(?:$|[ \t])", lines[0]):
        raise DocumentError(path, "line 1: not a WebVTT file (the first line must be WEBVTT)")
    items: list[Item] = []
    k = 0
    while k < len(lines) and lines[k].strip():  # the header block
        items.append(lines[k])
        k += 1
    cues = 0
    while k < len(lines):
        line = lines[k]
        if not line.strip():
            items.append(line)
            k += 1
            continue
        start = k
        block = []
        while k < len(lines) and lines[k].strip():
            block.append(lines[k])
            k += 1
        if re.match(r"^(NOTE|STYLE|REGION)(?:$|[ \t])", block[0]):
            items += block
            continue
        timing = 0 if _VTT_TIME.match(block[0]) else 1 if len(block) > 1 and _VTT_TIME.match(block[1]) else None
        if timing is None:
            raise DocumentError(
                path,
                f"line {start + 1}: expected a cue timing (00:00:01.000 --> 00:00:04.000), found {block[0][:60]!r}",
            )
        cues += 1
        items += block[: timing + 1]
        if block[timing + 1 :]:
            items.append(_cue(block[timing + 1 :], f"cue {cues} (line {start + 1})"))
    return TextDocument(items, decoded, final)
