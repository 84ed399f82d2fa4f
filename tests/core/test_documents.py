"""Document translation (issue 16): every format keeps its structure and every segment is translated.

A fake translator ("ES:" + text, through the same ``translate_lines`` signature) shows that each
segment went through the one decoding path; one run with the bundled en-es model translates a
DOCX and an HTML file end to end. The sample documents are generated here (``make_samples`` is
reused by tests/reliability/test_document_fuzz.py).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from translator_app.core import documents
from translator_app.core.documents import Cancelled, DocumentError, translate_document
from translator_app.core.documents.layout import distribute
from translator_app.core.model.decoding import DecodeConfig

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "en-es"


class FakeES:
    """translate_lines like the Translator's: "ES:" + each line; remembers what it was asked."""

    def __init__(self):
        self.calls: list[list[str]] = []
        self.glossaries: list = []

    def translate_lines(self, lines, decode=None, batch_size=64, *, glossary=None):
        self.calls.append(list(lines))
        self.glossaries.append(glossary)
        return ["ES:" + line for line in lines]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- sample documents ----------------------------------------------------------------------

TXT = "Hello world.\nThis paragraph is wrapped over\nthree lines of text.\n\n- first item\n- second item\n\n   Indented line.\n"
MD = """---
title: Front matter stays
---
# The *quick* guide

Some **bold** text and `inline code` here,
and a [link to it](https://example.com "Title").

> A quoted line.

1. First step
2. Second step with ![an image](img.png)

```python
print("code block")
```

    indented code

| Name | Value |
|------|-------|
| Size | *large* |
"""
HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>My page</title>
<style>p { color: red; }</style><script>var msg = "do not translate";</script></head>
<body>
<h1>Welcome home</h1>
<p class="intro">Click <a href="save.html" title="Save the file">here</a> to <b>save</b> the <code>notes.txt</code> file.</p>
<ul><li>First item</li><li>Second <i>item</i></li></ul>
<img src="cat.png" alt="A sleeping cat">
<table><tr><td>Cell one</td><td>Cell two</td></tr></table>
<pre>keep   this</pre>
<p translate="no">Brand Name</p>
<!-- a comment -->
</body></html>
"""
SRT = """1
00:00:01,000 --> 00:00:03,500
Hello there, how are
<i>you doing</i> today?

2
00:00:04,000 --> 00:00:06,000
- Hi.
- Good morning.

3
00:00:07,000 --> 00:00:09,000
The end.
"""
VTT = """WEBVTT - sample

NOTE this note stays

STYLE
::cue { color: yellow }

intro
00:00.000 --> 00:02.000 align:start position:10%
<v Roger>Good morning, everyone.</v>

00:02.500 --> 00:04.000
Two lines of
subtitle text.
"""
PO = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Language: es\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: main.c:10
#, c-format
msgid "Open %s in the editor"
msgstr ""

msgid "Already done"
msgstr "Ya hecho"

#, fuzzy
msgid "Fuzzy one"
msgstr "Difuso"

msgid "One file deleted"
msgid_plural "%d files deleted"
msgstr[0] ""
msgstr[1] ""

msgid "Hello {name}!\nWelcome back."
msgstr ""

#~ msgid "Obsolete"
#~ msgstr ""
"""
XLIFF12 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
  <file source-language="en" target-language="es" datatype="plaintext" original="app">
    <body>
      <trans-unit id="save"><source>Press <g id="1">Save</g> to keep<x id="2"/> your work.</source></trans-unit>
      <trans-unit id="done" approved="yes"><source>Done</source><target>Hecho</target></trans-unit>
      <trans-unit id="skip" translate="no"><source>BrandName</source></trans-unit>
    </body>
  </file>
</xliff>
"""
XLIFF20 = """<?xml version="1.0" encoding="UTF-8"?>
<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0" srcLang="en" trgLang="es">
  <file id="f1">
    <unit id="u1"><segment><source>Open the <pc id="1">file</pc> now<ph id="2"/>.</source></segment></unit>
    <unit id="u2"><segment state="final"><source>Yes</source><target>Sí</target></segment></unit>
  </file>
