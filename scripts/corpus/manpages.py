"""Manual pages: Spanish pages of manpages-l10n (``manpages-es``; apt's, dpkg's and debconf's own
translations too) and the English pages they were translated from (``manpages``, ``coreutils``...
the same names under ``usr/share/man``).

manpages-l10n translates a page paragraph by paragraph with po4a, keeping its requests, so a
translation of the same upstream version has the English page's skeleton.  A page is split into
blocks at the paragraph requests (``.SH``, ``.SS``, ``.PP``, ``.TP``, ``.IP``...); the pair is used
only where both pages have the same sequence of requests (the Spanish page's closing TRADUCCIÓN
section aside): a page translated from another upstream version differs, and is skipped and
counted.  Text is taken from the text lines and the font requests (``.B``, ``.BR``...); code
(``.EX``/``.EE``, ``.nf``/``.fi``) and other requests are left out.  A light groff reader: font
escapes and the common special characters only; a block with any other escape is left out.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

Item = tuple[str, str, str]

_BREAKS = {
    "SH",
    "SS",
    "PP",
    "P",
    "LP",
    "TP",
    "TQ",
    "IP",
    "HP",
    "RS",
    "RE",
    "EX",
    "EE",
    "nf",
    "fi",
    "SY",
    "YS",
    "UR",
    "UE",
}
_FONT_MACROS = {"B", "I", "SM", "SB"}
_ALT_MACROS = {"BR", "RB", "IR", "RI", "BI", "IB"}
_CHARS = {
    "-": "-",
    "(em": "—",
    "(en": "–",
    "(aq": "'",
    "(dq": '"',
    "(lq": "“",
    "(rq": "”",
    "(oq": "‘",
    "(cq": "’",
    "(bu": "•",
    "(co": "©",
    "(rg": "®",
    "(tm": "™",
    "(mu": "×",
    "(<=": "≤",
    "(>=": "≥",
    "(ti": "~",
    "(ha": "^",
    "(ga": "`",
    "(ra": "→",
    "e": "\\",
    "&": "",
    "%": "",
    ":": "",
    "c": "",
    "~": " ",
    " ": " ",
    "0": " ",
    "|": "",
    "^": "",
    "/": "",
    ",": "",
    # the man macros' strings
    "*(lq": "“",
    "*(rq": "”",
    "*(Tm": "™",
    "*R": "®",
    "*(Aq": "'",
}
_ESCAPE = re.compile(r"\\(f(?:\[[^\]]*\]|\(..|.)|\*(?:\[[^\]]*\]|\(..|.)|\[[^\]]*\]|\(..|.)")


class _Unusable(Exception):
    pass


def _unescape(text: str) -> str:
    def sub(m: re.Match) -> str:
        esc = m.group(1)
        if esc.startswith("f"):
            return ""  # font change
        if esc.startswith("[") and len(esc) == 4:  # \[em] is \(em
            esc = "(" + esc[1:-1]
        if esc in _CHARS:
            return _CHARS[esc]
        raise _Unusable(esc)

    return _ESCAPE.sub(sub, text)


def _args(line: str) -> list[str]:
    return [a[1:-1] if a.startswith('"') and a.endswith('"') else a for a in re.findall(r'"[^"]*"|\S+', line)]


def blocks(text: str) -> list[tuple[str, str | None]]:
    """(request, text) of each block of a man page; text None where it cannot be read."""
    out: list[tuple[str, list[str]]] = []
    code = tag = False
    cur: tuple[str, list[str]] = ("", [])

    def add(text: str) -> None:
        nonlocal cur, tag
        cur[1].append(text)
        if tag:  # the line after .TP is the tag: a block of its own, the body follows
            tag = False
            cur = ("", [])
            out.append(cur)

    for line in text.splitlines():
        if line.startswith(('.\\"', "'\\\"", '\\"')) or line.strip() in (".", "'"):
            continue
        if line[:1] in (".", "'"):
            parts = line[1:].strip().split(None, 1)
            req, rest = (parts[0], parts[1] if len(parts) > 1 else "") if parts else ("", "")
            if req in _BREAKS:
                cur = (req, [])
                out.append(cur)
                code = req in ("EX", "nf") or (code and req not in ("EE", "fi"))
                tag = req in ("TP", "TQ")
                if req in ("SH", "SS") and rest:
                    cur[1].append(" ".join(_args(rest)))
                    cur = ("", [])  # the heading is a block of its own
                    out.append(cur)
            elif req in _FONT_MACROS and not code:
                add(" ".join(_args(rest)))
            elif req in _ALT_MACROS and not code:
                add("".join(_args(rest)))
            continue
        if not code:
            add(line)
    result: list[tuple[str, str | None]] = []
    for req, lines in out:
        try:
            result.append((req, _unescape(" ".join(lines))))
        except _Unusable:
            result.append((req, None))
    return result


def _read(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return data.decode("utf-8", "replace")


def _strip_translation_credits(b: list) -> list:
    for i in range(len(b) - 1, -1, -1):
        if b[i][0] == "SH" and (b[i][1] or "").strip().upper().startswith("TRADUCCI"):
            return b[:i]
    return b


def align(en_text: str, es_text: str, stats: dict) -> Iterator[Item]:
    a, b = blocks(en_text), _strip_translation_credits(blocks(es_text))
    # an empty paragraph carries nothing (the Spanish pages end with one before TRADUCCIÓN)
    a = [x for x in a if x[1] is None or x[1].strip() or x[0] not in ("PP", "P", "LP")]
    b = [x for x in b if x[1] is None or x[1].strip() or x[0] not in ("PP", "P", "LP")]
    if [r for r, _ in a] != [r for r, _ in b]:
        stats["pages_structure_differs"] = stats.get("pages_structure_differs", 0) + 1
        return
    stats["pages_aligned"] = stats.get("pages_aligned", 0) + 1
    for (_, x), (_, y) in zip(a, b):
        if x is None or y is None:
            stats["blocks_unusable"] = stats.get("blocks_unusable", 0) + 1
        elif x.strip() and y.strip():
            yield "para", x, y


def man_pairs(roots: list[Path], stats: dict) -> Iterator[Item]:
    """Every Spanish page (usr/share/man/es of any root; the first root with a page wins) whose
    English page (same section and name, directly under usr/share/man) is in one of the roots."""
    english: dict[str, Path] = {}
    spanish: dict[str, Path] = {}
    links = 0
    for r in roots:
        for lang, table in (("", english), ("es", spanish)):
            base = r / "usr/share/man" / lang
            for f in sorted(base.glob("man*/*")):
                if f.is_symlink():
                    links += lang == "es"
                elif f.is_file():
                    table.setdefault(str(f.relative_to(base)), f)
    missing = 0
    for rel, f in sorted(spanish.items()):
        if rel not in english:
            missing += 1
            continue
        yield from align(_read(english[rel]), _read(f), stats)
    stats["pages_without_english"] = missing
    stats["links_skipped"] = links
