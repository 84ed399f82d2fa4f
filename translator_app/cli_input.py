"""Text entry of the command line: stdin read as bytes and decoded strictly (core.textin), raw
output of lines kept as they were, and the range check of --beam / --n-best (core.search's)."""

from __future__ import annotations

import argparse
import sys

from translator_app.core.textin import decode_lines


def width(text: str) -> int:
    """--beam / --n-best: checked by the decoder's own range check (core.search.check_beam)."""
    from translator_app.core.search import check_beam  # imports torch: only when the flag is given

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    try:
        check_beam(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("beam size", "the value")) from None
    return value


def stdin_bytes(line: bool = False) -> bytes:
    """stdin's bytes (all, or one line), as they came: text is decoded at the entry (core.textin)."""
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
