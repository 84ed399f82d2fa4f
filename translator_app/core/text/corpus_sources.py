"""Which source each pair of a corpus came from: the ``NAME.sources`` sidecar beside ``NAME.tsv``.

``make corpus`` (scripts/build_corpus.py) writes ``data/corpus/en-es.tsv`` (``english<TAB>spanish``)
and ``data/corpus/en-es.sources``: one source name per line, line *k* naming the source of the
TSV's line *k*. The TSV stays a plain two-column file that every reader accepts; the sidecar is
read only when a run samples its training pairs by source (``DataConfig.by_source``,
core/train/source_mix.py). A sidecar whose line count differs from the TSV's belongs to another
build and is refused.
"""

from __future__ import annotations

from pathlib import Path

from translator_app.core.text import formats
from translator_app.core.text.corpus import read_corpus
from translator_app.core.text.corpus_report import CorpusError, CorpusReport

SOURCES_SUFFIX = ".sources"


def sources_path(path: str | Path) -> Path:
    """``data/corpus/en-es.tsv`` -> ``data/corpus/en-es.sources``."""
    return Path(path).with_suffix(SOURCES_SUFFIX)


def read_labels(path: str | Path) -> list[str]:
    """One source name per line (the same string object for every line of one source)."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(path, None, f"cannot read the source labels: {exc}") from exc
    if lines and lines[-1] == "":
        lines.pop()  # the last line's end
    names: dict[str, str] = {}
    labels = []
    for number, line in enumerate(lines, 1):
        name = line.strip()
        if not name or "\t" in name:
            raise CorpusError(path, number, "a line of a .sources file holds one source name")
        labels.append(names.setdefault(name, name))
    return labels


def read_labelled_corpus(
    path: str | Path, *, max_chars: int = 1000, dedupe: bool = True, lowercase: bool = False
) -> tuple[list[tuple[str, str]], list[str], CorpusReport]:
    """:func:`~translator_app.core.text.corpus.read_corpus` of a TSV with its ``.sources`` sidecar:
    (pairs, the source of each pair, report). A duplicate pair keeps the source of its first line.
    Raises CorpusError when the file is not a TSV, the sidecar is missing or belongs to another file."""
    sidecar = sources_path(path)
    if formats.format_of(path) or not sidecar.exists():
        raise CorpusError(
            path,
            None,
            f"sampling by source needs a TSV with {sidecar.name} beside it (one source name per line, "
            "as make corpus writes)",
        )
    lines: list[int] = []
    pairs, report = read_corpus(path, max_chars=max_chars, dedupe=dedupe, lowercase=lowercase, line_numbers=lines)
    labels = read_labels(sidecar)
    if len(labels) != report.lines:
        raise CorpusError(
            sidecar, None, f"{len(labels)} source labels for the {report.lines} lines of {Path(path).name}"
        )
    return pairs, [labels[n - 1] for n in lines], report
