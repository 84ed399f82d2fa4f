#!/usr/bin/env python
"""Inline formatting placement: does a bold / italic / link run land on the right Spanish words?

A hand-made test set of English sentences, each with one or two marked runs (<b>, <i>, <a>), is
written as one HTML page, translated with ``core.documents.translate_document`` and the bundled
model, and every run of the output is judged against the Spanish words it should cover.

For each run the case lists word groups: the Spanish words a good translation of the marked
English words uses, each group with its alternatives (``pan ; fresco/fresca`` for "fresh bread").
A group is *present* when one of its words occurs in the translated sentence. A run is placed
**correctly** when at least one group is present, the marked output covers every present group,
it holds no other word than those groups' words and function words (articles, prepositions,
contractions), and it splits no word. A run none of whose groups occur in the translation is
*unjudged* (the model translated it otherwise); the share is over the judged runs.

    nice -n 19 .venv/bin/python benchmarks/bench_inline_markup.py --threads 1
    nice -n 19 .venv/bin/python benchmarks/bench_inline_markup.py --threads 1 --show   # every run
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from translator_app.core.model.decoding import DecodeConfig  # noqa: E402

# category | English sentence with marked runs | groups of the 1st run || groups of the 2nd run
CASES = """
number | Prices rose by <b>12%</b> last year. | 12
number | The meeting starts at <b>10:30</b> tomorrow. | 10 ; 30
number | Download <i>version 2.4</i> from the website. | versión ; 2 ; 4
number | The box weighs <b>5 kg</b>. | 5 ; kg
number | Call us at <b>555-0199</b> for help. | 555 ; 0199
number | It costs <b>$25</b> per month. | 25
link | Visit <a href="https://example.com">example.com</a> for more information. | example/ejemplo ; com
phrase | We sell <b>fresh bread</b> every morning. | pan ; fresco/fresca/frescos
phrase | Click the <b>red button</b> to continue. | botón ; rojo
phrase | Open the <i>new window</i> now. | ventana ; nueva
phrase | She bought a <b>black car</b>. | coche/auto/carro/automóvil ; negro
phrase | Select the <b>default printer</b> in the list. | impresora ; predeterminada/predefinida/defecto/omisión
phrase | The <i>blue folder</i> contains the files. | carpeta ; azul
phrase | This is a <b>large file</b>. | archivo/fichero ; grande/gran
phrase | Enter a <b>valid password</b>. | contraseña ; válida
phrase | The <b>main menu</b> has five items. | menú ; principal
phrase | Use a <i>strong password</i> for your account. | contraseña ; segura/fuerte/robusta
phrase | I need a <b>hot coffee</b>. | café ; caliente
phrase | The <i>old house</i> near the river was sold. | casa ; vieja/antigua
phrase | Save the file in <b>PDF format</b>. | formato ; pdf
word | The <b>cat</b> is sleeping. | gato
word | Please <b>save</b> the document. | guarde/guardar/guarda/guardad/guardes/guarden
word | My <i>brother</i> lives in Madrid. | hermano
word | The file was <b>deleted</b>. | eliminado/borrado/suprimido/eliminó/borró/elimina/borra
word | Press <b>Enter</b> to continue. | intro/enter/entrar/introducir/retorno
word | The house is <i>very</i> old. | muy
word | I <b>always</b> drink water. | siempre
word | Check the <b>spelling</b> of the text. | ortografía
word | <b>Important</b>: read this first. | importante
word | The <b>first</b> chapter is <i>short</i>. | primer/primero/primera || corto/breve/corta
word | This <b>option</b> is <i>disabled</i> by default. | opción || desactivada/deshabilitada/inhabilitada/desactivado
clause | You can <b>change the settings</b> later. | cambiar/modificar ; configuración/ajustes/opciones/preferencias/parámetros
clause | The program <i>could not open</i> the file. | no ; pudo/podía/puede/podido ; abrir
clause | <b>Click here</b> to download the file. | haga/pulse/pulsa/presione/haz/clic/clica/clique/click ; aquí
clause | He <b>did not answer</b> the question. | no ; respondió/contestó/responde/contesta/respondía
clause | The report was written <i>by the team</i>. | equipo
link | Read <a href="/docs">the user guide</a> before you start. | guía/manual ; usuario
link | For details, see <a href="#faq">the FAQ page</a>. | página ; faq/preguntas/frecuentes
link | Contact <a href="mailto:help@example.com">our support team</a> if you need help. | equipo ; soporte/asistencia/apoyo/técnico
"""

FUNCTION_WORDS = set(
    "el la los las lo un una unos unas de del al a en con por para y e o u que se su sus mi mis tu tus nuestro "
    "nuestra nuestros nuestras".split()
)
WORD = re.compile(r"\w+")
MARKS = ("b", "i", "a")


def parse_cases() -> list[dict]:
    cases = []
    for line in CASES.strip().splitlines():
        category, html, groups = (part.strip() for part in line.split(" | "))
        runs = [
            [set(alt.strip().lower() for alt in group.split("/")) for group in run.split(";")]
            for run in groups.split("||")
        ]
        cases.append({"category": category, "html": html, "runs": runs})
    return cases


def build_html(cases: list[dict]) -> str:
    body = "\n".join(f"<p>{c['html']}</p>" for c in cases)
    return f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>t</title></head>\n<body>\n{body}\n</body></html>\n'


def marked_runs(p) -> tuple[str, list[tuple[int, int]]]:
    """The paragraph's text and the (start, end) of every marked element's text, in order."""
    text, runs = "", []

    def walk(el, inside: bool) -> None:
        nonlocal text
        start = len(text)
        text += el.text or ""
        for child in el:
            walk(child, inside or child.tag in MARKS)
            text += child.tail or ""
        if el.tag in MARKS and not inside:
            runs.append((start, len(text)))

    text += p.text or ""
    for child in p:
        walk(child, False)
        text += child.tail or ""
    return text, runs


def judge(text: str, span: tuple[int, int], groups: list[set[str]]) -> str:
    """ "ok", "wrong" or "unjudged" for one marked run of a translated sentence."""
    words = [w.lower() for w in WORD.findall(text)]
    present = [g for g in groups if g & set(words)]
    if not present:
        return "unjudged"
    start, end = span
    inner = text[start:end]
    if not inner.strip():
        return "wrong"
    split = (start > 0 and text[start - 1].isalnum() and text[start].isalnum()) or (
        end < len(text) and text[end - 1].isalnum() and text[end].isalnum()
    )
    marked = [w.lower() for w in WORD.findall(inner)]
    allowed = set().union(*groups) | FUNCTION_WORDS
    if split or any(w not in allowed for w in marked) or any(not (g & set(marked)) for g in present):
        return "wrong"
    return "ok"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=str(REPO / "models" / "en-es"))
    ap.add_argument("--beam", type=int, default=1)
    ap.add_argument("--threads", type=int, help="torch threads (default: torch's)")
    ap.add_argument("--show", action="store_true", help="print every run with its verdict")
    args = ap.parse_args(argv)

    import torch
    from lxml import html as lhtml

    from translator_app.core.documents import translate_document
    from translator_app.core.translation.translator import Translator

    if args.threads:
        torch.set_num_threads(args.threads)
    cases = parse_cases()
    t0 = time.perf_counter()
    translator = Translator.load(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "cases.html", Path(tmp) / "cases.es.html"
        src.write_text(build_html(cases), encoding="utf-8")
        report = translate_document(src, out, translator, decode=DecodeConfig(beam_size=args.beam))
        root = lhtml.fromstring(out.read_bytes())
    paragraphs = root.findall(".//p")
    if len(paragraphs) != len(cases):
        print(f"expected {len(cases)} paragraphs, found {len(paragraphs)}")
        return 1
    tally: dict[str, dict[str, int]] = {}
    for case, p in zip(cases, paragraphs):
        text, spans = marked_runs(p)
        for k, groups in enumerate(case["runs"]):
            verdict = judge(text, spans[k], groups) if k < len(spans) else "wrong"
            for key in (case["category"], "all"):
                tally.setdefault(key, {"ok": 0, "wrong": 0, "unjudged": 0})[verdict] += 1
            if args.show:
                shown = text[: spans[k][0]] + "[" + text[spans[k][0] : spans[k][1]] + "]" + text[spans[k][1] :]
                print(f"{verdict:8}  {case['html']}\n          {shown if k < len(spans) else text}")
    print(
        f"model {Path(args.model).name}, beam {args.beam}, {len(cases)} sentences, {report.approximated} approximated"
    )
    for key, t in sorted(tally.items(), key=lambda kv: kv[0] != "all"):
        judged = t["ok"] + t["wrong"]
        share = t["ok"] / judged if judged else 0.0
        print(f"{key:7} runs placed correctly: {t['ok']}/{judged} = {share:.1%}  ({t['unjudged']} unjudged)")
    print(f"seconds: {time.perf_counter() - t0:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
