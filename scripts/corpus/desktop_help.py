"""Desktop help (GNOME, MATE and other yelp documents): Mallard ``.page`` and DocBook ``.xml``.

``usr/share/help/C/DOC/FILE`` (English) and ``usr/share/help/es/DOC/FILE`` (Spanish, made by
itstool from the translators' PO files) are aligned text block by text block (``p``, ``title``,
``desc``, ``para``, ``term``...), and only where both files have the same sequence of block tags;
a file whose structure differs is skipped and counted.  The XML is parsed without entity
expansion, DTD loading or network access; simple text entities declared in a file's own internal
subset (DocBook's ``<!ENTITY app "Pluma">``) are substituted once, and a block that refers to any
other entity is left out.  Blocks whose text would come from elsewhere (an empty ``<link xref>``,
DocBook ``<xref>``) are left out too, as are credits, licences, revisions, code and screens.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

Item = tuple[str, str, str]

BLOCKS = {"title", "subtitle", "desc", "p", "para", "simpara", "term", "glossterm", "entry", "td", "th"}
# subtrees that hold no translatable prose (or prose that is not parallel: translator credits)
_DROP = {
    "credit",
    "license",
    "revision",
    "copyright",
    "author",
    "authorgroup",
    "othercredit",
    "publisher",
    "legalnotice",
    "revhistory",
    "code",
    "screen",
    "programlisting",
    "synopsis",
    "literallayout",
    "cmdsynopsis",
    "media",
    "comment",
    "keywordset",
    "include",
}
_AUTOTEXT = {"link", "xref"}  # empty: the viewer fills in another page's title
_SUFFIXES = (".page", ".xml", ".docbook")


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )


def _entities(tree) -> dict[str, str]:
    """Plain-text entities of the document's internal subset (no markup, no references)."""
    dtd = tree.docinfo.internalDTD
    out = {}
    if dtd is not None:
        for ent in dtd.iterentities():
            value = ent.content
            if value is not None and "<" not in value and "&" not in value and len(value) < 200:
                out[ent.name] = value
    return out


class _Unusable(Exception):
    pass


_SEQ = {"guiseq": " ▸ ", "keyseq": "+"}  # what yelp shows between a sequence's items


def _text(el, ents: dict[str, str]) -> str:
    parts = [el.text or ""]
    sep = _SEQ.get(_local(el.tag))
    for i, kid in enumerate(el):
        if sep and i and isinstance(kid.tag, str) and not (el[i - 1].tail or "").strip():
            parts.append(sep)
        if isinstance(kid, etree._Entity):
            if kid.name not in ents:
                raise _Unusable
            parts.append(ents[kid.name])
        elif isinstance(kid.tag, str):
            name = _local(kid.tag)
            if name in _DROP:
                pass
            elif name in _AUTOTEXT and not "".join(kid.itertext()).strip():
                raise _Unusable
            else:
                parts.append(_text(kid, ents))
        parts.append(kid.tail or "")
    return "".join(parts)


def blocks(path: Path) -> list[tuple[str, str | None]]:
    """(tag, text) of the text blocks of a help file in document order; text None for a block that
    cannot be used (unknown entity, generated link text).  A block holding other blocks is not
    itself a block (its children are)."""
    tree = etree.parse(str(path), _parser())
    ents = _entities(tree)
    out: list[tuple[str, str | None]] = []

    def walk(el) -> None:
        for kid in el:
            if not isinstance(kid.tag, str):
                continue
            name = _local(kid.tag)
            if name in _DROP:
                continue
            if name in BLOCKS and not any(
                _local(d.tag) in BLOCKS for d in kid.iterdescendants() if isinstance(d.tag, str)
            ):
                try:
                    out.append((name, _text(kid, ents)))
                except _Unusable:
                    out.append((name, None))
            else:
                walk(kid)

    walk(tree.getroot())
    return out


def align(en_path: Path, es_path: Path, stats: dict) -> Iterator[Item]:
    try:
        a, b = blocks(en_path), blocks(es_path)
    except etree.XMLSyntaxError:
        stats["files_unparsable"] = stats.get("files_unparsable", 0) + 1
        return
    if [t for t, _ in a] != [t for t, _ in b]:
        stats["files_structure_differs"] = stats.get("files_structure_differs", 0) + 1
        return
    stats["files_aligned"] = stats.get("files_aligned", 0) + 1
    for (_, x), (_, y) in zip(a, b):
        if x is None or y is None:
            stats["blocks_unusable"] = stats.get("blocks_unusable", 0) + 1
            continue
        yield "para", x, y


def help_pairs(roots: list[Path], stats: dict) -> Iterator[Item]:
    """Every document under usr/share/help/C of each package that has a Spanish version."""
    stats.setdefault("documents", 0)
    for root in roots:
        base = root / "usr/share/help"
        if not (base / "C").is_dir():
            continue
        for doc in sorted(p for p in (base / "C").iterdir() if p.is_dir()):
            es_doc = base / "es" / doc.name
            if not es_doc.is_dir():
                continue
            stats["documents"] += 1
            for f in sorted(doc.rglob("*")):
                if f.suffix not in _SUFFIXES or f.name == "legal.xml":
                    continue
                other = es_doc / f.relative_to(doc)
                if other.exists():
                    yield from align(f, other, stats)
                else:
                    stats["files_without_spanish"] = stats.get("files_without_spanish", 0) + 1
