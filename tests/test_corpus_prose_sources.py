"""The corpus builder's prose and names sources (scripts/corpus/desktop_help.py, docbook_html.py,
cldr.py) on small inline samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.corpus import cldr, desktop_help, docbook_html, registry

MALLARD = """<?xml version="1.0" encoding="utf-8"?>
<page xmlns="http://projectmallard.org/1.0/" type="topic" id="net-wireless-connect">
  <info>
    <credit type="author"><name>{author}</name></credit>
    <desc>{desc}</desc>
    <revision pkgversion="43" date="2022-09-10" status="candidate"/>
  </info>
  <title>{title}</title>
  <p>{p1}</p>
  <steps>
    <item><p>{p2} <guiseq><gui>{gui1}</gui><gui>{gui2}</gui></guiseq>.</p></item>
    <item><p>{p3} <link xref="net-wireless-hidden"/>.</p></item>
  </steps>
  <code>iwconfig wlan0</code>
</page>
"""
EN = {
    "author": "GNOME Documentation Project",
    "desc": "Get on the internet wirelessly.",
    "title": "Connect to a wireless network",
    "p1": "You can connect to a nearby wireless network.",
    "p2": "Open",
    "gui1": "Settings",
    "gui2": "Wi-Fi",
    "p3": "See",
}
ES = {
    "author": "Proyecto de documentación de GNOME",
    "desc": "Conectarse a Internet de forma inalámbrica.",
    "title": "Conectar con una red inalámbrica",
    "p1": "Puede conectarse a una red inalámbrica cercana.",
    "p2": "Abra",
    "gui1": "Configuración",
    "gui2": "Inalámbrica",
    "p3": "Consulte",
}


def _help_tree(tmp_path: Path, es_page: str) -> Path:
    root = tmp_path / "pkg"
    for lang, text in (("C", MALLARD.format(**EN)), ("es", es_page)):
        d = root / "usr/share/help" / lang / "gnome-help"
        d.mkdir(parents=True)
        (d / "net-wireless-connect.page").write_text(text, encoding="utf-8")
    return root


def test_mallard_pages_align_block_by_block(tmp_path):
    root = _help_tree(tmp_path, MALLARD.format(**ES))
    stats: dict = {}
    pairs = [(a.strip(), b.strip()) for _, a, b in desktop_help.help_pairs([root], stats)]
    assert pairs == [
        ("Get on the internet wirelessly.", "Conectarse a Internet de forma inalámbrica."),
        ("Connect to a wireless network", "Conectar con una red inalámbrica"),
        ("You can connect to a nearby wireless network.", "Puede conectarse a una red inalámbrica cercana."),
        ("Open Settings ▸ Wi-Fi.", "Abra Configuración ▸ Inalámbrica."),
    ]  # credits, revisions and code left out; the block with a generated link text too
    assert stats["files_aligned"] == 1 and stats["blocks_unusable"] == 1 and stats["documents"] == 1


def test_mallard_page_with_another_structure_is_skipped(tmp_path):
    es_page = MALLARD.format(**ES).replace("<p>Puede", "<note><p>Nota</p></note><p>Puede")
    root = _help_tree(tmp_path, es_page)
    stats: dict = {}
    assert list(desktop_help.help_pairs([root], stats)) == []
    assert stats["files_structure_differs"] == 1


DOCBOOK = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE article [
  <!ENTITY app "Pluma">
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<article xmlns="http://docbook.org/ns/docbook">
  <title>{title} &app;</title>
  <para>{para}</para>
  <para>&lol2;</para>
  <para>{xref} <xref linkend="intro"/></para>
  <programlisting>pluma --new-window</programlisting>
</article>
"""


def test_docbook_help_substitutes_plain_internal_entities_only(tmp_path):
    c = tmp_path / "usr/share/help/C/pluma"
    es = tmp_path / "usr/share/help/es/pluma"
    c.mkdir(parents=True)
    es.mkdir(parents=True)
    (c / "index.docbook").write_text(
        DOCBOOK.format(title="Manual of", para="Pluma is a text editor.", xref="See"), encoding="utf-8"
    )
    (es / "index.docbook").write_text(
        DOCBOOK.format(title="Manual de", para="Pluma es un editor de textos.", xref="Consulte"), encoding="utf-8"
    )
    stats: dict = {}
    pairs = [(a, b) for _, a, b in desktop_help.help_pairs([tmp_path], stats)]
    # the nested entity is neither expanded nor substituted: its block is left out, like the <xref>
    assert pairs == [
        ("Manual of Pluma", "Manual de Pluma"),
        ("Pluma is a text editor.", "Pluma es un editor de textos."),
    ]
    assert stats["blocks_unusable"] == 2


