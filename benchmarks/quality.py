#!/usr/bin/env python3
"""Score translation systems on dev sets; print (and write) a Markdown table.

Systems: translator_app bundles (``--model DIR``, repeatable; ``Translator.load(DIR).translate_lines``)
and the rule-based Apertium baseline (``--apertium eng-spa|spa-eng``, needs ``scripts/install_apertium.sh``).

Sets (``--sets FILE ...``), format detected from the column count:

* ``english<TAB>spanish`` (2 columns, extra columns ignored, read with the app's own corpus reader like
  ``translator-app evaluate``). A source that occurs on several lines has several references
  (multi-reference BLEU/chrF; single-reference = its first line).
* ``domain<TAB>english<TAB>spanish<TAB>verbatim`` (every line exactly 4 columns, the everyday dev set):
  source = column 2, reference = column 3, verbatim = column 4 (tokens separated by `` | ``).

``--reverse`` scores Spanish→English: source = the Spanish column, reference = the English column.

Metrics per system and set:

* BLEU and chrF: sacrebleu ``corpus_bleu`` / ``corpus_chrf`` (default 13a tokenisation, chrF n=6 β=2),
  all references of a repeated source; ``BLEU 1-ref`` against the first reference only.
* verbatim kept: share of the verbatim tokens that occur character for character in the hypothesis,
  as a whole token (not inside a longer word or number: ``3`` is not found in ``13`` or ``3,5``).
  4-column sets list the tokens; for 2-column sets they are derived (``derive_verbatim``): tokens of the
  source, trimmed of surrounding punctuation, that contain a digit, ``@`` or ``://``, or are CamelCase
  (``iPhone``, ``GitHub``) or ALL-CAPS (``USA``, ``HTTP``, at least 2 characters); a candidate counts
  only if at least one reference contains it verbatim too, so that a correct translation that spells a
  number out (``I'm 19`` → ``Tengo diecinueve``) or writes it the Spanish way (``1,000`` → ``1.000``)
  is not held against the system. Those rows are marked ``(auto)``.
* looping: hypotheses in which some word trigram (lower-cased ``\\w+`` words) occurs at least 3 times
  while no trigram of the source occurs more than once.
* time: wall-clock seconds of the translation call only (model loading is reported apart), and
  sentences per second. Timings are only meaningful on an otherwise idle machine; the load average is
  recorded beside them.

Example::

    .venv/bin/python benchmarks/quality.py --model models/en-es --apertium eng-spa \\
        --sets benchmarks/dev/everyday.en-es.tsv models/en-es/test.tsv --beam 5 --md /tmp/q.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
from translator_app.core.model.decoding import DecodeConfig  # noqa: E402

DEFAULT_SETS = [REPO / "benchmarks" / "dev" / "everyday.en-es.tsv", REPO / "models" / "en-es" / "test.tsv"]
VERBATIM_SEP = " | "
_PUNCT = "\"'«»“”‘’()[]{}¿¡!?,;:.…"


# ---------------------------------------------------------------- helpers (tested in tests/test_quality_script.py)


def normalize(text: str) -> str:
    """The app's normalisation: NFC, trimmed, runs of white space collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def detect_format(lines: Sequence[str]) -> str:
    """``"everyday"`` when every non-empty line has exactly 4 tab-separated columns, else ``"pairs"``.

    Raises ValueError when there is no line at all or some line has fewer than 2 columns.
    """
    counts = [line.rstrip("\r\n").count("\t") + 1 for line in lines if line.strip()]
    if not counts:
        raise ValueError("no lines")
    if all(c == 4 for c in counts):
        return "everyday"
    if min(counts) < 2:
        raise ValueError(f"a line has {min(counts)} column(s); expected source<TAB>target")
    return "pairs"


def split_verbatim(cell: str) -> list[str]:
    return [t.strip() for t in cell.split(VERBATIM_SEP) if t.strip()] if cell.strip() else []


def contains_verbatim(token: str, text: str) -> bool:
    """``token`` occurs in ``text`` exactly as written, as a whole token.

    Not preceded by a word character (nor by a word character plus ``. , : /``) and not followed by one
    (nor by ``. , : /`` plus a word character): ``3`` matches ``3 de mayo`` and ``(3)``, not ``13``,
    ``3,5`` or ``v1.3``; ``report.csv`` matches ``report.csv.`` at the end of a sentence.
    """
    pattern = r"(?<!\w)(?<!\w[.,:/])" + re.escape(token) + r"(?!\w)(?![.,:/]\w)"
    return re.search(pattern, text) is not None