</xliff>
"""


def make_docx(path: Path) -> Path:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    doc = docx.Document()
    doc.add_heading("The annual report", level=1)
    p = doc.add_paragraph("This is ")
    p.add_run("bold").bold = True
    p.add_run(" and ")
    p.add_run("italic").italic = True
    p.add_run(" text. Run ")
    p.add_run("ls -l").font.name = "Courier New"
    p.add_run(" to list the files.")
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), "rId99")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "our website"
    run.append(text)
    link.append(run)
    p2 = doc.add_paragraph("Visit ")
    p2._p.append(link)
    p2.add_run(" for more.")
    doc.add_paragraph("First item of the list", style="List Bullet")
    doc.add_paragraph("Second item of the list", style="List Number")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Name"
    table.cell(0, 1).text = "Value"
    table.cell(1, 0).text = "Width"
    table.cell(1, 1).add_table(rows=1, cols=1).cell(0, 0).text = "Nested cell text"
    doc.add_paragraph("")
    doc.add_paragraph("2024")
    section = doc.sections[0]
    section.header.paragraphs[0].text = "Company header"
    section.footer.paragraphs[0].text = "Page footer"
    doc.save(path)
    return path


ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3">
<office:automatic-styles><style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style></office:automatic-styles>
<office:body><office:text>
<text:h text:outline-level="1">A short title</text:h>
<text:p>This is <text:span text:style-name="T1">bold</text:span> text with a <text:a xlink:href="http://x.org">link</text:a>.<text:line-break/>Second line<text:s/>here.</text:p>
<text:p>A footnote here<text:note text:id="n1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>The note text.</text:p></text:note-body></text:note> and more.</text:p>
<text:list><text:list-item><text:p>List entry</text:p></text:list-item></text:list>
<table:table><table:table-row><table:table-cell><text:p>Cell text</text:p></table:table-cell></table:table-row></table:table>
<text:p/>
</office:text></office:body></office:document-content>
"""
ODT_STYLES = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.3">
<office:master-styles><style:master-page style:name="Standard"><style:header><text:p>Header words</text:p></style:header></style:master-page></office:master-styles>
</office:document-styles>
"""
ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


def make_odt(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")  # stored, first
        z.writestr("META-INF/manifest.xml", ODT_MANIFEST, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", ODT_CONTENT, zipfile.ZIP_DEFLATED)
        z.writestr("styles.xml", ODT_STYLES, zipfile.ZIP_DEFLATED)
        z.writestr(
            "meta.xml",
            "<?xml version='1.0'?><office:document-meta xmlns:office="
            "'urn:oasis:names:tc:opendocument:xmlns:office:1.0'/>",
            zipfile.ZIP_DEFLATED,
        )
        z.writestr("Pictures/dot.png", bytes(range(256)) * 4, zipfile.ZIP_DEFLATED)
    return path


TEXT_SAMPLES = {
    "sample.txt": TXT,
    "sample.md": MD,
    "sample.html": HTML,
    "sample.srt": SRT,
    "sample.vtt": VTT,
    "sample.po": PO,
    "sample.xlf": XLIFF12,
    "sample2.xliff": XLIFF20,
}


def make_samples(folder: Path) -> dict[str, Path]:
    """One valid sample of every format (two for XLIFF), by format name."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, text in TEXT_SAMPLES.items():
        (folder / name).write_text(text, encoding="utf-8")
        out[name.split(".")[1] if name != "sample2.xliff" else "xliff2"] = folder / name
    out["xliff"] = out.pop("xlf")
    out["docx"] = make_docx(folder / "sample.docx")
    out["odt"] = make_odt(folder / "sample.odt")
    return out


@pytest.fixture()
def samples(tmp_path) -> dict[str, Path]:
    return make_samples(tmp_path / "in")


def run(path: Path, tmp_path: Path, translator=None, **kw):
    out = tmp_path / "out" / f"translated{path.suffix}"
    before = sha(path)
    report = translate_document(path, out, translator or FakeES(), **kw)
    assert sha(path) == before  # the input is never touched
    return out, report


# ---- plain text and subtitles ---------------------------------------------------------------


def test_txt_keeps_lines_and_paragraphs(samples, tmp_path):
    out, report = run(samples["txt"], tmp_path)
    lines = out.read_text().split("\n")
    assert len(lines) == len(TXT.split("\n"))
    assert [bool(line.strip()) for line in lines] == [bool(line.strip()) for line in TXT.split("\n")]
    assert lines[0].startswith("ES:Hello") and lines[4] == "ES:- first item" and lines[5] == "ES:- second item"
    assert lines[7].startswith("   ES:Indented")  # indentation kept
    assert lines[1] == "ES:This paragraph is wrapped over" and lines[2] == "ES:three lines of text."  # never merged
    assert report.translated == report.segments == 6  # one segment per line (issue 29)


