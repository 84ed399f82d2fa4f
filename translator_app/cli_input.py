"""Text entry of the command line: stdin read as bytes and decoded strictly (core.text.textin), raw
output of lines kept as they were, and the decoding flags (--beam, --n-best, --alpha, --max-ratio,
--no-repeat-ngram), checked by core.model.decoding's own range checks and made into one DecodeConfig."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from translator_app.core.text.textin import decode_lines


def width(text: str) -> int:
    """--beam / --n-best: checked by the decoder's own range check (core.model.decoding.check_beam)."""
    from translator_app.core.model.decoding import check_beam

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    try:
        check_beam(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("beam size", "the value")) from None
    return value


def _knob(field: str, kind: type):
    """An argparse type for one DecodeConfig field: the value, checked by DecodeConfig itself."""

    def parse(text: str):
        from translator_app.core.model.decoding import DecodeConfig

        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a {'whole ' if kind is int else ''}number: {text!r}") from None
        try:
            DecodeConfig(**{field: value})
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return value

    return parse


def add_decode_flags(parser: argparse.ArgumentParser) -> None:
    """--beam, --alpha, --max-ratio, --no-repeat-ngram, their defaults the command line's DecodeConfig
    (core.model.decoding.DOCUMENT); :func:`decode_config` reads them back."""
    from translator_app.core.model.decoding import DOCUMENT

    parser.add_argument(
        "--beam", type=width, default=DOCUMENT.beam_size, help=f"beam size (default {DOCUMENT.beam_size}; 1 = greedy)"
    )
    parser.add_argument(
        "--alpha",
        type=_knob("alpha", float),
        default=DOCUMENT.alpha,
        help=f"length penalty: scores are log-probability / length^ALPHA (default {DOCUMENT.alpha:g}; 0 = none)",
    )
    parser.add_argument(
        "--max-ratio",
        type=_knob("max_ratio", float),
        default=DOCUMENT.max_ratio,
        help=f"output length bound: RATIO x the source subwords + 10 (default {DOCUMENT.max_ratio:g})",
    )
    parser.add_argument(
        "--no-repeat-ngram",
        type=_knob("no_repeat_ngram", int),
        default=DOCUMENT.no_repeat_ngram,
        metavar="N",
        help=f"no N-subword sequence twice in one output (default {DOCUMENT.no_repeat_ngram}; 0 = off)",
    )


def decode_config(args: argparse.Namespace) -> Any:
    """The core.model.decoding.DecodeConfig of the flags :func:`add_decode_flags` added."""
    from translator_app.core.model.decoding import DecodeConfig

    return DecodeConfig(
        beam_size=args.beam, alpha=args.alpha, max_ratio=args.max_ratio, no_repeat_ngram=args.no_repeat_ngram
    )


def stdin_bytes(line: bool = False) -> bytes:
    """stdin's bytes (all, or one line), as they came: text is decoded at the entry (core.text.textin)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream (tests): its undecodable bytes are surrogate escapes
        return (sys.stdin.readline() if line else sys.stdin.read()).encode("utf-8", "surrogateescape")
    return stream.readline() if line else stream.read()


def write_raw(data: bytes) -> None:
    sys.stdout.flush()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(data.decode("utf-8", "surrogateescape"))
    else:
        stream.write(data)
        stream.flush()


def checked_stdin_lines():
    """stdin line by line (a terminal), each decoded strictly; a bad line is named and skipped."""
    for number, raw in enumerate(iter(lambda: stdin_bytes(line=True), b""), 1):
        entry = decode_lines(raw)[:1] or [None]
        if entry[0] is not None and entry[0].text is None:
            print(f"translator-app: stdin line {number}: {entry[0].problem}; not translated", file=sys.stderr)
            continue
        yield entry[0].text if entry[0] is not None else ""
