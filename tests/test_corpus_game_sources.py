"""The corpus builder's general-prose sources (scripts/corpus/general_prose.py: Freeciv, Stellarium,
Kalzium, Wesnoth, the Debian history) on small synthetic catalogs and pages, and the dev set that
sources sharing a domain share (scripts/build_corpus.py)."""

from __future__ import annotations

import struct
from pathlib import Path

from scripts.corpus import general_prose, registry
from scripts.corpus.sources import read_mo


def write_mo(path: Path, pairs: list[tuple[str, str]]) -> None:
    """A little-endian GNU .mo file (no hash table) holding ``pairs`` and a header entry."""
    entries = sorted([("", "Content-Type: text/plain; charset=UTF-8\n"), *pairs])
    ids = [e[0].encode() for e in entries]
    strs = [e[1].encode() for e in entries]
    n = len(entries)
    orig, trans = 28, 28 + 8 * n
    data = 28 + 16 * n
    table_o, table_t, blob = [], [], b""
    for s in ids:
        table_o.append((len(s), data + len(blob)))
        blob += s + b"\0"
    for s in strs:
        table_t.append((len(s), data + len(blob)))
        blob += s + b"\0"
    head = struct.pack("<7I", 0x950412DE, 0, n, orig, trans, 0, 0)
    body = b"".join(struct.pack("<2I", *x) for x in table_o + table_t)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(head + body + blob)


def test_mo_writer_round_trips_through_read_mo(tmp_path):
    write_mo(tmp_path / "x.mo", [("Hello", "Hola")])
    assert read_mo(tmp_path / "x.mo") == [("Hello", "Hola")]  # the header is skipped


LEGEND = (
    "Chile is located on the south-western coast of South America. Chile declared its independence from Spain in 1810.",
    "Chile está ubicado en la costa sur-occidental de América del Sur. Chile declaró la independencia "
    "de España en 1810.",
)
HELP = (
    "A Helicopter's attack against units on land is a bombard attack; against units on water it has a regular attack.",
    "El ataque de un Helicóptero contra las unidades en tierra es un ataque de bombardeo; contra las "
    "unidades en el agua es un ataque normal.",
)


def test_freeciv_keeps_legends_and_long_help_only(tmp_path):
    d = tmp_path / "usr/share/locale/es/LC_MESSAGES"
    write_mo(
        d / "freeciv-nations.mo",
        [LEGEND, ("Chilean", "chileno"), ("?female:Mayor of the Palace %s", "Ama de llaves de palacio %s")],
    )
    write_mo(
        d / "freeciv-core.mo",
        [HELP, ("Setting this option will draw city names.", "Al activar esta opción, se dibujarán los nombres.")],
    )
    stats: dict = {}
    pairs = [(a, b) for _, a, b in general_prose.freeciv(tmp_path, stats)]
    # the legend (>= 5 words; a leader's title is shorter once its placeholder is not counted) and
    # the long help (>= 12 words)
    assert pairs == [LEGEND, HELP]
    assert stats["entries"] == 5 and stats["entries_short"] == 3 and stats["catalogs"] == 2
    assert general_prose.prose_entry(
        "?female:The Queen of the mythical land", "La reina de la tierra mítica", 5, {}
    ) == (
        "The Queen of the mythical land",
        "La reina de la tierra mítica",
    )  # Freeciv's qualifier is removed


def test_wesnoth_drops_markup_variables_short_lines_and_ui_catalogs(tmp_path):
    loc = tmp_path / "usr/share/games/wesnoth/1.16/locale/es/LC_MESSAGES"
    write_mo(
        loc / "wesnoth-httt.mo",
        [
            ("I bear a great hatred towards their kind.", "Siento un odio muy grande hacia esos engendros."),
            ("<i>The elves</i> are known for their grace.", "<i>Los elfos</i> son conocidos por su gracia."),
            ("race^Elves of the wood", "Elfos del bosque"),
            ("Move $unit.name to the end of the pass", "Mueve a $unit.name hasta el final del paso"),
            ("<ref>dst='x' text='Resilient'</ref> units are tough.", "Las unidades <ref>...</ref> son duras."),
            ("Yes!", "¡Sí!"),
        ],
    )
    write_mo(loc / "wesnoth-lib.mo", [("Sort in approximate chronological order", "Ordenar por orden cronológico")])
    stats: dict = {}
    pairs = [(a, b) for _, a, b in general_prose.wesnoth([tmp_path], stats)]
    assert pairs == [
        ("The elves are known for their grace.", "Los elfos son conocidos por su gracia."),  # inline tags removed
        ("I bear a great hatred towards their kind.", "Siento un odio muy grande hacia esos engendros."),
        ("Elves of the wood", "Elfos del bosque"),
    ]
    assert stats["catalogs"] == 1  # wesnoth-lib (interface) is not read
    assert stats["entries_markup"] == 1 and stats["entries_variables"] == 1 and stats["entries_short"] == 1


