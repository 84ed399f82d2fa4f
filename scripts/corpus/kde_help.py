"""KDE handbooks: ``usr/share/doc/HTML/en/DOC/index.cache.bz2`` and its Spanish namesake under
``HTML/es``.

The cache is the handbook rendered to HTML by KDE's documentation tools (every entity already
resolved), its pages concatenated as ``<FILENAME filename="x.html">...</FILENAME>``.  The Spanish
handbook is made from the translators' PO files, so its pages have the English pages' structure;
pages are paired by file name and aligned with :mod:`docbook_html` (section by section, only
where the block structure agrees).
"""

from __future__ import annotations

import bz2
import re
from collections.abc import Iterator
from pathlib import Path

from . import docbook_html

Item = tuple[str, str, str]

_PAGE = re.compile(rb'<FILENAME filename="([^"]+)">(.*?)</FILENAME>', re.S)


def pages(cache: bytes) -> dict[str, bytes]:
    """file name -> HTML of each page of an index.cache(.bz2) (decompressed)."""
    return {m.group(1).decode("utf-8", "replace"): m.group(2) for m in _PAGE.finditer(cache)}


def handbook_pairs(roots: list[Path], stats: dict) -> Iterator[Item]:
    handbooks = 0
    for root in roots:
        en_base, es_base = root / "usr/share/doc/HTML/en", root / "usr/share/doc/HTML/es"
        for cache in sorted(en_base.rglob("index.cache.bz2")):
            other = es_base / cache.relative_to(en_base)
            if not other.exists():
                continue
            handbooks += 1
            a, b = pages(bz2.decompress(cache.read_bytes())), pages(bz2.decompress(other.read_bytes()))
            yield from docbook_html.align_pages([(a[name], b[name]) for name in a if name in b], stats)
    stats["handbooks"] = handbooks
