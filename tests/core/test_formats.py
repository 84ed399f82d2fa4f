"""TMX, XLIFF 1.2 / 2.0, gettext PO / MO as corpora (issue 13, item 1); sample files made in tmp_path."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from translator_app.core.base.langcodes import base_code
from translator_app.core.text import formats
from translator_app.core.text.corpus import CorpusError, read_corpus
from translator_app.core.text.formats import strip_accelerators


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def balanced(report) -> bool:
    return report.lines == report.pairs + report.skipped_total + int(report.header)


TMX = """<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4">
<header srclang="en-US" datatype="plaintext" segtype="sentence" adminlang="en" o-tmf="x"
        creationtool="t" creationtoolversion="1"/>
<body>
<tu><tuv xml:lang="en-US"><seg>Click <bpt i="1">&lt;b&gt;</bpt>Save<ept i="1">&lt;/b&gt;</ept> <ph x="1" equiv-text="%s"/> now.</seg></tuv>
    <tuv xml:lang="es-ES"><seg>Pulse <hi>Guardar</hi> <ph x="1" equiv-text="%s"/> ahora.</seg></tuv></tu>
<tu><tuv lang="EN-US"><seg>Good   night.</seg></tuv><tuv lang="es"><seg>Buenas noches.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Good night.</seg></tuv><tuv xml:lang="es"><seg>Buenas noches.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>Untranslated.</seg></tuv><tuv xml:lang="es"><seg/></tuv></tu>
<tu><tuv xml:lang="en"><seg>Only English here.</seg></tuv></tu>
<tu><tuv xml:lang="en"><seg>A long one, much too long.</seg></tuv><tuv xml:lang="es"><seg>Uno largo.</seg></tuv></tu>
<tu><!-- a comment --><tuv xml:lang="en"><seg>x<sub>alt text</sub>y &amp; z</seg></tuv><tuv xml:lang="es"><seg>x y &amp; z</seg></tuv></tu>
</body>
</tmx>
"""


def test_tmx_pairs_languages_markup_and_skips(tmp_path):
    path = write(tmp_path, "memory.TMX", TMX)  # extension in any case
    pairs, report = read_corpus(path, max_chars=24)
    assert pairs == [
        ("Click Save %s now.", "Pulse Guardar %s ahora."),
        ("Good night.", "Buenas noches."),
        ("xy & z", "x y & z"),
    ]
    assert (report.src_lang, report.tgt_lang) == ("en", "es")  # from the file, not the name
    assert dict(report.skipped) == {
        "duplicate pair": 1,
        "empty source or target": 1,
        "missing the en or es segment": 1,
        "longer than 24 characters": 1,
    }
    assert f"{path}:9: duplicate pair" in report.examples and f"{path}:10: empty source or target" in report.examples
    assert report.lines == 7 and balanced(report) and not report.notes
    assert report.summary().startswith("3 pairs from 7 translation units")
    with pytest.raises(CorpusError, match=r"memory\.TMX, line 10: empty source or target"):
        read_corpus(path, strict=True)


def test_tmx_with_three_languages_reads_the_first_two_or_the_chosen_ones(tmp_path):
    tus = "".join(
        f'<tu><tuv xml:lang="de"><seg>Hund {i}</seg></tuv><tuv xml:lang="en-GB"><seg>dog {i}</seg></tuv>'
        f'<tuv xml:lang="fr_FR"><seg>chien {i}</seg></tuv></tu>\n'
        for i in range(3)
    )
    path = write(tmp_path, "three.tmx", f'<tmx version="1.4"><header srclang="*all*"/><body>\n{tus}</body></tmx>')
    pairs, report = read_corpus(path)
    assert pairs[0] == ("Hund 0", "dog 0") and (report.src_lang, report.tgt_lang) == ("de", "en")
    assert report.notes == [
        "the TMX has 3 languages (de, en, fr); read de → en (choose others with src_lang / tgt_lang)"
    ]
    assert "3 languages" in report.summary()
    pairs, report = read_corpus(path, src_lang="fr-FR", tgt_lang="en")
    assert pairs == [(f"chien {i}", f"dog {i}") for i in range(3)] and (report.src_lang, report.tgt_lang) == (
        "fr",
        "en",
    )
    with pytest.raises(CorpusError, match="3 missing the en or it segment"):
        read_corpus(path, src_lang="en", tgt_lang="it")


def test_a_bilingual_file_takes_no_target_file(tmp_path):
    path = write(tmp_path, "memory.tmx", TMX)
    with pytest.raises(CorpusError, match="holds both languages"):
        read_corpus(path, write(tmp_path, "other.txt", "x\n"))


XLIFF12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
 <file original="ui" source-language="en-US" target-language="de-DE" datatype="plaintext"><body>
  <group id="g">
   <trans-unit id="1"><source>Open <g id="1">the</g> file <x id="2" equiv-text="{0}"/>.</source>
    <target state="translated">Öffne <g id="1">die</g> Datei <x id="2" equiv-text="{0}"/>.</target></trans-unit>
  </group>
  <trans-unit id="2" translate="no"><source>ACME</source><target>ACME</target></trans-unit>
  <trans-unit id="3"><source>Close</source><target state="needs-review-translation">Schließen</target></trans-unit>
  <trans-unit id="4"><source>Empty target</source></trans-unit>
  <trans-unit id="5"><source>Copy</source><target state="new">Copy</target></trans-unit>
  <trans-unit id="6"><source>Line<bx id="7"/> break<ex id="7"/></source><target>Zeilen<bx id="7"/>umbruch<ex id="7"/></target></trans-unit>
 </body></file>
 <file original="other" source-language="fr" target-language="de" datatype="plaintext"><body>
  <trans-unit id="7"><source>Bonjour</source><target>Hallo</target></trans-unit>
 </body></file>
</xliff>
"""