def test_srt_keeps_numbers_timings_and_line_counts(samples, tmp_path):
    out, report = run(samples["srt"], tmp_path)
    src_blocks, out_blocks = SRT.strip().split("\n\n"), out.read_text().strip().split("\n\n")
    assert len(src_blocks) == len(out_blocks) == 3
    for a, b in zip(src_blocks, out_blocks):
        a, b = a.split("\n"), b.split("\n")
        assert a[:2] == b[:2] and len(a) == len(b)  # number, timing, same number of text lines
    cue1 = out_blocks[0].split("\n")[2:]
    assert cue1[0].startswith("ES:Hello") and "<i>" in "".join(cue1) and "</i>" in "".join(cue1)
    assert "".join(cue1).count("<i>") == 1 and "you doing" in "".join(cue1)
    assert out_blocks[1].split("\n")[2:] == ["ES:- Hi.", "ES:- Good morning."]  # a dialogue: line by line
    assert report.translated == 4


def test_vtt_keeps_header_notes_styles_and_settings(samples, tmp_path):
    out, _ = run(samples["vtt"], tmp_path)
    text = out.read_text()
    for kept in (
        "WEBVTT - sample",
        "NOTE this note stays",
        "::cue { color: yellow }",
        "intro",
        "00:00.000 --> 00:02.000 align:start position:10%",
        "00:02.500 --> 00:04.000",
    ):
        assert kept in text
    assert "<v Roger>ES:Good morning, everyone.</v>" in text
    last = text.strip().split("\n\n")[-1].split("\n")
    assert len(last) == 3 and last[1].startswith("ES:")  # two text lines stay two


# ---- Markdown ---------------------------------------------------------------------------------


def _md_tokens(text: str):
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    flat = []
    for tok in md.parse(text):
        flat.append(tok.type)
        flat += [c.type for c in tok.children or []]
    return flat


def test_markdown_keeps_markup_byte_for_byte(samples, tmp_path):
    out, report = run(samples["md"], tmp_path)
    text = out.read_text()
    for kept in (
        "---\ntitle: Front matter stays\n---\n",
        '```python\nprint("code block")\n```',
        "    indented code",
        "`inline code`",
        '](https://example.com "Title")',
        "![an image](img.png)",
        "|------|-------|",
        "> ",
    ):
        assert kept in text
    assert _md_tokens(text) == _md_tokens(MD)  # the same block and inline structure
    assert "# ES:The *quick* guide" in text and "**bold**" in text
    assert "ES:Some **bold** text and `inline code` here,\nand a [link to it]" in text  # two lines stay two
    assert "| ES:Size | *ES:large* |" in text
    # the markup outside the translated text is identical: strip the "ES:" marks and compare
    assert text.replace("ES:", "") == MD
    assert report.skipped[documents.common.CODE_BLOCK] == 2


def test_markdown_escapes_markup_in_translations(tmp_path):
    src = tmp_path / "a.md"
    src.write_text("Plain words here.\n")

    class Star(FakeES):
        def translate_lines(self, lines, decode=None, batch_size=64, *, glossary=None):
            return ["# 5 * 3 = _x_ [y] <b>" for _ in lines]

    out, _ = run(src, tmp_path, Star())
    text = out.read_text()
    assert _md_tokens(text)[:2] == ["paragraph_open", "inline"]
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").render(text)
    assert "<h1>" not in rendered and "<em>" not in rendered and "<b>" not in rendered


# ---- HTML -------------------------------------------------------------------------------------


def _tree(path: Path):
    from lxml import html

    root = html.document_fromstring(path.read_bytes())
    return [
        (el.tag, {k: v for k, v in el.attrib.items() if k not in ("alt", "title")})
        for el in root.iter()
        if isinstance(el.tag, str)
    ], root


