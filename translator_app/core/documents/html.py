"""HTML (.html, .htm): lxml.html tree; tags, attributes, comments, scripts and styles are kept.

Every block element (p, h1–h6, li, td, dt, caption, …) is a segment of its own content; inline
elements (b, i, em, strong, a, span, …) inside it are slots that keep their words; code, kbd,
samp, var, tt, img, script, style and the like are kept verbatim in place; br and wbr are line
breaks. pre, textarea, svg, math, template and anything marked translate="no" (or class
"notranslate") are left as they are. alt, title, placeholder and aria-label attributes are
translated as segments of their own. A fragment (no <html>) is written back as a fragment; the
doctype stays; the output is in the input's encoding (characters it cannot hold as references).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from translator_app.core.documents.common import (
    CODE_BLOCK,
    NOT_TRANSLATABLE,
    DocumentError,
    Segment,
    decode_strict,
    text_segment,
    xml_safe,
)
from translator_app.core.documents.xmltree import (
    BLOCK,
    CODE_EL,
    CONTAINER,
    IGNORE,
    INLINE,
    SEP_EL,
    SKIP,
    SPACE_EL,
    Walker,
    apply,
    check_parser_losses,
)

INLINE_TAGS = set(
    "a abbr b bdi bdo big cite data del dfn em font i ins label mark q s small span strike strong "
    "sub sup time u".split()
)
CODE_TAGS = set(
    "code kbd samp var tt img input select button script style noscript object embed iframe "
    "video audio canvas map output meter progress picture source".split()
)
SPACE_TAGS = {"br"}
SEP_TAGS = {"wbr"}
SKIP_TAGS = set("pre textarea svg math template".split())
BLOCK_TAGS = set(
    "p h1 h2 h3 h4 h5 h6 li dt dd td th caption figcaption blockquote address legend summary option title label".split()
)
ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([-\w.:]+)", re.IGNORECASE)
_FULL = re.compile(rb"<html[\s>]|<!doctype|<body[\s>]|<head[\s>]", re.IGNORECASE)


def _no_translate(el) -> bool:
    return el.get("translate", "").lower() == "no" or "notranslate" in el.get("class", "").split()


def _classify(el) -> str:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if not tag:
        return IGNORE
    if _no_translate(el) or tag in SKIP_TAGS:
        return SKIP
    if tag in CODE_TAGS:
        return CODE_EL
    if tag in INLINE_TAGS:
        return INLINE
    if tag in SPACE_TAGS:
        return SPACE_EL
    if tag in SEP_TAGS:
        return SEP_EL
    return BLOCK if tag in BLOCK_TAGS else CONTAINER


def _skip_reason(el) -> str:
    return NOT_TRANSLATABLE if _no_translate(el) else CODE_BLOCK


@dataclass
class HtmlDocument:
    root: object
    fragment: bool
    encoding: str
    doctype: str
    results: list
    segments: list[Segment]

    def render(self) -> bytes:
        from lxml import html

        apply(self.results)
        kept = _shield_uris(self.root)
        try:
            if self.fragment:
                body = [escape(xml_safe(self.root.text or ""), quote=False)] + [
                    html.tostring(c, encoding="unicode") for c in self.root
                ]
                text = "".join(body)
            else:
                # without a DOCTYPE in the input, the element alone: the tree would add libxml2's
                tree = self.root.getroottree() if self.doctype else self.root
                text = html.tostring(tree, encoding="unicode", doctype=self.doctype or None)
        finally:
            for (el, name, value), _ in kept:
                el.set(name, value)
        for (_, _, value), token in kept:
            text = text.replace(token, escape(value, quote=False).replace('"', "&quot;"), 1)
        if not text.endswith("\n"):
            text += "\n"
        return text.encode(self.encoding, errors="xmlcharrefreplace")


_URI_ATTRS = {"href", "src", "action"}  # (and name on <a>) libxml2's HTML writer percent-encodes these
_URI_SAFE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*\Z")


def _shield_uris(root) -> list:
    """Stand-ins for the URI attributes the HTML writer would percent-encode (a space in
    ``javascript:alert('a b')``, a non-ASCII file name): the value is written back as it was."""
    kept = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            low = name.lower()
            if (low in _URI_ATTRS or (low == "name" and el.tag.lower() == "a")) and not _URI_SAFE.match(value):
                token = f"urikept{len(kept)}x{id(root):x}"
                kept.append(((el, name, value), token))
    for (el, name, _), token in kept:
        el.set(name, token)
    return kept


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if not data.strip():
        raise DocumentError(path, "the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        data, encoding = data[3:], "utf-8"
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    else:
        m = _CHARSET.search(data[:4096])
        encoding = m.group(1).decode("ascii", "replace").lower() if m else "utf-8"
    text = decode_strict(
        path,
        data,
        encoding,
        f"unknown charset {encoding!r} in its <meta>",
        "save it as UTF-8 or declare its charset in a <meta> tag",
    )
    if "\x00" in text:
        raise DocumentError(path, "contains NUL characters; this is not an HTML file")
    return text.lstrip("\ufeff"), "utf-8" if encoding.startswith("utf-16") else encoding


def load_html(path: Path, data: bytes, options) -> HtmlDocument:
    from lxml import etree, html

    text, encoding = _decode(path, data)
    fragment = not _FULL.search(data[:65536]) and not _FULL.search(text[:65536].encode("utf-8", "replace"))
    # huge_tree: depth up to 2048 and text nodes over 10 MB; past that the parser drops the rest
    # of the file, which check_parser_losses refuses
    parser = html.HTMLParser(no_network=True, remove_comments=False, remove_pis=False, huge_tree=True)
    try:
        if fragment:
            root = html.fragment_fromstring(text, create_parent="div", parser=parser)
        else:
            root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise DocumentError(path, f"cannot parse this HTML: {exc}") from None
    check_parser_losses(path, parser, "HTML file")
    # libxml2 invents an HTML 4.0 DOCTYPE for a page without one: keep only one the file has
    has_doctype = re.search(r"<!doctype", text[:65536], re.IGNORECASE) is not None
    doctype = root.getroottree().docinfo.doctype if not fragment and has_doctype else ""
    walker = Walker(
        _classify,
        label=lambda el, parent: el,
        skip_reason=_skip_reason,
        where=lambda el: f"<{el.tag}> line {el.sourceline}",
    )
    results = walker.segments(root)
    for el in root.iter():
        if not isinstance(el.tag, str) or any(_classify(a) == SKIP for a in el.iterancestors()):
            continue
        for name in ATTRIBUTES:
            value = el.get(name)
            if value and value.strip():
                seg = text_segment(value, f"<{el.tag} {name}> line {el.sourceline}")
                results.append((seg, [(el, "@" + name)]))
    return HtmlDocument(root, fragment, encoding, doctype, results, [seg for seg, _ in results])
