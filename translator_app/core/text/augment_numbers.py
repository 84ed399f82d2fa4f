"""Numbers as entity augmentation reads and writes them: each language's format ("12,500.75" en,
"12.500,75" es, "12 500,75" fr) from :mod:`.numerals`, read back by value, and prices.

Imports only :mod:`.numerals` and :mod:`.langcodes`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from translator_app.core.base.langcodes import base_code
from translator_app.core.text import numerals


class NumberStyle(NamedTuple):
    """How numbers are *read* in running text (they are written by :mod:`.numerals`): decimal: the
    decimal separator ("" = none); read_groups: the group separators accepted inside a number."""

    decimal: str
    read_groups: str


# The written conventions come from core/text/numerals.py (one table for the whole engine); this is only
# what counts as a group separator inside a number in running text, stricter than span parsing.
_READ_GROUPS = {"en": ",", "es": ". \u00a0\u202f", "fr": " \u00a0\u202f.", "de": ".", "it": ".", "pt": ". \u00a0"}
PLAIN = NumberStyle("", "")


NUM_START, NUM_END = r"(?<![\w.,:/\-])", r"(?![\w\-/]|[.,:]\w)"  # a number never stops inside 2.x, B-52, 9/11


@lru_cache(maxsize=64)
def number_style(lang: str) -> NumberStyle:
    st = numerals.style(lang)
    if st is None:
        return PLAIN
    return NumberStyle(st.decimal, _READ_GROUPS.get(base_code(lang), st.thousands))


@lru_cache(maxsize=16)
def number_re(style: NumberStyle) -> re.Pattern[str]:
    alts = [r"[0-9]+"]
    if style.read_groups:
        alts.insert(0, rf"[0-9]{{1,3}}(?:[{re.escape(style.read_groups)}][0-9]{{3}})+")
    frac = rf"(?:{re.escape(style.decimal)}[0-9]+)?" if style.decimal else ""
    return re.compile(rf"{NUM_START}(?:{'|'.join(alts)}){frac}{NUM_END}")


def parse_number(text: str, lang: str) -> Decimal:
    """The value of a number written in ``lang``'s format ("12.500,75" es -> 12500.75)."""
    style = number_style(lang)
    for ch in style.read_groups:
        text = text.replace(ch, "")
    return Decimal(text.replace(style.decimal, ".") if style.decimal else text)


def format_number(value: Decimal | int | str, lang: str) -> str:
    """``value`` in ``lang``'s format (12500.75 -> en "12,500.75", es "12.500,75"; es 4500 -> "4500")."""
    whole, _, frac = f"{Decimal(value):f}".partition(".")
    if numerals.style(lang) is None:  # no convention known: plain digits
        return whole + ("." + frac if frac else "")
    return numerals.format_number(whole, frac, True, lang)


def format_price(value: Decimal | int | str, symbol: str, lang: str) -> str:
    num = format_number(value, lang)
    return f"{num} {symbol}" if numerals.symbol_follows(symbol, lang) else f"{symbol}{num}"
