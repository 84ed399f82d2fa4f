"""Command line: ``translator-app [gui|train|translate|evaluate] ...``.

With no subcommand the desktop app starts. ``--self-test`` loads the default model,
translates one sentence headless and exits 0 (used to check a packaged binary).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any

from translator_app import __version__, paths
from translator_app.cli_settings import add_settings, configs
from translator_app.core.documents import FORMATS
from translator_app.core.filenames import TRAIN_STATE_FILE

DEFAULT_BEAM = 5
_BEAM_HELP = f"beam size (default {DEFAULT_BEAM}; 1 = greedy search)"


def _add_train(sub) -> None:
    p = sub.add_parser("train", help="train a model from a parallel corpus")
    p.add_argument(
        "corpus",
        help="TSV file (source<TAB>target); a TMX, XLIFF (.xlf/.xliff), PO/POT or MO file "
        "(languages from the file); or the source side of a line-aligned pair",
    )
    p.add_argument("target", nargs="?", help="target side, when the corpus is two line-aligned files")
    p.add_argument("--out", required=True, help="output folder (becomes a model bundle)")
    p.add_argument("--resume", action="store_true", help=f"continue from OUT/{TRAIN_STATE_FILE}")
    p.add_argument(
        "--from",
        dest="base",
        metavar="MODEL",
        help="fine-tune this model (a bundle folder, or a model's name in your models folder): its "
        "tokenizer, architecture and weights, a low constant learning rate (preset 'finetune')",
    )
    p.add_argument(
        "--replay",
        type=float,
        metavar="SHARE",
        help="with --from: share of general pairs mixed into training (default 0.5 when general data "
        "is found; 0 = off)",
    )
    p.add_argument(
        "--replay-corpus",
        metavar="FILE",
        help="with --from: the general data to replay (default: the base model's own training data, "
        "when its run folder is known)",
    )
    p.add_argument("--name", help="display name stored in the bundle")
    p.add_argument(
        "--json",
        action="store_true",
        help="print each training event as one JSON object per line instead of the progress display",
    )
    add_settings(p)  # --preset and the settings group, generated from the config dataclasses


def _add_translate(sub) -> None:
    p = sub.add_parser("translate", help="translate arguments or stdin, one line per line")
    p.add_argument("text", nargs="*", help="text to translate; stdin when absent")
    p.add_argument("--model", help="model folder (default: the bundled default model)")
    p.add_argument("--beam", type=int, default=DEFAULT_BEAM, help=_BEAM_HELP)
    p.add_argument("--no-quantize", action="store_true", help="decode in fp32 instead of int8")
    p.add_argument("--show-attention", action="store_true", help="print the alignment under each line")
    p.add_argument("--n-best", type=int, default=0, help="also print the N best alternatives with scores")
    p.add_argument(
        "--glossary",
        metavar="FILE",
        help="two-column TSV (source term, target term) or TBX: terms kept as given (models with placeholders)",
    )
    p.add_argument(
        "--prefix",
        metavar="TEXT",
        help="interactive translation: print the full translation of one sentence that starts with "
        "TEXT exactly (the sentence from the arguments, else one from stdin)",
    )


def _add_evaluate(sub) -> None:
    p = sub.add_parser("evaluate", help="BLEU and chrF of a model on a TSV test file")
    p.add_argument("testfile", help="TSV test file; repeated sources count as multiple references")
    p.add_argument("--model", help="model folder (default: the bundled default model)")
    p.add_argument("--beam", type=int, default=DEFAULT_BEAM, help=_BEAM_HELP)
    p.add_argument("--no-quantize", action="store_true")
    p.add_argument("--limit", type=int, help="only the first N distinct sources")
    p.add_argument("--output", help="write the hypotheses here")


def _add_translate_file(sub) -> None:
    p = sub.add_parser("translate-file", help=f"translate a document, keeping its structure ({', '.join(FORMATS)})")
    p.add_argument("input", help="the document to translate (never modified)")
    p.add_argument("output", help="where to write the translation (same format; not the input)")
    p.add_argument("--model", help="model folder (default: the bundled default model)")
    p.add_argument("--beam", type=int, default=DEFAULT_BEAM, help=_BEAM_HELP)
    p.add_argument("--format", dest="fmt", metavar="FMT", help=f"{', '.join(FORMATS)} (default: from the extension)")
    p.add_argument("--glossary", metavar="FILE", help="two-column TSV (source term, target term) or TBX")
    p.add_argument(
        "--all-units", action="store_true", help="PO / XLIFF: translate every unit, not only the untranslated ones"
    )
    p.add_argument("--encoding", help="text formats without a byte order mark: their encoding (default UTF-8)")
    p.add_argument("--no-quantize", action="store_true", help="decode in fp32 instead of int8")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="translator-app", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", action="store_true", help="translate one sentence headless and exit")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log everything (DEBUG) to stderr too; the log file is always written",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("gui", help="start the desktop app (default)")
    _add_train(sub)
    _add_translate(sub)
    _add_evaluate(sub)
    _add_translate_file(sub)
    return parser


def event_record(ev) -> dict[str, Any]:
    """A training event as a JSON-ready dict: ``{"event": "Finished", "step": 40, ...}`` (``train --json``)."""
    record: dict[str, Any] = {"event": type(ev).__name__}
    for f in dataclasses.fields(ev):
        value = getattr(ev, f.name)
        if f.name == "samples":
            value = [{"source": s.source, "reference": s.reference, "hypothesis": s.hypothesis} for s in value]
        elif hasattr(value, "item"):  # a numpy scalar
            value = value.item()
        record[f.name] = value
    return record


def cmd_train(args) -> int:
    from tqdm import tqdm

    from translator_app.core import training

    model_cfg, train_cfg, tok_cfg, data_cfg = configs(args)
    finetune = None
    if getattr(args, "base", None):
        from translator_app.core.finetune import FinetuneSpec, resolve_model

        base = resolve_model(args.base, paths.user_models_dir(), paths.bundled_models_dir())
        finetune = FinetuneSpec(
            str(base), replay_share=args.replay, replay_corpus=args.replay_corpus, dropout=args.dropout
        )
    stop = threading.Event()
    meta = {"name": args.name} if args.name else None
    events = training.train(
        training.CorpusSpec(args.corpus, args.target),
        args.out,
        model_cfg=model_cfg,
        train_cfg=train_cfg,
        tok_cfg=tok_cfg,
        data_cfg=data_cfg,
        resume=args.resume,
        should_stop=stop.is_set,
        meta=meta,
        finetune=finetune,
    )
    bar = None
    if os.environ.get("RANK", "0") != "0":  # under torchrun only rank 0 talks
        for _ in events:
            pass
        return 0
    try:
        for ev in events:
            if args.json:
                print(json.dumps(event_record(ev), ensure_ascii=False), flush=True)
            elif isinstance(ev, training.Status):
                tqdm.write(ev.message)
            elif isinstance(ev, training.DataReady):
                tqdm.write(
                    f"Data: {ev.summary}\n  train {ev.train_pairs}, valid {ev.valid_pairs}, "
                    f"test {ev.test_pairs} pairs; vocabulary {ev.vocab_size}; {ev.parameters:,} parameters"
                )
                bar = tqdm(total=1000, unit="‰", dynamic_ncols=True, bar_format="{l_bar}{bar}| {postfix}")
            elif isinstance(ev, training.Progress) and bar is not None:
                if ev.fraction is not None:
                    bar.n = int(ev.fraction * 1000)
                eta = f"{ev.eta_s / 60:.1f} min" if ev.eta_s is not None else "?"
                bar.set_postfix_str(
                    f"step {ev.step} ep {ev.epoch} loss {ev.loss:.3f} lr {ev.lr:.2e} "
                    f"{ev.tokens_per_sec:,.0f} tok/s ETA {eta}"
                )
            elif isinstance(ev, training.Validation):
                star = " *best*" if ev.best else ""
                general = ""
                if ev.general_bleu is not None:
                    drop = (
                        f", {ev.general_bleu - ev.base_general_bleu:+.2f} vs base"
                        if ev.base_general_bleu is not None and ev.step
                        else ""
                    )
                    general = f" | general BLEU {ev.general_bleu:.2f} chrF {ev.general_chrf:.2f}{drop}"
                tqdm.write(
                    f"[step {ev.step}] valid loss {ev.valid_loss:.3f} BLEU {ev.bleu:.2f} "
                    f"chrF {ev.chrf:.2f}{general}{star}"
                )
                for s in ev.samples[:2]:
                    tqdm.write(f"    {s.source}  ->  {s.hypothesis}")
            elif isinstance(ev, training.Finished):
                if bar is not None:
                    bar.close()
                print(
                    f"Finished ({ev.reason}) at step {ev.step} after {ev.elapsed_s / 60:.1f} min; "
                    f"best valid BLEU {ev.best_bleu}; model in {ev.out_dir}"
                )
    except KeyboardInterrupt:
        stop.set()
        print("\nStopping; the checkpoint is kept (resume with --resume).", file=sys.stderr)
        for _ in events:  # let the generator write its checkpoint
            pass
        return 130
    return 0


def _load_translator(args):
    from translator_app.core.translator import Translator

    path = Path(args.model) if args.model else paths.default_model_dir()
    return Translator.load(path, quantize=not args.no_quantize)


def _reverse_hint(info) -> str:
    """What to use instead of the model in ``info``: the reverse model's folder, when one is installed."""
    from translator_app.core import langid
    from translator_app.core.store import ModelStore

    wanted = f"a {langid.name(info.tgt_lang)} → {langid.name(info.src_lang)} model"
    try:
        store = ModelStore(paths.bundled_models_dir(), paths.user_models_dir())
        entry = store.entry(info.path)
        reverse = store.find_reverse(entry) if entry is not None else None
    except (OSError, ValueError):
        reverse = None
    if reverse is None:
        return f"use --model with {wanted} (none is installed)"
    return f"use --model {reverse.path}"


