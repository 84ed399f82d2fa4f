"""``translator-app translate | evaluate | translate-file``: the commands that load a model and
translate with it (torch is imported only here, when one of them runs)."""

from __future__ import annotations

import sys
from pathlib import Path

from translator_app import paths
from translator_app.cli_input import checked_stdin_lines, decode_config, stdin_bytes, write_raw
from translator_app.cli_memory import attach_memory, print_fuzzy
from translator_app.core.text.textin import argument_problem, decode_lines


def _load_translator(args):
    from translator_app.core.translation.translator import Translator

    path = Path(args.model) if args.model else paths.default_model_dir()
    return Translator.load(path, quantize=not args.no_quantize)


def _reverse_hint(info) -> str:
    """What to use instead of the model in ``info``: the reverse model's folder, when one is installed."""
    from translator_app.core.library.store import ModelStore
    from translator_app.core.text import langid

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
    from translator_app.core.text import langid

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
    from translator_app.core.text import langid

    for k, arg in enumerate(args.text, 1):  # before the model loads; --prefix's sentence too
        if problem := argument_problem(arg):
            raise ValueError(f"argument {k} is {problem}; give the text in UTF-8")
    langid.preload(background=True)  # while the model loads
    translator = _load_translator(args)
    glossary = None
    if getattr(args, "glossary", None):
        from translator_app.core.documents import load_glossary  # TSV or TBX, as translate-file reads it

        glossary = load_glossary(args.glossary, translator.info.src_lang, translator.info.tgt_lang)
    if getattr(args, "prefix", None) is not None:
        return _translate_prefix(args, translator, glossary)
    memory = attach_memory(translator, args)
    decode = decode_config(args)
    if not args.text and not sys.stdin.isatty() and not (args.n_best or args.show_attention):
        entries = decode_lines(stdin_bytes())  # a pipe: batched, one output line per line
        good = [e for e in entries if e.text is not None]
        _warn_if_reversed(translator, "\n".join(e.text for e in good[:50]))
        mark = memory.counts() if memory is not None else None
        outs: dict[int, str] = {}
        for start in range(0, len(good), 256):
            batch = good[start : start + 256]
            outs.update(
                zip(
                    (e.number for e in batch),
                    translator.translate_lines([e.text for e in batch], decode, glossary=glossary),
                )
            )
        for e in entries:  # a bad line is copied as it was, and named on stderr
            if e.text is None:
                print(f"translator-app: stdin line {e.number}: {e.problem}; copied untranslated", file=sys.stderr)
                write_raw(e.raw + b"\n")
            else:
                print(outs[e.number])
        sys.stdout.flush()
        for note in memory.report_since(mark) if memory is not None else ():
            print(f"memory: {note}", file=sys.stderr, flush=True)
        return 1 if len(good) < len(entries) else 0
    lines = list(args.text) if args.text else checked_stdin_lines()  # one argument, one line
    warned = False
    for line in lines:
        warned = warned or _warn_if_reversed(translator, line)
        result = translator.translate(line, decode, glossary=glossary)
        print(result.text, flush=True)
        print_fuzzy(result)
        if args.n_best:
            for sent in result.sentences:
                for text, score in translator.alternatives(sent.source, args.n_best, decode, glossary=glossary):
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
    completion = translator.complete(source, args.prefix, decode_config(args), glossary=glossary)
    print(completion.text, flush=True)
    if args.show_attention:
        for tok, row in zip(completion.tgt_tokens, completion.attention):
            j = int(row.argmax())
            print(f"    {tok:>14} <- {completion.src_tokens[j]} ({row[j]:.2f})")
    return 0


def cmd_evaluate(args) -> int:
    from tqdm import tqdm

    from translator_app.core.text.corpus import group_references, read_corpus
    from translator_app.core.text.metrics import corpus_scores

    translator = _load_translator(args)
    pairs, _ = read_corpus(args.testfile, dedupe=False)
    sources, refs = group_references(pairs)
    if args.limit:
        sources, refs = sources[: args.limit], refs[: args.limit]
    hyps: list[str] = []
    decode = decode_config(args)
    for start in tqdm(range(0, len(sources), 64), unit="batch", leave=False):
        hyps += translator.translate_lines(sources[start : start + 64], decode)
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
    documents.check_output_format(out, fmt, src)  # no HTML written into a .pdf
    translator = _load_translator(args)
    attach_memory(translator, args)
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
            decode=decode_config(args),
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