XLIFF20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en" trgLang="fr-CA">
 <file id="f1">
  <unit id="u1">
   <segment><source>Hello <pc id="1">dear</pc> <ph id="2" equiv="{name}" disp="[name]"/>!</source>
            <target>Bonjour <pc id="1">cher</pc> <ph id="2" equiv="{name}" disp="[name]"/> !</target></segment>
   <segment state="initial"><source>Draft.</source><target>Brouillon.</target></segment>
  </unit>
  <unit id="u2"><segment><source>Tab<cp hex="263A"/>smile <sc id="3"/>bold<ec startRef="3"/></source>
                <target>Onglet<cp hex="263A"/>sourire <sc id="3"/>gras<ec startRef="3"/></target></segment></unit>
  <unit id="u3" translate="no"><segment><source>ACME</source><target>ACME</target></segment></unit>
 </file>
</xliff>
"""


def test_xliff_12_pairs_languages_states_and_inline_codes(tmp_path):
    path = write(tmp_path, "ui.xlf", XLIFF12)
    pairs, report = read_corpus(path)
    assert pairs == [("Open the file {0}.", "Öffne die Datei {0}."), ("Line break", "Zeilenumbruch")]
    assert (report.src_lang, report.tgt_lang) == ("en", "de")
    assert dict(report.skipped) == {
        "marked translate=no": 1,
        "fuzzy (needs review)": 1,
        "empty source or target": 1,
        "not translated yet (XLIFF state)": 1,
        "a <file> with another language pair than en → de": 1,
    }
    assert f"{path}:9: fuzzy (needs review)" in report.examples and balanced(report)
    pairs, _ = read_corpus(path, include_fuzzy=True)
    assert ("Close", "Schließen") in pairs


def test_xliff_20_pairs_languages_and_placeholders(tmp_path):
    path = write(tmp_path, "ui.XLIFF", XLIFF20)
    pairs, report = read_corpus(path)
    assert pairs == [("Hello dear {name}!", "Bonjour cher {name} !"), ("Tab☺smile bold", "Onglet☺sourire gras")]
    assert (report.src_lang, report.tgt_lang) == ("en", "fr")
    assert dict(report.skipped) == {"fuzzy (needs review)": 1, "marked translate=no": 1} and balanced(report)
    assert report.summary().startswith("2 pairs from 4 segments")


PO = r"""# Spanish translation
msgid ""
msgstr ""
"Project-Id-Version: demo\n"
"Language: es_ES\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: main.c:10
msgid "_Open %s"
msgstr "_Abrir %s"

