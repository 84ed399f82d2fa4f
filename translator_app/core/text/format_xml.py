"""TMX (streamed with lxml ``iterparse``) and XLIFF 1.2 / 2.0 (translate-toolkit) as candidate pairs.

Each reader yields ``(source, target, line or unit, skip reason or None)`` (:data:`Candidates`)
and sets the report's languages; :func:`translator_app.core.text.formats.iter_pairs` keeps or skips.
"""

from __future__ import annotations

import io
from pathlib import Path

from translator_app.core.base.langcodes import base_code
from translator_app.core.text.corpus_report import CorpusReport
from translator_app.core.text.format_common import (
    FUZZY,
    NOT_TRANSLATABLE,
    UNTRANSLATED,
    XLIFF12_FUZZY,
    XLIFF12_NEW,
    XML_LANG,
    Candidates,
    Options,
    flatten,
    local_name,
    markers_for,
    read_bytes,
    root_element,
    sniff_binary,
    strip_accelerators,
    xml_error,
)


def read_tmx(path: Path, report: CorpusReport, opt: Options) -> Candidates:
    from lxml import etree

    sniff_binary(path, read_bytes(path, None, "TMX"), "TMX")
    root_element(path, str(path), "TMX", "tmx")
    markers = markers_for(opt.accelerators, "", default_on=False)
    src, tgt = base_code(opt.src_lang), base_code(opt.tgt_lang)
    header_src = ""
    seen: dict[str, None] = {}  # every language met, in order
    events = etree.iterparse(
        str(path),
        events=("start", "end"),
        tag=("{*}header", "{*}tu"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        for event, el in events:
            if event == "start":
                if local_name(el.tag) == "header":
                    header_src = base_code(el.get("srclang"))
                continue
            if local_name(el.tag) != "tu":
                continue
            variants: dict[str, str] = {}
            for tuv in el:
                if local_name(tuv.tag) == "tuv":
                    lang = base_code(tuv.get(XML_LANG) or tuv.get("lang"))
                    seg = next((c for c in tuv if local_name(c.tag) == "seg"), None)
                    if lang and lang not in variants:
                        variants[lang] = flatten(seg)
                        seen.setdefault(lang)
            src = src or header_src or next(iter(variants), "")
            tgt = tgt or next((lang for lang in variants if lang != src), "")
            if tgt:
                report.src_lang, report.tgt_lang = src, tgt
            line = el.sourceline or 0
            if src in variants and tgt in variants:
                s, t = variants[src], variants[tgt]
                if markers:
                    s, t = strip_accelerators(s, *markers), strip_accelerators(t, *markers)
                yield s, t, line, None
            else:
                yield "", "", line, f"missing the {src or '?'} or {tgt or '?'} segment"
            el.clear(keep_tail=False)  # keep memory flat: drop this unit and the ones before it
            parent = el.getparent()
            while parent is not None and el.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        raise xml_error(path, exc, "TMX") from exc
    if len(seen) > 2:
        hint = "" if opt.src_lang or opt.tgt_lang else " (choose others with src_lang / tgt_lang)"
        report.notes.append(f"the TMX has {len(seen)} languages ({', '.join(seen)}); read {src} → {tgt}{hint}")


# ---- XLIFF 1.2 / 2.0 (translate-toolkit) ------------------------------------------------------


def read_xliff(path: Path, report: CorpusReport, opt: Options) -> Candidates:
    from lxml import etree
    from translate.storage import xliff, xliff2

    data = read_bytes(path, opt.max_file_bytes, "XLIFF")
    sniff_binary(path, data[:4], "XLIFF")
    root = root_element(path, io.BytesIO(data), "XLIFF", "xliff")  # which version, before parsing it all
    version = root.get("version", "")
    v2 = version.startswith("2") or (not version and ":2." in (root.nsmap.get(None) or ""))
    try:
        store = (xliff2.Xliff2File if v2 else xliff.xlifffile).parsestring(data)
    except etree.XMLSyntaxError as exc:
        raise xml_error(path, exc, "XLIFF") from exc
    del data
    markers = markers_for(opt.accelerators, "", default_on=False)
    doc = store.document.getroot()
    first = doc if v2 else next((f for f in doc if local_name(f.tag) == "file"), doc)
    pair = (
        base_code(first.get("srcLang" if v2 else "source-language")),
        base_code(first.get("trgLang" if v2 else "target-language")),
    )
    if pair[0] and pair[1]:
        report.src_lang, report.tgt_lang = pair
    other_pair = f"a <file> with another language pair than {pair[0]} → {pair[1]}"
    for unit in store.units:
        el = unit.xmlelement
        line = el.sourceline or 0
        src_el, tgt_el = el.find(unit.namespaced("source")), el.find(unit.namespaced("target"))
        if not unit.istranslatable():
            yield "", "", line, NOT_TRANSLATABLE
            continue
        if v2:
            fuzzy, new = unit.isfuzzy(), False
        else:
            file_el = next(el.iterancestors(store.namespaced("file")), None)
            if (
                file_el is not None
                and (base_code(file_el.get("source-language")), base_code(file_el.get("target-language"))) != pair
            ):
                yield "", "", line, other_pair
                continue
            attrs = tgt_el.attrib if tgt_el is not None else {}
            state = attrs.get("state", "")
            fuzzy, new = state in XLIFF12_FUZZY or attrs.get("state-qualifier") == "fuzzy-match", state in XLIFF12_NEW
        src, tgt = flatten(src_el), flatten(tgt_el)
        if new and tgt.strip():
            yield src, tgt, line, UNTRANSLATED
        elif fuzzy and not opt.include_fuzzy and tgt.strip():
            yield src, tgt, line, FUZZY
        else:
            if markers:
                src, tgt = strip_accelerators(src, *markers), strip_accelerators(tgt, *markers)
            yield src, tgt, line, None
