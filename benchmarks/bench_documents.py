#!/usr/bin/env python
"""Document translation speed: a generated 50-page DOCX (about 25,000 words) through
``core.documents.translate_document`` with the bundled model, greedy and beam 5.

Each page has a heading, paragraphs of English sentences from the model's held-out test split
(``models/en-es/test.tsv``) with bold and italic runs on some words, and a 4 x 3 table. For
every beam size it prints the segments and sentences translated, the seconds, sentences/s
and words/s, and checks that the output has the same paragraphs, runs and tables. When
LibreOffice's ``soffice`` is on the PATH it converts each output to PDF and says whether that
worked (a check that Word-compatible software opens the file).

    .venv/bin/python benchmarks/bench_documents.py                       # 50 pages, beams 1 and 5
    .venv/bin/python benchmarks/bench_documents.py --pages 2 --beams 1   # a quick check
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from translator_app.core.model.decoding import DecodeConfig  # noqa: E402


def english_sentences(model: Path) -> list[str]:
    rows = (model / "test.tsv").read_text(encoding="utf-8").splitlines()
    out = [r.split("\t")[0].strip() for r in rows if "\t" in r]
    return [s for s in out if s and s[-1] in ".!?"] or out


def build_docx(path: Path, pages: int, sentences: list[str], seed: int = 16) -> dict[str, int]:
    import docx

    rng = random.Random(seed)
    doc = docx.Document()
    words = 0

    def take(k: int) -> list[str]:
        return [rng.choice(sentences) for _ in range(k)]

    for page in range(pages):
        heading = rng.choice(sentences).rstrip(".!?")
        doc.add_heading(f"{page + 1}. {heading}", level=1)
        words += len(heading.split())
        while words < (page + 1) * 500 - 40:
            para = doc.add_paragraph()
            for sentence in take(rng.randint(3, 8)):
                tokens = sentence.split(" ")
                words += len(tokens)
                k = rng.randrange(len(tokens))
                style = rng.random()
                if style < 0.5 and len(tokens) > 2:  # one bold or italic word in half the sentences
                    before, word, after = " ".join(tokens[:k]), tokens[k], " ".join(tokens[k + 1 :])
                    if before:
                        para.add_run(before + " ")
                    run = para.add_run(word)
                    run.bold, run.italic = style < 0.3, style >= 0.3
                    para.add_run((" " + after if after else "") + " ")
                else:
                    para.add_run(sentence + " ")
        table = doc.add_table(rows=4, cols=3)
        for row in table.rows:
            for cell in row.cells:
                text = rng.choice(sentences)
                cell.text = text
                words += len(text.split())
        if page + 1 < pages:
            doc.add_page_break()
    doc.save(path)
    return {"pages": pages, "words": words}


def shape(path: Path) -> tuple[int, int, int]:
    import docx

    body = docx.Document(path).element.body
    return len(body.xpath(".//w:p")), len(body.xpath(".//w:r")), len(body.xpath(".//w:tbl"))


def count_sentences(doc_path: Path) -> int:
    import docx

    from translator_app.core.text.segment import split_sentences

    doc = docx.Document(doc_path)
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return sum(len(split_sentences(t)) for t in texts if t.strip())


def to_pdf(path: Path, out_dir: Path) -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return "soffice not found: PDF conversion skipped"
    try:
        proc = subprocess.run(
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(out_dir), str(path)],
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        return "soffice: timed out after 600 s"
    pdf = out_dir / (path.stem + ".pdf")
    ok = proc.returncode == 0 and pdf.exists() and pdf.stat().st_size > 0
    return f"soffice --convert-to pdf: {'OK' if ok else 'FAILED'} ({pdf if ok else proc.stderr.strip()[:200]})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(REPO / "models" / "en-es"))
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--beams", default="1,5", help="comma-separated beam sizes")
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    ap.add_argument("--keep", help="write the input and outputs to this folder")
    args = ap.parse_args(argv)

    import torch

    from translator_app.core.documents import translate_document
    from translator_app.core.translation.translator import Translator

    if args.threads:
        torch.set_num_threads(args.threads)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-documents-"))
    work.mkdir(parents=True, exist_ok=True)
    model = Path(args.model)
    source = work / f"report-{args.pages}p.docx"
    start = time.perf_counter()
    info = build_docx(source, args.pages, english_sentences(model))
    n_sentences = count_sentences(source)
    print(
        f"input: {source} ({info['pages']} pages, {info['words']:,} words, {n_sentences:,} sentences, "
        f"{source.stat().st_size / 1024:,.0f} KB; built in {time.perf_counter() - start:.1f} s)"
    )
    translator = Translator.load(model)
    print(f"model: {model} ({translator.info.parameters:,} parameters), torch threads {torch.get_num_threads()}")
    status = 0
    for beam in [int(b) for b in args.beams.split(",") if b.strip()]:
        output = work / f"report-{args.pages}p.beam{beam}.es.docx"
        start = time.perf_counter()
        report = translate_document(source, output, translator, decode=DecodeConfig(beam_size=beam))
        seconds = time.perf_counter() - start
        same = shape(source) == shape(output)
        status |= not same
        print(
            f"beam {beam}: {report.translated:,} segments, {n_sentences:,} sentences in {seconds:.1f} s = "
            f"{n_sentences / seconds:,.1f} sentences/s, {info['words'] / seconds:,.0f} words/s; "
            f"{report.left:,} left as they were; {report.approximated:,} with formatting approximated; "
            f"structure {'identical' if same else 'DIFFERENT'} (paragraphs, runs, tables)"
        )
        print("  " + to_pdf(output, work))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