def test_html_keeps_the_tag_tree_and_translates_text_and_attributes(samples, tmp_path):
    out, report = run(samples["html"], tmp_path)
    (tags_in, _), (tags_out, root) = _tree(samples["html"]), _tree(out)
    assert tags_in == tags_out  # same elements, same order, same attributes (alt/title aside)
    assert root.find(".//script").text == 'var msg = "do not translate";'
    assert root.find(".//style").text == "p { color: red; }"
    assert root.find(".//pre").text == "keep   this"
    assert root.find(".//code").text == "notes.txt"
    assert root.find(".//title").text == "ES:My page"
    p = root.find(".//p")
    assert p.text_content().startswith("ES:Click ") and p.find("b").text == "save" and p.find("a").text == "here"
    assert p.find("a").get("title") == "ES:Save the file" and root.find(".//img").get("alt") == "ES:A sleeping cat"
    assert [li.text_content() for li in root.iter("li")] == ["ES:First item", "ES:Second item"]
    assert root.find(".//li/i").text == "item"
    assert root.xpath("//p[@translate='no']")[0].text == "Brand Name"
    assert "<!-- a comment -->" in out.read_text() and out.read_text().startswith("<!DOCTYPE html>")
    assert report.skipped[documents.common.CODE_BLOCK] == 1 and report.skipped[documents.common.NOT_TRANSLATABLE] == 1


def test_html_fragment_stays_a_fragment(tmp_path):
    src = tmp_path / "frag.html"
    src.write_text("<p>One &amp; two</p>\n<p>Three</p>\n")
    out, _ = run(src, tmp_path)
    assert out.read_text() == "<p>ES:One &amp; two</p>\n<p>ES:Three</p>\n"


# ---- DOCX ---------------------------------------------------------------------------------------


def _docx_shape(path: Path):
    import docx

    doc = docx.Document(path)
    body = doc.element.body
    paragraphs = body.xpath(".//w:p")
    runs = [len(p.xpath(".//w:r")) for p in paragraphs]
    formats = [(r.bold, r.italic, r.font.name) for p in doc.paragraphs for r in p.runs]
    tables = [len(t.rows) for t in doc.tables], len(body.xpath(".//w:tbl"))
    return doc, len(paragraphs), runs, formats, tables


def test_docx_keeps_paragraphs_runs_tables_and_formatting(samples, tmp_path):
    out, report = run(samples["docx"], tmp_path)
    doc_in, n_in, runs_in, fmt_in, tables_in = _docx_shape(samples["docx"])
    doc, n_out, runs_out, fmt_out, tables_out = _docx_shape(out)
    assert (n_in, runs_in, fmt_in, tables_in) == (n_out, runs_out, fmt_out, tables_out)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "ES:The annual report"
    runs = doc.paragraphs[1].runs
    assert [r.text for r in runs] == [
        "ES:This is ",
        "bold",
        " and ",
        "italic",
        " text. Run ",
        "ls -l",
        " to list the files.",
    ]
    assert runs[1].bold and runs[3].italic and runs[5].font.name == "Courier New"
    link = doc.paragraphs[2]._p.xpath(".//w:hyperlink//w:t")
    assert [t.text for t in link] == ["our website"] and texts[2] == "ES:Visit our website for more."
    assert texts[3] == "ES:First item of the list" and doc.paragraphs[3].style.name == "List Bullet"
    cells = doc.tables[0]
    assert [c.text for c in cells.rows[0].cells] == ["ES:Name", "ES:Value"]
    assert cells.cell(1, 1).tables[0].cell(0, 0).text == "ES:Nested cell text"
    assert doc.sections[0].header.paragraphs[0].text == "ES:Company header"
    assert doc.sections[0].footer.paragraphs[0].text == "ES:Page footer"
    assert texts[-1] == "2024"  # no words: left as it was
    a, b = zipfile.ZipFile(samples["docx"]), zipfile.ZipFile(out)
    assert a.namelist() == b.namelist()
    changed = {n for n in a.namelist() if a.read(n) != b.read(n)}
    assert changed == {"word/document.xml", "word/header1.xml", "word/footer1.xml"}
    assert report.skipped[documents.common.NO_WORDS] == 1 and report.skipped[documents.common.EMPTY] >= 1


# ---- ODT ----------------------------------------------------------------------------------------


def _xml_shape(data: bytes):
    from lxml import etree

    root = etree.fromstring(data)
    return [(el.tag, dict(el.attrib)) for el in root.iter() if isinstance(el.tag, str)], root


