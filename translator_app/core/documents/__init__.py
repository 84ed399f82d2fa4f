"""Translate whole documents, keeping their structure: txt, Markdown, HTML, DOCX, ODT, SRT, VTT, PO, XLIFF.

    report = translate_document("in.docx", "out.docx", translator, decode=DOCUMENT,
                                glossary=load_glossary("terms.tsv"), progress=print, cancel=event)

A reader per format (one module each) turns the file into segments and writes the translation
back into its own structure; :mod:`.engine` sends every segment through the translator's one
decoding path (``translate_lines`` in batches). ``translator`` is anything with the
``Translator.translate_lines`` signature (a fake in tests). The input is only read; the output
is written atomically and never onto the input. Every problem with a file is a
:class:`DocumentError` naming it; ``cancel`` (a core.base.cancel.CancelToken, an Event or a callable)
raises :class:`Cancelled`. Qt-free and torch-free. A part of the core beside core.translation (it
calls a translator it is given): it may import core.folders, core.text and core.base.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translator_app.core.documents.common import (  # noqa: F401  (the public names)
    Cancelled,
    Clock,
    DocumentError,
    DocumentReport,
    Segment,
    atomic_write_bytes,
    check_paths,
    read_input,
)
from translator_app.core.documents.glossary import load_glossary  # noqa: F401 - re-exported: the CLI and workers read glossaries from here
from translator_app.core.model.decoding import LIVE, DecodeConfig

FORMATS: dict[str, tuple[str, ...]] = {
    "txt": (".txt", ".text"),
    "md": (".md", ".markdown", ".mdown", ".mkd"),
    "html": (".html", ".htm", ".xhtml"),
    "docx": (".docx",),
    "odt": (".odt",),
    "srt": (".srt",),
    "vtt": (".vtt",),
    "po": (".po", ".pot"),
    "xliff": (".xliff", ".xlf"),
}
NAMES = {
    "txt": "text",
    "md": "Markdown",
    "html": "HTML",
    "docx": "Word (.docx)",
    "odt": "OpenDocument (.odt)",
    "srt": "SubRip subtitle",
    "vtt": "WebVTT subtitle",
    "po": "gettext PO",
    "xliff": "XLIFF",
}
FILE_FILTER = "Documents (" + " ".join(f"*{s}" for exts in FORMATS.values() for s in exts) + ")"


@dataclass(frozen=True)
class Options:
    all_units: bool = False  # PO / XLIFF: also units that already have a translation
    encoding: str | None = None  # text formats without a byte order mark (default UTF-8)


def _loader(fmt: str) -> Callable:
    from translator_app.core.documents import docx, html, l10n, markdown, odt, plain

    return {
        "txt": plain.load_txt,
        "md": markdown.load_markdown,
        "html": html.load_html,
        "docx": docx.load_docx,
        "odt": odt.load_odt,
        "srt": plain.load_srt,
        "vtt": plain.load_vtt,
        "po": l10n.load_po,
        "xliff": l10n.load_xliff,
    }[fmt]


def detect_format(path: str | Path, fmt: str | None = None) -> str:
    if fmt:
        key = fmt.lower().lstrip(".")
        key = next((k for k, exts in FORMATS.items() if key == k or f".{key}" in exts), key)
        if key not in FORMATS:
            raise DocumentError(path, f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return key
    suffix = Path(path).suffix.lower()
    for key, exts in FORMATS.items():
        if suffix in exts:
            return key
    known = ", ".join(s for exts in FORMATS.values() for s in exts)
    raise DocumentError(
        path,
        f"cannot tell the format from the extension {suffix or '(none)'!r}; supported: "
        f"{known} (or give the format explicitly)",
    )


def check_output_format(out: str | Path, fmt: str, src: str | Path | None = None) -> None:
    """Refuse an output whose extension is neither the input's (``src``) nor one of ``fmt``'s: the
    translation is written in the input's format, so ``page.html`` → ``out.pdf`` would be HTML in
    a ``.pdf`` file."""
    exts = FORMATS[fmt]
    suffix = Path(out).suffix.lower()
    if suffix not in exts and (src is None or suffix != Path(src).suffix.lower()):
        raise DocumentError(
            out,
            f"the translation is written as {NAMES.get(fmt, fmt)} (the input's format), so the output "
            f"needs the extension {' or '.join(exts)}, not {suffix or '(none)'!r}; this app converts "
            "no formats",
        )


def load_document(path: str | Path, fmt: str | None = None, *, all_units: bool = False, encoding: str | None = None):
    """The parsed document (``.segments``, ``.render()``); any problem is a DocumentError naming ``path``."""
    path = Path(path)
    fmt = detect_format(path, fmt)
    data = read_input(path)
    try:
        return _loader(fmt)(path, data, Options(all_units, encoding))
    except DocumentError:
        raise
    except MemoryError:
        raise DocumentError(path, "too large to translate in memory") from None
    except RecursionError:
        raise DocumentError(path, f"this {NAMES[fmt]} file is nested too deeply") from None
    except Exception as exc:
        raise DocumentError(
            path,
            f"cannot read this {NAMES[fmt]} file: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
        ) from exc


def translate_document(
    source: str | Path,
    output: str | Path,
    translator: Any,
    *,
    fmt: str | None = None,
    decode: DecodeConfig = LIVE,
    glossary: Mapping[str, str] | None = None,
    all_units: bool = False,
    encoding: str | None = None,
    progress: Callable[[int, int], Any] | None = None,
    cancel: Any = None,
) -> DocumentReport:
    """Translate ``source`` into ``output`` (same format) and say what was done; ``decode``: how
    the translator searches (core.model.decoding: ``LIVE`` greedy, ``DOCUMENT`` beam 5, or any config).

    progress(done, total) is called after each batch of segments; a set ``cancel`` stops
    before the next batch (``Cancelled``; nothing is written)."""
    from translator_app.core.documents.engine import Engine

    clock = Clock()
    src, out = check_paths(source, output)
    fmt = detect_format(src, fmt)
    doc = load_document(src, fmt, all_units=all_units, encoding=encoding)
    report = DocumentReport(str(src), str(out), fmt, beam_size=decode.beam_size)
    engine = Engine(translator, decode=decode, glossary=glossary, progress=progress, cancel=cancel)
    memory = getattr(translator, "memory", None)  # a translation memory: its matches are reported
    mark = memory.counts() if memory is not None else None
    engine.run(doc.segments, report)
    if memory is not None:
        report.notes += memory.report_since(mark)
    try:
        data = doc.render()
    except DocumentError:
        raise
    except UnicodeEncodeError as exc:
        raise DocumentError(
            src,
            f"the translation has characters the file's encoding ({exc.encoding}) cannot "
            "hold; convert the file to UTF-8",
        ) from None
    except Exception as exc:
        raise DocumentError(src, f"cannot write the translated {NAMES[fmt]} file: {type(exc).__name__}: {exc}") from exc
    if cancel is not None and getattr(cancel, "is_set", cancel)():
        raise Cancelled(f"cancelled; {out} was not written")
    atomic_write_bytes(out, data)
    report.seconds = clock.seconds()
    return report
