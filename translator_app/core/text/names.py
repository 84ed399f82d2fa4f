"""Names the translation must carry over: capitalised words a model would otherwise mangle.

"Flight BA2490 to Barcelona" came back as "... para Barcelo": a name the subword model splits
into rare pieces is re-spelled piece by piece. Numbers, URLs and codes are protected spans
(:mod:`.spans`); names are harder because English and Spanish also capitalise words that *are*
translated ("Monday", "English", "Olympic", menu names such as "Format" in help texts).

The training corpus says which is which. :func:`name_rule_from_pairs` counts, for every
capitalised word that is not the first word of its sentence, how often the target side of the
same pair contains it unchanged: mostly copied (Barcelona, Laura, Ltd) goes into ``keep``,
mostly translated (Monday, Format, Egyptian) into ``translate``. The rule is stored in the
bundle's metadata (``meta["names"]``, plain JSON) and used by the decoding path:

* a word in ``keep`` is protected wherever it is not sentence-initial;
* a word in ``translate`` never is;
* a word the corpus never showed capitalised is protected when its lower-case form is not a
  whole piece of the source vocabulary (``is_common``): unknown names yes ("Qubitra",
  "Ahmed"), ordinary words capitalised for emphasis no;
* a word that is itself one piece of the vocabulary ("Tom", "Daniel") never is: the model
  has seen it often and copies it well (masking it cost 0.7 BLEU on the Tatoeba dev set).

CamelCase words (iPhone, GitHub, LibreOffice) are protected anywhere, also sentence-initially,
unless the corpus translates them. Adjacent protected words form one span ("Daniel Weber").

Acronyms (MQTT, PDFs) are capitalised whatever their place, so the corpus counts them everywhere,
and only one it never decided on is protected, unless it is a whole piece as written or in lower case
(an ordinary word shouted). One it copies (KDE) is left to the model, which has seen it in context:
masking KDE cost 0.6 BLEU on the KDE help ("aplicaciones de KDE" became "aplicaciones KDE"). One it
translates (UN → ONU, EE. UU.) never is.
Qt-free and torch-free.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

KEEP_MIN, KEEP_SHARE = 2, 0.5  # copied at least twice and in half the pairs: a name
TRANSLATE_MIN, TRANSLATE_SHARE = 5, 0.4  # seen 5 times, copied in under 40 %: a word to translate
# (fewer sightings decide nothing: the default rule below applies)

# the letters of names: Latin-1's too ("Sofía", "Córdoba", "Müller"), not only ASCII's
_UP, _LO = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_WORD = re.compile(
    rf"(?<![\w'’@#/\\.-])(?:[{_UP}][{_LO}]+(?:[{_UP}][{_LO}]+)*|[{_LO}]+[{_UP}][{_UP}{_LO}]*"
    rf"|[{_UP}][{_LO}]+[{_UP}][{_UP}{_LO}]*)(?:['’][{_UP}{_LO}]+)?(?![\w'’@/\\-])"
)
_ACRONYM = re.compile(rf"(?<![\w'’@#/\\.-])[{_UP}]{{2,}}(?:s)?(?![\w'’@/\\-])")  # MQTT, NASA, PDFs
_POSSESSIVE = re.compile(rf"['’][{_UP}{_LO}]+$")
_DEMONYM = re.compile(r"(?:ian|ean|ese|ish|ic|ch|ans)$")
_TARGET_WORD = re.compile(r"[\w'’]+")
_CAMEL = re.compile(rf"[{_LO}][{_UP}]|[{_UP}][{_LO}]+[{_UP}]")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;…•·|>▸→\n]|\s[-–—])[\s\"'“”‘’«»¿¡(\[*_-]*$")  # ▸ →: menu paths
_TITLES = ("Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "St", "Sr", "Sra", "Srta", "Dra", "Dña", "Hr", "Fr")
_TITLE = re.compile(rf"(?<![\w.])(?:{'|'.join(_TITLES)})\.\s+$")


@dataclass(frozen=True)
class NameRule:
    keep: frozenset[str] = frozenset()  # capitalised words the training data copies
    translate: frozenset[str] = frozenset()  # ... and those it translates
    acronyms: bool = True  # counted acronyms too (a rule stored before did not: it protects none)

    def to_meta(self) -> dict[str, Any]:
        return {"keep": sorted(self.keep), "translate": sorted(self.translate), "acronyms": self.acronyms}

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any] | None) -> NameRule | None:
        """The rule a bundle's ``meta["names"]`` holds; None when absent or malformed."""
        section = (meta or {}).get("names")
        if not isinstance(section, dict):
            return None
        keep, translate = section.get("keep", []), section.get("translate", [])
        if not (isinstance(keep, list) and isinstance(translate, list)):
            return None
        acronyms = section.get("acronyms") is True  # (its translate list may lack UN, ONU, EE. UU.)
        return cls(frozenset(str(w) for w in keep), frozenset(str(w) for w in translate), acronyms)

    def find(self, text: str, is_common: Callable[[str], bool], lang: str = "") -> list[tuple[int, int]]:
        """(start, end) of the names in ``text``, adjacent ones merged. In English (``lang``),
        a word the corpus never decided on that looks like a nationality or language
        ("Egyptian", "Japanese", "Danish") is not taken for a name."""
        found: list[list[int]] = []
        acronyms = _ACRONYM.finditer(text) if self.acronyms else ()
        for m in sorted((*_WORD.finditer(text), *acronyms), key=lambda m: m.start()):
            word = m.group()
            base = _POSSESSIVE.sub("", word)  # Laura's -> Laura
            start, end = m.start(), m.start() + len(base)
            if base in self.translate or base in _TITLES:
                continue
            if is_common(base):  # one piece as written ("Tom", "Daniel"): the model copies it well itself
                continue
            if base.isupper():  # an acronym: anywhere, when the corpus never decided on it and it is no word
                if base in self.keep or is_common(base.lower()):
                    continue
            else:
                camel = bool(_CAMEL.search(base))
                if len(base) < 2 or not (camel or base in self.keep or not is_common(base.lower())):
                    continue
                if lang == "en" and not camel and base not in self.keep and _DEMONYM.search(base):
                    continue
                if not camel and initial(text, start):
                    continue
            if found and text[found[-1][1] : start] == " ":
                found[-1][1] = end
            else:
                found.append([start, end])
        return [(a, b) for a, b in found]


