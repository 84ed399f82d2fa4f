"""XML-based documents: a safe parser, segments from mixed content, zip packages (DOCX, ODT).

:class:`Walker` turns a tree into segments: every *block* element (a paragraph, a heading, a
table cell, an XLIFF source) gives one segment of its own content, where inline elements (a
span, a link, bold) are TEXT slots with their own label, elements to keep verbatim (inline
code, placeholders, notes, images) are CODE pieces and empty ones (line breaks, tabs,
bookmarks) are SEP pieces. A block inside a block ends the segment and gets its own. The
format decides with ``classify(el)``; the walker keeps, for every TEXT slot, where its text
lives (``el.text`` or ``el.tail``), and :func:`apply` writes the translation back there.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translator_app.core.documents.common import CODE, SEP, TEXT, DocumentError, Piece, Segment, xml_safe

INLINE, CODE_EL, SEP_EL, SPACE_EL, BLOCK, CONTAINER, SKIP, IGNORE = (
    "inline",
    "code",
    "sep",
    "space",
    "block",
    "container",
    "skip",
    "ignore",
)
MAX_MEMBERS = 20_000
MAX_UNPACKED = 1024 * 1024 * 1024  # all members of a zip together, at most
UNPACKED_FLOOR = 64 * 1024 * 1024  # ... and at most this or MAX_RATIO x the file's size, whichever is larger
MAX_RATIO = 50  # text XML deflates about 5-20 : 1; a zip bomb by thousands
MAX_PART = 256 * 1024 * 1024  # one XML part

Ref = tuple[Any, str]  # (element, "text" | "tail" | "@attribute")


def parse_xml(path: Path, data: bytes, kind: str):
    """Parse untrusted XML: no entity expansion, no DTD, no network, default depth limits."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None)
        msg = str(getattr(exc, "msg", "") or exc).split(", line ")[0]
        raise DocumentError(
            path, f"{kind} is not well-formed XML" + (f" (line {line})" if line else "") + f": {msg}"
        ) from None
    if root is None:
        raise DocumentError(path, f"{kind} has no root element")
    dtd = root.getroottree().docinfo.internalDTD
    names = [e.name for e in dtd.iterentities()] if dtd is not None else []
    if names:  # unexpanded, their references would be copied into the translation as they are
        raise DocumentError(
            path,
            f"{kind} declares entities in its DTD ({', '.join(names[:5])}); such documents are not "
            "translated (their references could not be kept or translated safely); remove the declarations",
        )
    return root


def check_parser_losses(path: Path, parser: Any, kind: str) -> None:
    """Refuse a document a recovering parser (lxml.html) has cut short: past its depth or
    text-size limits libxml2 silently drops the rest of the file, which would then be
    "translated" without it. A DocumentError names the line; nothing is written."""
    for entry in parser.error_log:
        message = entry.message.split(", use XML_PARSE_HUGE")[0].strip()
        if entry.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in message:
            deep = re.search(r"depth in document: (\d+)", message)
            why = f"elements nested more than {deep.group(1)} levels deep" if deep else f"a part too large ({message})"
            raise DocumentError(
                path,
                f"line {entry.line}: this {kind} has {why}; the parser cannot read it whole, "
                "so it was not translated (no text is lost)",
            )


def local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def text_content(el: Any) -> str:
    try:
        return "".join(el.itertext())
    except (TypeError, ValueError):
        return ""


@dataclass
class Walker:
    classify: Callable[[Any], str]  # INLINE, CODE_EL, SEP_EL, SPACE_EL, BLOCK, CONTAINER, SKIP or IGNORE
    label: Callable[[Any, Hashable], Hashable] = lambda el, parent: el  # an inline element's format
    where: Callable[[Any], str] = lambda el: f"<{local(el.tag)}> line {el.sourceline}"
    skip_reason: Callable[[Any], str] = lambda el: "code"
    descend_code: Callable[[Any], bool] = lambda el: False  # a CODE element that holds blocks (notes)

    def segments(self, root: Any) -> list[tuple[Segment, list[Ref | None]]]:
        out: list[tuple[Segment, list[Ref | None]]] = []
        stack = [root]
        while stack:
            el = stack.pop()
            if not isinstance(el.tag, str):
                continue
            kind = self.classify(el)
            if kind == SKIP:
                if text_content(el).strip():
                    out.append((Segment([], self.where(el), skip=self.skip_reason(el)), []))
                continue
            nested: list[Any] = []
            if kind in (BLOCK, CONTAINER, INLINE) or el is root:
                self._block(el, kind, out, nested)
            elif kind == CODE_EL and self.descend_code(el):
                nested = list(el)
            stack.extend(reversed(nested))
        return out

    def _block(self, el: Any, kind: str, out: list, nested: list) -> None:
        pieces: list[Piece] = []
        refs: list[Ref | None] = []

        emitted = [False]

        def flush(final: bool = False) -> None:
            if any(p.kind == TEXT and p.text.strip() for p in pieces) or (final and kind == BLOCK and not emitted[0]):
                out.append((Segment(list(pieces), self.where(el), counted=kind == BLOCK), list(refs)))
                emitted[0] = True
            pieces.clear()
            refs.clear()

        label = self.label(el, None)
        pieces.append(Piece(TEXT, el.text or "", label))
        refs.append((el, "text"))
        work: list[tuple[Any, Hashable, bool]] = [(c, label, False) for c in reversed(list(el))]
        while work:  # an explicit stack: deeply nested inline markup cannot exhaust recursion
            child, parent_label, closing = work.pop()
            if closing:
                pieces.append(Piece(TEXT, child.tail or "", parent_label))
                refs.append((child, "tail"))
                continue
            kind_child = self.classify(child) if isinstance(child.tag, str) else IGNORE
            work.append((child, parent_label, True))
            if kind_child == INLINE:
                own = self.label(child, parent_label)
                pieces.append(Piece(TEXT, child.text or "", own))
                refs.append((child, "text"))
                work += [(c, own, False) for c in reversed(list(child))]
            elif kind_child == CODE_EL:
                pieces.append(Piece(CODE, text_content(child)))
                refs.append(None)
                if self.descend_code(child):
                    nested.append(child)
            elif kind_child in (SEP_EL, SPACE_EL):
                pieces.append(Piece(SEP, "", space=kind_child == SPACE_EL))
                refs.append(None)
            elif kind_child in (BLOCK, CONTAINER, SKIP):
                flush()
                nested.append(child)
            elif kind_child == IGNORE and child.tag is not None and not isinstance(child.tag, str):
                if "Entity" in type(child).__name__:  # an unexpanded entity reference: a character
                    pieces.append(Piece(CODE, child.text or ""))
                    refs.append(None)
        flush(final=True)