def verbatim_share(hypotheses: Sequence[str], verbatim: Sequence[Sequence[str]]) -> tuple[int, int]:
    """(tokens kept, tokens listed) over all sentences; a token listed twice for a sentence counts twice."""
    kept = total = 0
    for hyp, tokens in zip(hypotheses, verbatim, strict=True):
        hyp = normalize(hyp)
        for token in tokens:
            total += 1
            kept += contains_verbatim(normalize(token), hyp)
    return kept, total


def _is_candidate(tok: str) -> bool:
    if any(ch.isdigit() for ch in tok) or "@" in tok or "://" in tok:
        return True
    if len(tok) < 2:
        return False
    if tok.isupper():  # ALL-CAPS code (letters all upper case; digits, - and _ allowed)
        return True
    return re.search(r"[a-z][A-Z]", tok) is not None  # CamelCase / camelCase: iPhone, GitHub, macOS


def derive_verbatim(source: str, references: Sequence[str] = ()) -> list[str]:
    """Candidate verbatim tokens of ``source`` (see the module docstring), in order, without repeats.

    With ``references``, only the candidates that at least one reference contains verbatim are kept.
    """
    out: list[str] = []
    for raw in normalize(source).split(" "):
        tok = raw.strip(_PUNCT)
        if tok.endswith(("'s", "’s")):
            tok = tok[:-2]
        if not tok or tok in out or not _is_candidate(tok):
            continue
        if references and not any(contains_verbatim(tok, normalize(r)) for r in references):
            continue
        out.append(tok)
    return out


def word_trigrams(text: str) -> Counter:
    words = re.findall(r"\w+", text.lower())
    return Counter(zip(words, words[1:], words[2:]))


def is_looping(hypothesis: str, source: str, min_repeats: int = 3) -> bool:
    """Some word trigram occurs ``min_repeats`` times or more in the hypothesis, while no trigram of
    the source is repeated at all (a source that repeats itself may legitimately give a repetitive
    translation)."""
    hyp = word_trigrams(hypothesis)
    if not hyp or max(hyp.values()) < min_repeats:
        return False
    src = word_trigrams(source)
    return not src or max(src.values()) < 2


@dataclass
class DevSet:
    name: str
    path: str
    fmt: str  # "everyday" (4 columns) or "pairs" (2 columns)
    direction: str  # "en-es" or "es-en"
    sources: list[str]
    references: list[list[str]]  # every reference of each distinct source, file order
    verbatim: list[list[str]]
    verbatim_listed: bool  # True: from the file's 4th column; False: derived from the source
    domains: list[str]  # per source; "" for 2-column sets

    @property
    def max_refs(self) -> int:
        return max((len(r) for r in self.references), default=0)


def group_rows(rows: Sequence[tuple[str, str, str, list[str] | None]], *, reverse: bool = False):
    """Rows (domain, english, spanish, verbatim or None) → distinct sources in first-seen order with all
    their references; the verbatim list of a source is its first row's (derived when None)."""
    index: dict[str, int] = {}
    sources: list[str] = []
    refs: list[list[str]] = []
    verbatim: list[list[str] | None] = []
    domains: list[str] = []
    for domain, en, es, tokens in rows:
        src, ref = (es, en) if reverse else (en, es)
        src, ref = normalize(src), normalize(ref)
        if src not in index:
            index[src] = len(sources)
            sources.append(src)
            refs.append([])
            verbatim.append(tokens)
            domains.append(domain)
        refs[index[src]].append(ref)
    verbatim = [v if v is not None else derive_verbatim(s, r) for s, r, v in zip(sources, refs, verbatim)]
    return sources, refs, verbatim, domains


def parse_everyday(lines: Sequence[str]) -> list[tuple[str, str, str, list[str]]]:
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        cols = line.rstrip("\r\n").split("\t")
        if len(cols) != 4:
            raise ValueError(f"line {n}: {len(cols)} columns, expected domain<TAB>english<TAB>spanish<TAB>verbatim")
        domain, en, es, cell = cols
        rows.append((domain.strip(), en, es, split_verbatim(cell)))
    return rows