def _warn_if_reversed(translator, text: str) -> bool:
    """Print one warning on stderr when ``text`` is in the model's target language; True if it did."""
    from translator_app.core import langid

    info = translator.info
    try:
        found = langid.looks_like_target(text, info.src_lang, info.tgt_lang)
    except Exception:  # noqa: BLE001 - the check is advice: it never stops a translation
        return False
    if found is None:
        return False
    src, tgt = langid.name(info.src_lang), langid.name(info.tgt_lang)
    print(
        f"warning: the input looks like {tgt}, but the model translates {src} → {tgt}; {_reverse_hint(info)}",
        file=sys.stderr,
        flush=True,
    )
    return True


def cmd_translate(args) -> int:
    from translator_app.core import langid

    langid.preload(background=True)  # while the model loads
    translator = _load_translator(args)
    glossary = None
    if getattr(args, "glossary", None):
        from translator_app.core.documents import load_glossary  # TSV or TBX, as translate-file reads it

        glossary = load_glossary(args.glossary, translator.info.src_lang, translator.info.tgt_lang)
    if getattr(args, "prefix", None) is not None:
        return _translate_prefix(args, translator, glossary)
    if not args.text and not sys.stdin.isatty() and not (args.n_best or args.show_attention):
        lines = [line.rstrip("\r\n") for line in sys.stdin]  # a pipe: batched, one output line per line
        _warn_if_reversed(translator, "\n".join(lines[:50]))
        for start in range(0, len(lines), 256):
            for out in translator.translate_lines(lines[start : start + 256], beam_size=args.beam, glossary=glossary):
                print(out, flush=True)
        return 0
    lines = [" ".join(args.text)] if args.text else (line.rstrip("\n") for line in sys.stdin)
    warned = False
    for line in lines:
        warned = warned or _warn_if_reversed(translator, line)
        result = translator.translate(line, beam_size=args.beam, glossary=glossary)
        print(result.text, flush=True)
        if args.n_best:
            for sent in result.sentences:
                for text, score in translator.alternatives(sent.source, args.n_best, args.beam, glossary=glossary):
                    print(f"    {score:8.3f}  {text}")
        if args.show_attention:
            for sent in result.sentences:
                for tok, row in zip(sent.target_tokens, sent.attention):
                    j = int(row.argmax())
                    print(f"    {tok:>14} <- {sent.source_tokens[j]} ({row[j]:.2f})")
    return 0


