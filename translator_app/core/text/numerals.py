"""Number, percentage and price conventions per language (40,000.5 / 40.000,5; 4.2% / 4,2 %).

A small rule table, no locale database: languages not in it keep numbers exactly as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from translator_app.core.base.langcodes import base_code


@dataclass(frozen=True)
class NumberStyle:
    thousands: str  # separator written between groups of three digits
    decimal: str
    group_from: int  # an integer part with fewer digits is never grouped (es: 2024 stays 2024)
    percent: str  # between the number and "%"
    symbol_after: bool  # "5 €" rather than "€5"
    read_thousands: str = ""  # extra separators accepted when reading


_EN = NumberStyle(",", ".", 4, "", False, "\u00a0\u202f")
_EURO = NumberStyle(".", ",", 4, " ", True, " \u00a0\u202f")
STYLES: dict[str, NumberStyle] = {
    "en": _EN,
    "es": NumberStyle(".", ",", 5, " ", True, " \u00a0\u202f"),
    "fr": NumberStyle("\u202f", ",", 4, " ", True, ". \u00a0"),
    "de": _EURO,
    "it": _EURO,
    "pt": _EURO,
}

_SPLIT = re.compile(r"^(?P<pre>\D*?)\s?(?P<num>\d[\d.,\u00a0\u202f ]*\d|\d)(?P<post>.*)$", re.S)


def style(lang: str) -> NumberStyle | None:
    return STYLES.get(base_code(lang))


def parse_number(text: str, lang: str) -> tuple[str, str, bool] | None:
    """'40,000.5' (en) -> ('40000', '5', True): integer digits, decimals, grouped; None if not this style."""
    st = style(lang)
    if st is None:
        return None
    thousands = re.escape(st.thousands + st.read_thousands)
    dec = re.escape(st.decimal)
    m = re.fullmatch(rf"(\d{{1,3}}(?:[{thousands}]\d{{3}})+)(?:{dec}(\d+))?", text)
    if m:
        if len({c for c in m.group(1) if not c.isdigit()}) > 1:
            return None
        return re.sub(r"\D", "", m.group(1)), m.group(2) or "", True
    m = re.fullmatch(rf"(\d+)(?:{dec}(\d+))?", text)
    return (m.group(1), m.group(2) or "", False) if m else None


def format_number(integer: str, decimals: str, grouped: bool, lang: str) -> str:
    st = style(lang) or _EN
    if grouped and len(integer) >= st.group_from:
        head = len(integer) % 3 or 3
        integer = integer[:head] + "".join(st.thousands + integer[i : i + 3] for i in range(head, len(integer), 3))
    return integer + (st.decimal + decimals if decimals else "")


def convert_number(text: str, src_lang: str, tgt_lang: str) -> str:
    """A bare number (digits and separators) in the target convention; unchanged when unsure."""
    if style(src_lang) is None or style(tgt_lang) is None or style(src_lang) == style(tgt_lang):
        return text
    parsed = parse_number(text, src_lang)
    return format_number(*parsed, tgt_lang) if parsed else text


def symbol_follows(symbol: str, lang: str) -> bool:
    """Whether ``lang`` writes the currency ``symbol`` after the amount ("5 €"). A dollar sign
    stays in front ("$49", as most Spanish-speaking countries write it)."""
    st = style(lang)
    return bool(st and st.symbol_after) and "$" not in symbol


def render_numeric(text: str, kind: str, src_lang: str, tgt_lang: str) -> str:
    """A number, percentage or price span as the target language writes it."""
    src, tgt = style(src_lang), style(tgt_lang)
    if src is None or tgt is None or src == tgt:
        return text
    m = _SPLIT.match(text)
    if not m:
        return text
    pre, num, post = m.group("pre"), m.group("num"), m.group("post")
    new = convert_number(num, src_lang, tgt_lang)
    if kind == "percent":
        return new + tgt.percent + "%"
    if kind == "price" and pre and not pre[-1].isalpha() and not post.strip():  # a symbol before: $19.99
        return f"{new} {pre.strip()}" if symbol_follows(pre.strip(), tgt_lang) else pre.strip() + new
    if kind == "price" and post.strip() and not post.strip()[0].isalpha() and not pre:  # after: 19,99 €
        return f"{new} {post.strip()}" if symbol_follows(post.strip(), tgt_lang) else post.strip() + new
    return text[: m.start("num")] + new + text[m.end("num") :]


def number_forms(text: str, kind: str, src_lang: str, tgt_lang: str) -> list[str]:
    """Ways the target side of a training pair may write this span, the most likely first."""
    forms = [text, render_numeric(text, kind, src_lang, tgt_lang)]
    m = _SPLIT.match(text)
    if m and style(tgt_lang) is not None:
        parsed = parse_number(m.group("num"), src_lang) or parse_number(m.group("num"), tgt_lang)
        if parsed:
            integer, decimals, _ = parsed
            st = style(tgt_lang)
            nums = {format_number(integer, decimals, g, tgt_lang) for g in (True, False)}
            nums |= {n.replace(st.thousands, sep) for n in list(nums) for sep in (" ", "\u00a0", "\u202f", ".")}
            pre, post = m.group("pre").strip(), m.group("post").strip()
            for n in sorted(nums):
                if kind == "percent":
                    forms += [n + "%", n + " %", n + "\u00a0%"]
                elif kind == "price" and (pre or post):
                    sym = pre or post
                    forms += [sym + n, f"{sym} {n}", f"{n} {sym}", n + sym, f"{n}\u00a0{sym}"]
                elif kind == "number":
                    forms.append(m.group("pre") + n + m.group("post"))
    seen: set[str] = set()
    return [f for f in forms if not (f in seen or seen.add(f))]
