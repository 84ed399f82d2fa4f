"""Markdown (.md): markdown-it-py finds the text; the translation replaces exactly that text in
the source string, so every byte of markup (headings, lists, quotes, tables, emphasis
delimiters, link destinations, HTML) stays as it was.

Each paragraph, heading and table cell is a segment. Its inline tokens are matched back onto
the source: text ranges become TEXT slots labelled with the emphasis / link / inline-HTML
around them, inline code, images and autolinks are CODE (never translated), line breaks are
SEP (the translation is re-wrapped over the same lines). Fenced and indented code blocks, raw
HTML blocks and YAML front matter are left as they are. A block whose tokens cannot be matched
to its source is left untranslated (reported), never damaged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from translator_app.core.documents.common import (
    CODE,
    CODE_BLOCK,
    SEP,
    TEXT,
    UNREADABLE_MARKUP,
    Decoded,
    Piece,
    Segment,
    decode_text,
)

_FRONT = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_VOID_HTML = re.compile(
    r"<(?:br|img|hr|input|wbr|area|col|embed|source|track|meta|link)\b|<!--|<\?|<!|.*/>\Z", re.IGNORECASE | re.DOTALL
)


class _Mismatch(Exception):
    pass


@dataclass
class MarkdownDocument:
    source: str
    decoded: Decoded
    segments: list[Segment] = field(default_factory=list)
    ranges: list[list] = field(default_factory=list)  # per segment: per piece (start, end, line_start, table)

    def render(self) -> bytes:
        edits = []
        for seg, ranges in zip(self.segments, self.ranges):
            if seg.result is None:
                continue
            for i, rng in enumerate(ranges):
                if rng is not None and seg.result[i] is not None:
                    start, end, line_start, table = rng
                    edits.append((start, end, escape(seg.result[i], line_start, table)))
        out, pos = [], 0
        for start, end, text in sorted(edits):
            out += [self.source[pos:start], text]
            pos = end
        out.append(self.source[pos:])
        return self.decoded.encode("".join(out))


def escape(text: str, line_start: bool = False, table: bool = False) -> str:
    """Translated text as Markdown that reads back as exactly this text."""
    text = re.sub(r"([\\`*\[\]<])", r"\\\1", text)
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    text = re.sub(r"&(?=#?\w+;)", r"\\&", text)
    text = text.replace("~~", "\\~\\~")
    if table:
        text = text.replace("|", "\\|")
    if line_start:
        text = re.sub(r"\A(\s*)([#>+=-]|\d+(?=[.)]))", r"\1\\\2", text)
    return text


def _parser():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.disable("text_join")  # keep escapes and entities as their own tokens (their markup is the source)
    return md


def load_markdown(path: Path, data: bytes, options) -> MarkdownDocument:
    decoded = decode_text(path, data, "a Markdown file", options.encoding)
    source = decoded.text
    doc = MarkdownDocument(source, decoded)
    front = _FRONT.match(source)
    offset = front.end() if front else 0
    body = source[offset:]
    line_starts = [0] + [m.end() for m in re.finditer("\n", body)]
    md = _parser()
    tokens = md.parse(body)
    cursor = 0
    for k, tok in enumerate(tokens):
        where = f"line {tok.map[0] + 1 + source[:offset].count(chr(10))}" if tok.map else ""
        if tok.type in ("fence", "code_block"):
            doc.segments.append(Segment([], where, skip=CODE_BLOCK))
            doc.ranges.append([])
            continue
        if tok.type == "html_block":
            doc.segments.append(Segment([], where, skip="raw HTML block (kept as it is)"))
            doc.ranges.append([])
            continue
        if tok.type != "inline" or not tok.map:
            continue
        table = k > 0 and tokens[k - 1].type in ("th_open", "td_open")
        try:
            offsets, end = _locate(body, line_starts, tok, cursor)
            pieces, ranges = _inline(body, tok, offsets, table)
        except _Mismatch:
            doc.segments.append(Segment([], where, skip=UNREADABLE_MARKUP))
            doc.ranges.append([])
            continue
        cursor = end
        doc.segments.append(Segment(pieces, where))
        doc.ranges.append([None if r is None else (r[0] + offset, r[1] + offset, r[2], table) for r in ranges])
    _report_too_deep(doc, body, tokens, md.options["maxNesting"], source[:offset].count("\n"))
    return doc


def _report_too_deep(doc: MarkdownDocument, body: str, tokens: list, limit: int, first_line: int) -> None:
    """Past ``limit`` levels of lists / quotes the parser stops reading blocks: the lines it did
    not read stay as they are, and the report says where and why."""
    if not tokens or max(t.level for t in tokens) < limit - 1:
        return
    covered: set[int] = set()
    for t in tokens:
        if t.map and t.type in ("inline", "fence", "code_block", "html_block"):
            covered.update(range(*t.map))
    reason = f"nested more than {limit} levels deep (kept as it was)"
    for n, line in enumerate(body.split("\n")):
        if line.strip() and n not in covered:
            doc.segments.append(Segment([], f"line {n + 1 + first_line}", skip=reason))
            doc.ranges.append([])


def _locate(body: str, line_starts: list[int], tok, cursor: int) -> tuple[list[int], int]:
    """Source offset of every character of the inline token's content."""
    offsets: list[int] = []
    lines = tok.content.split("\n")
    for j, line in enumerate(lines):
        n = tok.map[0] + j
        if n >= len(line_starts):
            raise _Mismatch
        lo = max(cursor, line_starts[n])
        hi = line_starts[n + 1] - 1 if n + 1 < len(line_starts) else len(body)
        at = body.find(line, lo, hi) if line else lo
        if at < 0:
            raise _Mismatch
        offsets += range(at, at + len(line))
        cursor = at + len(line)
        if j + 1 < len(lines):
            offsets.append(hi)  # the "\n"
    return offsets, cursor