def test_machine_translated_broken_tags_are_dropped():
    stats: dict = {}
    en = "Poltergeist is a name for supernatural beings, from German for <em>noisy ghost</em>."
    es = "Poltergeist es un nombre para los seres sobrenaturales, de alemán para <em> fantasma ruidoso </ em>."
    assert general_prose.prose_entry(en, es, 4, stats) is None
    assert stats == {"entries_broken_tags": 1}


def write_qm(path: Path, messages: list[tuple[str, str]]) -> None:
    """A Qt .qm file with a messages section: source text (UTF-8), context, translation (UTF-16)."""
    block = b""
    for src, tr in messages:
        s, t = src.encode("utf-8"), tr.encode("utf-16-be")
        block += bytes([3]) + struct.pack(">I", len(t)) + t
        block += bytes([5]) + struct.pack(">I", 0)
        block += bytes([6]) + struct.pack(">I", len(s)) + s
        block += bytes([7]) + struct.pack(">I", 0)
        block += bytes([1])
    data = bytes.fromhex("3CB86418CAEF9C95CD211CBF60A1BDDD")
    data += bytes([0x42]) + struct.pack(">I", 8) + b"\0" * 8  # a hashes section, skipped
    data += bytes([0x69]) + struct.pack(">I", len(block)) + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_stellarium_strings_from_qm(tmp_path):
    long = (
        "Ran is the Norse goddess of the sea, who stirs up the waves and captures sailors with her net.",
        "Ran es la diosa nórdica del mar, que agita las olas y captura a los marineros con su red.",
    )
    write_qm(
        tmp_path / "usr/share/stellarium/translations/stellarium/es.qm",
        [long, ("Show planets", "Mostrar planetas"), ("An untranslated but long enough source text here", "")],
    )
    assert general_prose.read_qm(tmp_path / "usr/share/stellarium/translations/stellarium/es.qm") == [
        long,
        ("Show planets", "Mostrar planetas"),
    ]
    stats: dict = {}
    assert [(a, b) for _, a, b in general_prose.stellarium_strings(tmp_path, stats)] == [long]
    assert stats["entries_short"] == 1


DESC = """<h1>{title}</h1>
<p>{p1}[5]</p>
<table><tr><td>{cell}</td></tr></table>
<h2>{refs}</h2>
<ul><li>{ref}</li></ul>
<h2>{author}</h2>
<p>{credit}, jonas(at)example.org</p>
"""


def test_stellarium_descriptions_align_prose_blocks_only(tmp_path):
    sky = tmp_path / "usr/share/stellarium/skycultures"
    (sky / "norse").mkdir(parents=True)
    (sky / "maori").mkdir(parents=True)
    en = {
        "title": "Norse",
        "p1": "The Norse sky was full of gods.",
        "cell": "Odin",
        "refs": "References",
        "ref": "Snorri Sturluson, Edda",
        "author": "Author",
        "credit": "Contributed by Jonas",
    }
    es = {
        "title": "Nórdica",
        "p1": "El cielo nórdico estaba lleno de dioses.",
        "cell": "Odín",
        "refs": "Referencias",
        "ref": "Snorri Sturluson, Edda",
        "author": "Autor",
        "credit": "Aportada por Jonas",
    }
    (sky / "norse/description.en.utf8").write_text(DESC.format(**en), encoding="utf-8")
    (sky / "norse/description.es.utf8").write_text(DESC.format(**es), encoding="utf-8")
    (sky / "maori/description.en.utf8").write_text("<h1>Maori</h1><p>One.</p><p>Two.</p>", encoding="utf-8")
    (sky / "maori/description.es.utf8").write_text("<h1>Maorí</h1><p>Uno. Dos.</p>", encoding="utf-8")
    stats: dict = {}
    pairs = [(a, b) for _, a, b in general_prose.stellarium_descriptions(tmp_path, stats)]
    # the table, the reference list and the credits are left out; the footnote mark is removed
    assert pairs == [
        ("Norse", "Nórdica"),
        ("The Norse sky was full of gods.", "El cielo nórdico estaba lleno de dioses."),
    ]
    assert stats == {"files": 2, "files_structure_differs": 1, "files_aligned": 1, "blocks_references": 2}


