"""Text that comes in as bytes (standard input, command-line arguments), checked at the entry.

Python hands undecodable bytes on as lone surrogates (``surrogateescape``), which SentencePiece
cannot take; so text is decoded strictly here, line by line: a bad line is named (its number
and the first bad byte) and kept as it was, and every other line is translated.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputLine:
    number: int  # 1-based
    raw: bytes  # without its line break
    text: str | None  # None: not valid UTF-8
    problem: str = ""  # why ``text`` is None


def _problem(raw: bytes, exc: UnicodeDecodeError) -> str:
    return f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"


def decode_lines(data: bytes) -> list[InputLine]:
    """Every line of ``data`` (LF, CRLF or CR line breaks; a UTF-8 BOM is dropped), decoded strictly."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out = []
    for number, raw in enumerate(data.splitlines(), 1):
        try:
            out.append(InputLine(number, raw, raw.decode("utf-8")))
        except UnicodeDecodeError as exc:
            out.append(InputLine(number, raw, None, _problem(raw, exc)))
    return out


def argument_problem(text: str) -> str | None:
    """Why a command-line argument (decoded with ``surrogateescape``) is not valid text, or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return _problem(raw, exc)
        return "not valid UTF-8"
    return None