def _skip_destination(content: str, c: int) -> int:
    """After "]" of a link or image: skip "(destination "title")" or "[ref]"."""
    if content.startswith("(", c):
        depth, quote, i = 1, None, c + 1
        while i < len(content):
            ch = content[i]
            if ch == "\\":
                i += 2
                continue
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "\"'" and content[i - 1].isspace():
                quote = ch
            elif ch == "<" and i == c + 1:
                close = content.find(">", i)
                i = close if close > 0 else i
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        raise _Mismatch
    if content.startswith("[", c):
        i = c + 1
        while i < len(content) and content[i] != "]":
            i += 2 if content[i] == "\\" else 1
        if i >= len(content):
            raise _Mismatch
        return i + 1
    return c


def _inline(body: str, tok, offsets: list[int], table: bool) -> tuple[list[Piece], list]:
    """The pieces of an inline token (and each TEXT piece's source range in ``body``; None for the others)."""
    reader = _InlineReader(body, tok.content, offsets, tok.children or [])
    while reader.k < len(reader.children):
        reader.step(reader.children[reader.k])
        reader.k += 1
    if reader.content[reader.c :].strip():
        raise _Mismatch
    return reader.pieces, reader.ranges


_EMPHASIS = ("em", "strong", "s")


class _InlineReader:
    """Walks an inline token's children along its source text ``content`` (position ``c``), each
    child checked against the text it must come from (else ``_Mismatch``)."""

    def __init__(self, body: str, content: str, offsets: list[int], children: list):
        self.body, self.content, self.offsets, self.children = body, content, offsets, children
        self.pieces: list[Piece] = []
        self.ranges: list = []
        self.stack: list[tuple] = []  # the open formats: (name, child index)
        self.c = 0  # position in content
        self.k = 0  # the child being read

    def expect(self, s: str) -> None:
        if not self.content.startswith(s, self.c):
            raise _Mismatch
        self.c += len(s)

    def src(self, a: int, b: int) -> tuple[int, int]:
        offsets = self.offsets
        return (offsets[a], offsets[b - 1] + 1) if b > a else (offsets[a] if a < len(offsets) else len(self.body),) * 2

    def add_text(self, text: str, a: int, b: int) -> None:
        start, end = self.src(a, b)
        label = tuple(self.stack)
        pieces, ranges = self.pieces, self.ranges
        if pieces and pieces[-1].kind == TEXT and pieces[-1].label == label and ranges[-1][1] == start:
            pieces[-1].text += text
            ranges[-1] = (ranges[-1][0], end, ranges[-1][2])
            return
        line_start = self.body[self.body.rfind("\n", 0, start) + 1 : start].strip(" \t>") == ""
        pieces.append(Piece(TEXT, text, label))
        ranges.append((start, end, line_start))

    def add(self, piece: Piece) -> None:
        """A piece that is not translated (SEP, CODE)."""
        self.pieces.append(piece)
        self.ranges.append(None)

    def skip_spaces(self) -> None:
        while self.c < len(self.content) and self.content[self.c] in " \t":
            self.c += 1

    def close_at(self, pattern: str | re.Pattern) -> None:
        """Move past the next match of ``pattern`` (a string: its first occurrence)."""
        if isinstance(pattern, str):
            end = self.content.find(pattern, self.c)
            end = -1 if end < 0 else end + len(pattern)
        else:
            found = pattern.search(self.content, self.c)
            end = -1 if found is None else found.end()
        if end < 0:
            raise _Mismatch
        self.c = end

    def step(self, child) -> None:
        kind, a = child.type, self.c
        if kind in ("text", "text_special"):
            self.expect(child.content if kind == "text" else child.markup)
            self.add_text(child.content, a, self.c)
        elif kind in ("softbreak", "hardbreak"):
            self.line_break(a)
        elif kind == "code_inline":
            self.expect(child.markup)
            self.close_at(re.compile(rf"(?<!`){re.escape(child.markup)}(?!`)"))
            self.add(Piece(CODE, child.content))
        elif kind.endswith(("_open", "_close")) and kind.rsplit("_", 1)[0] in _EMPHASIS:
            self.expect(child.markup)
            if kind.endswith("_open"):
                self.stack.append((kind[:-5], self.k))
            elif self.stack:
                self.stack.pop()
            self.add(Piece(SEP, child.markup))
        elif kind in ("link_open", "link_close"):
            self.link(child, a)
        elif kind == "image":
            self.image(a)
        elif kind == "html_inline":
            self.html(child.content)
        else:
            raise _Mismatch

    def line_break(self, a: int) -> None:
        self.skip_spaces()
        if self.content.startswith("\\\n", self.c):
            self.c += 1
        self.expect("\n")
        self.skip_spaces()
        self.add(Piece(SEP, self.content[a : self.c], space=True))

    def link(self, child, a: int) -> None:
        if child.type == "link_open" and (child.markup == "autolink" or child.info == "auto"):
            self.expect("<")
            self.close_at(">")
            while self.k + 1 < len(self.children) and self.children[self.k].type != "link_close":
                self.k += 1
            self.add(Piece(CODE, self.content[a : self.c]))
        elif child.type == "link_open":
            self.expect("[")
            self.stack.append(("link", self.k))
            self.add(Piece(SEP, "["))
        else:
            self.expect("]")
            self.c = _skip_destination(self.content, self.c)
            if self.stack:
                self.stack.pop()
            self.add(Piece(SEP, self.content[a : self.c]))

    def image(self, a: int) -> None:
        self.expect("![")
        depth, i, content = 1, self.c, self.content
        while i < len(content) and depth:
            ch = content[i]
            i += 2 if ch == "\\" else 1
            depth += (ch == "[") - (ch == "]")
        if depth:
            raise _Mismatch
        self.c = _skip_destination(content, i)
        self.add(Piece(CODE, content[a : self.c]))

    def html(self, raw: str) -> None:
        self.expect(raw)
        if raw.startswith("</"):
            if self.stack and self.stack[-1][0] == "html":
                self.stack.pop()
        elif not _VOID_HTML.match(raw):
            self.stack.append(("html", self.k))
        self.add(Piece(SEP, raw, space=raw.lower().startswith("<br")))