msgid "Save _As…"
msgstr "Guardar _como…"

#, fuzzy
msgid "Close"
msgstr "Cerrar"

msgid "Not translated yet"
msgstr ""

msgid "%d file in {0}"
msgid_plural "%d files in {0}"
msgstr[0] "%d archivo en {0}"
msgstr[1] "%d archivos en {0}"

msgid "Start %PRODUCTNAME with $(ARG1)"
msgstr "Iniciar %PRODUCTNAME con $(ARG1)"

msgid "Keep %(file_name)s"
msgstr "Guardar %(file_name)s"

#~ msgid "Old"
#~ msgstr "Viejo"
"""

PO_PAIRS = [
    ("Open %s", "Abrir %s"),
    ("Save As…", "Guardar como…"),
    ("%d file in {0}", "%d archivo en {0}"),
    ("%d files in {0}", "%d archivos en {0}"),
    ("Start %PRODUCTNAME with $(ARG1)", "Iniciar %PRODUCTNAME con $(ARG1)"),
    ("Keep %(file_name)s", "Guardar %(file_name)s"),
]


def test_po_pairs_plurals_fuzzy_accelerators_and_languages(tmp_path):
    path = write(tmp_path, "demo.po", PO)
    pairs, report = read_corpus(path)
    assert pairs == PO_PAIRS
    assert (report.src_lang, report.tgt_lang) == ("en", "es")
    assert dict(report.skipped) == {"fuzzy (needs review)": 1, "empty source or target": 1, "obsolete entry": 1}
    assert f"{path}:16: fuzzy (needs review)" in report.examples
    assert f"{path}:20: empty source or target" in report.examples
    assert report.lines == 9 and balanced(report) and report.summary().startswith("6 pairs from 9 messages")
    pairs, _ = read_corpus(path, accelerators=False, include_fuzzy=True)
    assert ("_Open %s", "_Abrir %s") in pairs and ("Close", "Cerrar") in pairs


def test_po_accelerator_marker_header_source_language_and_name_fallback(tmp_path):
    po = (
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"X-Source-Language: de\\n"\n"X-Accelerator-Marker: ~\\n"\n\n'
        'msgid "~Datei"\nmsgstr "~Fichier"\n\nmsgid "Tom_and_Jerry && co"\nmsgstr "Tom_et_Jerry && cie"\n\n'
        'msgid "Ja~~nein"\nmsgstr "Oui~~non"\n'
    )
    pairs, report = read_corpus(write(tmp_path, "office.po", po))
    assert pairs == [("Datei", "Fichier"), ("Tom_and_Jerry && co", "Tom_et_Jerry && cie"), ("Ja~nein", "Oui~non")]
    assert (report.src_lang, report.tgt_lang) == ("de", "fr")
    plain = 'msgid "&Quit"\nmsgstr "&Beenden"\n'
    pairs, report = read_corpus(write(tmp_path, "pt_BR.po", plain))  # no header: the name says pt_BR
    assert pairs == [("Quit", "Beenden")] and (report.src_lang, report.tgt_lang) == ("en", "pt")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("~Open…", "Open…"),
        ("_Save As", "Save As"),
        ("&Quit", "Quit"),
        ("ファイル(&F)", "ファイル"),
        ("Datei (_D) öffnen", "Datei öffnen"),
        ("max_line_bytes", "max_line_bytes"),
        ("Tom & Jerry", "Tom & Jerry"),
        ("%s of %d ~done", "%s of %d done"),
        ("{file_name} _Open", "{file_name} Open"),
        ("%(file_name)s _Open", "%(file_name)s Open"),
        ("%PRODUCT_NAME ~Help", "%PRODUCT_NAME Help"),
        ("$(ARG_1) _Run", "$(ARG_1) Run"),
        ("&amp; _Edit", "&amp; Edit"),
        ("~/.config", "~/.config"),
    ],
)
def test_strip_accelerators_keeps_placeholders(text, expected):
    assert strip_accelerators(text) == expected


@pytest.mark.parametrize(
    "code, expected",
    [
        ("es_ES", "es"),
        ("pt-BR", "pt"),
        ("EN-us", "en"),
        ("sr@latin", "sr"),
        ("*all*", ""),
        ("", ""),
        ("de", "de"),
        ("fil", "fil"),
    ],
)
def test_language_codes_are_normalised(code, expected):
    assert base_code(code) == expected


def po_to_mo(po_text: str) -> bytes:
    """Compile like msgfmt (fuzzy and obsolete entries left out), with translate-toolkit's MO writer."""
    from translate.storage import mo, pypo

    store, out = pypo.pofile(po_text.encode("utf-8")), mo.mofile()
    for unit in store.units:
        if not (unit.isobsolete() or unit.isfuzzy()):
            new = mo.mounit(unit.source)
            new.target = unit.target
            out.addunit(new)
    buffer = io.BytesIO()
    out.serialize(buffer)
    return buffer.getvalue()