PAGE = """<html><head><title>x</title></head><body>
<div class="navheader"><p>{nav}</p></div>
<div class="toc"><p>{toc}</p></div>
<div class="section"><div class="titlepage"><h2 class="title"><a id="{id1}"></a>{h1}</h2></div>
  <p>{p1}</p><pre class="screen">apt install foo</pre>
  <div class="para">{p2}</div>
</div>
<div class="section"><div class="titlepage"><h2 class="title"><a id="{id2}"></a>{h2}</h2></div>
  {extra}<p>{p3}</p>
</div>
</body></html>"""


def test_docbook_html_aligns_sections_in_order_and_skips_those_that_differ(tmp_path):
    en = tmp_path / "en.html"
    es = tmp_path / "es.html"
    en.write_text(
        PAGE.format(
            nav="Next",
            toc="Contents",
            id1="idm1",
            h1="2.1. Supported Hardware",
            p1="Debian does not impose hardware requirements.",
            p2="Almost any computer will do.",
            id2="idm2",
            h2="2.2. Memory",
            extra="",
            p3="You need memory.",
        ),
        encoding="utf-8",
    )
    es.write_bytes(  # no charset declared: read as UTF-8
        PAGE.format(
            nav="Siguiente",
            toc="Contenidos",
            id1="idm7",  # generated ids differ between the languages
            h1="2.1. Hardware compatible",
            p1="Debian no impone requisitos de hardware.",
            p2="Casi cualquier ordenador sirve.",
            id2="idm8",
            h2="2.2. Memoria",
            extra="<p>Una nota más.</p>",
            p3="Necesita memoria.",
        ).encode("utf-8")
    )
    stats: dict = {}
    pairs = [(a.strip(), b.strip()) for _, a, b in docbook_html.align_pages([(en, es)], stats)]
    assert pairs == [
        ("Supported Hardware", "Hardware compatible"),
        ("Debian does not impose hardware requirements.", "Debian no impone requisitos de hardware."),
        ("Almost any computer will do.", "Casi cualquier ordenador sirve."),
    ]
    assert stats == {"pages": 1, "sections_aligned": 1, "sections_skipped": 1}


def test_heading_numbers_are_stripped_only_when_both_sides_carry_the_same():
    assert docbook_html.strip_numbers("B.4.4. Managing Processes", "B.4.4. Gestión de procesos") == (
        "Managing Processes",
        "Gestión de procesos",
    )
    assert docbook_html.strip_numbers("1.7. Organization", "1.8. Estructura") == (
        "1.7. Organization",
        "1.8. Estructura",
    )
    assert docbook_html.strip_numbers("3 things", "3 cosas") == ("3 things", "3 cosas")


def test_cldr_names():
    pytest.importorskip("babel")
    stats: dict = {}
    items = cldr.cldr_names(stats)
    pairs = {(a, b) for kind, a, b in items if kind == "dict"}
    assert {("Germany", "Alemania"), ("Thursday", "jueves"), ("January", "enero"), ("Japanese", "japonés")} <= pairs
    assert not any("(1989" in a for a, _ in pairs)  # historic currencies with their years on one side only
    assert stats["entries"]["months"] == 12 and stats["entries"]["days"] == 7 and stats["babel"]


def test_new_sources_are_registered():
    for name in ("debian-manuals", "desktop-help", "kde-help", "manpages", "freedict-spa-eng", "cldr"):
        spec = registry.SOURCES[name]
        assert spec["licence"] and callable(spec["read"]) and spec.get("default", True)
    assert registry.SOURCES["cldr"]["dictionary"] and registry.SOURCES["freedict-spa-eng"]["dictionary"]
    assert not any(p.startswith("gimp") for p in registry.HELP_PACKAGES + registry.KDE_PACKAGES)  # held-out domain
    assert len(set(registry.HELP_PACKAGES)) == len(registry.HELP_PACKAGES)


KDE_PAGE = (
    '<FILENAME filename="{name}"><html><body><div id="header"><p>{head}</p></div>'
    '<div class="navCenter"><table><tr><td class="nextCell">{nav}</td></tr></table></div>'
    '<div class="chapter"><div class="titlepage"><h2 class="title"><a name="intro"></a>{title}</h2></div>'
    "<p>{p}</p></div>"
    '<div id="footer"><div id="footer_text">{foot}</div></div></body></html></FILENAME>'
)


