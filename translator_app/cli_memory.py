"""``translator-app memory ...``: the personal translation memory on the command line, and the
``--no-memory`` switch of ``translate`` / ``translate-file`` (the memory is on by default).

    translator-app memory import FILE [--src en --tgt es]     # TMX, TSV, PO, XLIFF
    translator-app memory export FILE.tmx [--src en --tgt es]
    translator-app memory list [--search TEXT] [--limit N]
    translator-app memory delete ID
    translator-app memory adapt [--minutes 2] [--threads 2]    # a new version of your model
    translator-app memory versions                             # your model's versions and their scores
    translator-app memory use VERSION                          # switch (roll back) to a version
"""

from __future__ import annotations

import sys
from pathlib import Path

from translator_app import paths


def add_memory_flag(parser) -> None:
    parser.add_argument(
        "--no-memory",
        action="store_true",
        help="do not use your translation memory (by default its exact matches replace the model's output)",
    )


def add_memory_parser(sub) -> None:
    p = sub.add_parser("memory", help="your personal translation memory: import, export, list, delete, adapt")
    msub = p.add_subparsers(dest="memory_command", required=True)

    def pair_flags(q, note: str) -> None:
        q.add_argument("--src", default="", help=f"source language code {note}")
        q.add_argument("--tgt", default="", help=f"target language code {note}")

    q = msub.add_parser("import", help="add the pairs of a TMX, TSV, PO or XLIFF file")
    q.add_argument("file")
    pair_flags(q, "(default: from the file)")
    q = msub.add_parser("export", help="write the memory as TMX")
    q.add_argument("file")
    pair_flags(q, "(default: from the file name, else your only memory)")
    q = msub.add_parser("list", help="print the entries, newest first (ID<TAB>source<TAB>target)")
    q.add_argument("--search", default="", help="only entries containing TEXT on either side")
    q.add_argument("--limit", type=int, default=None)
    pair_flags(q, "(default: your only memory)")
    q = msub.add_parser("delete", help="delete one entry")
    q.add_argument("id", type=int)
    pair_flags(q, "(default: your only memory)")
    q = msub.add_parser("adapt", help="fine-tune your model on the memory now (a new version; nothing is replaced)")
    pair_flags(q, "(default: your only memory)")
    q.add_argument("--minutes", type=float, default=2.0, help="training time (default 2)")
    q.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    q.add_argument("--from", dest="base", metavar="MODEL", help="start from this model (default: your current version)")
    q.add_argument("--json", action="store_true", help="one JSON object per event")
    q = msub.add_parser("versions", help="your model's versions with their scores")
    pair_flags(q, "(default: your only memory)")
    q = msub.add_parser("use", help="use this version from now on (roll back or forward); 0 = the bundled model")
    q.add_argument("version", type=int)
    pair_flags(q, "(default: your only memory)")


def resolve_pair(args, file: str | None = None) -> tuple[str, str]:
    """--src/--tgt, else the pair in ``file``'s name, else the only memory there is."""
    from translator_app.core.adapt.memory import TMError
    from translator_app.core.text.corpus import languages_from_name

    if args.src and args.tgt:
        return args.src, args.tgt
    if file:
        src, tgt = languages_from_name(file)
        if src and tgt:
            return src, tgt
    existing = sorted(p.stem for p in paths.memory_dir().glob("*.sqlite"))
    if len(existing) == 1:
        src, _, tgt = existing[0].partition("-")
        return src, tgt
    found = ", ".join(existing) if existing else "none yet"
    raise TMError(f"which language pair? give --src and --tgt (memories: {found})")


def open_memory(src: str, tgt: str):
    from translator_app.core.adapt.memory import TranslationMemory

    return TranslationMemory.open(paths.memory_dir(), src, tgt)


def attach_memory(translator, args):
    """Use the translation memory of the model's pair unless ``--no-memory`` (translate, translate-file).

    Returns the memory now in use, or None (off, no pair, or no memory of this pair yet): callers ask
    this, not ``translator.memory``, so any object with ``info`` and the translate methods will do."""
    if getattr(args, "no_memory", False):
        return None
    info = translator.info
    if not (info.src_lang and info.tgt_lang):
        return None
    path = paths.memory_dir() / f"{info.src_lang}-{info.tgt_lang}.sqlite"
    if not path.exists():
        return None
    memory = open_memory(info.src_lang, info.tgt_lang)
    translator.set_memory(memory)
    return memory


def print_fuzzy(result) -> None:
    """Fuzzy memory matches of one translated text, as suggestions on stderr (stdout stays one line per line)."""
    for sent in result.sentences:
        match = getattr(sent, "match", None)
        if match is not None and not match.exact:
            print(
                f"memory: {match.similarity:.0f} % similar: {match.source}  →  {match.target}",
                file=sys.stderr,
                flush=True,
            )


def cmd_memory(args) -> int:
    from translator_app.core.adapt import memory_io

    command = args.memory_command
    if command == "import":
        result = memory_io.import_file(paths.memory_dir(), args.file, args.src, args.tgt)
        print(
            f"{result.added:,} entries added to the {result.src_lang}-{result.tgt_lang} memory ({result.report.summary()})"
        )
        return 0
    if command in ("adapt", "versions", "use"):
        from translator_app import cli_adapt

        pair = resolve_pair(args)
        return cli_adapt.run(args, pair, open_memory(*pair))
    memory = open_memory(*resolve_pair(args, args.file if command == "export" else None))
    if command == "export":
        if Path(args.file).suffix.lower() != ".tmx":
            raise ValueError(f"{args.file}: the memory is exported as TMX (give a .tmx file name)")
        n = memory_io.export_tmx(memory, args.file)
        print(f"{n:,} entries of the {memory.pair} memory written to {args.file}")
    elif command == "list":
        for e in memory.entries(args.search, args.limit):
            print(f"{e.id}\t{e.source}\t{e.target}")
    elif command == "delete":
        memory.delete(args.id)
        print(f"entry {args.id} deleted from the {memory.pair} memory")
    return 0
