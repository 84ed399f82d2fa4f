"""Sentence splitting: pysbd per source language, with guards for what it gets wrong.

Line breaks always split (callers keep one output line per input line); inside a line pysbd
finds the sentences (``clean=False``, so the text is never rewritten), then three merge rules
undo its known mistakes: a boundary inside a protected span (``www.a.com``), a boundary after a
title abbreviation (Spanish "Sr. García", which pysbd splits), and a "sentence" that starts in
lower case or is only punctuation. A line without inner sentence-final punctuation skips pysbd
(the typed-sentence path: pysbd costs about 0.25 ms per call).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

import pysbd
from pysbd.languages import LANGUAGE_CODES

from translator_app.core.base.langcodes import base_code
from translator_app.core.text.spans import find_spans

# titles and other abbreviations that are never the end of a sentence (checked case-sensitively)
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "Mr Mrs Ms Mx Dr Prof St Mt Jr Sr Rev Gen Col Capt Lt Sgt Hon Messrs vs No Nos Fig Figs "
        "approx dept Inc Ltd Co Corp".split()
    ),
    "es": frozenset(
        "Sr Sra Srta Sres Sras Dr Dra Dres Prof Profa Lic Ing Arq Ud Uds Vd Vds D Dña Sto Sta "
        "Mons Gral Cap Tte Cnel Excmo Excma Ilmo Ilma Pbro Fr Sor núm Núm pág págs art vol tel "
        "Avda av aprox Cía".split()
    ),
    "fr": frozenset("M MM Mme Mmes Mlle Mlles Dr Pr Me Mgr St Ste No no p pp chap vol env art tél".split()),
    "de": frozenset(
        "Hr Hrn Fr Dr Prof St Nr Abs Art Bd bzw ca evtl ggf Jh inkl Kap max min Mio Mrd Str "
        "usw vgl z.B d.h u.a S Tel".split()
    ),
    "it": frozenset(
        "Sig Sigg Sig.ra Sig.na Dott Dott.ssa Prof Prof.ssa Ing Avv Arch On Geom Rag Gent S St "
        "pag pagg art cap vol tel ecc".split()
    ),
    "pt": frozenset(
        "Sr Sra Srta Dr Dra Prof Profa Eng Exmo Exma Ilmo Ilma Sto Sta D V.Exa pág págs art cap vol tel nº Av".split()
    ),
}
_FALLBACK_LANGUAGE = {"pt": "es", "ca": "es", "gl": "es"}  # pysbd has no Portuguese: close enough
_INNER_END = re.compile(r"[.!?…。！？؟][\"'»”’)\]]*\s")
_LOWER_START = re.compile(r"^[\"'«“‘(\[¿¡\s]*[a-zà-öø-ÿ]")
_ONLY_PUNCT = re.compile(r"^[\W_]*$")
_LAST_WORD = re.compile(r"(\S+)\.[\"'»”’)\]]*\s*$")
_local = threading.local()  # pysbd segmenters keep per-call state: one per thread


def base_language(lang: str) -> str:
    """The base code of ``lang``, English when none is given (sentence rules need a language)."""
    return base_code(lang) or "en"


def _segmenter(lang: str) -> pysbd.Segmenter:
    cache = getattr(_local, "segmenters", None)
    if cache is None:
        cache = _local.segmenters = {}
    seg = cache.get(lang)
    if seg is None:
        code = lang if lang in LANGUAGE_CODES else _FALLBACK_LANGUAGE.get(lang, "en")
        seg = cache[lang] = pysbd.Segmenter(language=code, clean=False)
    return seg


def needs_split(line: str) -> bool:
    """Whether a line may hold more than one sentence (else split_sentences returns it whole)."""
    return bool(_INNER_END.search(line.strip()))


def split_sentences(line: str, lang: str = "en", protected: Sequence[tuple[int, int]] | None = None) -> list[str]:
    """The sentences of one line (line breaks inside are treated as spaces).

    ``protected``: (start, end) character ranges of ``line.strip()`` that a boundary must not cut;
    by default the protected spans (URLs, numbers, ...) of the line.
    """
    text = line.strip()
    if not text:
        return []
    if not _INNER_END.search(text):
        return [text]
    lang = base_language(lang)
    if protected is None:
        protected = [(s.start, s.end) for s in find_spans(text)]
    pieces = _segmenter(lang).segment(text)
    # character ranges of the pieces in text
    bounds, pos = [], 0
    for piece in pieces:
        stripped = piece.strip()
        if not stripped:
            continue
        at = text.find(stripped, pos)
        if at < 0:  # pysbd rewrote something: keep the line whole rather than lose text
            return [text]
        bounds.append([at, at + len(stripped)])
        pos = at + len(stripped)
    abbreviations = ABBREVIATIONS.get(lang, ABBREVIATIONS["en"])
    merged: list[list[int]] = []
    for start, end in bounds:
        if merged and _must_merge(text, merged[-1], start, end, protected, abbreviations):
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [text[s:e] for s, e in merged]


def _must_merge(text: str, prev: list[int], start: int, end: int, protected, abbreviations) -> bool:
    if any(s < start < e or s < prev[1] < e for s, e in protected):
        return True
    piece = text[start:end]
    if _ONLY_PUNCT.match(piece) or _LOWER_START.match(piece):
        return True
    m = _LAST_WORD.search(text, prev[0], prev[1])
    return bool(m) and m.group(1).lstrip("\"'«“‘(¿¡") in abbreviations