def test_kde_handbook_cache_pages_are_paired_by_name(tmp_path):
    import bz2

    from scripts.corpus import kde_help

    en = KDE_PAGE.format(
        name="introduction.html",
        head="The Dolphin Handbook",
        nav="Next",
        title="Chapter 1. Introduction",
        p="Dolphin is the default file manager.",
        foot="Send feedback",
    ) + KDE_PAGE.format(name="credits.html", head="h", nav="n", title="Credits", p="Thanks.", foot="f")
    es = KDE_PAGE.format(
        name="introduction.html",
        head="Manual de Dolphin",
        nav="Siguiente",
        title="Capítulo 1. Introducción",
        p="Dolphin es el gestor de archivos predeterminado.",
        foot="Envíe sus comentarios",
    )  # no credits page
    for lang, text in (("en", en), ("es", es)):
        d = tmp_path / "usr/share/doc/HTML" / lang / "dolphin"
        d.mkdir(parents=True)
        (d / "index.cache.bz2").write_bytes(bz2.compress(text.encode("utf-8")))
    stats: dict = {}
    pairs = [(a, b) for _, a, b in kde_help.handbook_pairs([tmp_path], stats)]
    assert pairs == [
        ("Chapter 1. Introduction", "Capítulo 1. Introducción"),
        ("Dolphin is the default file manager.", "Dolphin es el gestor de archivos predeterminado."),
    ]  # header, navigation and footer left out
    assert stats["handbooks"] == 1 and stats["pages"] == 1


MAN_EN = r""".\" Copyright notice
.TH ECHO 1 "2022" "GNU coreutils 9.1"
.SH NAME
echo \- display a line of text
.SH DESCRIPTION
Echo the \fISTRING\fR(s) to standard output.
.TP
\fB\-n\fR
do not output the trailing newline
.PP
.EX
echo \-n hello
.EE
See \*(Zz for more.
.SH "SEE ALSO"
.BR printf (1)
"""
MAN_ES = r""".\" Copyright notice
.TH ECHO 1 "2022" "GNU coreutils 9.1"
.SH NOMBRE
echo \- muestra una línea de texto
.SH DESCRIPCIÓN
Repite la(s) \fICADENA\fR(s) en la salida estándar.
.TP
\fB\-n\fR
no muestra el salto de línea final
.PP
.EX
echo \-n hola
.EE
Consulte \*(Zz para más información.
.SH "VÉASE TAMBIÉN"
.BR printf (1)
.PP
.SH TRADUCCIÓN
La traducción al español de esta página del manual fue creada por ...
"""


def test_man_pages_align_block_by_block(tmp_path):
    from scripts.corpus import manpages

    en = tmp_path / "en/usr/share/man/man1"
    es = tmp_path / "es/usr/share/man/es/man1"
    en.mkdir(parents=True)
    es.mkdir(parents=True)
    (en / "echo.1").write_text(MAN_EN, encoding="utf-8")
    (es / "echo.1").write_text(MAN_ES, encoding="utf-8")
    (es / "other.1").write_text(MAN_ES, encoding="utf-8")  # no English page
    stats: dict = {}
    pairs = [(a.strip(), b.strip()) for _, a, b in manpages.man_pairs([tmp_path / "es", tmp_path / "en"], stats)]
    assert pairs == [
        ("NAME", "NOMBRE"),
        ("echo - display a line of text", "echo - muestra una línea de texto"),
        ("DESCRIPTION", "DESCRIPCIÓN"),
        ("Echo the STRING(s) to standard output.", "Repite la(s) CADENA(s) en la salida estándar."),
        ("-n", "-n"),  # the .TP tag is a block of its own (the builder drops it as untranslated)
        ("do not output the trailing newline", "no muestra el salto de línea final"),
        ("SEE ALSO", "VÉASE TAMBIÉN"),
        ("printf(1)", "printf(1)"),
    ]  # code left out; the block with an unknown string (\*(Zz) too; the translators' section too
    assert stats["pages_aligned"] == 1 and stats["blocks_unusable"] == 1 and stats["pages_without_english"] == 1


def test_man_page_translated_from_another_version_is_skipped():
    from scripts.corpus import manpages

    stats: dict = {}
    es = MAN_ES.replace(".PP\n.EX", ".IP\nOtra nota.\n.PP\n.EX")
    assert list(manpages.align(MAN_EN, es, stats)) == []
    assert stats == {"pages_structure_differs": 1}