def _translate_prefix(args, translator, glossary) -> int:
    """``translate --prefix TEXT [SOURCE]``: the completion of one sentence (SOURCE, else stdin)."""
    if args.n_best:
        raise ValueError("--n-best cannot be used with --prefix")
    if args.text:
        source = " ".join(args.text)
    else:
        source = " ".join(line.strip() for line in sys.stdin.read().splitlines() if line.strip())
    _warn_if_reversed(translator, source)
    completion = translator.complete(source, args.prefix, beam_size=args.beam, glossary=glossary)
    print(completion.text, flush=True)
    if args.show_attention:
        for tok, row in zip(completion.tgt_tokens, completion.attention):
            j = int(row.argmax())
            print(f"    {tok:>14} <- {completion.src_tokens[j]} ({row[j]:.2f})")
    return 0


def cmd_evaluate(args) -> int:
    from tqdm import tqdm

    from translator_app.core.corpus import group_references, read_corpus
    from translator_app.core.metrics import corpus_scores

    translator = _load_translator(args)
    pairs, _ = read_corpus(args.testfile, dedupe=False)
    sources, refs = group_references(pairs)
    if args.limit:
        sources, refs = sources[: args.limit], refs[: args.limit]
    hyps: list[str] = []
    for start in tqdm(range(0, len(sources), 64), unit="batch", leave=False):
        hyps += translator.translate_lines(sources[start : start + 64], beam_size=args.beam)
    if args.output:
        Path(args.output).write_text("\n".join(hyps) + "\n", encoding="utf-8")
    multi = corpus_scores(hyps, refs)
    single = corpus_scores(hyps, [r[:1] for r in refs])
    print(f"model: {translator.info.path}  beam {args.beam}  {'fp32' if args.no_quantize else 'int8'}")
    print(f"multi-reference:  {multi}")
    print(f"single-reference: {single}")
    return 0