def test_odt_keeps_the_tree_and_every_other_member(samples, tmp_path):
    out, report = run(samples["odt"], tmp_path)
    a, b = zipfile.ZipFile(samples["odt"]), zipfile.ZipFile(out)
    assert a.namelist() == b.namelist() and b.infolist()[0].filename == "mimetype"
    assert b.infolist()[0].compress_type == zipfile.ZIP_STORED
    for name in a.namelist():
        if name not in ("content.xml", "styles.xml"):
            assert a.read(name) == b.read(name), name
    (shape_in, _), (shape_out, root) = _xml_shape(a.read("content.xml")), _xml_shape(b.read("content.xml"))
    assert shape_in == shape_out
    t = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
    paras = ["".join(p.itertext()) for p in root.iter(f"{t}p", f"{t}h")]
    assert paras[0] == "ES:A short title"
    assert paras[1].startswith("ES:This is bold text with a link.") and "Second line" in paras[1]
    assert root.find(f".//{t}span").text == "bold" and root.find(f".//{t}a").text == "link"
    assert root.find(f".//{t}note-citation").text == "1"
    assert "ES:The note text." in paras and "ES:List entry" in paras and "ES:Cell text" in paras
    assert "ES:Header words" in b.read("styles.xml").decode()
    assert report.translated == 7


# ---- PO and XLIFF -------------------------------------------------------------------------------


def _po_units(path: Path):
    from translate.storage import pypo

    store = pypo.pofile.parsefile(str(path))
    return {str(u.source.strings[0] if u.hasplural() else u.source): u for u in store.units if not u.isheader()}


def test_po_fills_untranslated_messages_and_marks_them_fuzzy(samples, tmp_path):
    out, report = run(samples["po"], tmp_path)
    units = _po_units(out)
    assert (
        units["Open %s in the editor"].target == "ES:Open %s in the editor" and units["Open %s in the editor"].isfuzzy()
    )
    assert "c-format" in out.read_text()
    assert units["Already done"].target == "Ya hecho" and not units["Already done"].isfuzzy()
    assert units["Fuzzy one"].target == "Difuso"
    plural = units["One file deleted"]
    assert [str(s) for s in plural.target.strings] == ["ES:One file deleted", "ES:%d files deleted"]
    assert units["Hello {name}!\nWelcome back."].target == "ES:Hello {name}!\nWelcome back."
    assert "#: main.c:10" in out.read_text() and '#~ msgid "Obsolete"' in out.read_text()
    assert report.skipped[documents.common.ALREADY_TRANSLATED] == 1
    assert report.skipped[documents.common.FUZZY_KEPT] == 1 and report.skipped[documents.common.OBSOLETE] == 1


def test_po_all_units_retranslates_everything(samples, tmp_path):
    out, _ = run(samples["po"], tmp_path, all_units=True)
    units = _po_units(out)
    assert units["Already done"].target == "ES:Already done" and units["Already done"].isfuzzy()


def test_po_placeholders_are_never_sent_to_the_model(samples, tmp_path):
    fake = FakeES()
    run(samples["po"], tmp_path, fake)
    sent = " ".join(line for call in fake.calls for line in call)
    assert "%s" not in sent and "%d" not in sent and "{name}" not in sent


def test_xliff12_targets_copy_inline_markup_and_need_review(samples, tmp_path):
    out, report = run(samples["xliff"], tmp_path)
    from lxml import etree

    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    root = etree.fromstring(out.read_bytes())
    unit = root.find(".//x:trans-unit[@id='save']", ns)
    target = unit.find("x:target", ns)
    assert target.get("state") == "needs-review-translation"
    assert [c.tag.split("}")[1] for c in target] == ["g", "x"] and target.find("x:g", ns).text == "Save"
    assert "".join(target.itertext()) == "ES:Press Save to keep your work."
    assert root.find(".//x:trans-unit[@id='done']/x:target", ns).text == "Hecho"
    assert root.find(".//x:trans-unit[@id='skip']/x:target", ns) is None
    assert report.translated == 1 and report.left == 2


def test_xliff20_targets(samples, tmp_path):
    out, _ = run(samples["xliff2"], tmp_path, all_units=True)
    from lxml import etree

    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    root = etree.fromstring(out.read_bytes())
    seg = root.find(".//x:unit[@id='u1']/x:segment", ns)
    assert seg.get("state") == "translated"
    target = seg.find("x:target", ns)
    assert [c.tag.split("}")[1] for c in target] == ["pc", "ph"] and target.find("x:pc", ns).text == "file"
    assert root.find(".//x:unit[@id='u2']//x:target", ns).text == "ES:Yes"


