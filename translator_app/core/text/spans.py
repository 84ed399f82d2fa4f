"""Protected spans: text the model must copy, not translate (URLs, numbers, code, placeholders...).

``find_spans`` locates them; ``mask`` replaces span i with ``PLACEHOLDERS[i]`` (one atomic
SentencePiece piece in models trained with placeholders); ``restore`` puts them back into the
translation (numbers in the target language's convention, glossary terms as their target term),
re-inserting a placeholder the model dropped and removing one it duplicated or invented.
``mask_pair`` masks a training pair where a span occurs on both sides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from translator_app.core.text.numerals import number_forms, render_numeric
from translator_app.core.text.tokenizer import PLACEHOLDERS


@dataclass(frozen=True)
class Span:
    start: int  # character offsets in the source text, end exclusive
    end: int
    text: str
    kind: str  # url email path code placeholder markup shortcut date time price percent version model number tag
    #            measure phone glossary name verbatim
    replacement: str | None = None  # glossary spans: the target term


_NUM = r"\d{1,3}(?:[,.\u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_B = r"(?<![\w.,])"  # a number starts at a word boundary, not inside 1.5 or 1,000
_NE = r"(?![\w])(?![.,]\d)"  # ... and does not continue
_EXT = (
    "pdf|docx?|xlsx?|pptx?|od[tspg]|rtf|txt|csv|tsv|json|xml|html?|css|md|py|js|ts|java|cpp|rs|sh|bat|"
    "ps1|exe|dll|dylib|msi|dmg|apk|deb|rpm|zip|tar|gz|tgz|bz2|xz|7z|rar|png|jpe?g|gif|svg|bmp|tiff?|"
    "webp|ico|mp3|mp4|wav|flac|ogg|avi|mkv|mov|iso|log|ini|cfg|conf|ya?ml|toml|sql|db|bak|tmp|epub"
)
_MODIFIER = r"(?i:ctrl|control|alt|altgr|shift|cmd|command|meta|super|win|option|opt|fn|strg|umschalt|may[uú]s|maj)"
_KEY = (
    r"(?:F\d{1,2}|(?i:enter|return|tab|esc|escape|space|delete|del|backspace|insert|ins|home|end|pgup|pgdn|"
    r"pageup|pagedown|up|down|left|right|plus|minus)|[A-Za-z0-9]|[-+=,./;\[\]`'])"
)
_CURRENCY_SYMBOL = r"(?:US\$|C\$|A\$|R\$|[$€£¥₹₽₩])"
_CURRENCY_CODE = r"(?:EUR|USD|GBP|JPY|CHF|CAD|AUD|MXN|CNY|INR|BRL|SEK|NOK|DKK|PLN|RUB|ARS|COP|CLP)"
_SCALE = r"(?:[kKMB]|bn|mn)"
_UNITS = (
    r"km/h|km²|m²|m³|km|cm|mm|µm|nm|kg|mg|g|ml|cl|dl|l|L|TB|GB|MB|KB|kB|Gb|Mb|kb|GHz|MHz|kHz|Hz|kWh|kW|"
    r"mAh|W|V|°C|°F|ºC|K|mph|ha|min|ms|px|pt|dpi|fps|m"
)
_PRODUCTS = (
    "Python|Java|Windows|macOS|iOS|iPadOS|Android|Ubuntu|Debian|Fedora|Firefox|Chrome|Safari|Edge|Node|"
    "PHP|Perl|Ruby|Rust|Kotlin|Swift|Qt|GTK|GNOME|KDE|LibreOffice|OpenOffice|Office|Excel|HTML|HTTP|TLS|SSL|"
    "Bluetooth|USB|PCIe|Unicode|Linux|Blender|GIMP|Inkscape|Thunderbird|MySQL|PostgreSQL|SQLite|Django|"
    "Flask|React|Angular|Vue|Wi-Fi|IPv|OpenGL|Vulkan|DirectX|CUDA|PyTorch|TensorFlow|Excel|Outlook"
)
_HTML = r"(?:a|b|i|u|s|em|strong|span|br|p|sub|sup|code|kbd|var|small|big|tt|font|div|img|li|ul|ol|hr|h[1-6])"
_ATTR = r"\s+[\w:.-]+\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*')"  # <tag name="value">

# (kind, pattern); earlier kinds win ties between candidates of the same length
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("placeholder", r"⟦\d+⟧"),
    ("code", r"`[^`\n]{1,200}`"),
    ("url", r"(?<![\w@.])(?:(?:https?|ftp)://|www\.)[^\s<>\"'`]+"),
    ("email", r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w@])"),
    ("placeholder", r"(?<![\w%])%(?:\d+\$)?[-+0#]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|L)?[sdiuxXoeEfgGcp@](?![A-Za-z])"),
    ("placeholder", r"(?<![\w%])%[A-Z][A-Z0-9_]{2,}%?(?!\w)"),
    ("placeholder", r"\{\{\s*[\w.]+\s*\}\}|\{[\w.]+(?:\s*,\s*\w+(?:\s*,[^{}\n]*)?)?\}"),
    ("placeholder", r"\$\([A-Za-z_]\w*\)|\$\{[A-Za-z_]\w*\}|(?<![\w$])\$[A-Za-z_]\w*(?!\w)"),
    ("markup", rf"<(?:/[A-Za-z][\w:.-]*|(?i:{_HTML})|[A-Za-z][\w:.-]*(?:{_ATTR})+)\s*/?>|<(?i:{_HTML})\s*/>"),
    ("shortcut", rf"(?<![\w+])(?:{_MODIFIER}\s?\+\s?)+{_KEY}(?![\w])"),
    ("path", r"(?<![\w])[A-Za-z]:\\(?:[^\s\\/:*?\"<>|]+\\?)*|\\\\[\w.-]+(?:\\[^\s\\/:*?\"<>|]+)+"),
    ("path", r"(?<![\w/.~:])(?:~|\.{1,2})?(?:/[\w.+~-]+)+/?"),
    ("path", rf"(?<![\w./\\@-])[\w-][\w.-]*\.(?:{_EXT}|PDF|DOCX?|XLSX?|TXT|CSV|JPE?G|PNG|ZIP|EXE)(?![\w])"),
    (
        "date",
        r"(?<![\w.,/-])(?:\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?)?|\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})|"
        r"\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}-\d{1,2}-\d{4})(?!\w)(?![./-]\d)",
    ),
    (
        "phone",
        r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,5}\)?){2,6}(?![\w])|(?<![\w(])\(\d{2,4}\)\s?\d{3,4}[ .-]\d{3,4}(?!\w)|"
        r"(?<![\w.,-])\d{3}-\d{3}-\d{4}(?![\w-])",
    ),
    ("time", r"(?<![\w.,:])\d{1,2}:\d{2}(?::\d{2})?(?!\w)(?![:.,]\d)"),
    ("time", r"(?<![\w.,:])\d{1,2}(?=\s?(?:[ap]\.\s?m\.|[AP]\.\s?M\.|[ap]m\b|[AP]M\b))"),
    ("price", rf"(?<![\w.,]){_CURRENCY_SYMBOL}\s?(?:{_NUM})(?:\s?{_SCALE})?{_NE}"),
    ("price", rf"{_B}(?:{_NUM})\s?(?:{_CURRENCY_SYMBOL}(?![\w({{])|{_CURRENCY_CODE}(?!\w))"),
    ("price", rf"(?<![\w])(?<!\d\s){_CURRENCY_CODE}\s?(?:{_NUM}){_NE}"),  # EUR 20, not 10 EUR 20
    ("percent", rf"{_B}(?:{_NUM})\s?%"),
    ("version", r"(?<![\w.,-])[vV]?\d+(?:\.\d+){2,}(?:[-+][\w.]*\w)?(?!\w)|(?<![\w.,-])[vV]\d+(?:\.\d+)*(?!\w)"),
    # "version 5.0", "Python 3.8": a two-part number after a version word or a product is a version, not 5,0
    ("version", r"(?i:\b(?:version|versión|versiones|versions|release|v\.)\s)(?P<s>\d+\.\d+)(?!\w)(?![.,]\d)"),
    ("version", rf"\b(?:{_PRODUCTS})\s(?P<s>\d+\.\d+)(?!\w)(?![.,]\d)"),
    ("model", r"(?<![\w-])[A-Z]{1,6}-?\d[\dA-Za-z]*(?:-[\dA-Za-z]+)*(?![\w-])"),
    ("model", r"(?<![\w-])[a-z]{2,}\d{2,}[a-z\d]*(?![\w-])"),  # sunset2024, user42 (not co2, 1st, 3d)
    ("measure", rf"{_B}(?:{_NUM})\s?(?:{_UNITS})(?![\w/²³])"),
    ("number", rf"{_B}(?:{_NUM})(?:{_SCALE}(?!\w))?{_NE}"),
    ("tag", r"(?<![\w@#&/])[#@][A-Za-z_]\w{0,60}(?![\w@])"),
)
_COMPILED = tuple((kind, re.compile(p)) for kind, p in _PATTERNS)
_PRIORITY = {k: i for i, k in enumerate(["glossary", "verbatim"] + [k for k, _ in _PATTERNS])}
# a text without any of these characters has no span (the fast path of mask_pair)
_MAYBE = re.compile(r"[0-9@#%$€£¥₹₽₩`{}<>/\\~+⟦]|\w\.\w")
_TRAILING = ".,;:!?'\"»”’"
_GLUED_KINDS = {"code", "placeholder", "markup"}  # may touch a word (file{0}, `x`s)
_PLACEHOLDER_RE = re.compile(r"⟦(\d+)⟧")
_OPENING = "([{«“‘¿¡\"'"
_CLOSING = ".,;:!?)]}»”’…"


def _trim(text: str, start: int, end: int) -> int:
    """Drop trailing sentence punctuation and unbalanced closing brackets from a URL or path."""
    while end > start:
        ch = text[end - 1]
        if ch in _TRAILING:
            end -= 1
        elif ch in ")]}" and text.count("([{"[")]}".index(ch)], start, end) < text.count(ch, start, end):
            end -= 1
        else:
            break
    return end


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


@lru_cache(maxsize=16)
def _glossary_regex(terms: tuple[str, ...]) -> re.Pattern | None:
    terms = tuple(t for t in terms if t.strip())
    if not terms:
        return None
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def find_spans(
    text: str,
    glossary: Mapping[str, str] | None = None,
    names: Sequence[tuple[int, int]] = (),
    verbatim: Sequence[tuple[int, int]] = (),
) -> list[Span]:
    """Protected spans of ``text`` in order, non-overlapping (longest candidate first).

    ``names``: (start, end) of names (:mod:`.names`), protected where no other span is.
    ``verbatim``: (start, end) of text the vocabulary cannot spell (:func:`unspellable`), copied as is."""
    candidates: list[tuple[int, int, int, str, str | None]] = []  # (start, end, priority, kind, replacement)
    candidates += [(start, end, 0, "verbatim", None) for start, end in verbatim if 0 <= start < end <= len(text)]
    if glossary:
        regex = _glossary_regex(tuple(sorted(glossary)))
        if regex is not None:
            for m in regex.finditer(text):
                candidates.append((m.start(), m.end(), 0, "glossary", glossary[m.group()]))
    if _MAYBE.search(text):
        for kind, regex in _COMPILED:
            for m in regex.finditer(text):
                start, end = m.span("s") if "s" in regex.groupindex else m.span()
                if kind in ("url", "path", "email"):
                    end = _trim(text, start, end)
                    if kind == "path" and text[start] in "~./" and not _real_path(text[start:end]):
                        continue
                if end <= start:
                    continue
                if kind not in _GLUED_KINDS and (
                    (start > 0 and _is_word(text[start - 1])) or (end < len(text) and _is_word(text[end]))
                ):
                    continue
                candidates.append((start, end, _PRIORITY[kind], kind, None))
    if not candidates and not names:
        return []
    taken = bytearray(len(text))
    spans = []
    for start, end, _, kind, repl in sorted(candidates, key=lambda c: (c[0] - c[1], c[2], c[0])):
        if not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            spans.append(Span(start, end, text[start:end], kind, repl))
    for start, end in names:  # after every other kind: a glossary term inside a name wins
        if 0 <= start < end <= len(text) and not any(taken[start:end]):
            taken[start:end] = b"\x01" * (end - start)
            spans.append(Span(start, end, text[start:end], "name"))
    spans.sort(key=lambda s: s.start)
    return spans


def unspellable(text: str, can_spell) -> list[tuple[int, int]]:
    """(start, end) of the runs of characters ``can_spell`` rejects (CJK, emoji, scripts the
    vocabulary never saw: byte-fallback pieces the model cannot be trusted to re-assemble);
    runs separated only by white space are one run."""
    runs: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if ch.isascii() or ch.isspace() or can_spell(ch):
            continue
        if runs and (runs[-1][1] == i or not text[runs[-1][1] : i].strip()):
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _real_path(path: str) -> bool:
    """/etc/hosts, ~/x, ./x, /x.txt: yes; a lone /word (and/or, km/h were excluded before): no."""
    if path.startswith(("~/", "./", "../")):
        return len(path) > 2
    return "/" in path.strip("/") or bool(re.search(r"\.\w{1,5}$", path))


def mask(text: str, spans: Sequence[Span]) -> str:
    """Replace span i (in order) with PLACEHOLDERS[i]; spans beyond the last placeholder stay as text."""
    out, pos = [], 0
    for i, span in enumerate(spans[: len(PLACEHOLDERS)]):
        out += [text[pos : span.start], PLACEHOLDERS[i]]
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def mask_text(text: str, glossary: Mapping[str, str] | None = None) -> tuple[str, list[Span]]:
    spans = find_spans(text, glossary)
    return (mask(text, spans) if spans else text), spans


def render(span: Span, src_lang: str, tgt_lang: str) -> str:
    """The text a span becomes in the translation."""
    if span.replacement is not None:
        return span.replacement
    if span.kind in ("number", "percent", "price", "measure"):  # a measure is a number with its unit
        return render_numeric(span.text, "number" if span.kind == "measure" else span.kind, src_lang, tgt_lang)
    return span.text


def restore(
    translation: str,
    spans: Sequence[Span],
    *,
    src_lang: str,
    tgt_lang: str,
    attention: np.ndarray | None = None,
    target_tokens: Sequence[str] | None = None,
    source_tokens: Sequence[str] | None = None,
    source_length: int | None = None,
) -> str:
    """Put every masked span back into ``translation`` (see the module docstring).

    attention: (len(target_tokens), len(source_tokens)), the pieces of the translation and of
    the masked source (both may end in "</s>"); it places a placeholder the model dropped.
    """
    masked = list(spans[: len(PLACEHOLDERS)])
    if not masked and "⟦" not in translation:
        return translation
    # 1. placeholders in the output: the first of each known index is kept, the others go
    seen: set[int] = set()
    events: list[tuple[int, int, int, str]] = []  # (start, order, end, replacement in the template)
    for m in _PLACEHOLDER_RE.finditer(translation):
        k = int(m.group(1)) - 1
        keep = 0 <= k < len(masked) and k not in seen
        seen.add(k)
        events.append((m.start(), 1, m.end(), f"\x00{k}\x01" if keep else "\x02"))
    # 2. the dropped ones go after the target token most aligned with them, else proportionally
    offsets = _char_offsets(translation, target_tokens)
    for k in range(len(masked)):
        if k not in seen:
            at = _aligned_char(k, translation, attention, target_tokens, source_tokens, offsets)
            if at is None:
                at = round(_source_ratio(k, masked, source_tokens, source_length) * len(translation))
            at = _snap(translation, at)
            events.append((at, 0, at, f" \x00{k}\x01 "))
    pieces, pos = [], 0
    for start, _, end, repl in sorted(events):
        pieces += [translation[pos:start], repl]
        pos = end
    pieces.append(translation[pos:])
    template = "".join(pieces)
    # 3. spacing, then the span texts
    template = re.sub(r"[ \t]*\x02[ \t]*", _removed_space, template)
    template = re.sub(r"(\w?)\x00(\d+)\x01(?=(\w?))", lambda m: _spaced(m, masked), template)
    template = re.sub(r" {2,}", " ", template)
    closing = ",.)\\]}»”…" if tgt_lang.lower().startswith("fr") else ",.;:!?)\\]}»”…"
    template = re.sub(rf"(?<=\x01) +(?=[{closing}](?:\s|$))", "", template)
    template = re.sub(r"(?<=[(\[{«“¿¡]) +(?=\x00)", "", template).strip()
    texts = [render(s, src_lang, tgt_lang) for s in masked]
    return re.sub(r"\x00(\d+)\x01", lambda m: texts[int(m.group(1))], template)


def _spaced(m: re.Match, masked: Sequence[Span]) -> str:
    """A restored span the model glued to a word gets a space (unless it may touch words: {0}, `x`)."""
    glued = masked[int(m.group(2))].kind in _GLUED_KINDS
    before = m.group(1) + (" " if m.group(1) and not glued else "")
    return before + m.group()[len(m.group(1)) :] + (" " if m.group(3) and not glued else "")


def _removed_space(m: re.Match) -> str:
    return " " if m.group().startswith((" ", "\t")) and m.group().endswith((" ", "\t")) else ""


def _char_offsets(translation: str, target_tokens: Sequence[str] | None) -> list[int] | None:
    """Character offset in ``translation`` after each target token, if the pieces spell it."""
    if not target_tokens:
        return None
    offsets, text = [], ""
    for piece in target_tokens:
        if piece != "</s>":
            text += piece.replace("▁", " ")
        offsets.append(len(text) - (len(text) - len(text.lstrip())))
    return offsets if text.strip() == translation.strip() and translation == translation.lstrip() else None


def _aligned_char(k, translation, attention, target_tokens, source_tokens, offsets) -> int | None:
    if attention is None or offsets is None or not source_tokens:
        return None
    cols = [j for j, p in enumerate(source_tokens) if p.lstrip("▁") == PLACEHOLDERS[k]]
    rows = attention.shape[0] - (1 if target_tokens and target_tokens[-1] == "</s>" else 0)
    if not cols or rows <= 0 or attention.shape[1] != len(source_tokens):
        return None
    t = int(np.argmax(attention[:rows, cols[0]]))
    return min(offsets[t], len(translation))


def _source_ratio(k: int, masked: Sequence[Span], source_tokens, source_length) -> float:
    if source_tokens:
        for j, p in enumerate(source_tokens):
            if p.lstrip("▁") == PLACEHOLDERS[k]:
                return (j + 1) / max(len(source_tokens) - 1, 1)
    length = source_length or max(s.end for s in masked)
    return min(masked[k].end / max(length, 1), 1.0)


def _snap(text: str, at: int) -> int:
    """Move an insertion point to the end of the word it falls in, and before final punctuation."""
    at = max(0, min(at, len(text)))
    while 0 < at < len(text) and not text[at].isspace() and not text[at - 1].isspace():
        at += 1
    if all(c in _CLOSING or c.isspace() for c in text[at:]):
        at = len(text.rstrip())
        while at > 0 and text[at - 1] in _CLOSING:
            at -= 1
    return at


def _find_free(text: str, form: str, taken: list[tuple[int, int]]) -> int:
    """First occurrence of ``form`` in ``text`` that is a whole token and not already used; else -1."""
    at = text.find(form)
    while at >= 0:
        end = at + len(form)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        whole = not _is_word(before) and not _is_word(after)
        whole = whole and not (before in ".," and at > 1 and text[at - 2].isdigit())
        whole = whole and not (after in ".," and end + 1 < len(text) and text[end + 1].isdigit())
        if whole and all(end <= s or at >= e for s, e in taken):
            return at
        at = text.find(form, at + 1)
    return -1


def mask_pair(src: str, tgt: str, src_lang: str, tgt_lang: str) -> tuple[str, str]:
    """Mask a training pair: each source span found in the target (as written, or in the target's
    number convention) becomes the same placeholder on both sides, numbered in source order."""
    if not _MAYBE.search(src):
        return src, tgt
    spans = find_spans(src)
    if not spans:
        return src, tgt
    src_hits: list[Span] = []
    tgt_hits: list[tuple[int, int]] = []
    for span in spans:
        if len(src_hits) == len(PLACEHOLDERS):
            break
        forms = (
            number_forms(span.text, "number" if span.kind == "measure" else span.kind, src_lang, tgt_lang)
            if span.kind in ("number", "percent", "price", "measure")
            else [span.text]
        )
        for form in forms:
            at = _find_free(tgt, form, tgt_hits)
            if at >= 0:
                src_hits.append(span)
                tgt_hits.append((at, at + len(form)))
                break
    if not src_hits:
        return src, tgt
    order = sorted(range(len(tgt_hits)), key=lambda i: tgt_hits[i][0])
    out, pos = [], 0
    for i in order:
        out += [tgt[pos : tgt_hits[i][0]], PLACEHOLDERS[i]]
        pos = tgt_hits[i][1]
    out.append(tgt[pos:])
    return mask(src, src_hits), "".join(out)
