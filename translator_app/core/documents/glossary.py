"""Glossaries for document translation: a two-column TSV or a TBX file -> {source term: target term}.

The dict goes to ``Translator.translate_lines(..., glossary=...)``: models with placeholder
pieces then keep each term as given (see core/text/spans.py).
"""

from __future__ import annotations

from pathlib import Path

from translator_app.core.base.langcodes import base_code as _lang
from translator_app.core.documents.common import DocumentError, decode_text, read_input

MAX_GLOSSARY_BYTES = 32 * 1024 * 1024
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def load_glossary(path: str | Path, src_lang: str = "", tgt_lang: str = "") -> dict[str, str]:
    path = Path(path)
    if not path.is_file():
        raise DocumentError(path, "glossary not found")
    data = read_input(path, MAX_GLOSSARY_BYTES)
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if path.suffix.lower() == ".tbx" or head.startswith((b"<?xml", b"<martif", b"<tbx")):
        terms = _read_tbx(path, data, _lang(src_lang), _lang(tgt_lang))
    else:
        terms = _read_tsv(path, data)
    if not terms:
        raise DocumentError(path, "the glossary has no term pairs (expected source<TAB>target lines, or TBX)")
    return terms


def _read_tsv(path: Path, data: bytes) -> dict[str, str]:
    text = decode_text(path, data, "a glossary").text
    terms: dict[str, str] = {}
    for n, line in enumerate(text.split("\n")):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = [c.strip() for c in line.split("\t")]
        if n == 0 and [c.lower() for c in cols[:2]] in (["source", "target"], ["src", "tgt"], ["term", "translation"]):
            continue
        if len(cols) < 2 or not cols[0] or not cols[1]:
            raise DocumentError(path, f"line {n + 1}: expected a source term, a tab and a target term")
        terms[cols[0]] = cols[1]
    return terms


def _read_tbx(path: Path, data: bytes, src: str, tgt: str) -> dict[str, str]:
    from translator_app.core.documents.xmltree import local, parse_xml

    root = parse_xml(path, data, "the TBX glossary")
    terms: dict[str, str] = {}
    for entry in root.iter():
        if local(entry.tag) not in ("termEntry", "conceptEntry"):
            continue
        langs: list[tuple[str, str]] = []
        for lang_set in entry:
            if local(lang_set.tag) not in ("langSet", "langSec"):
                continue
            term = next((t for t in lang_set.iter() if local(t.tag) == "term"), None)
            if term is not None and "".join(term.itertext()).strip():
                langs.append((_lang(lang_set.get(XML_LANG) or lang_set.get("lang")), "".join(term.itertext()).strip()))
        if len(langs) < 2:
            continue
        source = next((t for lang, t in langs if lang == src), None) if src else langs[0][1]
        target = next((t for lang, t in langs if lang == tgt), None) if tgt else None
        if target is None and not tgt:
            target = next((t for lang, t in langs if t != source), None)
        if source and target:
            terms[source] = target
    return terms