def test_mo_pairs_plurals_accelerators_and_languages(tmp_path):
    data = po_to_mo(PO)
    path = write(tmp_path, "demo.MO", data)
    pairs, report = read_corpus(path)
    assert sorted(pairs) == sorted(PO_PAIRS)  # MO entries are sorted by msgid
    assert (report.src_lang, report.tgt_lang) == ("en", "es") and balanced(report)
    assert report.summary().startswith("6 pairs from 6 messages")
    dup = po_to_mo('msgid ""\nmsgstr "Language: it\\n"\n\nmsgid "A"\nmsgstr "Uno"\n\nmsgid "_A"\nmsgstr "_Uno"\n')
    pairs, report = read_corpus(write(tmp_path, "dup.mo", dup))
    assert pairs == [("A", "Uno")] and report.examples == [f"{tmp_path / 'dup.mo'}, entry 3: duplicate pair"]


def _mo_cut() -> bytes:
    return po_to_mo(PO)[:-40]


@pytest.mark.parametrize(
    "name, data, line, reason",
    [
        ("cut.tmx", TMX[:700], TMX[:700].count("\n") + 1, "not a well-formed TMX file: Premature end"),
        (
            "unclosed.tmx",
            TMX.replace("</seg></tuv></tu>\n<tu><tuv lang", "</tuv></tu>\n<tu><tuv lang", 1),
            7,
            "not a well-formed TMX file: Opening and ending tag mismatch",
        ),
        ("garbage.tmx", b"\x8f\x00\xff\x13 binary \x00\x00", 1, "not a well-formed TMX file"),
        ("archive.tmx", b"PK\x03\x04\x14\x00\x00\x00memory.tmx", None, "zip archive"),
        ("empty.tmx", b"", None, "the file is empty"),
        ("latin1.tmx", TMX.encode().replace(b"Guardar", b"Guardar \xfaltimo"), 7, "Invalid bytes"),
        ("other.tmx", XLIFF12, 2, "not a TMX file: the root element is <xliff>"),
        ("cut.xlf", XLIFF12[:600], XLIFF12[:600].count("\n") + 1, "not a well-formed XLIFF file"),
        ("unclosed.xliff", XLIFF20.replace("</pc> <ph", " <ph", 1), 5, "not a well-formed XLIFF file"),
        ("garbage.xlf", bytes(range(256)) * 4, 1, "not a well-formed XLIFF file"),
        ("empty.xlf", b"", None, "the file is empty"),
        ("tmx.xlf", TMX, 2, "not an XLIFF file: the root element is <tmx>"),
        ("syntax.po", PO.replace('msgstr "Cerrar"', 'msgstr "Cerrar'), 18, "PO syntax error"),
        ("junk.po", PO + "\nthis is not gettext\n", PO.count("\n") + 2, "PO syntax error at 'this is not gettext'"),
        ("binary.po", b'msgid "a"\nmsgstr "b"\n\x00\x01\x02', 3, "NUL bytes"),
        ("compiled.po", po_to_mo(PO), 1, "compiled MO file"),
        ("empty.po", b"", None, "the file is empty"),
        ("latin1.po", PO.encode().replace(b"Abrir", b"\xc1brir"), 11, "not valid UTF-8 .* charset=UTF-8"),
        ("charset.po", 'msgid ""\nmsgstr "Content-Type: text/plain; charset=NOPE-99\\n"\n', None, "unknown charset"),
        ("cut.mo", _mo_cut(), None, "truncated or corrupt MO file: entry \\d+ points past the end"),
        ("short.mo", po_to_mo(PO)[:60], None, "truncated or corrupt MO file: its tables"),
        ("tiny.mo", b"\xde\x12\x04\x95\x00", None, "less than an MO header"),
        ("text.mo", PO, None, "not an MO file"),
        ("empty.mo", b"", None, "the file is empty"),
    ],
)
def test_malformed_files_raise_corpus_error_with_file_and_line(tmp_path, name, data, line, reason):
    path = write(tmp_path, name, data)
    with pytest.raises(CorpusError, match=reason) as info:
        read_corpus(path)
    assert info.value.path == str(path) and str(path) in str(info.value)
    assert info.value.line == line, str(info.value)