# ---- errors, safety, progress ---------------------------------------------------------------------

BROKEN = {
    "txt": b"caf\xe9 au lait\n",
    "md": b"\xff\xfe\x00\x00bad",
    "html": b"<p>caf\xe9</p>",
    "docx": b"PK\x03\x04 truncated",
    "odt": b"not a zip at all",
    "srt": b"1\nnot a timing\nHello\n",
    "vtt": b"1\n00:00.000 --> 00:01.000\nHi\n",
    "po": b'msgid "unterminated\nmsgstr ""\n',
    "xliff": b"<?xml version='1.0'?><xliff version='1.2'><file><body><trans-unit>",
}


@pytest.mark.parametrize("fmt", sorted(BROKEN))
def test_malformed_file_gives_a_clear_error_naming_it(fmt, tmp_path):
    ext = documents.FORMATS[fmt][0]
    bad = tmp_path / f"broken{ext}"
    bad.write_bytes(BROKEN[fmt])
    with pytest.raises(DocumentError) as info:
        translate_document(bad, tmp_path / f"out{ext}", FakeES())
    assert str(info.value).startswith(str(bad)) and len(str(info.value)) > len(str(bad)) + 10
    assert not (tmp_path / f"out{ext}").exists() and bad.read_bytes() == BROKEN[fmt]


def test_empty_file_and_unknown_extension(tmp_path):
    empty = tmp_path / "e.docx"
    empty.write_bytes(b"")
    with pytest.raises(DocumentError, match="empty"):
        translate_document(empty, tmp_path / "o.docx", FakeES())
    odd = tmp_path / "a.xyz"
    odd.write_text("hi")
    with pytest.raises(DocumentError, match="extension"):
        translate_document(odd, tmp_path / "o.xyz", FakeES())
    out, _ = run(odd, tmp_path, fmt="txt")
    assert out.read_text() == "ES:hi"


def test_never_overwrites_the_input(samples, tmp_path):
    src = samples["txt"]
    before = sha(src)
    link = tmp_path / "hard.txt"
    os.link(src, link)
    sym = tmp_path / "sym.txt"
    sym.symlink_to(src)
    for target in (src, Path(str(src).replace("/in/", "/in/./")), link, sym):
        with pytest.raises(DocumentError, match="input file itself"):
            translate_document(src, target, FakeES())
    assert sha(src) == before


def test_progress_and_cancel(samples, tmp_path):
    seen = []
    run(samples["docx"], tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1] > 0
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    stop = threading.Event()
    out = tmp_path / "cancelled.docx"

    def progress(done, total):
        stop.set()

    with pytest.raises(Cancelled):
        translate_document(samples["docx"], out, FakeES(), progress=progress, cancel=stop)
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))


def test_batches_go_through_translate_lines_with_the_glossary(samples, tmp_path):
    terms = tmp_path / "terms.tsv"
    terms.write_text("source\ttarget\nannual report\tinforme anual\n# a comment\nfiles\tficheros\n")
    glossary = documents.load_glossary(terms)
    assert glossary == {"annual report": "informe anual", "files": "ficheros"}
    fake = FakeES()
    run(samples["docx"], tmp_path, fake, glossary=glossary)
    assert fake.calls and all(g == glossary for g in fake.glossaries)
    tbx = tmp_path / "terms.tbx"
    tbx.write_text("""<?xml version="1.0"?><martif type="TBX" xml:lang="en"><text><body>
      <termEntry><langSet xml:lang="en"><tig><term>annual report</term></tig></langSet>
      <langSet xml:lang="es"><tig><term>informe anual</term></tig></langSet></termEntry></body></text></martif>""")
    assert documents.load_glossary(tbx, "en", "es") == {"annual report": "informe anual"}
    bad = tmp_path / "bad.tsv"
    bad.write_text("only one column\n")
    with pytest.raises(DocumentError, match="bad.tsv"):
        documents.load_glossary(bad)


def test_a_translator_that_loses_markers_keeps_all_text(samples, tmp_path):
    class Lossy(FakeES):
        def translate_lines(self, lines, decode=None, batch_size=64, *, glossary=None):
            return [re.sub("\u27e6\\d+\u27e7", "", line).upper() for line in lines]

    out, report = run(samples["html"], tmp_path, Lossy())
    from lxml import html

    p = html.document_fromstring(out.read_bytes()).find(".//p")
    assert p.text_content().replace(" ", "").startswith("CLICKHERETOSAVETHE")
    assert p.find("code").text == "notes.txt" and report.approximated >= 1


