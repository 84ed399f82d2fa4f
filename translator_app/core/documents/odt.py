"""OpenDocument text (.odt): content.xml and styles.xml (headers, footers) edited in place.

Every other zip member (mimetype first and stored, manifest, meta, pictures, settings) is
copied byte for byte. ``text:p`` and ``text:h`` are segments (in lists, tables, sections, frames,
notes alike); ``text:span`` and ``text:a`` inside them are slots that keep their words;
``text:s``, ``text:tab`` and ``text:line-break`` are spaces; bookmarks and change marks are kept
in place; fields, notes, frames and annotations are kept where they are (the paragraphs inside
notes, frames and annotations are segments of their own); tracked deletions are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from translator_app.core.documents.common import DocumentError, Segment
from translator_app.core.documents.xmltree import (
    BLOCK,
    CODE_EL,
    CONTAINER,
    INLINE,
    SEP_EL,
    SKIP,
    SPACE_EL,
    Walker,
    apply,
    local,
    part,
    read_package,
    serialize,
)

TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DRAW_NS = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_INLINE = {"span", "a", "meta", "ruby-base"}
_SPACE = {"s", "tab", "line-break"}
_SEP = {
    "soft-page-break",
    "bookmark",
    "bookmark-start",
    "bookmark-end",
    "reference-mark",
    "reference-mark-start",
    "reference-mark-end",
    "toc-mark",
    "toc-mark-start",
    "toc-mark-end",
    "alphabetical-index-mark",
    "alphabetical-index-mark-start",
    "alphabetical-index-mark-end",
    "user-index-mark",
    "user-index-mark-start",
    "user-index-mark-end",
    "change",
    "change-start",
    "change-end",
}
_DESCEND = {"note", "annotation"}  # kept in place; the paragraphs inside are translated on their own
MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _ns(el) -> str:
    return el.tag[1:].partition("}")[0] if isinstance(el.tag, str) and el.tag.startswith("{") else ""


def _classify(el) -> str:
    ns, name = _ns(el), local(el.tag)
    if ns == TEXT_NS:
        if name in ("p", "h"):
            return BLOCK
        if name in _INLINE:
            return INLINE
        if name in _SPACE:
            return SPACE_EL
        if name in _SEP:
            return SEP_EL
        if name == "tracked-changes":
            return SKIP
        if name in (
            "list",
            "list-item",
            "list-header",
            "section",
            "index-body",
            "index-title",
            "note-body",
            "illustration-index",
            "table-index",
            "table-of-content",
            "object-index",
            "user-index",
            "alphabetical-index",
            "bibliography",
            "deletion",
            "insertion",
        ):
            return CONTAINER
        return CODE_EL  # fields (page number, date, sequence, references…), notes, ruby
    if ns == OFFICE_NS:
        if name in ("annotation", "annotation-end"):
            return CODE_EL if name == "annotation" else SEP_EL
        return CONTAINER
    if ns == DRAW_NS:
        return CODE_EL
    return CONTAINER


def _label(el, parent):
    name = local(el.tag)
    if name == "span":
        return ("span", el.get(f"{{{TEXT_NS}}}style-name", ""), parent)
    if name == "a":
        return ("a", id(el), parent)
    if name in ("p", "h"):
        return ("p",)
    return (name, id(el), parent)


def _descend(el) -> bool:
    return local(el.tag) in _DESCEND or _ns(el) in (DRAW_NS, OFFICE_NS)


@dataclass
class OdtDocument:
    package: object
    parts: dict
    results: list

    @property
    def segments(self) -> list[Segment]:
        return [seg for seg, _ in self.results]

    def render(self) -> bytes:
        apply(self.results)
        return self.package.to_bytes({i: serialize(root) for i, root in self.parts.items()})


def load_odt(path: Path, data: bytes, options) -> OdtDocument:
    package = read_package(path, data, "an OpenDocument text (.odt)")
    mime = package.find("mimetype")
    if mime is not None and package.data[mime].strip() != MIMETYPE:
        found = package.data[mime][:80].decode("ascii", "replace").strip()
        raise DocumentError(path, f"not an OpenDocument text: its mimetype is {found!r}")
    if package.find("content.xml") is None:
        hint = " (it looks like a Word file: name it .docx)" if package.find("word/document.xml") is not None else ""
        raise DocumentError(path, f"not an OpenDocument text (.odt): it has no content.xml{hint}")
    walker = Walker(
        _classify,
        label=_label,
        descend_code=_descend,
        skip_reason=lambda el: "tracked deletion",
        where=lambda el: f"{local(el.tag) == 'h' and 'heading' or 'paragraph'} line {el.sourceline}",
    )
    parts, results = {}, []
    for name in ("content.xml", "styles.xml"):
        if package.find(name) is None:
            continue
        i, root = part(package, path, name, "an OpenDocument text (.odt)")
        if _ns(root) != OFFICE_NS:
            raise DocumentError(path, f"{name} is not OpenDocument XML (root <{local(root.tag)}>)")
        parts[i] = root
        found = walker.segments(root)
        if name == "styles.xml":
            for seg, _ in found:
                seg.where = f"styles.xml {seg.where}"
        results += found
    return OdtDocument(package, parts, results)
