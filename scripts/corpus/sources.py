"""Readers: each yields raw (kind, english, spanish) items in a deterministic order."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path

from lxml import html as lhtml

Item = tuple[str, str, str]

# ---------------------------------------------------------------- LibreOffice help (HTML)
_TEXT_ID = re.compile(r"^(?:par_|hd_)")
_SKIP_CLASSES = {"bascode", "code", "pycode", "example", "input", "literal_block"}
# help markup that leaked into the translated text as literal characters ("fin.<br>(En español")
_LITERAL_TAGS = re.compile(
    r"</?(?:br|ahelp|emph|item|link|switchinline|caseinline|defaultinline|bookmark_value"
    r"|variable|menuitem|span|p|a|b|i|image|embedvar)\b[^<>]*>",
    re.I,
)
_DROP_TAGS = ("script", "style", "noscript", "img", "pre", "code")


def _help_paragraphs(path: Path) -> dict[tuple[str, int], str]:
    """(id, occurrence) -> text of every paragraph/heading with a par_/hd_ id in the page body."""
    tree = lhtml.parse(str(path))
    area = tree.getroot().find(".//div[@id='DisplayArea']")
    if area is None:
        return {}
    for sw in area.xpath(
        ".//span[contains(concat(' ', @class, ' '), ' switchinline ')]"
        " | .//span[contains(concat(' ', @class, ' '), ' switch ')]"
    ):
        kids = [k for k in sw if isinstance(k.tag, str)]
        keep = [k for k in kids if (k.get("id") or "").startswith("default")] or kids[:1]
        for k in kids:
            if k not in keep:
                k.drop_tree()
    for bad in area.xpath(".//" + " | .//".join(_DROP_TAGS)):
        bad.drop_tree()
    out: dict[tuple[str, int], str] = {}
    seen: dict[str, int] = {}
    for el in area.iter():
        ident = el.get("id") if isinstance(el.tag, str) else None
        if not ident or not _TEXT_ID.match(ident) or el.tag not in ("p", "h1", "h2", "h3", "h4", "h5", "h6"):
            continue
        if _SKIP_CLASSES & set((el.get("class") or "").split()):
            continue
        n = seen.get(ident, 0)
        seen[ident] = n + 1
        out[(ident, n)] = _LITERAL_TAGS.sub(" ", el.text_content())
    return out


def libreoffice_help(en_root: Path, es_root: Path, stats: dict) -> Iterator[Item]:
    en_dir = en_root / "usr/share/libreoffice/help/en-US"
    es_dir = es_root / "usr/share/libreoffice/help/es"
    files = sorted(p.relative_to(en_dir) for p in en_dir.rglob("*.html"))
    stats["files"] = len(files)
    missing = 0
    for rel in files:
        other = es_dir / rel
        if not other.exists():
            missing += 1
            continue
        a, b = _help_paragraphs(en_dir / rel), _help_paragraphs(es_dir / rel)
        for key in sorted(a.keys() & b.keys()):
            yield "para", a[key], b[key]
    stats["files_without_spanish"] = missing


# ---------------------------------------------------------------- gettext .mo catalogs
def read_mo(path: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) of a GNU .mo file: context dropped, plural forms -> singular, header skipped."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic == 0x950412DE else ">"
    _, n, orig, trans = struct.unpack(end + "4I", data[4:20])
    out = []
    for i in range(n):
        ol, oo = struct.unpack(end + "2I", data[orig + 8 * i : orig + 8 * i + 8])
        tl, to = struct.unpack(end + "2I", data[trans + 8 * i : trans + 8 * i + 8])
        msgid = data[oo : oo + ol].decode("utf-8", "replace")
        msgstr = data[to : to + tl].decode("utf-8", "replace")
        if not msgid or not msgstr:
            continue
        msgid = msgid.split("\x04", 1)[-1].split("\x00", 1)[0]
        msgstr = msgstr.split("\x00", 1)[0]
        out.append((msgid, msgstr))
    return out


def mo_catalogs(files: list[Path], stats: dict, kind: str = "ui") -> Iterator[Item]:
    stats["catalogs"] = len(files)
    for f in files:
        for msgid, msgstr in read_mo(f):
            yield kind, msgid, msgstr


def libreoffice_ui(root: Path, stats: dict) -> Iterator[Item]:
    files = sorted((root / "usr/lib/libreoffice/program/resource/es/LC_MESSAGES").glob("*.mo"))
    return mo_catalogs(files, stats)


def locale_mo(roots: list[Path], stats: dict, kind: str = "cli") -> Iterator[Item]:
    """The Spanish catalogs under usr/share/locale of each package (GIMP's are left out: held-out domain)."""
    files = []
    for r in roots:
        files += sorted(
            f for f in (r / "usr/share/locale").glob("es/LC_MESSAGES/*.mo") if not f.name.lower().startswith("gimp")
        )
    return mo_catalogs(files, stats, kind=kind)


# ---------------------------------------------------------------- Tatoeba TSV
def tsv(path: Path, stats: dict) -> Iterator[Item]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) >= 2:
                yield "sent", cols[0], cols[1]


