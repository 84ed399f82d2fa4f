"""Entity augmentation: rewrite a share of training pairs with names, places and numbers the
corpus never shows, so the model learns to carry them over instead of memorising "Tom".

A pair is *eligible* when a slot is found on both sides (whole word, case-sensitive: "Tomato" and
"Tomás" never hold a "Tom"): person = a known first name (Tatoeba's Tom, Mary... and Faker's lists)
not inside a longer proper noun shared by both sides ("Santa Claus"), with a surname slot for a
capitalised word after it on both sides ("Tom Jackson") or after a title ("Mr. Jackson"); place = a
listed city / country ("Boston"; exonyms such as London / Londres never match); time 7:30; year
1500-2099; price after $ € £ or before "dollars"; day beside a month name; hour before "o'clock" or
after es "a las"; number = anything else, matched by *value* in each side's format ("12,500" en =
"12.500" es), never the value 1. A rewritten pair has every slot replaced everywhere on both sides,
in one pass, by one value: a Faker first name of the same gender (en/es/de/fr/it/pt, romanised ja),
sometimes "First Last"; a last name; a city; a number of the same magnitude half the time, else of
another shape (small, 4-digit, grouped, decimal), written in each language's format.

Inserted kinds (chance ``insert_share``) go only where they stay grammatical-ish, judged on
English-source words (other source languages: company / code only): a person slot may become a
company or product code (RX-450), an e-mail after to/from/for/with, a URL after to/from/about/on/
visit (those two not before 's nor for a name written twice); a place a URL after those words; a
number whose noun context is unknown (followed by the end of the sentence or , ; : ) ! ? on both
sides, so never "3 dogs", nor a year/day/hour/price/percentage) a price, version (3.2.1), code,
file name, URL or e-mail, with 2.5 × the chance as such slots are rare.
Formats (NUMBER_STYLES): en 12,500.75; es/de/it/pt 12.500,75, es leaving 4-digit integers
unseparated (RAE: 2024, 4500); fr 12 500,75 with U+202F (CLDR); other languages plain digits.
Prices: en "$19.99", es/fr/de/it/pt "19,99 $".
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from translator_app.core.base.langcodes import base_code
from translator_app.core.text import augment_values
from translator_app.core.text.augment_numbers import (
    NUM_END,
    NUM_START,
    format_number,
    format_price,
    number_re,
    number_style,
    parse_number,
)
from translator_app.core.text.augment_values import (
    MULTI_PLACES,
    PERSON_LOCALES,
    PLACES,
    TITLES,
    known_names,
    titlecase,
)

INSERT_SHARE = 0.15  # chance that a qualifying person / place slot takes an inserted kind
OPEN_SLOT_FACTOR = 2.5  # open number slots are rare: 2.5 × that chance
FULL_NAME_SHARE = 0.25  # chance that a lone first name becomes "First Last"


_EMAIL_AFTER = {"en": {"to", "from", "for", "with", "cc", "email", "e-mail", "contact", "write"}}
_URL_AFTER = {"en": {"to", "from", "about", "on", "visit", "visited", "visiting"}}
_CURRENCIES = ("$", "€", "£")
_CURRENCY_WORD = re.compile(r"\s(?:dollars?|euros?|pounds?|bucks|cents|d[oó]lares|libras)\b")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|enero|febrero|"
    "marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
)
_DAY_BEFORE = re.compile(rf"(?i)\b(?:{_MONTHS})\.?\s$")
_DAY_AFTER = re.compile(rf"(?i)\s(?:de\s|of\s)?(?:{_MONTHS})\b")
_HOUR_AFTER = re.compile(r"\s?(?:o'clock|[ap]\.\s?m\b|[ap]m\b|h\b|Uhr\b|heures?\b)")
_HOUR_BEFORE = re.compile(r"\b(?:a las|a la|à|um)\s$")

_WORD = re.compile(r"(?<![\w-])[^\W\d_]+(?![\w-])")  # a whole word, letters only
_TIME = re.compile(rf"{NUM_START}[0-9]{{1,2}}:[0-5][0-9]{NUM_END}")
_DIGIT = re.compile(r"[0-9]")
_OPEN_AFTER = re.compile(r"\s*(?:[.!?,;:)…]|$)")
_PREV_WORD = re.compile(r"([\w-]+)\W*$")


@lru_cache(maxsize=8192)
def _word_re(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])")


def _has(text: str, phrase: str) -> bool:
    return _word_re(phrase).search(text) is not None


@dataclass(frozen=True)
class Slot:
    """An entity found on both sides; ``src`` / ``tgt`` are its texts (they differ for numbers)."""

    kind: str  # person | surname | place | time | year | price | day | hour | number
    src: str
    tgt: str
    gender: str = ""  # person: m / f / x
    inserts: tuple[str, ...] = ()  # inserted kinds this slot may take
    full_name_ok: bool = False


@dataclass(frozen=True)
class Substitution:
    slot: str  # the slot's kind
    kind: str  # the kind of value written: the slot's kind, or company / code / email / url / ...
    src_old: str
    tgt_old: str
    src_new: str
    tgt_new: str


@dataclass
class AugmentReport:
    pairs: int = 0
    eligible: int = 0  # pairs with at least one slot
    rewritten: int = 0
    slots: Counter = field(default_factory=Counter)  # slot kind -> count, over all eligible pairs
    kinds: Counter = field(default_factory=Counter)  # kind of value written -> count
    seconds: float = 0.0

    @property
    def share(self) -> float:
        return self.rewritten / self.eligible if self.eligible else 0.0

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in self.kinds.most_common())
        return f"{self.rewritten} of {self.eligible} eligible pairs rewritten ({self.pairs} pairs)" + (
            f": {kinds}" if kinds else ""
        )


class EntityAugmenter:
    """Finds the slots of a pair and rewrites them consistently; ``augment_pairs`` drives it."""

    def __init__(self, src_lang: str, tgt_lang: str, *, seed: int = 0, insert_share: float = INSERT_SHARE):
        self.src_lang, self.tgt_lang, self.seed, self.insert_share = src_lang, tgt_lang, seed, insert_share
        self.rng = random.Random(seed)
        self._src_num, self._tgt_num = number_re(number_style(src_lang)), number_re(number_style(tgt_lang))
        self._names = known_names()
        self._email_after = _EMAIL_AFTER.get(base_code(src_lang), set())
        self._url_after = _URL_AFTER.get(base_code(src_lang), set())
        self._decimals = bool(number_style(src_lang).decimal and number_style(tgt_lang).decimal)

    def find_slots(self, src: str, tgt: str) -> list[Slot]:
        slots: list[Slot] = []
        toks = [m for m in _WORD.finditer(src) if titlecase(m.group())]
        if toks:
            shared = {w for w in _WORD.findall(tgt) if titlecase(w)} & {m.group() for m in toks}
            if shared:
                self._find_words(src, tgt, toks, shared, slots)
        if _DIGIT.search(src) and _DIGIT.search(tgt):
            self._find_numbers(src, tgt, slots)
        return slots

    def _find_words(self, src, tgt, toks, shared, slots) -> None:
        taken: set[str] = set()
        for place in MULTI_PLACES:
            if place.split()[0] in shared and _has(src, place) and _has(tgt, place):
                slots.append(Slot("place", place, place))
                taken.update(place.split())
        for i, m in enumerate(toks):
            w = m.group()
            if w not in shared or w in taken:
                continue
            prev = toks[i - 1].group() if i and src[toks[i - 1].end() : m.start()] in (" ", ". ") else ""
            nxt = toks[i + 1].group() if i + 1 < len(toks) and src[m.end() : toks[i + 1].start()] == " " else ""
            if prev in TITLES:
                slots.append(Slot("surname", w, w))
            elif prev and prev not in self._names and _has(tgt, f"{prev} {w}"):
                continue  # inside a longer proper noun on both sides: "Santa Claus", "San Francisco"
            elif w in self._names:
                follows = nxt in shared and nxt not in taken and nxt not in PLACES and _has(tgt, f"{w} {nxt}")
                slots.append(Slot("person", w, w, self._names[w], self._inserts(src, m), not follows))
                if follows:
                    slots.append(Slot("surname", nxt, nxt))
                    taken.add(nxt)
            elif w in PLACES and not (nxt in shared and _has(tgt, f"{w} {nxt}")):
                slots.append(Slot("place", w, w, inserts=self._inserts(src, m, person=False)))
            else:
                continue
            taken.add(w)

    def _inserts(self, src: str, m: re.Match, person: bool = True) -> tuple[str, ...]:
        """Inserted kinds for a word slot: company / code for a person, and e-mail / URL by context."""
        base = ("company", "code") if person else ()
        if src[m.end() : m.end() + 2] in ("'s", "’s") or len(_word_re(m.group()).findall(src)) > 1:
            return base
        found = _PREV_WORD.search(src[: m.start()])
        prev = found.group(1).lower() if found else ""
        return (
            base
            + (("email",) if person and prev in self._email_after else ())
            + (("url",) if prev in self._url_after else ())
        )

    def _find_numbers(self, src, tgt, slots) -> None:
        for m in _TIME.finditer(src):
            if re.search(rf"{NUM_START}{re.escape(m.group())}{NUM_END}", tgt) and all(
                s.src != m.group() for s in slots
            ):
                slots.append(Slot("time", m.group(), m.group()))
        by_value: dict[Decimal, tuple[list[re.Match], list[re.Match]]] = {}
        for side, (text, pattern, lang) in enumerate(
            ((src, self._src_num, self.src_lang), (tgt, self._tgt_num, self.tgt_lang))
        ):
            for m in pattern.finditer(text):
                by_value.setdefault(parse_number(m.group(), lang), ([], []))[side].append(m)
        for value, (src_ms, tgt_ms) in by_value.items():
            if (
                not src_ms
                or not tgt_ms
                or value == 1
                or len({x.group() for x in src_ms}) > 1
                or len({x.group() for x in tgt_ms}) > 1
            ):
                continue
            lit, tlit = src_ms[0].group(), tgt_ms[0].group()
            if lit[0] == "0" and lit[1:2].isdigit():
                continue  # "007", "09": a code, not a quantity
            around = [(text[: m.start()], text[m.end() :]) for text, m in ((src, src_ms[0]), (tgt, tgt_ms[0]))]
            if lit.isdigit() and len(lit) == 4 and 1500 <= value <= 2099 and tlit == lit:
                kind = "year"
            elif any(c in around[0][0][-2:] for c in _CURRENCIES) or _CURRENCY_WORD.match(around[0][1]):
                kind = "price"
            elif lit.isdigit() and value <= 31 and any(_DAY_BEFORE.search(b) or _DAY_AFTER.match(a) for b, a in around):
                kind = "day"
            elif (
                lit.isdigit() and value <= 24 and any(_HOUR_BEFORE.search(b) or _HOUR_AFTER.match(a) for b, a in around)
            ):
                kind = "hour"
            else:
                open_ = (
                    len(src_ms) == 1
                    and all(_OPEN_AFTER.match(tgt, x.end()) for x in tgt_ms)
                    and _OPEN_AFTER.match(src, src_ms[0].end()) is not None
                )
                slots.append(
                    Slot(
                        "number",
                        lit,
                        tlit,
                        inserts=("price", "version", "code", "file", "url", "email") if open_ else (),
                    )
                )
                continue
            slots.append(Slot(kind, lit, tlit))

    def rewrite(self, src: str, tgt: str, slots: Sequence[Slot] | None = None) -> tuple[str, str, list[Substitution]]:
        """Replace every slot on both sides; returns the new pair and what was substituted."""
        slots = self.find_slots(src, tgt) if slots is None else slots
        if not slots:
            return src, tgt, []
        pools, subs, used = augment_values.pools(), [], [src, tgt]
        for slot in slots:
            for attempt in range(60):  # a value new to the pair; after 40 tries, merely different
                kind, s_new, t_new = self._value(slot, pools)
                if s_new == slot.src or t_new == slot.tgt or _has(s_new, slot.src):
                    continue
                if attempt >= 40 or not any(s_new in u or t_new in u for u in used):
                    break
            used += (s_new, t_new)
            subs.append(Substitution(slot.kind, kind, slot.src, slot.tgt, s_new, t_new))
        src = _replace(src, {s.src_old: s.src_new for s in subs})
        tgt = _replace(tgt, {s.tgt_old: s.tgt_new for s in subs})
        for s in subs:  # "... S.A.." -> "... S.A."
            if s.src_new.endswith("."):
                src, tgt = src.replace(s.src_new + ".", s.src_new), tgt.replace(s.tgt_new + ".", s.tgt_new)
        return src, tgt, subs

    def _value(self, slot: Slot, pools: dict) -> tuple[str, str, str]:
        rng = self.rng
        chance = self.insert_share * (OPEN_SLOT_FACTOR if slot.kind == "number" else 1.0)
        if slot.inserts and rng.random() < chance:
            kind = rng.choice(slot.inserts)
            if kind == "price":
                value, sym = self._price_value(), rng.choice(_CURRENCIES)
                return kind, format_price(value, sym, self.src_lang), format_price(value, sym, self.tgt_lang)
            if kind == "version":
                text = ("v" if rng.random() < 0.2 else "") + ".".join(
                    str(rng.randint(0, 20 if i else 12)) for i in range(rng.choice((2, 3, 3)))
                )
            else:
                text = rng.choice(pools[kind])
            return kind, text, text
        if slot.kind == "person":
            loc = rng.choice(PERSON_LOCALES)
            gender = slot.gender if slot.gender in ("m", "f") else rng.choice("mf")
            text = rng.choice(pools["male" if gender == "m" else "female"][loc])
            if slot.full_name_ok and rng.random() < FULL_NAME_SHARE:
                text += " " + rng.choice(pools["last"][loc])
        elif slot.kind in ("surname", "place"):
            text = rng.choice(pools["last"][rng.choice(PERSON_LOCALES)] if slot.kind == "surname" else pools["city"])
        elif slot.kind == "time":
            hour = slot.src.split(":")[0]
            new_h = rng.randint(13, 23) if int(hour) > 12 else rng.randint(1, 12)
            text = f"{new_h:0{len(hour)}d}:{rng.randrange(0, 60, rng.choice((5, 15, 1))):02d}"
        elif slot.kind in ("year", "day", "hour"):
            low, high = {"year": (1700, 2035), "day": (2, 28), "hour": (2, 12)}[slot.kind]
            text = str(rng.randint(13, 23) if slot.kind == "hour" and int(slot.src) > 12 else rng.randint(low, high))
        else:
            value = (
                self._price_value()
                if slot.kind == "price"
                else self._number_value(parse_number(slot.src, self.src_lang))
            )
            return slot.kind, format_number(value, self.src_lang), format_number(value, self.tgt_lang)
        return slot.kind, text, text

    def _price_value(self) -> Decimal:
        rng = self.rng
        if self._decimals and rng.random() < 0.5:
            return Decimal(f"{rng.randint(0, 499)}.{rng.choice((99, 95, 50, rng.randint(1, 99))):02d}")
        return Decimal(rng.choice((rng.randint(2, 99), rng.randint(100, 999), rng.randrange(1000, 100_000, 50))))

    def _number_value(self, old: Decimal) -> Decimal:
        """Half the time a number of the same magnitude and shape as ``old``, else a small, 3-4 digit,
        grouped (10,000+) or decimal one."""
        rng, r, (whole, _, frac) = self.rng, self.rng.random(), f"{old:f}".partition(".")
        n = len(whole) if r < 0.5 else 2 if r < 0.7 else rng.choice((3, 4)) if r < 0.8 else rng.randint(5, 7)
        text = str(rng.randint(10 ** (n - 1) if n > 1 else 2, 10**n - 1))
        if self._decimals and (frac if r < 0.5 else r >= 0.9):
            digits = len(frac) if r < 0.5 else rng.choice((1, 2))
            whole = text if r < 0.5 else text[:3]
            text = f"{whole}.{rng.randint(10 ** (digits - 1), 10**digits - 1)}".rstrip("0")
        return Decimal(text)


def _replace(text: str, mapping: dict[str, str]) -> str:
    """Whole-token, single-pass replacement (words and numbers each with their own boundaries)."""
    words = sorted((k for k in mapping if not _DIGIT.match(k)), key=len, reverse=True)
    nums = sorted((k for k in mapping if _DIGIT.match(k)), key=len, reverse=True)
    alts = [rf"(?<![\w-])(?:{'|'.join(map(re.escape, words))})(?![\w-])"] if words else []
    if nums:
        alts.append(rf"{NUM_START}(?:{'|'.join(map(re.escape, nums))}){NUM_END}")
    return re.sub("|".join(alts), lambda m: mapping[m.group()], text)


def augment_pairs(
    pairs: Sequence[tuple[str, str]],
    *,
    share: float,
    seed: int,
    src_lang: str,
    tgt_lang: str,
    insert_share: float = INSERT_SHARE,
) -> tuple[list[tuple[str, str]], AugmentReport]:
    """Rewrite round(``share`` × eligible) of the eligible pairs, picked at random for ``seed``;
    the list keeps its length and order, and every other pair is returned unchanged."""
    if not 0.0 <= share <= 1.0 or not 0.0 <= insert_share <= 1.0:
        raise ValueError("share and insert_share must be between 0 and 1")
    start = time.perf_counter()
    aug = EntityAugmenter(src_lang, tgt_lang, seed=seed, insert_share=insert_share)
    out = [(s, t) for s, t in pairs]
    found = [(i, slots) for i, (s, t) in enumerate(out) if (slots := aug.find_slots(s, t))]
    report = AugmentReport(pairs=len(out), eligible=len(found))
    for _, slots in found:
        report.slots.update(slot.kind for slot in slots)
    for j in sorted(aug.rng.sample(range(len(found)), round(share * len(found)))):
        i, slots = found[j]
        src, tgt, subs = aug.rewrite(*out[i], slots)
        out[i] = (src, tgt)
        report.rewritten += 1
        report.kinds.update(sub.kind for sub in subs)
    report.seconds = time.perf_counter() - start
    return out, report