def test_big_xliff_po_mo_are_refused_clearly_but_tmx_is_streamed(tmp_path):
    for name, data in (("ui.xlf", XLIFF12), ("demo.po", PO), ("demo.mo", po_to_mo(PO))):
        with pytest.raises(CorpusError, match=r"files over 100 bytes are not read"):
            read_corpus(write(tmp_path, name, data), max_file_bytes=100)
    pairs, _ = read_corpus(write(tmp_path, "memory.tmx", TMX), max_file_bytes=100)  # no limit: streamed
    assert len(pairs) == 4


def test_tmx_is_read_in_flat_memory(tmp_path):
    if not Path("/proc/self/statm").exists():
        pytest.skip("needs /proc/self/statm to sample the resident set size")
    path = tmp_path / "big.tmx"  # 3.4 MB, 20,000 units: about 45 MB as one lxml tree
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<tmx version="1.4"><header srclang="en"/><body>\n')
        for i in range(20_000):
            handle.write(
                f'<tu><tuv xml:lang="en"><seg>Sentence {i} is <ph x="1"/>here, rather long.</seg></tuv>'
                f'<tuv xml:lang="es"><seg>La frase {i} está aquí, bastante larga.</seg></tuv></tu>\n'
            )
        handle.write("</body></tmx>\n")
    # a fresh interpreter, sampling its resident set (ru_maxrss would be inherited from pytest through fork)
    code = """if True:
        import os, sys
        from lxml import etree
        from translator_app.core.text import formats
        from translator_app.core.text.corpus import CorpusReport
        rss = lambda: int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        start = peak = rss()
        n = 0
        for n, _ in enumerate(formats.iter_pairs(sys.argv[1], "tmx", report=CorpusReport(paths=(sys.argv[1],))), 1):
            if n % 500 == 0:
                peak = max(peak, rss())
        before_tree = rss()
        tree = etree.parse(sys.argv[1])  # the control: the same file as one tree
        print(n, peak - start, rss() - before_tree)
    """
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    n, streamed_kb, tree_kb = map(int, out.stdout.split())
    assert n == 20_000
    assert streamed_kb < 10_000 and streamed_kb * 3 < tree_kb, (streamed_kb, tree_kb)


def test_the_panel_filter_lists_every_format():
    pytest.importorskip("PySide6")
    from translator_app.gui import corpus_panel

    assert set(corpus_panel.BILINGUAL) == set(formats.SUFFIXES)
    assert {f"*{suffix}" for suffix in formats.SUFFIXES} <= set(
        corpus_panel.FILTER.replace("(", " ").replace(")", " ").split()
    )
    assert {corpus_panel.BILINGUAL[s] for s in formats.SUFFIXES} == {
        formats.COUNTED[f] for f in formats.SUFFIXES.values()
    }