# ---------------------------------------------------------------- Bible: SWORD zText modules
def _ztext(module: Path, testament: str) -> list[str]:
    """Raw entries of one testament of a SWORD zText module, in versification order."""
    import zlib

    bzv = (module / f"{testament}.bzv").read_bytes()
    bzs = (module / f"{testament}.bzs").read_bytes()
    bzz = (module / f"{testament}.bzz").read_bytes()
    blocks: dict[int, bytes] = {}
    out = []
    for i in range(len(bzv) // 10):
        b, off, size = struct.unpack("<IIH", bzv[10 * i : 10 * i + 10])
        if size == 0:
            out.append("")
            continue
        if b not in blocks:
            zo, zs, _ = struct.unpack("<III", bzs[12 * b : 12 * b + 12])
            blocks[b] = zlib.decompress(bzz[zo : zo + zs])
        out.append(blocks[b][off : off + size].decode("utf-8", "replace"))
    return out


_OSIS_DROP = re.compile(r"<(note|title|milestone)\b[^>]*?(?:/>|>.*?</\1>)", re.S)
_TAG = re.compile(r"<[^<>]*>")
_CAPS_START = re.compile(r"^([«¿¡\"'(]*)([A-ZÁÉÍÓÚÑ]{2,})(?=\s+[a-záéíóúñ])")


def _osis_text(raw: str) -> str:
    text = _TAG.sub("", _OSIS_DROP.sub(" ", raw))
    # "EN el principio": the first word of a chapter is in capitals in some editions
    return _CAPS_START.sub(lambda m: m.group(1) + m.group(2).capitalize(), text.strip())


def sword_pair(en_root: Path, es_root: Path, en_mod: str, es_mod: str, stats: dict) -> Iterator[Item]:
    """Verse pairs of two zText modules that share a versification (entry i = the same verse)."""
    base = "usr/share/sword/modules/texts/ztext"
    verses = 0
    for testament in ("ot", "nt"):
        a = _ztext(en_root / base / en_mod, testament)
        b = _ztext(es_root / base / es_mod, testament)
        if len(a) != len(b):
            raise RuntimeError(f"{en_mod} and {es_mod} have different versifications ({len(a)} vs {len(b)})")
        for x, y in zip(a, b):
            x, y = _osis_text(x), _osis_text(y)
            if x and y:
                verses += 1
                yield "para", x, y
    stats["verses"] = verses


# ---------------------------------------------------------------- Debian Reference (DocBook HTML)
_DR_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "dt", "td", "th", "caption")


def _dr_blocks(path: Path) -> list[tuple[str, str, str]]:
    """(section id, tag, text) of the text blocks of a DocBook HTML page, in order."""
    root = lhtml.parse(str(path)).getroot()
    for bad in root.xpath(
        "//pre | //script | //style | //div[@class='toc'] | //div[@class='navheader'] | //div[@class='navfooter']"
    ):
        bad.drop_tree()
    out = []
    for el in root.iter(*_DR_BLOCKS):
        if el.tag in ("td", "th", "dt") and el.find(".//p") is not None:
            continue
        sec = el.xpath("ancestor::div[contains(@class,'section') or @class='chapter' or @class='appendix'][1]")
        sid = ""
        if sec:
            anchor = sec[0].find(".//a[@id]")
            sid = anchor.get("id") if anchor is not None else ""
        out.append((sid, el.tag, el.text_content()))
    return out


def debian_reference(en_root: Path, es_root: Path, stats: dict) -> Iterator[Item]:
    """Blocks aligned position by position, section by section, only where the sections have the
    same sequence of block tags on both sides (else the section is skipped and counted)."""
    en_dir, es_dir = en_root / "usr/share/debian-reference", es_root / "usr/share/debian-reference"
    skipped = aligned = 0
    for f in sorted(en_dir.glob("*.en.html")):
        other = es_dir / f.name.replace(".en.html", ".es.html")
        if not other.exists() or f.name.startswith("index"):
            continue
        a, b = _dr_blocks(f), _dr_blocks(other)
        secs_a: dict[str, list] = {}
        secs_b: dict[str, list] = {}
        for sid, tag, text in a:
            secs_a.setdefault(sid, []).append((tag, text))
        for sid, tag, text in b:
            secs_b.setdefault(sid, []).append((tag, text))
        for sid in secs_a:  # document order
            x, y = secs_a[sid], secs_b.get(sid, [])
            if [t for t, _ in x] != [t for t, _ in y]:
                skipped += 1
                continue
            aligned += 1
            for (_, ta), (_, tb) in zip(x, y):
                yield "para", ta, tb
    stats["sections_aligned"] = aligned
    stats["sections_skipped"] = skipped


# ---------------------------------------------------------------- FreeDict (dictd format)
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _b64(s: str) -> int:
    n = 0
    for c in s:
        n = n * 64 + _B64.index(c)
    return n


def freedict(root: Path, name: str, stats: dict, per_headword: int = 1) -> Iterator[Item]:
    """(headword, translation) pairs: the first translation of each of the first senses."""
    import gzip

    base = root / "usr/share/dictd" / name
    data = gzip.decompress(Path(str(base) + ".dict.dz").read_bytes())
    entries = 0
    for line in Path(str(base) + ".index").read_text(encoding="utf-8").splitlines():
        word, off, size = line.split("\t")[:3]
        if word.startswith("00database") or word.startswith("00-database"):
            continue
        body = data[_b64(off) : _b64(off) + _b64(size)].decode("utf-8", "replace").splitlines()
        if len(body) < 2:
            continue
        head = re.sub(r"\s*/[^/]*/\s*$", "", body[0]).strip()
        entries += 1
        got = 0
        for sense in body[1:]:
            sense = re.sub(r"^\s*\d+\.\s*", "", sense).strip()
            first = sense.split(",")[0].strip()
            # a long run of letters with no space where the English has spaces: a broken multi-word entry
            if not first or (" " in head and " " not in first):
                continue
            yield "dict", head, first
            got += 1
            if got >= per_headword:
                break
    stats["entries"] = entries
