"""What entity augmentation recognises and inserts: first names (Faker's lists and Tatoeba's) with
their gender, words that are never names, titles, places, and the pools of Faker values (names,
surnames, cities, companies, e-mails, URLs, file names, codes) made once per process.

Imports nothing of the app (Faker is imported when a pool is first made).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

POOL_SIZE = 2000  # Faker values pre-generated per kind and locale, once per process
POOL_SEED = 20240
PERSON_LOCALES = ("en_US", "es_ES", "de_DE", "fr_FR", "it_IT", "pt_BR", "ja_JP")
CITY_LOCALES = ("en_US", "es_ES", "de_DE", "it_IT")  # fr_FR's "cities" are mostly surnames
COMPANY_LOCALES = ("en_US", "es_ES", "de_DE", "fr_FR", "it_IT")

_TATOEBA_NAMES = {
    **dict.fromkeys(
        "Tom John Ken Jack Bill Mike Tony Bob Taro Jiro Paul Jim Ted Takeshi Ichiro Kenji Sami Yanni".split(), "m"
    ),  # Faker's lists lack some, or mark them "x"
    **dict.fromkeys("Mary Alice Jane Emily Lucy Meg Kate Nancy Hanako Keiko Yoko Layla Rima".split(), "f"),
}
# First names that are also places, months or common words: never taken as a person.
_NOT_NAMES = set(
    "Georgia Dakota Elba Florence Virginia Carolina Victoria Salvador Santiago Lourdes Paris Austin "
    "Jordan Chelsea Sydney Madison Phoenix Israel Ella Mercedes Jesus Jesús Christ Will May June April "
    "August Hope Faith Grace Joy Honey Sunny Summer Autumn Winter Dawn Holly Ivy Iris Lily Daisy Olive "
    "Amber Crystal Ruby Pearl Violet Jade Brandy Misty Sandy Rocky Buddy Guy Art Sol Luz Paz Mar "
    "Reyes Nieves Angel Ángel Milan Roma Eden Kana".split()
)
TITLES = set("Mr Mrs Ms Miss Dr Prof Sr Sra Srta Dra Herr Frau Mme Mlle Sig Signor Signora".split())
PLACES = set(
    "Boston Chicago Australia China India Osaka Kyoto Nara Hokkaido Okinawa Hiroshima Nagano Shinjuku Kobe Nagoya "
    "Yokohama Sapporo Sendai Asia Portugal California Vietnam Austria Cuba Chile Argentina Colombia Venezuela "
    "Bolivia Ecuador Paraguay Uruguay Honduras Guatemala Nicaragua Alaska Florida Iowa Ohio Texas Nevada Oregon "
    "Utah Arizona Colorado Montana Tennessee Hawaii Honolulu Nashville Hollywood Guam Serbia Cambridge Oxford "
    "Madrid Barcelona Valencia Bilbao Toledo Granada Amsterdam Dallas Denver Seattle Miami Atlanta Detroit Houston "
    "Toronto Vancouver Montreal Melbourne Manila Singapore Bali Dublin Oslo Nepal Ghana Chad Mali Iran Sahara "
    "Moscow Beijing Shanghai Seoul Taipei Bangkok Hanoi Delhi Mumbai Dubai Kabul Lima Quito Caracas Havana "
    "Montevideo Cancún Acapulco Monterrey Guadalajara".split()
)
MULTI_PLACES = (
    "Hong Kong",
    "San Francisco",
    "Buenos Aires",
    "Las Vegas",
    "Los Angeles",
    "Costa Rica",
    "Puerto Rico",
    "Sri Lanka",
    "Tel Aviv",
    "San Diego",
    "Santa Monica",
    "Sao Paulo",
)
_FILE_STEMS = "report invoice budget notes slides draft contract photo backup data minutes summary".split()
_FILE_EXTS = "pdf docx xlsx csv txt png jpg zip pptx odt".split()
_CITY_SHAPE = re.compile(r"[^\W\d_]+(?:[ '-][^\W\d_]+)*")
_DIGIT = re.compile(r"[0-9]")


def titlecase(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1:].islower()


def _latin(text: str) -> bool:
    return all(unicodedata.name(ch, "").startswith("LATIN") for ch in text if ch.isalpha())


@lru_cache(maxsize=1)
def known_names() -> dict[str, str]:
    """First name -> gender ("m", "f", "x" for both) from Faker's lists and Tatoeba's names."""
    from faker import Faker

    male: set[str] = set()
    female: set[str] = set()
    for loc in PERSON_LOCALES:
        p, ja = Faker(loc).provider("faker.providers.person"), loc == "ja_JP"
        male |= set(getattr(p, "first_romanized_names_male" if ja else "first_names_male"))
        female |= set(getattr(p, "first_romanized_names_female" if ja else "first_names_female"))
    names = {
        n: "x" if n in male and n in female else "m" if n in male else "f"
        for n in male | female
        if titlecase(n) and _latin(n)
    }
    names.update(_TATOEBA_NAMES)
    for word in _NOT_NAMES | PLACES | TITLES:
        names.pop(word, None)
    return names


@lru_cache(maxsize=1)
def pools(size: int = POOL_SIZE) -> dict:
    """Faker values made once (a Faker call is slow; sampling a list with the caller's seed is not)."""
    from faker import Faker

    def draw(make, n, ok=lambda v: _latin(v) and v[:1].isupper() and not _DIGIT.search(v)):
        return [v for v in (make() for _ in range(n)) if ok(v)]

    fk = {loc: Faker(loc) for loc in PERSON_LOCALES}
    for i, f in enumerate(fk.values()):
        f.seed_instance(POOL_SEED + i)
    male, female, last, half = {}, {}, {}, size // 2
    for loc, f in fk.items():
        ja = loc == "ja_JP"
        male[loc] = draw(f.first_romanized_name_male if ja else f.first_name_male, half)
        female[loc] = draw(f.first_romanized_name_female if ja else f.first_name_female, half)
        last[loc] = draw(f.last_romanized_name if ja else f.last_name, half)
    city = [c for loc in CITY_LOCALES for c in draw(fk[loc].city, half) if len(c) <= 30 and _CITY_SHAPE.fullmatch(c)]
    company = [
        c for loc in COMPANY_LOCALES for c in draw(fk[loc].company, half, _latin) if " " in c and len(c) <= 40
    ]  # a one-word company is a bare surname: it would read as a person
    en, asc = fk["en_US"], str.isascii
    email = [e for loc in COMPANY_LOCALES for e in draw(fk[loc].email, size // 4, asc)]
    email += draw(en.company_email, half, asc)
    url = draw(en.url, half, asc) + draw(en.uri, half, asc) + ["www." + d for d in draw(en.domain_name, half, asc)]
    files = draw(en.file_name, half, asc) + [
        f"{en.random_element(_FILE_STEMS)}_{en.random_int(2015, 2031)}.{en.random_element(_FILE_EXTS)}"
        for _ in range(half)
    ]
    shapes = ("??-###", "??####", "???-##", "#??-###", "?#-####")
    code = [en.bothify(en.random_element(shapes), letters="ABCDEFGHJKLMNPRSTUVWXZ") for _ in range(size)]
    return dict(
        male=male, female=female, last=last, city=city, company=company, email=email, url=url, file=files, code=code
    )