def test_training_tab_previews_a_dropped_po_file(qtbot, tmp_path):
    pytest.importorskip("PySide6")
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    from translator_app.gui.corpus_previews import CorpusPreviews
    from translator_app.gui.training_tab import TrainingTab

    tab = TrainingTab()
    qtbot.addWidget(tab)
    previews = CorpusPreviews(tab)  # the main window's wiring: tab -> preview thread -> tab
    path, other = write(tmp_path, "demo.po", PO), write(tmp_path, "notes.txt", "x\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)), QUrl.fromLocalFile(str(other))])
    tab.corpus.dragEnterEvent(enter := _drag_enter(mime))
    assert enter.isAccepted()
    tab.corpus.dropEvent(
        QDropEvent(
            QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        )
    )
    assert tab.corpus.paths() == (str(path), "")  # a PO file holds both sides: the second file is not its target
    qtbot.waitUntil(lambda: tab.corpus.preview is not None, timeout=10_000)
    p, text = tab.corpus.preview, tab.corpus.summary.text()
    assert (p.pairs, p.lines, p.src_lang, p.tgt_lang) == (6, 9, "en", "es")
    assert "6</b> usable pairs from 9 messages" in text and "Spanish" in text and "English" in text
    assert "Skipped 3 messages" in text and "1 fuzzy (needs review)" in text and tab.corpus.samples.rowCount() == 6
    tab.corpus.set_paths(str(write(tmp_path, "broken.po", PO + "\nnonsense\n")))
    qtbot.waitUntil(lambda: tab.corpus.banner.text() != "", timeout=10_000)
    assert f"broken.po, line {PO.count(chr(10)) + 2}: PO syntax error at 'nonsense'" in tab.corpus.banner.text()
    assert tab.corpus.preview is None
    assert previews.runner.stop(10_000)


def _drag_enter(mime):
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QDragEnterEvent

    return QDragEnterEvent(
        QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )


@pytest.mark.slow
def test_cli_trains_from_a_tmx_file(tmp_path):
    subjects = [("I", "Ich"), ("You", "Du"), ("Tom", "Tom"), ("Mary", "Maria"), ("We", "Wir")]
    verbs = [
        (("see", "sees"), "sehe", "siehst", "sieht", "sehen"),
        (("want", "wants"), "will", "willst", "will", "wollen"),
        (("have", "has"), "habe", "hast", "hat", "haben"),
        (("like", "likes"), "mag", "magst", "mag", "mögen"),
    ]
    objects = [
        ("the dog", "den Hund"),
        ("a house", "ein Haus"),
        ("the car", "das Auto"),
        ("water", "Wasser"),
        ("a book", "ein Buch"),
        ("the cat", "die Katze"),
        ("bread", "Brot"),
        ("the key", "den Schlüssel"),
    ]
    tus = []
    for si, (s_en, s_de) in enumerate(subjects):
        for verb in verbs:
            for o_en, o_de in objects:
                v_en = verb[0][s_en in ("Tom", "Mary")]
                v_de = verb[1 + (0, 1, 2, 2, 3)[si]]
                tus.append(
                    f'<tu><tuv xml:lang="en-GB"><seg>{s_en} {v_en} {o_en}.</seg></tuv>'
                    f'<tuv xml:lang="de-DE"><seg>{s_de} {v_de} {o_de}.</seg></tuv></tu>'
                )
    corpus = write(
        tmp_path,
        "memory.tmx",
        '<tmx version="1.4"><header srclang="en-GB"/><body>\n' + "\n".join(tus) + "\n</body></tmx>\n",
    )
    out = tmp_path / "model"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "translator_app",
            "train",
            str(corpus),
            "--out",
            str(out),
            "--preset",
            "tiny",
            "--max-steps",
            "10",
            "--valid-every",
            "10",
            "--vocab-size",
            "400",
            "--threads",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "160 pairs from 160 translation units" in proc.stdout and "Finished (max_steps) at step 10" in proc.stdout
    meta = json.loads((out / "config.json").read_text(encoding="utf-8"))["meta"]
    assert (meta["src_lang"], meta["tgt_lang"]) == ("en", "de")
    bad = write(tmp_path, "bad.tmx", '<tmx version="1.4"><body><tu><tuv xml:lang="en"><seg>x</tuv></tu>')
    proc = subprocess.run(
        [sys.executable, "-m", "translator_app", "train", str(bad), "--out", str(tmp_path / "m")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and "bad.tmx, line 1: not a well-formed TMX file" in proc.stderr
    assert "Traceback" not in proc.stderr
