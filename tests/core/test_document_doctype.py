"""An HTML page keeps its DOCTYPE, and gets none it did not have (issue #30, item 7)."""

from __future__ import annotations

from translator_app.core.documents import translate_document


class FakeES:
    def translate_lines(self, lines, decode=None, batch_size=64, *, glossary=None):
        return ["ES:" + line for line in lines]


def test_a_page_without_a_doctype_comes_back_without_one(tmp_path):
    src = tmp_path / "page.html"
    src.write_text("<html><head><title>Hi</title></head><body><p>Hello.</p></body></html>\n", encoding="utf-8")
    out = tmp_path / "page.es.html"
    translate_document(src, out, FakeES())
    text = out.read_text(encoding="utf-8")
    assert "doctype" not in text.lower() and text.startswith("<html>") and "ES:Hello." in text


def test_a_page_with_a_doctype_keeps_it(tmp_path):
    src = tmp_path / "page.html"
    src.write_text("<!DOCTYPE html>\n<html><body><p>Hello.</p></body></html>\n", encoding="utf-8")
    out = tmp_path / "page.es.html"
    translate_document(src, out, FakeES())
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.lower().count("<!doctype") == 1