def initial(text: str, at: int) -> bool:
    """Whether the word at ``at`` starts its sentence (or a clause after a colon, a list item...);
    not after a title ("Dr. Weber", "Sra. Gómez")."""
    before = text[:at]
    return bool(_SENTENCE_START.search(before)) and not _TITLE.search(before)


def name_rule_from_pairs(pairs: Iterable[tuple[str, str]]) -> NameRule:
    """Count, per capitalised non-initial (or CamelCase) source word, how often the target copies it."""
    seen: Counter[str] = Counter()
    copied: Counter[str] = Counter()
    for src, tgt in pairs:
        words = {m.group() for m in _WORD.finditer(src) if _CAMEL.search(m.group()) or not initial(src, m.start())}
        words.update(m.group() for m in _ACRONYM.finditer(src))  # an acronym is one wherever it stands
        if not words:
            continue
        target_words = set(_TARGET_WORD.findall(tgt))
        for word in words:
            seen[word] += 1
            copied[word] += word in target_words
    keep = {w for w, n in seen.items() if copied[w] >= KEEP_MIN and copied[w] / n >= KEEP_SHARE}
    translate = {w for w, n in seen.items() if n >= TRANSLATE_MIN and copied[w] / n < TRANSLATE_SHARE}
    return NameRule(frozenset(keep), frozenset(translate))


def common_word_test(encode: Callable[[str], list[int]]) -> Callable[[str], bool]:
    """``is_common(word)``: the lower-case word is one piece ("▁word") of the source vocabulary."""
    cache: dict[str, bool] = {}

    def is_common(word: str) -> bool:
        if word not in cache:
            if len(cache) > 50_000:
                cache.clear()
            cache[word] = len(encode(word)) == 1
        return cache[word]

    return is_common
