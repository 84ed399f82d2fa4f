"""Command line: ``translator-app [gui|train|translate|evaluate|translate-file|memory] ...``.

With no subcommand the desktop app starts. ``--self-test`` loads the default model,
translates one sentence headless and exits 0 (used to check a packaged binary).

This module is the parser and the dispatch; the commands live in ``cli_train`` (train),
``cli_translate`` (translate, evaluate, translate-file) and ``cli_memory`` / ``cli_adapt`` (memory).
"""

from __future__ import annotations

import argparse
import logging
import sys

from translator_app import __version__
from translator_app.cli_input import add_decode_flags, width
from translator_app.cli_memory import add_memory_flag, add_memory_parser, cmd_memory
from translator_app.cli_settings import add_finetune_flags, add_settings
from translator_app.cli_train import cmd_train
from translator_app.cli_translate import cmd_evaluate, cmd_translate, cmd_translate_file
from translator_app.core.documents import FORMATS
from translator_app.core.folders.filenames import TRAIN_STATE_FILE

DESCRIPTION = (
    "A neural machine translator that runs on your computer. Without a command the desktop app "
    "starts; each command below has its own --help."
)


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
        "tokenizer, architecture and weights, a low learning rate (preset 'finetune')",
    )
    add_finetune_flags(p)  # --replay, --replay-corpus, --anchor, --freeze, --max-general-drop
    p.add_argument("--name", help="display name stored in the bundle")
    p.add_argument(
        "--json",
        action="store_true",
        help="print each training event as one JSON object per line instead of the progress display",
    )
    add_settings(p)  # --preset and the settings group, generated from the config dataclasses


def _add_translate(sub) -> None:
    p = sub.add_parser("translate", help="translate arguments or stdin, one line per line")
    p.add_argument(
        "text",
        nargs="*",
        help='text to translate, one line per argument (quote a sentence: "Hello there."); stdin when absent',
    )
    p.add_argument("--model", help="model folder (default: the bundled default model)")
    add_decode_flags(p)
    p.add_argument("--no-quantize", action="store_true", help="decode in fp32 instead of int8")
    p.add_argument("--show-attention", action="store_true", help="print the alignment under each line")
    p.add_argument("--n-best", type=width, default=0, help="also print the N best alternatives with scores")
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
    add_memory_flag(p)


def _add_evaluate(sub) -> None:
    p = sub.add_parser("evaluate", help="BLEU and chrF of a model on a TSV test file")
    p.add_argument("testfile", help="TSV test file; repeated sources count as multiple references")
    p.add_argument("--model", help="model folder (default: the bundled default model)")
    add_decode_flags(p)
    p.add_argument("--no-quantize", action="store_true", help="decode in fp32 instead of int8 (the app's default)")
    p.add_argument("--limit", type=int, help="only the first N distinct sources")
    p.add_argument("--output", help="write the hypotheses here")


def _add_translate_file(sub) -> None:
    p = sub.add_parser("translate-file", help=f"translate a document, keeping its structure ({', '.join(FORMATS)})")
    p.add_argument("input", help="the document to translate (never modified)")
    p.add_argument("output", help="where to write the translation (same format; not the input)")
    p.add_argument("--model", help="model folder (default: the bundled default model)")
    add_decode_flags(p)
    p.add_argument("--format", dest="fmt", metavar="FMT", help=f"{', '.join(FORMATS)} (default: from the extension)")
    p.add_argument("--glossary", metavar="FILE", help="two-column TSV (source term, target term) or TBX")
    p.add_argument(
        "--all-units", action="store_true", help="PO / XLIFF: translate every unit, not only the untranslated ones"
    )
    p.add_argument("--encoding", help="text formats without a byte order mark: their encoding (default UTF-8)")
    p.add_argument("--no-quantize", action="store_true", help="decode in fp32 instead of int8")
    add_memory_flag(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="translator-app", description=DESCRIPTION)
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
    add_memory_parser(sub)
    return parser


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
        "memory": cmd_memory,
    }
    try:
        return handlers[args.command](args)
    except (ValueError, OSError) as exc:  # CorpusError, BundleError, InputTooLong, missing files
        logging.getLogger(__name__).debug("%s failed", args.command, exc_info=True)
        print(f"translator-app: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