def cmd_translate_file(args) -> int:
    from tqdm import tqdm

    from translator_app.core import documents

    src, out = documents.check_paths(args.input, args.output)  # before loading the model
    fmt = documents.detect_format(src, args.fmt)
    translator = _load_translator(args)
    glossary = None
    if args.glossary:
        info = translator.info
        glossary = documents.load_glossary(args.glossary, info.src_lang, info.tgt_lang)
        print(f"glossary: {len(glossary):,} terms from {args.glossary}", file=sys.stderr)
    bar = tqdm(total=0, unit="seg", dynamic_ncols=True, leave=False, desc=src.name)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        report = documents.translate_document(
            src,
            out,
            translator,
            fmt=fmt,
            beam_size=args.beam,
            glossary=glossary,
            all_units=args.all_units,
            encoding=args.encoding,
            progress=progress,
        )
    except KeyboardInterrupt:
        bar.close()
        print(f"\nCancelled; {out} was not written.", file=sys.stderr)
        return 130
    bar.close()
    print(report.summary())
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from translator_app.logs import install_excepthooks, setup_logging

    setup_logging(verbose=args.verbose)  # translator-app.log in paths.logs_dir(); DEBUG to stderr with -v
    install_excepthooks()
    if args.self_test:
        from translator_app.selftest import run_self_test

        return run_self_test()
    if args.command in (None, "gui"):
        from translator_app.app import main as gui_main

        return gui_main([], configure_logging=False)
    handlers = {
        "train": cmd_train,
        "translate": cmd_translate,
        "evaluate": cmd_evaluate,
        "translate-file": cmd_translate_file,
    }
    try:
        return handlers[args.command](args)
    except (ValueError, OSError) as exc:  # CorpusError, BundleError, InputTooLong, missing files
        logging.getLogger(__name__).debug("%s failed", args.command, exc_info=True)
        print(f"translator-app: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