def test_attention_places_formatting_for_models_without_markers(tmp_path):
    """A Translator-like object without placeholder pieces: formats follow the attention."""
    import numpy as np

    class Sentence:
        def __init__(self, source, text, src, tgt, attention):
            self.source, self.text, self.source_tokens, self.target_tokens = source, text, src, tgt
            self.attention = attention

    class Aligned(FakeES):
        preserves_markers = False

        def translate(self, text, decode=None, *, glossary=None):
            assert text == "the red car"
            att = np.zeros((4, 4), dtype=np.float32)
            for t, s in ((0, 0), (1, 2), (2, 1), (3, 3)):  # el<-the coche<-car rojo<-red
                att[t, s] = 1.0
            sent = Sentence(
                text,
                "el coche rojo",
                ("\u2581the", "\u2581red", "\u2581car", "</s>"),
                ("\u2581el", "\u2581coche", "\u2581rojo", "</s>"),
                att,
            )
            return type("T", (), {"text": sent.text, "sentences": (sent,)})()

    src = tmp_path / "car.html"
    src.write_text("<p>the <b>red</b> car</p>")
    out, report = run(src, tmp_path, Aligned())
    assert out.read_text().strip() == "<p>el coche <b>rojo</b></p>"
    assert report.approximated == 0


def test_distribute_keeps_words_and_proportions():
    assert distribute("uno dos tres cuatro", [10, 10]) == ["uno dos", "tres cuatro"]
    assert distribute("uno", [5, 5]) == ["uno", ""]
    assert distribute("a b c", [0, 3, 0]) == ["", "a b c", ""]
    parts = distribute("w " * 50, [1, 1, 1])
    assert " ".join(parts).split() == ["w"] * 50 and all(parts)


def test_load_document_reports_every_segment(samples):
    doc = documents.load_document(samples["md"])
    assert doc.segments and all(isinstance(s, documents.Segment) for s in doc.segments)


# ---- the real model, end to end ----------------------------------------------------------------


@pytest.fixture(scope="module")
def real_translator():
    if not (MODEL / "weights.pt").exists():
        pytest.skip("the bundled model is missing")
    import torch

    from translator_app.core.translation.translator import Translator

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield Translator.load(MODEL)
    torch.set_num_threads(before)


@pytest.mark.parametrize("fmt", ["docx", "html"])
def test_bundled_model_end_to_end(fmt, samples, tmp_path, real_translator):
    out, report = run(samples[fmt], tmp_path, real_translator, decode=DecodeConfig(beam_size=2))
    assert report.translated >= 5 and report.left <= 6
    if fmt == "docx":
        _, n_in, runs_in, fmt_in, tables_in = _docx_shape(samples["docx"])
        doc, n_out, runs_out, fmt_out, tables_out = _docx_shape(out)
        assert (n_in, runs_in, fmt_in, tables_in) == (n_out, runs_out, fmt_out, tables_out)
        assert doc.paragraphs[0].text and doc.paragraphs[0].text != "The annual report"
        runs = doc.paragraphs[1].runs
        assert runs[1].bold and runs[5].text == "ls -l"  # inline code verbatim
        assert sum(len(r.text) for r in runs) > 20
    else:
        (tags_in, _), (tags_out, root) = _tree(samples["html"]), _tree(out)
        assert tags_in == tags_out
        assert root.find(".//code").text == "notes.txt" and root.find(".//h1").text != "Welcome home"
        assert root.find(".//script").text == 'var msg = "do not translate";'


def test_cli_translate_file_markdown(samples, tmp_path):
    out = tmp_path / "out.md"
    proc = subprocess.run(
        [sys.executable, "-m", "translator_app", "translate-file", str(samples["md"]), str(out), "--beam", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "segments translated" in proc.stdout and out.exists()
    text = out.read_text()
    assert '```python\nprint("code block")\n```' in text and "`inline code`" in text
    assert _md_tokens(text)[:3] == _md_tokens(MD)[:3]
    same = subprocess.run(
        [sys.executable, "-m", "translator_app", "translate-file", str(samples["md"]), str(samples["md"])],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert same.returncode == 2 and "input file itself" in same.stderr