def apply(results: list[tuple[Segment, list[Ref | None]]]) -> None:
    """Write every translated slot back into the tree."""
    for seg, refs in results:
        if seg.result is None:
            continue
        for ref, text in zip(refs, seg.result):
            if ref is None or text is None:
                continue
            el, where = ref
            text = xml_safe(text)
            if where == "text":
                el.text = text or None
            elif where == "tail":
                el.tail = text or None
            else:
                el.set(where[1:], text)


# ---- zip packages -------------------------------------------------------------------------------

_NOT_ZIP = (
    (b"\xd0\xcf\x11\xe0", "an old binary Office file (.doc / .sdw); save it in the new format first"),
    (b"<?xml", "an XML file, not a zip archive"),
    (b"{\\rtf", "an RTF file"),
    (b"%PDF", "a PDF file"),
)


@dataclass
class Package:
    infos: list[zipfile.ZipInfo]
    data: list[bytes]
    comment: bytes = b""

    def find(self, name: str) -> int | None:
        return next((i for i, info in enumerate(self.infos) if info.filename == name), None)

    def names(self) -> list[str]:
        return [info.filename for info in self.infos]

    def to_bytes(self, replaced: dict[int, bytes]) -> bytes:
        """The same members in the same order and compression; only ``replaced`` ones change."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as out:
            for i, info in enumerate(self.infos):
                stamp = info.date_time if _valid_time(info.date_time) else (1980, 1, 1, 0, 0, 0)
                member = zipfile.ZipInfo(info.filename, date_time=stamp)
                member.compress_type = info.compress_type
                member.external_attr = info.external_attr
                member.create_system = info.create_system
                member.comment = info.comment
                out.writestr(member, replaced.get(i, self.data[i]))
            out.comment = self.comment
        return buf.getvalue()


def _valid_time(t: tuple) -> bool:
    return (
        len(t) == 6
        and 1980 <= t[0] <= 2107
        and 1 <= t[1] <= 12
        and 1 <= t[2] <= 31
        and 0 <= t[3] < 24
        and 0 <= t[4] < 60
        and 0 <= t[5] < 62
    )


def read_package(path: Path, data: bytes, kind: str) -> Package:
    """Every member of a zip-based document, checked against zip bombs and damage."""
    if not data:
        raise DocumentError(path, "the file is empty")
    if not data.startswith(b"PK"):
        hint = next((why for magic, why in _NOT_ZIP if data.startswith(magic)), "")
        raise DocumentError(
            path,
            f"not {kind} file: {kind} files are zip archives and this one is not"
            + (f" (it looks like {hint})" if hint else ""),
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise DocumentError(path, f"the zip archive has {len(infos):,} members; this is not {kind} file")
            unpacked = sum(i.file_size for i in infos)  # as declared; zipfile never inflates past it
            allowed = min(MAX_UNPACKED, max(UNPACKED_FLOOR, MAX_RATIO * len(data)))
            if unpacked > allowed:
                raise DocumentError(
                    path,
                    f"the zip archive ({len(data) / 2**20:,.1f} MB) unpacks to {unpacked / 2**20:,.0f} MB, over "
                    f"the {allowed / 2**20:,.0f} MB allowed for it (a zip bomb?); refused",
                )
            contents = [zf.read(info) for info in infos]
            comment = zf.comment
    except DocumentError:
        raise
    except zipfile.BadZipFile as exc:
        raise DocumentError(
            path, f"damaged or truncated zip archive ({exc}); this {kind} file cannot be read"
        ) from None
    except (zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OverflowError, OSError) as exc:
        raise DocumentError(path, f"cannot unpack this {kind} file: {type(exc).__name__}: {exc}") from None
    return Package(infos, contents, comment)


def part(package: Package, path: Path, name: str, kind: str):
    """The parsed XML member ``name`` (DocumentError naming the file and the member)."""
    i = package.find(name)
    if i is None:
        raise DocumentError(path, f"not {kind} file: it has no {name}")
    if len(package.data[i]) > MAX_PART:
        raise DocumentError(path, f"{name} is over {MAX_PART >> 20} MB; refused")
    return i, parse_xml(path, package.data[i], name)


def serialize(root: Any) -> bytes:
    from lxml import etree

    standalone = root.getroottree().docinfo.standalone
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=standalone)
