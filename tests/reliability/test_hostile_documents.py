"""Issue 29: hostile documents never lose text and never report a false success.

The translator is a stand-in ("ES:" + line), so these tests measure the readers and writers."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator_app.core.documents import DocumentError, translate_document


class FakeES:
    def translate_lines(self, lines, decode=None, batch_size=64, *, glossary=None):
        return ["ES:" + line for line in lines]


def _translate(tmp_path: Path, name: str, data: bytes | str, **kw):
    src = tmp_path / name
    src.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    out = tmp_path / ("out." + name.rpartition(".")[2])
    report = translate_document(src, out, FakeES(), **kw)
    return report, out


# ---- 1: deep or huge HTML -------------------------------------------------------------------


def test_html_nested_260_deep_keeps_every_paragraph(tmp_path):
    n = 260
    html = "<p>Before.</p>" + "<div>" * n + "<p>Deep paragraph.</p>" + "</div>" * n + "<p>After the deep.</p>"
    report, out = _translate(tmp_path, "deep.html", html)
    text = out.read_text()
    assert "ES:Deep paragraph." in text and "ES:After the deep." in text
    assert report.translated == 3


def test_html_nested_beyond_the_parser_limit_is_refused_not_truncated(tmp_path):
    n = 10_000
    html = "<p>Before.</p>" + "<div>" * n + "<p>Deep.</p>" + "</div>" * n + "<p>After the deep.</p>"
    with pytest.raises(DocumentError, match="nested more than .* levels deep") as err:
        _translate(tmp_path, "deep.html", html)
    assert str(err.value).startswith(str(tmp_path / "deep.html"))
    assert not (tmp_path / "out.html").exists()


def test_html_with_an_11_mb_paragraph_keeps_it_and_what_follows(tmp_path):
    big = "word " * 2_200_000
    report, out = _translate(tmp_path, "big.html", f"<p>{big}</p><p>After the big paragraph.</p>")
    text = out.read_text()
    assert big.strip() in text
    assert "ES:After the big paragraph." in text
    assert report.translated == 1 and report.left == 1


# ---- 12: entity declarations ------------------------------------------------------------------

XXE_XLIFF = """<?xml version="1.0"?>
<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file source-language="en" target-language="es" datatype="plaintext" original="x"><body>
<trans-unit id="1"><source>Hello &xxe; world.</source></trans-unit>
</body></file></xliff>
"""


def test_xliff_declaring_entities_is_refused_not_copied(tmp_path):
    with pytest.raises(DocumentError, match="declares entities"):
        _translate(tmp_path, "x.xlf", XXE_XLIFF)
    assert not (tmp_path / "out.xlf").exists()


def test_docx_declaring_entities_is_refused(tmp_path):
    import io
    import zipfile

    from tests.core.test_documents import make_samples

    samples = make_samples(tmp_path / "samples")
    src = zipfile.ZipFile(samples["docx"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w:document [<!ENTITY e "boom">]>', 1)
            out.writestr(info, data)
    with pytest.raises(DocumentError, match="declares entities"):
        _translate(tmp_path, "e.docx", buf.getvalue())


# ---- 13: SRT cues without a blank line between them ------------------------------------------


def test_srt_cues_without_blank_lines_keep_their_timings(tmp_path):
    srt = "1\n00:00:01,000 --> 00:00:02,000\nHello there.\n2\n00:00:03,000 --> 00:00:04,000\nGood bye.\n"
    report, out = _translate(tmp_path, "a.srt", srt)
    lines = out.read_text().split("\n")
    assert lines[1] == "00:00:01,000 --> 00:00:02,000" and lines[4] == "00:00:03,000 --> 00:00:04,000"
    assert lines[3] == "2" and lines[2] == "ES:Hello there." and lines[5] == "ES:Good bye."
    assert report.translated == 2


def test_srt_error_points_at_the_broken_timing(tmp_path):
    srt = "1\n00:00:01,000 --> 00:00:02,000\nHello.\n\n2\n00:00::03,000 -> 00:00:04,000\nBye.\n"
    with pytest.raises(DocumentError, match=r"line 6: expected the timing of cue 2"):
        _translate(tmp_path, "b.srt", srt)


# ---- 14: zip bombs among documents ----------------------------------------------------------


def test_a_docx_that_unpacks_far_beyond_its_size_is_refused(tmp_path):
    import io
    import zipfile

    from tests.core.test_documents import make_samples

    samples = make_samples(tmp_path / "samples")
    buf = io.BytesIO()
    with zipfile.ZipFile(samples["docx"]) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info.filename, src.read(info))
        out.writestr("word/media/padding.bin", b"\0" * (200 << 20))
    assert len(buf.getvalue()) < 2 << 20
    with pytest.raises(DocumentError, match="zip bomb"):
        _translate(tmp_path, "bomb.docx", buf.getvalue())


# ---- 16: one sentence per line stays on its line --------------------------------------------


def test_txt_lines_are_never_merged_with_their_neighbours(tmp_path):
    lines = [
        f"Sentence number {i} is {'short' if i % 3 else 'a little longer than the others are'}." for i in range(200)
    ]
    report, out = _translate(tmp_path, "s.txt", "\n".join(lines) + "\n")
    assert out.read_text().split("\n")[:-1] == ["ES:" + line for line in lines]
    assert report.translated == 200


# ---- 17: messages -----------------------------------------------------------------------------


def test_bad_encoding_message_reads_well(tmp_path):
    with pytest.raises(DocumentError) as err:
        _translate(tmp_path, "bad.txt", b"Fine.\nBad \xff.\n")
    assert "line 2" in str(err.value) and "save the file as UTF-8" in str(err.value)
    assert "file file" not in str(err.value)


def test_markdown_nested_5000_deep_says_where_and_why(tmp_path):
    report, out = _translate(tmp_path, "d.md", "- " * 5000 + "Deep list text.\n\nAfter.\n")
    assert out.read_text().startswith("- " * 5000 + "Deep list text.")  # kept, byte for byte
    assert any("nested more than" in reason for reason in report.skipped)
    assert "line 1" in report.summary()


def test_html_link_targets_are_kept_as_written(tmp_path):
    html = """<p>Click <a href="javascript:alert('The link text')">the link</a> or <a href="a b/ü.html">this</a>.</p>"""
    _, out = _translate(tmp_path, "j.html", html)
    text = out.read_text()
    assert "href=\"javascript:alert('The link text')\"" in text and 'href="a b/ü.html"' in text
