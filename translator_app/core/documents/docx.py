"""Word documents (.docx): the WordprocessingML parts edited in place with lxml.

The body, every header and footer, footnotes and endnotes are translated; every other member
of the zip (styles, numbering, images, settings, relationships) is copied byte for byte. Each
``w:p`` (body, lists, table cells at any depth, text boxes) is a segment whose slots are its
``w:t`` elements: a run's label is its formatting (``w:rPr`` without revision ids and
language) plus the hyperlink around it, so the translated words land in runs with the right
bold / italic / link. Runs in a code style or a monospace font, fields' instructions, deleted
text, drawings, footnote references and math are kept as they are. No run, paragraph or table
is added or removed.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

from translator_app.core.documents.common import CODE, SEP, TEXT, DocumentError, Piece, Segment, xml_safe
from translator_app.core.documents.xmltree import local, part, read_package, serialize

W_MAIN = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_PARTS = re.compile(r"^word/(?:document\d*|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_CODE_STYLE = re.compile(r"code|verbatim|source|mono|kbd|keyboard|typewriter|sample", re.IGNORECASE)
MONO_FONTS = {
    "courier",
    "courier new",
    "consolas",
    "menlo",
    "monaco",
    "lucida console",
    "lucida sans typewriter",
    "source code pro",
    "dejavu sans mono",
    "liberation mono",
    "cascadia code",
    "cascadia mono",
    "fira code",
    "fira mono",
    "jetbrains mono",
    "roboto mono",
    "ubuntu mono",
    "noto mono",
    "sf mono",
}
_TRANSPARENT = {"smartTag", "customXml", "sdt", "sdtContent", "ins", "moveTo", "dir", "bdo", "fldSimple"}
_SPACES = {"tab", "br", "cr", "ptab"}
_KEEP = {
    "drawing",
    "pict",
    "object",
    "sym",
    "footnoteReference",
    "endnoteReference",
    "AlternateContent",
    "ruby",
    "embedObject",
    "commentReference",
}
_VOLATILE = {"lang", "noProof", "proofErr", "rsid"}


@dataclass
class DocxDocument:
    path: Path
    package: object
    parts: dict  # member index -> parsed root
    results: list  # (segment, refs)

    @property
    def segments(self) -> list[Segment]:
        return [seg for seg, _ in self.results]

    def render(self) -> bytes:
        for seg, refs in self.results:
            if seg.result is None:
                continue
            for ref, text in zip(refs, seg.result):
                if ref is not None and text is not None:
                    ref.text = xml_safe(text)
                    ref.set(XML_SPACE, "preserve")
        return self.package.to_bytes({i: serialize(root) for i, root in self.parts.items()})


def _format_key(rpr, w: str) -> str:
    if rpr is None:
        return ""
    from lxml import etree

    rpr = copy.deepcopy(rpr)
    for el in list(rpr):
        if local(el.tag) in _VOLATILE:
            rpr.remove(el)
    for el in rpr.iter():
        for name in [n for n in el.attrib if local(n).startswith("rsid")]:
            del el.attrib[name]
    return etree.tostring(rpr, method="c14n").decode("utf-8", "replace")


def _is_code(rpr, w: str) -> bool:
    if rpr is None:
        return False
    style = rpr.find(f"{{{w}}}rStyle")
    if style is not None and _CODE_STYLE.search(style.get(f"{{{w}}}val", "")):
        return True
    fonts = rpr.find(f"{{{w}}}rFonts")
    if fonts is not None:
        names = [fonts.get(f"{{{w}}}{k}", "") for k in ("ascii", "hAnsi")]
        return any(n.strip().lower() in MONO_FONTS for n in names if n)
    return False


def _paragraph(p, w: str, where: str) -> tuple[Segment, list]:
    pieces: list[Piece] = []
    refs: list = []
    work = [(c, None) for c in reversed(list(p))]
    while work:
        el, link = work.pop()
        if not isinstance(el.tag, str):
            continue
        name, ns = local(el.tag), el.tag[1:].partition("}")[0]
        if ns == w and name == "r":
            rpr = el.find(f"{{{w}}}rPr")
            if _is_code(rpr, w):
                pieces.append(Piece(CODE, "".join(t.text or "" for t in el.iter(f"{{{w}}}t"))))
                refs.append(None)
                continue
            label = (_format_key(rpr, w), link)
            for child in el:
                cname = local(child.tag)
                if child.tag == f"{{{w}}}t":
                    pieces.append(Piece(TEXT, child.text or "", label))
                    refs.append(child)
                elif cname in _SPACES:
                    pieces.append(Piece(SEP, "", space=True))
                    refs.append(None)
                elif cname == "noBreakHyphen":
                    pieces.append(Piece(SEP, "-"))
                    refs.append(None)
                elif cname in _KEEP:
                    pieces.append(Piece(CODE, ""))
                    refs.append(None)
        elif ns == w and name == "hyperlink":
            target = (
                el.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
                or el.get(f"{{{w}}}anchor")
                or ""
            )
            work += [(c, ("link", target, id(el))) for c in reversed(list(el))]
        elif ns == w and name in _TRANSPARENT:
            work += [(c, link) for c in reversed(list(el))]
        elif name in ("oMath", "oMathPara", "AlternateContent"):
            pieces.append(Piece(CODE, ""))
            refs.append(None)
    return Segment(pieces, where), refs


def load_docx(path: Path, data: bytes, options) -> DocxDocument:
    package = read_package(path, data, "a Word (.docx)")
    names = package.names()
    if "[Content_Types].xml" not in names:
        raise DocumentError(path, "not a Word (.docx) file: the zip has no [Content_Types].xml")
    wanted = [n for n in names if _PARTS.match(n)]
    if "word/document.xml" not in wanted:
        hint = " (it looks like an OpenDocument file: name it .odt)" if "content.xml" in names else ""
        raise DocumentError(path, f"not a Word (.docx) file: it has no word/document.xml{hint}")
    parts, results = {}, []
    for name in sorted(wanted, key=lambda n: (n != "word/document.xml", n)):
        i, root = part(package, path, name, "a Word (.docx)")
        w = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
        if w not in W_MAIN:
            raise DocumentError(
                path, f"{name} is not WordprocessingML (root <{local(root.tag)}> in {w or 'no'} namespace)"
            )
        parts[i] = root
        short = name[5:-4]
        for n, p in enumerate(root.iter(f"{{{w}}}p"), 1):
            cell = any(local(a.tag) == "tc" for a in p.iterancestors())
            where = f"{'' if short == 'document' else short + ' '}paragraph {n}{' (table)' if cell else ''}"
            results.append(_paragraph(p, w, where))
    return DocxDocument(path, package, parts, results)