def load_set(path: str | Path, *, reverse: bool = False, limit: int = 0) -> DevSet:
    path = Path(path)
    with open(path, encoding="utf-8-sig") as handle:
        lines = handle.readlines()
    fmt = detect_format(lines)
    if fmt == "everyday":
        rows = parse_everyday(lines)
    else:  # the app's reader, exactly as `translator-app evaluate` reads a test file
        from translator_app.core.text.corpus import read_corpus

        pairs, _ = read_corpus(path, dedupe=False)
        rows = [("", en, es, None) for en, es in pairs]
    sources, refs, verbatim, domains = group_rows(rows, reverse=reverse)
    if limit:
        sources, refs, verbatim, domains = sources[:limit], refs[:limit], verbatim[:limit], domains[:limit]
    name = path.name[: -len(".tsv")] if path.name.endswith(".tsv") else path.name
    return DevSet(
        name, str(path), fmt, "es-en" if reverse else "en-es", sources, refs, verbatim, fmt == "everyday", domains
    )


# ---------------------------------------------------------------- systems


@dataclass
class System:
    name: str
    translate: Callable[[list[str]], list[str]]
    load_s: float = 0.0
    meta: dict = field(default_factory=dict)


def model_system(spec: str, beam: int, direction: str, alpha: float | None = None, fp32: bool = False) -> System:
    """``spec``: a bundle folder, or ``FOLDER=LABEL`` to name it in the table (two bundles with one name);
    ``alpha``: the length penalty (None: the documents' default)."""
    from translator_app.core.translation.translator import Translator

    path, _, label = spec.partition("=")

    start = time.perf_counter()
    if "+" in path and not Path(path).exists():  # A+B: an ensemble (benchmarks/ensemble.py)
        from benchmarks.ensemble import load_ensemble

        translator = load_ensemble(path.split("+"))
    else:
        translator = Translator.load(path, quantize=not fp32)
    load_s = time.perf_counter() - start
    info = translator.info
    pair = f"{info.src_lang}-{info.tgt_lang}"
    if info.src_lang and info.tgt_lang and pair != direction:
        print(f"warning: {path} translates {pair} but the sets are scored {direction}", file=sys.stderr)
    decode = DecodeConfig(beam_size=beam) if alpha is None else DecodeConfig(beam_size=beam, alpha=alpha)
    search = f"beam {beam}" + ("" if alpha is None else f", alpha {alpha:g}")
    members = len(getattr(translator.model, "models", [])) or 1
    search += f", ensemble of {members}" if members > 1 else ""
    name = f"{label or info.name} ({search}, {'int8' if translator.quantized else 'fp32'})"
    return System(
        name,
        lambda lines: translator.translate_lines(lines, decode=decode),
        load_s,
        {"kind": "model", "path": str(path), "beam": beam, "alpha": decode.alpha, "parameters": info.parameters,
         "languages": pair},
    )  # fmt: skip


def apertium_translate(lines: Sequence[str], pair: str, exe: str = "apertium") -> list[str]:
    """One output line per input line: the whole set in one `apertium -u PAIR` call; if the line count
    does not come back the same, line by line (slow but safe)."""

    def run(text: str) -> str:
        proc = subprocess.run(
            [exe, "-u", pair], input=text, capture_output=True, text=True, encoding="utf-8", check=False
        )
        if proc.returncode != 0:
            raise RuntimeError(f"apertium -u {pair} failed ({proc.returncode}): {proc.stderr.strip()[:500]}")
        return proc.stdout

    clean = [" ".join(line.split()) for line in lines]
    out = run("\n".join(clean) + "\n").split("\n")
    if out and out[-1] == "":
        out.pop()
    if len(out) == len(clean):
        return [o.strip() for o in out]
    print(f"warning: apertium returned {len(out)} lines for {len(clean)}; translating line by line", file=sys.stderr)
    return [run(line + "\n").strip().replace("\n", " ") for line in clean]


def apertium_system(pair: str, direction: str) -> System:
    exe = shutil.which("apertium")
    if exe is None:
        raise SystemExit("apertium is not installed: run scripts/install_apertium.sh (measurement only)")
    want = "eng-spa" if direction == "en-es" else "spa-eng"
    if pair != want:
        print(f"warning: apertium {pair} on sets scored {direction} (expected {want})", file=sys.stderr)
    version = ""
    try:
        version = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "apertium-eng-spa"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        pass
    return System(
        f"Apertium {pair}",
        lambda lines: apertium_translate(lines, pair, exe),
        0.0,
        {"kind": "apertium", "pair": pair, "apertium-eng-spa": version},
    )


