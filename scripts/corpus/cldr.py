"""CLDR display names in English and Spanish, read through Babel (``pip install -e '.[corpus]'``).

Names of territories, languages, scripts, currencies and units, and the wide names of months,
days and quarters: short dictionary-like entries (``Germany`` / ``Alemania``, ``Thursday`` /
``jueves``), so the builder treats them as a dictionary (no language identification; capped with
the other dictionaries).  Returns None when Babel is not installed (the source is then skipped).
"""

from __future__ import annotations

from collections.abc import Iterator

Item = tuple[str, str, str]

KINDS = ("territories", "languages", "scripts", "currencies", "units", "months", "days", "quarters")


def _names(en, es) -> Iterator[tuple[str, str, str]]:
    """(kind, English, Spanish) in a fixed order (sorted by CLDR code)."""
    from babel.units import get_unit_name

    for kind in ("territories", "languages", "scripts"):
        a, b = getattr(en, kind), getattr(es, kind)
        for code in sorted(a.keys() & b.keys()):
            yield kind, a[code], b[code]
    a, b = en.currencies, es.currencies
    for code in sorted(a.keys() & b.keys()):
        yield "currencies", a[code], b[code]
    for unit in sorted(en._data["unit_display_names"]):
        x, y = get_unit_name(unit, "long", en), get_unit_name(unit, "long", es)
        if x and y:
            yield "units", x, y
    for kind in ("months", "days", "quarters"):
        a, b = getattr(en, kind)["format"]["wide"], getattr(es, kind)["format"]["wide"]
        for code in sorted(a.keys() & b.keys()):
            yield kind, a[code], b[code]


def cldr_names(stats: dict, kinds: tuple[str, ...] = KINDS) -> Iterator[Item] | None:
    try:
        import babel
        from babel import Locale
    except ImportError:
        print("  Babel is not installed (pip install -e '.[corpus]'): CLDR names skipped", flush=True)
        return None
    stats["babel"] = babel.__version__
    try:
        from babel.core import get_cldr_version

        stats["cldr"] = get_cldr_version()
    except ImportError:  # Babel < 2.15
        pass
    counts = stats.setdefault("entries", {k: 0 for k in kinds})

    def items() -> Iterator[Item]:
        for kind, x, y in _names(Locale("en"), Locale("es")):
            # historic variants say their years on one side only ("Brazilian New Cruzado (1989–1990)")
            if kind in kinds and ("(" in x) == ("(" in y):
                counts[kind] += 1
                yield "dict", x, y

    return items()
