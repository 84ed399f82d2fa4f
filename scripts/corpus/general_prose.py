"""General-domain prose from games' and science programs' catalogs and descriptions (issue #28):
Freeciv's nation legends and help, Stellarium's strings and sky-culture / landscape descriptions,
Kalzium's glossary and element-name origins, Battle for Wesnoth's campaign narration and dialogue,
and the Debian project history (DocBook HTML, aligned with :mod:`docbook_html`).

Catalog entries (gettext ``.mo`` read with :func:`sources.read_mo`, Qt ``.qm`` with :func:`read_qm`)
are kept only when the English has at least ``min_words`` words, placeholders not counted (UI
strings and titles are short), their simple inline tags (``<i>``, ``<b>``, ``<em>``, ``<span ...>``,
``<br/>``) are removed, and an entry with any other markup (Wesnoth's help markup ``<ref>``, ``<italic>``...), a WML variable (``$unit``)
or a brace placeholder (``{prefix}``) is left out, as is a Spanish side with a tag broken by
machine translation (``</ em>``).  Every kept entry is yielded as a ``para`` item: the builder
splits it into sentence pairs where both sides split alike (clean.py).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import html as lhtml

from . import docbook_html
from .sources import read_mo

Item = tuple[str, str, str]

# ---------------------------------------------------------------- catalog entries
_INLINE = re.compile(r"</?(?:i|b|u|em|strong|big|small|span|font|tt|sup|sub|center)\b[^<>]*>", re.I)
_BREAK = re.compile(r"<br\s*/?>", re.I)
_ANY_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^<>]*>")
_BROKEN_TAG = re.compile(r"<\s+/?\s*[A-Za-z]+\s*>|</\s+[A-Za-z]+\s*>")  # "</ em>", "< em>": machine translation
_VARIABLE = re.compile(r"\$[A-Za-z_][\w.|\[\]]*|\{[A-Za-z_][\w ]*\}")
_QUALIFIER = re.compile(r"^\?[\w -]+:")  # Freeciv's Q_("?female:...")
_CONTEXT = re.compile(r"^[\w -]+\^")  # Wesnoth's "race^Elves"
_PRINTF = re.compile(r"%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?[sdifuxXgeEc]|%\d+")  # not words: "Mayor of the Palace %s"
_CONTROL = re.compile(r"[\u200e\u200f\u202a-\u202e]")


def prose_entry(en: str, es: str, min_words: int, stats: dict) -> tuple[str, str] | None:
    """The pair to keep of one catalog entry, or None (the reason is counted in ``stats``)."""
    en = _CONTEXT.sub("", _QUALIFIER.sub("", en))
    es = _QUALIFIER.sub("", es)
    if len(_PRINTF.sub("", en).split()) < min_words:
        stats["entries_short"] = stats.get("entries_short", 0) + 1
        return None
    if _BROKEN_TAG.search(es):
        stats["entries_broken_tags"] = stats.get("entries_broken_tags", 0) + 1
        return None
    if _VARIABLE.search(en) or _VARIABLE.search(es):
        stats["entries_variables"] = stats.get("entries_variables", 0) + 1
        return None
    en, es = (_CONTROL.sub("", _INLINE.sub("", _BREAK.sub(" ", s))) for s in (en, es))
    if _ANY_TAG.search(en) or _ANY_TAG.search(es):
        stats["entries_markup"] = stats.get("entries_markup", 0) + 1
        return None
    return en, es


def catalog_prose(entries: Iterable[tuple[str, str]], min_words: int, stats: dict) -> Iterator[Item]:
    for en, es in entries:
        stats["entries"] = stats.get("entries", 0) + 1
        pair = prose_entry(en, es, min_words, stats)
        if pair:
            stats["entries_kept"] = stats.get("entries_kept", 0) + 1
            yield "para", pair[0], pair[1]


def mo_prose(files: list[tuple[Path, int]], stats: dict) -> Iterator[Item]:
    """The prose entries of (catalog, minimum English words) pairs, in the order given."""
    stats["catalogs"] = stats.get("catalogs", 0) + len(files)
    for path, min_words in files:
        yield from catalog_prose(read_mo(path), min_words, stats)


# ---------------------------------------------------------------- Qt .qm catalogs
_QM_MAGIC = bytes.fromhex("3CB86418CAEF9C95CD211CBF60A1BDDD")


def read_qm(path: Path | bytes) -> list[tuple[str, str]]:
    """(source text, first translation) of every message of a Qt ``.qm`` file that has both
    (lrelease keeps the English source text unless run with -nocompress/-idbased)."""
    data = path if isinstance(path, bytes) else path.read_bytes()
    if data[:16] != _QM_MAGIC:
        raise ValueError("not a Qt .qm file")
    out: list[tuple[str, str]] = []
    i = 16
    while i + 5 <= len(data):
        tag, size = data[i], struct.unpack(">I", data[i + 1 : i + 5])[0]
        block, i = data[i + 5 : i + 5 + size], i + 5 + size
        if tag != 0x69:  # only the messages section
            continue
        j, src, trans = 0, "", []
        while j < len(block):
            t = block[j]
            j += 1
            if t == 1:  # end of message
                if src and trans and trans[0]:
                    out.append((src, trans[0]))
                src, trans = "", []
            elif t == 5:  # obsolete hash
                j += 4
            elif t in (3, 6, 7, 8):  # translation (UTF-16), source text, context, comment (UTF-8)
                n = struct.unpack(">I", block[j : j + 4])[0]
                j += 4
                if n == 0xFFFFFFFF:
                    continue
                text = block[j : j + n]
                j += n
                if t == 3:
                    trans.append(text.decode("utf-16-be", "replace"))
                elif t == 6:
                    src = text.decode("utf-8", "replace")
            else:
                raise ValueError(f"unknown .qm message tag {t}")
    return out


# ---------------------------------------------------------------- HTML descriptions (Stellarium)
_DESC_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd")
# sections that hold references, links and credits, not prose (the English heading decides)
_NOT_PROSE = re.compile(
    r"^\s*(references?|external links?|links|authors?|fair use|notes?|sources?|thanks|acknowledge?ments?|"
    r"further reading|bibliography|licen[cs]e|credits?|image credits)\b",
    re.I,
)
_CITATION = re.compile(
    r"https?://|www\.|\bISBN\b|\bdoi\b|\bpp?\.\s*\d|\bet al\b|\bVols?\.\s*\d|\(\d{4}[a-z]?\)|\(at\)|@", re.I
)
_NOTE_MARK = re.compile(r"\s*\[\d+\](?:,\s*\[\d+\])*")  # footnote marks: "described.[5]"


def description_blocks(data: bytes) -> list[tuple[str, str]]:
    """(tag, text) of the text blocks of an HTML fragment, tables left out."""
    root = lhtml.fragment_fromstring(data.decode("utf-8", "replace"), create_parent="div")
    for bad in root.xpath(".//table | .//script | .//style | .//pre"):
        bad.drop_tree()
    out = []
    for el in root.iter(*_DESC_BLOCKS):
        if any(isinstance(d.tag, str) and d.tag in _DESC_BLOCKS for d in el.iterdescendants()):
            continue  # the inner blocks are the blocks
        out.append((el.tag, el.text_content()))
    return out


def align_descriptions(pairs: list[tuple[Path, Path]], stats: dict) -> Iterator[Item]:
    """Blocks of (English, Spanish) description files that have the same sequence of block tags;
    blocks under a reference / links / credits heading and citation-like blocks are left out."""
    for en_path, es_path in pairs:
        a, b = description_blocks(en_path.read_bytes()), description_blocks(es_path.read_bytes())
        if [t for t, _ in a] != [t for t, _ in b]:
            stats["files_structure_differs"] = stats.get("files_structure_differs", 0) + 1
            continue
        stats["files_aligned"] = stats.get("files_aligned", 0) + 1
        skip = False
        for (tag, en), (_, es) in zip(a, b):
            if tag.startswith("h"):
                skip = bool(_NOT_PROSE.match(en))
                if skip:
                    continue
            if skip or _CITATION.search(en) or _CITATION.search(es):
                stats["blocks_references"] = stats.get("blocks_references", 0) + 1
                continue
            yield "para", _NOTE_MARK.sub("", en), _NOTE_MARK.sub("", es)


def stellarium_strings(root: Path, stats: dict, min_words: int = 12) -> Iterator[Item]:
    """The long strings of Stellarium's own catalog (help texts, sky-culture and exoplanet name notes)."""
    return catalog_prose(read_qm(root / "usr/share/stellarium/translations/stellarium/es.qm"), min_words, stats)


