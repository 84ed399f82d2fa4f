"""Cleaning and filtering of raw (English, Spanish) pairs.

``process(kind, en, es)`` turns one raw pair into zero or more clean sentence pairs and says
why anything was dropped.  It is a pure function (deterministic), run in worker processes.
"""

from __future__ import annotations

import html
import re
import unicodedata

MAX_CHARS = 1000
MAX_WHOLE_WORDS = 80  # a paragraph that does not split alike is kept whole only up to this
LANGID_MIN_WORDS = 4
RATIO = 3.0
# language identification chooses among these: the languages an untranslated or wrong side is
# realistically in.  Regional neighbours (gl, ca, ast, oc, an...) are left out: on short Spanish
# sentences they are mostly false alarms.
LANGID_MARGIN = 30.0  # log-probability units
LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl")
RATIO_MIN_CHARS = 10  # the length-ratio test applies once the longer side has this many chars

_WS = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")
# '~' accelerators (LibreOffice): anywhere before a letter or digit
_TILDE = re.compile(r"~(?=\w)")
# a single '_' mnemonic before a letter, not inside an identifier such as LC_ALL or FILE_NAME
_UNDERSCORE = re.compile(r"(?<![A-Z0-9_])_(?=[^\W\d_])|(?<=[a-z])_(?=[a-z])")
_AMP = re.compile(r"&(?=[^\W\d_])(?![a-zA-Z]+;|#\d+;)")
# something that may end a sentence inside a text: only then is pysbd worth calling
_MAYBE_SPLIT = re.compile(r"[.!?…;:][\"'»”’)\]]*\s+\S")

# placeholders and markup that tell nothing about the language: masked for language identification
_PLACEHOLDER = re.compile(
    r"%[A-Z][A-Z0-9_]*%?|\$\([A-Za-z0-9_]+\)|\$[A-Z][A-Z0-9_]+\$?|%\d+\$?[a-z]?|%\([A-Za-z_]+\)[sd]"
    r"|%[-+ #0']*\d*(?:\.\d+)?(?:l|ll|h|z|j|t)?[sdifuxXgeEcp]|\{[^{}\s]*\}|<[^<>]+>|https?://\S+|\S+\.\w{2,4}\b"
)

_seg: dict[str, object] = {}
_langid = None


def normalize(text: str) -> str:
    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00ad", "").replace("\u200b", "")
    return _WS.sub(" ", text).strip()


def strip_accelerators(text: str, tilde: bool = True, underscore: bool = True, amp: bool = False) -> str:
    if tilde and "~" in text:
        text = _TILDE.sub("", text)
    if underscore and text.count("_") == 1:
        text = _UNDERSCORE.sub("", text)
    if amp and text.count("&") == 1:
        text = _AMP.sub("", text)
    return text


def _segmenter(lang: str):
    seg = _seg.get(lang)
    if seg is None:
        import pysbd

        seg = _seg[lang] = pysbd.Segmenter(language=lang, clean=False)
    return seg


def sentences(text: str, lang: str) -> list[str]:
    if not _MAYBE_SPLIT.search(text):
        return [text]
    out = [s.strip() for s in _segmenter(lang).segment(text)]
    return [s for s in out if s]


def language(text: str) -> str:
    global _langid
    if _langid is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        _langid = (
            LanguageIdentifier.from_model_file(MODEL_FILE)
            if hasattr(LanguageIdentifier, "from_model_file")
            else LanguageIdentifier.from_modelpath(MODEL_FILE)
        )
        _langid.set_languages(list(LANGUAGES))
    return _langid.classify(text)[0]


def is_language(text: str, lang: str) -> bool:
    """Whether ``lang`` is the first or (by a small margin) the second guess for ``text``.

    Short Spanish sentences often score a little higher as Portuguese or Italian; taking the
    runner-up when it is close keeps those and still drops untranslated or swapped sides."""
    language(text[:1] or "x")  # load the model
    ranked = _langid.rank(text)
    if ranked[0][0] == lang:
        return True
    return (
        len(ranked) > 1
        and ranked[1][0] == lang
        and ranked[0][0] not in ("en", "es")
        and ranked[0][1] - ranked[1][1] < LANGID_MARGIN
    )


def words(text: str) -> int:
    return len(text.split())


def _lang_words(text: str) -> str:
    return _PLACEHOLDER.sub(" ", text)


def check(en: str, es: str, langid: bool = True) -> str | None:
    """The reason a sentence pair is dropped, or None to keep it."""
    if not en or not es:
        return "empty"
    if len(en) > MAX_CHARS or len(es) > MAX_CHARS:
        return "too_long"
    if en == es and _LETTER.search(en):
        return "untranslated"
    if not _LETTER.search(en) or not _LETTER.search(es):
        return "no_letters"
    a, b = len(en), len(es)
    if max(a, b) >= RATIO_MIN_CHARS and (a > RATIO * b or b > RATIO * a):
        return "length_ratio"
    if langid:
        le, ls = _lang_words(en), _lang_words(es)
        if words(le) >= LANGID_MIN_WORDS and not is_language(le, "en"):
            return "langid_en"
        if words(ls) >= LANGID_MIN_WORDS and not is_language(ls, "es"):
            return "langid_es"
    return None


def process(item: tuple) -> tuple[list[tuple[str, str]], list[str], int]:
    """(kind, en, es) -> (kept pairs, drop reasons, sentence pairs considered).

    kind: "para" (may hold several sentences: split with pysbd), "sent" (already a sentence),
    "ui" (interface string: accelerators stripped, split like "para"), "dict" (a dictionary entry).
    """
    kind, en, es = item
    en, es = normalize(en), normalize(es)
    if kind == "ui":  # LibreOffice: '~' and '_' mnemonics
        en, es = normalize(strip_accelerators(en)), normalize(strip_accelerators(es))
    elif kind == "gui":  # GTK '_' and Qt '&' mnemonics
        en = normalize(strip_accelerators(en, tilde=False, amp=True))
        es = normalize(strip_accelerators(es, tilde=False, amp=True))
    if not en or not es:
        return [], ["empty"], 1
    if kind in ("para", "ui", "gui", "cli") and (len(en) <= 3 * MAX_CHARS and len(es) <= 3 * MAX_CHARS):
        se, ss = sentences(en, "en"), sentences(es, "es")
        if len(se) == len(ss) and len(se) > 1:
            pairs = list(zip(se, ss))
        elif len(se) == len(ss) or (words(en) <= MAX_WHOLE_WORDS and words(es) <= MAX_WHOLE_WORDS):
            pairs = [(en, es)]
        else:
            return [], ["split_mismatch_long"], 1
    elif kind in ("para", "ui", "gui", "cli"):
        return [], ["too_long"], 1
    else:
        pairs = [(en, es)]
    kept, reasons = [], []
    for a, b in pairs:
        why = check(a, b, langid=kind != "dict")
        if why:
            reasons.append(why)
        else:
            kept.append((a, b))
    return kept, reasons, len(pairs)