# ---------------------------------------------------------------- scoring


def score(hyps: Sequence[str], dev: DevSet, idx: Sequence[int] | None = None) -> dict:
    from translator_app.core.text.metrics import corpus_scores

    idx = range(len(dev.sources)) if idx is None else idx
    h = [hyps[i] for i in idx]
    refs = [dev.references[i] for i in idx]
    multi = corpus_scores(h, refs)
    single = corpus_scores(h, [r[:1] for r in refs])
    kept, total = verbatim_share(h, [dev.verbatim[i] for i in idx])
    looping = sum(is_looping(hyps[i], dev.sources[i]) for i in idx)
    return {
        "sentences": len(h),
        "max_refs": multi.max_refs,
        "bleu": multi.bleu,
        "chrf": multi.chrf,
        "bleu_1ref": single.bleu,
        "chrf_1ref": single.chrf,
        "verbatim_kept": kept,
        "verbatim_total": total,
        "verbatim_share": round(kept / total, 4) if total else None,
        "looping": looping,
    }


def evaluate(system: System, dev: DevSet, by_domain: bool, hyps_dir: Path | None) -> dict:
    start = time.perf_counter()
    hyps = system.translate(list(dev.sources))
    seconds = time.perf_counter() - start
    if len(hyps) != len(dev.sources):
        raise RuntimeError(f"{system.name}: {len(hyps)} hypotheses for {len(dev.sources)} sources")
    result = {
        "system": system.name,
        "set": dev.name,
        "path": dev.path,
        "direction": dev.direction,
        "format": dev.fmt,
        "verbatim_listed": dev.verbatim_listed,
        **score(hyps, dev),
        "seconds": round(seconds, 3),
        "sentences_per_s": round(len(hyps) / seconds, 2) if seconds else None,
        "load_s": round(system.load_s, 3),
    }
    if by_domain and any(dev.domains):
        groups: dict[str, list[int]] = {}
        for i, d in enumerate(dev.domains):
            groups.setdefault(d, []).append(i)
        result["domains"] = {d: score(hyps, dev, idx) for d, idx in groups.items()}
    if hyps_dir is not None:
        hyps_dir.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^\w.-]+", "_", system.name).strip("_")
        target = hyps_dir / f"{dev.name}.{dev.direction}.{safe}.tsv"
        with open(target, "w", encoding="utf-8", newline="\n") as out:
            for src, hyp, refs in zip(dev.sources, hyps, dev.references):
                out.write(f"{src}\t{hyp}\t{refs[0]}\n")
        result["hypotheses"] = str(target)
    return result


# ---------------------------------------------------------------- report


def _pct(kept: int, total: int) -> str:
    return f"{100 * kept / total:.1f} % ({kept}/{total})" if total else "–"


