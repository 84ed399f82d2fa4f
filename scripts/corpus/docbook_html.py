"""Manuals published as DocBook HTML in English and Spanish (the Debian installation guide, the
Debian Administrator's Handbook, the New Maintainers' Guide, aptitude's manual, the Debian Edu and
FreedomBox manuals).

The translations are made from PO files (po4a / Publican), so a translated page normally has the
same blocks as the English one.  Blocks (``p``, headings, ``dt``, table cells, Publican's
``div.para``) are aligned position by position within each section (the nearest enclosing
``section`` / ``chapter`` / ``appendix`` element; sections are paired in order when both pages
have as many, else by id), and only where the section has the same sequence of block tags on
both sides; other sections are skipped and counted.  Code (``pre``),
tables of contents and navigation are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import html as lhtml

Item = tuple[str, str, str]

_BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "td", "th", "caption"}
_SECTION_CLASSES = {
    "section",
    "sect1",
    "sect2",
    "sect3",
    "sect4",
    "chapter",
    "appendix",
    "preface",
    "article",
    "glossary",
    "refentry",
}
_DROP = (
    "//pre | //script | //style | //div[contains(concat(' ', @class, ' '), ' toc ')]"
    " | //div[@class='navheader'] | //div[@class='navfooter'] | //ul[@class='docnav']"
    " | //div[@class='footnotes'] | //div[contains(@class, 'programlisting')] | //div[contains(@class, 'screen')]"
    # KDE's pages: header, navigation, footer, authors and translators
    " | //div[@id='header'] | //div[@id='footer'] | //div[@class='navCenter'] | //div[@class='authorgroup']"
    " | //span[@class='othercredit']"
)


def _is_block(el) -> bool:
    if el.tag in _BLOCK_TAGS:
        return True
    return el.tag == "div" and "para" in (el.get("class") or "").split()


def _section_of(el, ids: dict) -> str:
    for anc in el.iterancestors():
        if anc.tag in ("div", "section") and _SECTION_CLASSES & set((anc.get("class") or "").split()):
            if anc not in ids:
                ident = anc.get("id")
                if not ident:
                    anchor = anc.find(".//a[@id]")
                    if anchor is None:
                        anchor = anc.find(".//a[@name]")
                    ident = (anchor.get("id") or anchor.get("name")) if anchor is not None else ""
                ids[anc] = ident or f"#{len(ids)}"
            return ids[anc]
    return ""


def blocks(page: Path | bytes) -> list[tuple[str, str, str]]:
    """(section id, tag, text) of the leaf text blocks of a DocBook HTML page (a file or its bytes),
    in document order."""
    data = page if isinstance(page, bytes) else page.read_bytes()
    try:  # pages without a charset declaration (FreedomBox's) are UTF-8, not Latin-1
        data.decode("utf-8")
        parser = lhtml.HTMLParser(encoding="utf-8")
    except UnicodeDecodeError:
        parser = None
    root = lhtml.document_fromstring(data, parser=parser)
    for bad in root.xpath(_DROP):
        bad.drop_tree()
    ids: dict = {}
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str) or not _is_block(el):
            continue
        if any(isinstance(d.tag, str) and _is_block(d) for d in el.iterdescendants()):
            continue  # a cell or paragraph holding paragraphs: its children are the blocks
        tag = "para" if el.tag == "div" else el.tag
        out.append((_section_of(el, ids), tag, el.text_content()))
    return out


_NUMBER = re.compile(r"^\s*(?:\d+|[A-Z](?=\.\d))(?:\.\d+)*\.\s+(?=\S)")


def strip_numbers(en: str, es: str) -> tuple[str, str]:
    """'2.10. Values' / '2.10. Valores' -> 'Values' / 'Valores' (only when both carry the same number)."""
    a, b = _NUMBER.match(en), _NUMBER.match(es)
    if a and b and a.group().strip() == b.group().strip():
        return en[a.end() :], es[b.end() :]
    return en, es


def align_pages(pages: list[tuple[Path | bytes, Path | bytes]], stats: dict) -> Iterator[Item]:
    """Blocks of (English page, Spanish page) pairs, section by section where the structure agrees."""
    aligned = skipped = 0
    for en_path, es_path in pages:
        secs_a: dict[str, list] = {}
        secs_b: dict[str, list] = {}
        for sid, tag, text in blocks(en_path):
            secs_a.setdefault(sid, []).append((tag, text))
        for sid, tag, text in blocks(es_path):
            secs_b.setdefault(sid, []).append((tag, text))
        if len(secs_a) == len(secs_b):  # the same sections: pair them in order (generated ids differ)
            pairs = list(zip(secs_a.values(), secs_b.values()))
        else:
            pairs = [(x, secs_b.get(sid, [])) for sid, x in secs_a.items()]
        for x, y in pairs:
            if [t for t, _ in x] != [t for t, _ in y]:
                skipped += 1
                continue
            aligned += 1
            for (tag, ta), (_, tb) in zip(x, y):
                if tag.startswith("h"):
                    ta, tb = strip_numbers(ta, tb)
                yield "para", ta, tb
    stats["pages"] = stats.get("pages", 0) + len(pages)
    stats["sections_aligned"] = stats.get("sections_aligned", 0) + aligned
    stats["sections_skipped"] = stats.get("sections_skipped", 0) + skipped


def same_names(en_dir: Path, es_dir: Path, pattern: str = "*.html", es_name=None) -> list[tuple[Path, Path]]:
    """(English, Spanish) pages: every English page whose Spanish namesake exists."""
    out = []
    for f in sorted(en_dir.glob(pattern)):
        other = es_dir / (es_name(f.name) if es_name else f.name)
        if other.exists():
            out.append((f, other))
    return out


def manuals(roots: list, table: dict, stats: dict):
    """Every manual of ``table`` (name -> (English dir, Spanish dir, English glob, Spanish name
    rule or None)), its dirs relative to any of the unpacked packages' roots."""

    def find(rel: str):
        for r in roots:
            if (r / rel).exists():
                return r / rel
        raise RuntimeError(f"{rel} is in none of the packages")

    per: dict = stats.setdefault("manuals", {})
    for name, (en_rel, es_rel, pattern, rename) in table.items():
        en, es = find(en_rel), find(es_rel)
        if en.is_file():
            pages = [(en, es)]
        else:
            pages = same_names(en, es, pattern, rename)
        per[name] = {}
        yield from align_pages(pages, per[name])
