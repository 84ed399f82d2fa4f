"""Localisation catalogues: gettext PO (.po, .pot) and XLIFF 1.2 / 2.0 (.xlf, .xliff), via
translate-toolkit.

Only units without a translation are filled by default (``all_units`` retranslates every
one); each filled unit is marked for review: ``#, fuzzy`` in PO, ``state="needs-review-translation"``
on an XLIFF 1.2 target (``approved="no"``), ``state="translated"`` with a machine-translation
``subState`` on an XLIFF 2.0 segment. Header, obsolete and ``translate="no"`` units are left
alone. Placeholders (printf ``%s`` ``%(name)s`` ``%1$d``, ``{0}`` ``{name}``, ``${x}``, ``$(x)``,
``%NAME%``, entities and tags) are kept verbatim; a PO plural fills every ``msgstr[n]`` (the
singular's translation in ``msgstr[0]``, the plural's in the others); line breaks inside a
message keep their count. An XLIFF target is a copy of the source with its inline elements
(``g`` ``x`` ``ph`` ``bpt`` ``pc`` ``mrk`` …) in place and the text translated.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

from translator_app.core.documents.common import (
    ALREADY_TRANSLATED,
    CODE,
    FUZZY_KEPT,
    NOT_TRANSLATABLE,
    OBSOLETE,
    SEP,
    TEXT,
    DocumentError,
    Piece,
    Segment,
    decode_strict,
)
from translator_app.core.documents.xmltree import BLOCK, CODE_EL, INLINE, Walker, apply, local, text_content

PLACEHOLDER = re.compile(
    r"""
      %\([^()\s]+\)[-+\ #0]*\d*(?:\.\d+)?[A-Za-z]    # %(file_name)s
    | %[A-Z][A-Z0-9_]+%?                            # %PRODUCTNAME, %APP_NAME%
    | %(?:\d+\$)?[-+\ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|L|q)?[diouxXeEfFgGcspan@%]   # %s %d %1$s %5.2f %%
    | \$\([^()\s]*\) | \$\{[^{}\s]*\} | \{\{[^{}]*\}\} | \{[\w.:,\s-]*\}     # $(ARG) ${name} {{x}} {0} {name}
    | &(?:[A-Za-z][A-Za-z0-9]*|\#[0-9]+|\#x[0-9A-Fa-f]+);                 # &amp; &#38;
    | <[^<>\n]{1,200}>                                                     # markup
""",
    re.VERBOSE,
)
MT_SUBSTATE = "translator-app:machine-translation"


def string_segment(text: str, where: str) -> Segment:
    """A catalogue string: placeholders are CODE, line breaks SEP, the rest TEXT."""
    pieces: list[Piece] = []
    for k, line in enumerate(text.split("\n")):
        if k:
            pieces.append(Piece(SEP, "\n", space=True))
        pos = 0
        for m in PLACEHOLDER.finditer(line):
            pieces += [Piece(TEXT, line[pos : m.start()], ""), Piece(CODE, m.group())]
            pos = m.end()
        pieces.append(Piece(TEXT, line[pos:], ""))
    return Segment(pieces, where)


def render_string(seg: Segment) -> str:
    return "".join(seg.output(i) if p.kind == TEXT else p.text for i, p in enumerate(seg.pieces))


# ---- gettext PO -------------------------------------------------------------------------------


@dataclass
class PoDocument:
    store: object
    nplurals: int
    entries: list = field(default_factory=list)  # (unit, [segments])

    @property
    def segments(self) -> list[Segment]:
        return [seg for _, segs in self.entries for seg in segs]

    def render(self) -> bytes:
        from translate.misc.multistring import multistring

        for unit, segs in self.entries:
            if not any(seg.result is not None for seg in segs):
                continue
            texts = [render_string(seg) for seg in segs]
            if unit.hasplural():
                unit.target = multistring([texts[0]] + [texts[-1]] * max(self.nplurals - 1, 1))
            else:
                unit.target = texts[0]
            unit.markfuzzy(True)
        return bytes(self.store)


def load_po(path: Path, data: bytes, options) -> PoDocument:
    from translate.storage import poparser, pypo

    if not data.strip():
        raise DocumentError(path, "the file is empty")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise DocumentError(path, f"line {line}: contains NUL bytes; this is binary data (an MO file?), not a PO file")
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    match = re.search(rb"charset=\s*([-\w.:]+)", body[:16384])
    charset = match.group(1).decode("ascii") if match and match.group(1) != b"CHARSET" else "utf-8"
    decode_strict(
        path, body, charset, f"unknown charset {charset!r} in the PO header", f"the header declares charset={charset}"
    )  # a clear error before translate-toolkit parses it
    store = pypo.pofile()
    try:
        store.parse(data)
    except poparser.PoParseError as exc:
        line = getattr(getattr(exc, "parse_state", None), "lineno", None)
        raise DocumentError(
            path, (f"line {line}: " if line else "") + f"PO syntax error: {exc}".split("\n")[0]
        ) from None
    if not [u for u in store.units if not u.isheader() and str(u.source or "")]:
        raise DocumentError(path, "no messages found: this is not a PO file, or an empty one")
    plural = store.parseheader().get("Plural-Forms", "")
    m = re.search(r"nplurals\s*=\s*(\d+)", plural)
    doc = PoDocument(store, min(int(m.group(1)), 10) if m else 2)
    for index, unit in enumerate(store.units, 1):
        if unit.isheader():
            continue
        msgid = str(unit.source.strings[0] if hasattr(unit.source, "strings") else unit.source or "")
        where = f"message {index} ({msgid[:30]!r})"
        sources = [str(s) for s in unit.source.strings] if unit.hasplural() else [msgid]
        targets = [str(s) for s in unit.target.strings] if hasattr(unit.target, "strings") else [str(unit.target or "")]
        translated = any(t.strip() for t in targets)
        reason = None
        if unit.isobsolete():
            reason = OBSOLETE
        elif translated and not options.all_units:
            reason = FUZZY_KEPT if unit.isfuzzy() else ALREADY_TRANSLATED
        segs = [string_segment(s, where) for s in sources]
        for seg in segs:
            seg.skip = reason
        doc.entries.append((unit, segs))
    return doc


# ---- XLIFF ------------------------------------------------------------------------------------

_V1_INLINE = {"g", "mrk"}
_V2_INLINE = {"pc", "mrk"}


@dataclass
class XliffDocument:
    store: object
    v2: bool
    entries: list = field(default_factory=list)  # (unit element, source, old target, new target, results)

    @property
    def segments(self) -> list[Segment]:
        return [seg for *_, results in self.entries for seg, _ in results]

    def render(self) -> bytes:
        for el, src, old, new, results in self.entries:
            if not any(seg.result is not None for seg, _ in results):
                continue
            apply(results)
            if old is not None:
                for name, value in old.attrib.items():
                    new.set(name, value)
                new.tail = old.tail
                el.replace(old, new)
            else:
                new.tail = src.tail
                src.addnext(new)
            if self.v2:
                el.set("state", "translated")
                el.set("subState", MT_SUBSTATE)
            else:
                new.set("state", "needs-review-translation")
                if el.get("approved") == "yes":
                    el.set("approved", "no")
        return bytes(self.store)


def load_xliff(path: Path, data: bytes, options) -> XliffDocument:
    from lxml import etree
    from translate.storage import xliff, xliff2

    if not data.strip():
        raise DocumentError(path, "the file is empty")
    if data.startswith(b"PK"):
        raise DocumentError(path, "this is a zip archive, not an XLIFF file")
    head = re.search(rb"<(?:\w+:)?xliff\b[^>]*>", data[:65536])
    if head is None:
        raise DocumentError(path, "not an XLIFF file: no <xliff> root element near the start")
    v2 = (
        bool(re.search(rb"version\s*=\s*[\"']2", head.group()))
        or b"urn:oasis:names:tc:xliff:document:2" in head.group()
    )
    from translator_app.core.documents.xmltree import parse_xml

    parse_xml(path, data, "this XLIFF file")  # the shared checks first: well-formed, no entity declarations
    try:
        store = (xliff2.Xliff2File if v2 else xliff.xlifffile).parsestring(data)
    except etree.XMLSyntaxError as exc:
        raise DocumentError(
            path,
            f"not well-formed XML (line {getattr(exc, 'lineno', '?')}): "
            f"{str(getattr(exc, 'msg', exc)).split(', line ')[0]}",
        ) from None
    except AssertionError:
        raise DocumentError(path, "not an XLIFF file: the root element is not <xliff>") from None
    inline = _V2_INLINE if v2 else _V1_INLINE

    def classify(el) -> str:  # ph, x, bpt, sc, ec, cp, sub ...: kept verbatim
        return INLINE if local(el.tag) in inline else CODE_EL

    doc = XliffDocument(store, v2)
    for unit in store.units:
        el = unit.xmlelement
        src, old = el.find(unit.namespaced("source")), el.find(unit.namespaced("target"))
        if src is None:
            continue
        uid = el.get("id") or (el.getparent().get("id") if v2 and el.getparent() is not None else "") or "?"
        where = f"unit {uid[:40]}"
        target_tag = unit.namespaced("target")
        walker = Walker(
            lambda e, root=None, target_tag=target_tag: BLOCK if e.tag == target_tag else classify(e),
            label=lambda e, parent: ("p",) if local(e.tag) == "target" else (local(e.tag), id(e)),
            where=lambda e, where=where: where,
        )
        reason = None
        if not unit.istranslatable():
            reason = NOT_TRANSLATABLE
        elif old is not None and text_content(old).strip() and not options.all_units:
            reason = ALREADY_TRANSLATED
        new = copy.deepcopy(src)
        new.tag = unit.namespaced("target")
        for name in list(new.attrib):
            if local(name) != "space":
                del new.attrib[name]
        results = walker.segments(new)
        if reason is not None:
            results = [(Segment([], where, skip=reason), [])]
        doc.entries.append((el, src, old, new, results))
    if not doc.entries:
        raise DocumentError(path, "no translation units found")
    return doc