def markdown(results: Sequence[dict], meta: dict) -> str:
    lines = [
        "| system | set | dir | sentences | refs | BLEU | BLEU 1-ref | chrF | verbatim kept | looping | time s | sent/s |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        one_ref = f"{r['bleu_1ref']:.2f}" if r["max_refs"] > 1 else "–"
        verbatim = _pct(r["verbatim_kept"], r["verbatim_total"]) + ("" if r["verbatim_listed"] else " (auto)")
        loop = f"{r['looping']} ({100 * r['looping'] / r['sentences']:.1f} %)" if r["sentences"] else "–"
        lines.append(
            f"| {r['system']} | {r['set']} | {r['direction']} | {r['sentences']} | {r['max_refs']} | "
            f"{r['bleu']:.2f} | {one_ref} | {r['chrf']:.2f} | {verbatim} | {loop} | "
            f"{r['seconds']:.1f} | {r['sentences_per_s'] or 0:.1f} |"
        )
    per_domain = [r for r in results if r.get("domains")]
    if per_domain:
        lines += [
            "",
            "Per domain (about 56 sentences each: read BLEU differences of a few points as noise)",
            "",
            "| system | set | domain | sentences | BLEU | chrF | verbatim kept | looping |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in per_domain:
            for d, s in r["domains"].items():
                lines.append(
                    f"| {r['system']} | {r['set']} | {d} | {s['sentences']} | {s['bleu']:.2f} | "
                    f"{s['chrf']:.2f} | {_pct(s['verbatim_kept'], s['verbatim_total'])} | {s['looping']} |"
                )
    loads = [r for r in results if r.get("load_s")]
    lines += [
        "",
        f"sacrebleu {meta['sacrebleu']}, BLEU 13a / chrF (n=6, β=2); "
        f"{meta['cpus']} CPUs, load average {meta['load_before']} before, {meta['load_after']} after; {meta['date']}.",
    ]
    if loads:
        lines.append(
            "Model load time (not in `time s`): "
            + ", ".join(sorted({f"{r['system']} {r['load_s']:.1f} s" for r in loads}))
            + "."
        )
    lines.append(
        "`(auto)`: verbatim tokens derived from the source (digits, @, ://, CamelCase, ALL-CAPS) "
        "that a reference also contains; looping: a word trigram ≥ 3 times in the hypothesis "
        "while the source repeats none."
    )
    return "\n".join(lines) + "\n"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--model",
        action="append",
        default=[],
        metavar="DIR[=LABEL]",
        help="translator_app bundle (repeatable); =LABEL names it in the table; A+B: an ensemble of bundles",
    )
    p.add_argument(
        "--apertium",
        action="append",
        default=[],
        choices=["eng-spa", "spa-eng"],
        help="also score Apertium with this pair (repeatable); see scripts/install_apertium.sh",
    )
    p.add_argument(
        "--sets",
        nargs="+",
        metavar="FILE",
        default=None,
        help="TSV dev/test sets (default: benchmarks/dev/everyday.en-es.tsv models/en-es/test.tsv)",
    )
    p.add_argument("--reverse", action="store_true", help="score es→en (source = Spanish column)")
    p.add_argument("--beam", type=int, default=5, help="beam size for --model (default 5; 1 = greedy)")
    p.add_argument(
        "--alpha",
        type=float,
        default=None,
        help="length penalty for --model: log-probability / length**alpha (default 1)",
    )
    p.add_argument(
        "--fp32",
        action="store_true",
        help="decode in fp32, not int8 (int8's activation scales depend on the whole batch, so changing one "
        "sentence can change others: A/Bs of decoding rules want fp32)",
    )
    p.add_argument("--limit", type=int, default=0, metavar="N", help="first N distinct sources of each set")
    p.add_argument("--by-domain", action="store_true", help="also score each domain of 4-column sets")
    p.add_argument("--threads", type=int, default=0, help="torch threads for --model (default: torch's)")
    p.add_argument("--hyps", metavar="DIR", help="write source<TAB>hypothesis<TAB>first reference files here")
    p.add_argument("--json", metavar="OUT", help="write all results as JSON")
    p.add_argument("--md", metavar="OUT", help="write the Markdown table")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.model and not args.apertium:
        raise SystemExit("nothing to score: give --model DIR and/or --apertium eng-spa|spa-eng")
    direction = "es-en" if args.reverse else "en-es"
    sets = [load_set(s, reverse=args.reverse, limit=args.limit) for s in (args.sets or DEFAULT_SETS)]
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    import sacrebleu

    meta = {
        "sacrebleu": sacrebleu.__version__,
        "cpus": os.cpu_count(),
        "load_before": _load(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "python": platform.python_version(),
        "beam": args.beam,
        "alpha": args.alpha,
        "direction": direction,
        "limit": args.limit,
        "fp32": args.fp32,
    }
    systems_factories = [lambda m=m: model_system(m, args.beam, direction, args.alpha, args.fp32) for m in args.model]
    systems_factories += [lambda a=a: apertium_system(a, direction) for a in args.apertium]
    results = []
    hyps_dir = Path(args.hyps) if args.hyps else None
    for make in systems_factories:
        system = make()  # one system in memory at a time
        for dev in sets:
            r = evaluate(system, dev, args.by_domain, hyps_dir)
            r["system_meta"] = system.meta
            results.append(r)
            print(
                f"{r['system']} | {r['set']} {r['direction']}: BLEU {r['bleu']:.2f} chrF {r['chrf']:.2f} "
                f"verbatim {_pct(r['verbatim_kept'], r['verbatim_total'])} looping {r['looping']} "
                f"{r['seconds']:.1f} s",
                file=sys.stderr,
            )
        del system
    meta["load_after"] = _load()
    table = markdown(results, meta)
    print(table)
    if args.md:
        Path(args.md).write_text(table, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