def stellarium_descriptions(root: Path, stats: dict) -> Iterator[Item]:
    """The sky cultures' and landscapes' ``description.en.utf8`` against ``description.es.utf8``."""
    base = root / "usr/share/stellarium"
    files = []
    for kind in ("skycultures", "landscapes"):
        for en in sorted((base / kind).glob("*/description.en.utf8")):
            es = en.with_name("description.es.utf8")
            if es.exists():
                files.append((en, es))
    stats["files"] = len(files)
    return align_descriptions(files, stats)


# ---------------------------------------------------------------- the sources
def freeciv(root: Path, stats: dict, nation_words: int = 5, help_words: int = 12) -> Iterator[Item]:
    """Nation legends (prose of >= ``nation_words`` words: names and titles are shorter) and the
    long help texts of the core catalog (>= ``help_words`` words: the rest is interface)."""
    d = root / "usr/share/locale/es/LC_MESSAGES"
    yield from mo_prose([(d / "freeciv-nations.mo", nation_words), (d / "freeciv-core.mo", help_words)], stats)


def kalzium(root: Path, stats: dict, min_words: int = 6) -> Iterator[Item]:
    return mo_prose([(root / "usr/share/locale/es/LC_MESSAGES/kalzium.mo", min_words)], stats)


# Wesnoth's interface catalogs (menus, the editor, debug and lobby messages) are left out
WESNOTH_UI = {"wesnoth.mo", "wesnoth-lib.mo", "wesnoth-editor.mo"}


def wesnoth(roots: list[Path], stats: dict, min_words: int = 4) -> Iterator[Item]:
    files = []
    for r in roots:
        d = r / "usr/share/games/wesnoth"
        files += sorted(f for f in d.glob("*/locale/es/LC_MESSAGES/*.mo") if f.name not in WESNOTH_UI)
    return mo_prose([(f, min_words) for f in files], stats)


HISTORY_DIR = "usr/share/doc/debian-history/docs"


def debian_history(root: Path, stats: dict) -> Iterator[Item]:
    table = {"debian-history": (HISTORY_DIR, HISTORY_DIR, "*.en.html", lambda n: n.replace(".en.html", ".es.html"))}
    return docbook_html.manuals([root], table, stats)