HISTORY = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/></head><body>
<div class="navheader"><p>{nav}</p></div>
<div class="chapter"><div class="titlepage"><h1 class="title"><a id="intro"></a>{h}</h1></div>
<p>{p}</p></div></body></html>"""


def test_debian_history_pages_align(tmp_path):
    d = tmp_path / general_prose.HISTORY_DIR
    d.mkdir(parents=True)
    (d / "intro.en.html").write_text(
        HISTORY.format(nav="Next", h="Chapter 1. Introduction", p="Debian is a group of volunteers."), encoding="utf-8"
    )
    (d / "intro.es.html").write_text(
        HISTORY.format(nav="Siguiente", h="Capítulo 1. Introducción", p="Debian es un grupo de voluntarios."),
        encoding="utf-8",
    )
    (d / "intro.de.html").write_text("<p>Deutsch</p>", encoding="utf-8")
    stats: dict = {}
    pairs = [(a, b) for _, a, b in general_prose.debian_history(tmp_path, stats)]
    assert pairs == [
        ("Chapter 1. Introduction", "Capítulo 1. Introducción"),
        ("Debian is a group of volunteers.", "Debian es un grupo de voluntarios."),
    ]
    assert stats["manuals"]["debian-history"]["sections_aligned"] == 1


def test_kalzium_keeps_entries_of_six_words_or_more(tmp_path):
    write_mo(
        tmp_path / "usr/share/locale/es/LC_MESSAGES/kalzium.mo",
        [
            ("Named after the Norse god of thunder: Thor", "Su nombre procede del dios nórdico del trueno, Thor."),
            ("Mass", "Masa"),
        ],
    )
    stats: dict = {}
    assert [a for _, a, _ in general_prose.kalzium(tmp_path, stats)] == ["Named after the Norse god of thunder: Thor"]


def test_general_prose_sources_are_registered_after_the_others():
    names = list(registry.SOURCES)
    new = ["freeciv", "stellarium", "debian-history", "kalzium", "wesnoth", "stellarium-descriptions"]
    assert names[-len(new) :] == new  # appended: the earlier sources keep their pairs
    for name in new:
        spec = registry.SOURCES[name]
        assert spec["licence"].startswith("GPL-2+") and callable(spec["read"]) and spec["packages"]
    assert {registry.SOURCES[n]["domain"] for n in new if n != "wesnoth"} == {"encyclopedic"}
    assert registry.SOURCES["wesnoth"]["domain"] == "wesnoth"
    assert not registry.SOURCES["stellarium-descriptions"].get("default", True)  # machine-translated Spanish
    assert all(registry.SOURCES[n].get("default", True) for n in new[:-1])
    assert "wesnoth-1.16-utbs" in registry.WESNOTH_PACKAGES and len(registry.WESNOTH_PACKAGES) == 17


def test_sources_sharing_a_domain_share_one_dev_set(tmp_path, monkeypatch):
    from scripts import build_corpus

    def fake(prefix, n):
        return {
            "licence": "test",
            "domain": "shared",
            "read": lambda roots, stats, args: [
                ("dict", f"{prefix} word {i}", f"{prefix} palabra {i}") for i in range(n)
            ],
        }

    monkeypatch.setattr(build_corpus, "SOURCES", {"a": fake("alpha", 300), "b": fake("beta", 300)})
    dev = tmp_path / "dev"
    assert (
        build_corpus.main(["--sources", "a,b", "--out", str(tmp_path / "out"), "--dev-dir", str(dev), "--jobs", "1"])
        == 0
    )
    rows = (dev / "shared.en-es.tsv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == build_corpus.DEV_PAIRS
    assert any(r.startswith("alpha") for r in rows) and any(r.startswith("beta") for r in rows)
    out = (tmp_path / "out/en-es.tsv").read_text(encoding="utf-8").splitlines()
    assert len(out) == 600 - build_corpus.DEV_PAIRS and not set(out) & set(rows)
