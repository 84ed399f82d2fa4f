#!/usr/bin/env python3
"""Fuzz ``read_corpus`` with generated malformed corpus files.

Generates ``--count`` corpus inputs (single TSV files and line-aligned pairs of files) of
many kinds: random bytes, invalid UTF-8, no tabs, mismatched pair files, huge lines, NUL
bytes, empty sides, BOM/CRLF/CR mixes, header-only files, UTF-16, odd Unicode, mutated
real corpus lines, directories and missing files... Each input is read in a worker
process with a per-input timeout (``signal.alarm`` inside the worker, plus a hard
timeout on the result in the parent that replaces a stuck worker).

Every input must give either

* a valid corpus: a non-empty list of (source, target) string pairs, each side
  non-empty, NFC, without tab/CR/LF/NUL, at most ``max_chars`` long, and a report whose
  counts add up (lines == pairs + skipped + header); or
* a ``CorpusError`` whose message starts with the offending file's path and, where a
  line is knowable (NUL, invalid UTF-8, over-long line, mismatched pair files, soft
  problems in strict mode), names that line; the line is checked against an
  independent scan of the bytes (it must be a line that really has a hard problem,
  or the line where the shorter pair file ends).

A file that has a hard problem must not be accepted, and a file with a clearly usable
pair (lines 2..n) must not be rejected. Anything else (another exception type, a wrong
line, a path-less message, a timeout) counts as a crash, a bad result or a hang.

    .venv/bin/python scripts/fuzz_corpus.py --count 1200 --workers 1
    .venv/bin/python scripts/fuzz_corpus.py --count 200 --json /tmp/fuzz.json

Exit status 0 when crashes, hangs and bad results are all 0.
"""

from __future__ import annotations

import argparse
import codecs
import json
import multiprocessing as mp
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TATOEBA = REPO.parent / "shared" / "corpora" / "tatoeba.en-es.tsv"
SNIFF_BYTES = 8192  # mirrors corpus.SNIFF_BYTES (NUL bytes there are reported first)

# ---------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------


@dataclass
class Case:
    kind: str
    path: str
    target: str | None = None
    kwargs: dict = field(default_factory=dict)


WORDS = [
    "the",
    "cat",
    "sat",
    "on",
    "a",
    "mat",
    "dog",
    "house",
    "tree",
    "water",
    "book",
    "run",
    "walk",
    "go",
    "come",
    "see",
    "él",
    "ella",
    "casa",
    "perro",
    "gato",
    "árbol",
    "agua",
    "libro",
    "correr",
    "niño",
    "año",
    "über",
    "straße",
    "café",
    "naïve",
    "coöperate",
]
HEADERS = [
    b"source\ttarget",
    b"en\tes",
    b"English\tSpanish",
    b"src\ttgt",
    b"EN\tES",
    b"en-US\tes-ES",
    b"input\toutput",
    b"text\ttranslation",
]
INVALID_UTF8 = [
    b"\xff",
    b"\xfe",
    b"\x80",
    b"\xbf",
    b"\xc0\x80",
    b"\xc1\xbf",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\xf5\x80\x80\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\xc3",
    b"\xe0\x80\xaf",
    b"\xf4\x90\x80\x80",
    b"\xc3\x28",
    b"\xa0\xa1",
]
ODD_UNICODE = [
    "e\u0301",
    "\u00e9",
    "\u212b",
    "A\u030a",
    "\u0344",
    "\ufb2c",
    "\u200b",
    "\u200f",
    "\u202e",
    "\u00a0",
    "\u2028",
    "\u2029",
    "\u0085",
    "\u000b",
    "\u000c",
    "\u001c",
    "\u3000",
    "\ufeff",
    "\U0001f600",
    "\U0001f469\u200d\U0001f4bb",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "\u4e2d\u6587",
    "\ufffd",
    "\U000e0041",
    "\u0000"[:0],
    "\t\t",
    " ",
    "İ",
    "ß",
    "ﬃ",
    "\u1e9e",
]
EOLS = [b"\n", b"\r\n", b"\r", b"\n\r"]


def sentence(rng: random.Random, max_words: int = 8) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, max_words)))


def tsv_line(rng: random.Random) -> bytes:
    return f"{sentence(rng)}\t{sentence(rng)}".encode()


def real_lines(rng: random.Random, n: int) -> list[bytes]:
    if _REAL:
        start = rng.randrange(max(1, len(_REAL) - n))
        return _REAL[start : start + n]
    return [tsv_line(rng) for _ in range(n)]


_REAL: list[bytes] = []


def join(lines: list[bytes], rng: random.Random, eol: bytes | None = None, final: bool | None = None) -> bytes:
    eol = eol if eol is not None else b"\n"
    body = eol.join(lines)
    if final is None:
        final = rng.random() < 0.8
    return body + (eol if final and lines else b"")


def gen_random_bytes(rng, d):
    return {"data": rng.randbytes(rng.choice([0, 1, 2, 7, 64, 512, 4096, 9000]))}


def gen_alphabet_soup(rng, d):
    alphabet = [b"a", b"b", b" ", b"\t", b"\n", b"\r", b"\x00", b"\xff", b"\xc3", b"\xa9", b"\xef\xbb\xbf", b"x"]
    weights = [8, 8, 4, 3, 4, 1, 0.2, 0.3, 0.5, 0.5, 0.2, 5]
    return {"data": b"".join(rng.choices(alphabet, weights, k=rng.randint(1, 600)))}


def gen_invalid_utf8(rng, d):
    lines = real_lines(rng, rng.randint(1, 40))
    k = rng.randrange(len(lines))
    bad = rng.choice(INVALID_UTF8)
    line = lines[k]
    pos = rng.randint(0, len(line))
    lines[k] = line[:pos] + bad + line[pos:]
    return {"data": join(lines, rng)}


def gen_no_tabs(rng, d):
    lines = [sentence(rng).encode() for _ in range(rng.randint(1, 30))]
    if rng.random() < 0.3:  # a few usable lines among them
        lines[rng.randrange(len(lines))] = tsv_line(rng)
    return {"data": join(lines, rng)}


def gen_mismatched_pair(rng, d):
    n = rng.randint(1, 30)
    m = n + rng.choice([-n, -1, 1, 2, 10]) if rng.random() < 0.85 else n
    m = max(0, m)
    src = [sentence(rng).encode() for _ in range(n)]
    tgt = [sentence(rng).encode() for _ in range(m)]
    return {"data": join(src, rng, final=True), "target": join(tgt, rng, final=True)}


def gen_pair_files(rng, d):
    n = rng.randint(1, 30)
    src = [sentence(rng).encode() if rng.random() > 0.1 else b"" for _ in range(n)]
    tgt = [sentence(rng).encode() if rng.random() > 0.1 else b"  " for _ in range(n)]
    eol = rng.choice(EOLS[:2])
    data = {"data": join(src, rng, eol), "target": join(tgt, rng, rng.choice(EOLS[:2]))}
    if rng.random() < 0.3:
        data["data"] = codecs.BOM_UTF8 + data["data"]
    if rng.random() < 0.3:
        data["target"] = codecs.BOM_UTF8 + data["target"]
    if rng.random() < 0.15:  # a hard problem in one of the two files
        which = rng.choice(["data", "target"])
        blob = bytearray(data[which])
        pos = rng.randint(0, len(blob))
        blob[pos:pos] = rng.choice([b"\x00", b"\xff", b"\xed\xa0\x80"])
        data[which] = bytes(blob)
    return data


def gen_huge_line(rng, d):
    limit = rng.choice([64, 100, 256, 1024, 4096])
    lines = real_lines(rng, rng.randint(0, 20))
    size = limit + rng.choice([-1, 0, 1, 2, 50, 5000])
    long_line = (b"word " * (size // 5 + 1))[:size]
    if rng.random() < 0.5:
        long_line = long_line[: size // 2] + b"\t" + long_line[size // 2 + 1 :]
    lines.insert(rng.randint(0, len(lines)), long_line)
    return {"data": join(lines, rng), "kwargs": {"max_line_bytes": limit}}


def gen_huge_line_default(rng, d):
    lines = real_lines(rng, rng.randint(0, 5))
    lines.insert(rng.randint(0, len(lines)), b"x" * rng.choice([65_535, 65_536, 65_537, 70_000, 200_000]))
    return {"data": join(lines, rng)}


def gen_nul(rng, d):
    lines = real_lines(rng, rng.randint(1, 400))
    k = rng.randrange(len(lines))
    pos = rng.randint(0, len(lines[k]))
    lines[k] = lines[k][:pos] + b"\x00" * rng.randint(1, 3) + lines[k][pos:]
    return {"data": join(lines, rng)}


def gen_empty_sides(rng, d):
    choices = [
        b"\tfoo",
        b"foo\t",
        b"\t",
        b"  \t  ",
        b"\t\t",
        b" \t bar",
        b"\xc2\xa0\tx",
        b"",
        b"   ",
        b"\xe3\x80\x80\tword",
        b"a\t\xe2\x80\x8b",
    ]
    lines = [rng.choice(choices) for _ in range(rng.randint(1, 20))]
    if rng.random() < 0.4:
        lines.append(tsv_line(rng))
    return {"data": join(lines, rng)}


def gen_bom_crlf(rng, d):
    lines = real_lines(rng, rng.randint(1, 30))
    out = b""
    for line in lines:
        if rng.random() < 0.1:
            line = codecs.BOM_UTF8 + line
        out += line + rng.choice(EOLS)
    if rng.random() < 0.6:
        out = codecs.BOM_UTF8 + out
    if rng.random() < 0.2:
        out = codecs.BOM_UTF8 * 2 + out
    return {"data": out}


def gen_only_header(rng, d):
    lines = [rng.choice(HEADERS)]
    if rng.random() < 0.3:
        lines.append(b"")
    if rng.random() < 0.3:
        lines.append(rng.choice(HEADERS))
    data = join(lines, rng, rng.choice(EOLS[:2]))
    if rng.random() < 0.3:
        data = codecs.BOM_UTF8 + data
    return {"data": data}


def gen_header_plus(rng, d):
    lines = [rng.choice(HEADERS)] + real_lines(rng, rng.randint(1, 10))
    return {"data": join(lines, rng)}


def gen_empty_like(rng, d):
    return {
        "data": rng.choice(
            [
                b"",
                b"\n",
                b"\n\n\n",
                b"\r\n",
                b"   \n\t\n",
                b"\xef\xbb\xbf",
                b"\xef\xbb\xbf\n",
                b"\t\n" * 5,
                b" " * 100,
                b"\r" * 50,
            ]
        )
    }


def gen_odd_unicode(rng, d):
    lines = []
    for _ in range(rng.randint(1, 20)):
        src = sentence(rng, 3) + rng.choice(ODD_UNICODE) + rng.choice(ODD_UNICODE)
        tgt = rng.choice(ODD_UNICODE) + sentence(rng, 3)
        lines.append(f"{src}\t{tgt}".encode())
    return {"data": join(lines, rng)}


def gen_many_columns(rng, d):
    lines = [b"\t".join(sentence(rng, 3).encode() for _ in range(rng.randint(2, 8))) for _ in range(rng.randint(1, 20))]
    return {"data": join(lines, rng)}


def gen_over_max_chars(rng, d):
    max_chars = rng.choice([5, 10, 20, 50])
    lines = real_lines(rng, rng.randint(1, 20))
    return {"data": join(lines, rng), "kwargs": {"max_chars": max_chars}}


def gen_duplicates(rng, d):
    line = tsv_line(rng)
    variants = [line, line.upper(), b"  " + line + b"  ", line.replace(b" ", b"  ")]
    return {
        "data": join([rng.choice(variants) for _ in range(rng.randint(1, 20))], rng),
        "kwargs": {"lowercase": rng.random() < 0.5},
    }


def gen_mutated_real(rng, d):
    blob = bytearray(join(real_lines(rng, rng.randint(1, 60)), rng))
    for _ in range(rng.randint(1, 10)):
        if not blob:
            break
        op = rng.random()
        j = rng.randrange(len(blob))
        if op < 0.4:
            blob[j] ^= 1 << rng.randrange(8)
        elif op < 0.6:
            del blob[j : j + rng.randint(1, 20)]
        elif op < 0.8:
            blob[j:j] = rng.randbytes(rng.randint(1, 8))
        else:
            blob[j:j] = rng.choice([b"\t", b"\n", b"\r\n", b"\x00", codecs.BOM_UTF8])
    return {"data": bytes(blob)}


def gen_truncated_multibyte(rng, d):
    lines = [f"{sentence(rng)}\tcafé niño".encode() for _ in range(rng.randint(1, 5))]
    data = join(lines, rng, final=False) + rng.choice([b"\xc3", b"\xe2\x82", b"\xf0\x9f\x98"])
    return {"data": data}


def gen_utf16(rng, d):
    text = "\n".join(f"{sentence(rng)}\t{sentence(rng)}" for _ in range(rng.randint(1, 10)))
    return {"data": text.encode(rng.choice(["utf-16", "utf-16-le", "utf-32"]))}


def gen_latin1(rng, d):
    text = "\n".join(f"{sentence(rng)} \u00e9\t{sentence(rng)} \u00f1" for _ in range(rng.randint(1, 10)))
    return {"data": text.encode("latin-1")}


def gen_strict(rng, d):
    lines = real_lines(rng, rng.randint(1, 20))
    if rng.random() < 0.7:
        lines.insert(rng.randint(0, len(lines)), rng.choice([b"no tab here", b"\tx", b"y\t", b"", b" "]))
    return {"data": join(lines, rng), "kwargs": {"strict": True, "dedupe": rng.random() < 0.5}}


def gen_valid(rng, d):
    return {"data": join(real_lines(rng, rng.randint(1, 50)), rng, rng.choice(EOLS[:2]))}


def gen_not_a_file(rng, d):
    return {"special": rng.choice(["directory", "missing", "missing_target", "directory_target"])}


GENERATORS = {name[4:]: fn for name, fn in globals().items() if name.startswith("gen_")}


def make_cases(count: int, seed: int, work: Path) -> list[Case]:
    rng = random.Random(seed)
    kinds = sorted(GENERATORS)
    cases = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        spec = GENERATORS[kind](rng, work)
        name = rng.choice(["corpus", "data.en-es", "x", "my corpus (1)", "ñandú", "pairs.en_fr"])
        base = work / f"{i:05d}-{kind}-{name}"
        kwargs = spec.get("kwargs", {})
        if spec.get("special"):
            special = spec["special"]
            src = base.with_suffix(".tsv")
            tgt = None
            if special == "directory":
                src.mkdir()
            elif special == "missing":
                pass
            else:
                src.write_bytes(join(real_lines(rng, 3), rng))
                tgt = base.with_suffix(".tgt")
                if special == "directory_target":
                    tgt.mkdir()
            cases.append(Case(kind + ":" + special, str(src), str(tgt) if tgt else None, kwargs))
            continue
        if "target" in spec:
            src, tgt = base.with_suffix(".src"), base.with_suffix(".tgt")
            src.write_bytes(spec["data"])
            tgt.write_bytes(spec["target"])
            cases.append(Case(kind, str(src), str(tgt), kwargs))
        else:
            src = base.with_suffix(".tsv")
            src.write_bytes(spec["data"])
            cases.append(Case(kind, str(src), None, kwargs))
    return cases


# ---------------------------------------------------------------------------------------
# oracle: an independent byte-level scan of what the reader must report
# ---------------------------------------------------------------------------------------


@dataclass
class Scan:
    exists: bool
    empty: bool
    lines: list[bytes]  # without the final b"\n"
    hard: dict[int, str]  # line number -> problem (NUL, invalid UTF-8, too long)
    sniff_nul_line: int | None  # a NUL in the first SNIFF_BYTES: reported before anything else


def scan(path: str, max_line_bytes: int) -> Scan:
    p = Path(path)
    if not p.is_file():
        return Scan(False, False, [], {}, None)
    data = p.read_bytes()
    if not data:
        return Scan(True, True, [], {}, None)
    raw = data.split(b"\n")
    if raw and raw[-1] == b"":
        raw.pop()
    hard: dict[int, str] = {}
    for i, line in enumerate(raw, 1):
        if len(line) > max_line_bytes:
            hard[i] = "too long"
            continue
        if b"\x00" in line:
            hard[i] = "NUL"
            continue
        body = line[3:] if i == 1 and line.startswith(codecs.BOM_UTF8) else line
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            hard[i] = "invalid UTF-8"
    head = data[:SNIFF_BYTES]
    sniff = head[: head.index(b"\x00")].count(b"\n") + 1 if b"\x00" in head else None
    return Scan(True, False, raw, hard, sniff)


def clearly_usable_line(line: bytes, max_chars: int, line_no: int) -> bool:
    """A line 2..n with a tab and printable text on both sides, well inside max_chars."""
    if line_no < 2:
        return False
    try:
        text = line.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        return False
    cols = text.split("\t")
    if len(cols) < 2:
        return False
    src, tgt = cols[0].strip(), cols[1].strip()
    return bool(src) and bool(tgt) and 3 * len(src) <= max_chars and 3 * len(tgt) <= max_chars


# ---------------------------------------------------------------------------------------
# checking one case (in a worker)
# ---------------------------------------------------------------------------------------


class _Alarm(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Alarm()


NO_LINE_REASONS = ("the file is empty", "no usable sentence pairs", "cannot open")


def check_case(case: Case, timeout: float) -> dict:
    from translator_app.core.text.corpus import CorpusError, read_corpus

    kw = dict(case.kwargs)
    max_line = kw.get("max_line_bytes", 64 * 1024)
    max_chars = kw.get("max_chars", 1000)
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.perf_counter()
    try:
        pairs, report = read_corpus(case.path, case.target, **kw)
        outcome, exc = "valid", None
    except CorpusError as e:
        outcome, exc = "error", e
    except _Alarm:
        return {"status": "hang", "detail": f"no result after {timeout}s"}
    except BaseException as e:  # noqa: BLE001 - anything else is a crash
        return {"status": "crash", "detail": f"{type(e).__name__}: {e}"[:300], "trace": traceback.format_exc()[-1500:]}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    elapsed = time.perf_counter() - start

    files = [case.path] + ([case.target] if case.target else [])
    scans = {f: scan(f, max_line) for f in files}
    problems: list[str] = []
    must_fail = any(not s.exists or s.empty or s.hard for s in scans.values())
    if case.target and all(s.exists and not s.empty for s in scans.values()):
        n_src, n_tgt = (len(scans[f].lines) for f in files)
        must_fail |= n_src != n_tgt

    if outcome == "valid":
        if must_fail:
            problems.append("accepted a file with a hard problem")
        if not pairs or report.pairs != len(pairs):
            problems.append("valid corpus without pairs / wrong report.pairs")
        if report.lines != report.pairs + report.skipped_total + int(report.header):
            problems.append(
                f"report does not add up: {report.lines} lines != {report.pairs} pairs + "
                f"{report.skipped_total} skipped + header {report.header}"
            )
        for src, tgt in pairs:
            for side in (src, tgt):
                if not isinstance(side, str) or not side or side != side.strip():
                    problems.append(f"bad side {side!r}")
                elif any(c in side for c in "\t\r\n\x00"):
                    problems.append(f"control character kept in {side!r}")
                elif len(side) > max_chars:
                    problems.append(f"side over max_chars: {len(side)}")
                elif not unicodedata.is_normalized("NFC", side):
                    problems.append(f"not NFC: {side!r}")
        if kw.get("strict") and report.skipped_total - report.skipped.get("duplicate pair", 0):
            problems.append("strict mode skipped a line instead of failing")
        return {"status": "bad" if problems else "valid", "detail": "; ".join(problems)[:300], "s": elapsed}

    # a CorpusError: it must name the file (and the line when one is knowable)
    msg = str(exc)
    if exc.path not in files:
        problems.append(f"error names {exc.path!r}, not one of the input files")
    if not msg.startswith(exc.path):
        problems.append("message does not start with the file path")
    if exc.line is None:
        if not exc.reason.startswith(NO_LINE_REASONS):
            problems.append(f"no line number for {exc.reason!r}")
    else:
        if f"line {exc.line}" not in msg:
            problems.append("line number missing from the message")
        s = scans.get(exc.path)
        ok_lines = set(s.hard) if s else set()
        if s and s.sniff_nul_line:
            ok_lines.add(s.sniff_nul_line)
        if "not line-aligned" in exc.reason:
            n_min = min(len(scans[f].lines) for f in files)
            ok_lines.add(n_min + 1)
        if kw.get("strict") and s and 1 <= exc.line <= len(s.lines):
            ok_lines.add(exc.line)  # soft problems become errors at their own line in strict mode
        if exc.line not in ok_lines:
            problems.append(f"line {exc.line} has no problem the scan can see ({sorted(ok_lines)[:5]})")
    if not must_fail and not kw.get("strict"):
        usable = (
            any(clearly_usable_line(line, max_chars, i) for i, line in enumerate(scans[case.path].lines, 1))
            if not case.target
            else False
        )
        if usable:
            problems.append("rejected a file with a clearly usable pair")
    return {"status": "bad" if problems else "error", "detail": ("; ".join(problems) or msg)[:300], "s": elapsed}


# ---------------------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------------------


def _worker_init() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def run(cases: list[Case], workers: int, timeout: float) -> list[dict]:
    ctx = mp.get_context("fork")
    results: list[dict | None] = [None] * len(cases)
    pending = list(range(len(cases)))
    while pending:
        pool = ctx.Pool(workers, initializer=_worker_init)
        futures = {i: pool.apply_async(check_case, (cases[i], timeout)) for i in pending}
        restart_from = None
        for i in pending:
            try:
                results[i] = futures[i].get(timeout + 10)
            except mp.TimeoutError:  # stuck in C code: the alarm could not fire
                results[i] = {"status": "hang", "detail": f"worker stuck > {timeout + 10}s"}
                restart_from = i
                break
            except Exception as e:  # noqa: BLE001 - e.g. the worker died (segfault)
                results[i] = {"status": "crash", "detail": f"worker failed: {type(e).__name__}: {e}"[:300]}
        pool.terminate()
        pool.join()
        if restart_from is None:
            break
        pending = [i for i in pending if results[i] is None]
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1200, help="inputs to generate (default 1200)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=1, help="worker processes (default 1: keep the CPU free)")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per input before it counts as a hang")
    ap.add_argument("--keep", help="write the generated files here and keep them (default: a temp dir)")
    ap.add_argument("--json", help="also write the summary as JSON here")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every error message")
    args = ap.parse_args(argv)

    if TATOEBA.exists():
        _REAL.extend(line for line in TATOEBA.read_bytes().split(b"\n")[:20000:7] if line)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fuzz-corpus-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        cases = make_cases(args.count, args.seed, work)
        results = run(cases, args.workers, args.timeout)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    counts = Counter(r["status"] for r in results)
    by_kind: dict[str, Counter] = {}
    for case, r in zip(cases, results):
        by_kind.setdefault(case.kind.split(":")[0], Counter())[r["status"]] += 1
    failures = [(c, r) for c, r in zip(cases, results) if r["status"] in ("crash", "hang", "bad")]
    slowest = max((r.get("s", 0.0) for r in results), default=0.0)

    print(f"{'kind':<22} {'valid':>6} {'error':>6} {'bad':>4} {'crash':>5} {'hang':>4}")
    for kind in sorted(by_kind):
        c = by_kind[kind]
        print(f"{kind:<22} {c['valid']:>6} {c['error']:>6} {c['bad']:>4} {c['crash']:>5} {c['hang']:>4}")
    if args.verbose:
        for case, r in zip(cases, results):
            if r["status"] == "error":
                print(f"  [{case.kind}] {r['detail']}")
    for case, r in failures[:30]:
        print(f"FAIL [{r['status']}] {case.kind} {case.path} {case.target or ''} {case.kwargs}: {r['detail']}")
        if r.get("trace"):
            print(r["trace"])
    summary = {
        "inputs": len(cases),
        "valid": counts["valid"],
        "clear_errors": counts["error"],
        "bad": counts["bad"],
        "crashes": counts["crash"],
        "hangs": counts["hang"],
        "kinds": len(by_kind),
        "slowest_s": round(slowest, 3),
        "elapsed_s": round(time.perf_counter() - started, 1),
    }
    print(
        f"inputs tried: {summary['inputs']} ({summary['kinds']} kinds), valid: {summary['valid']}, "
        f"clear errors: {summary['clear_errors']}, bad results: {summary['bad']}, crashes: {summary['crashes']}, "
        f"hangs: {summary['hangs']}  (slowest input {summary['slowest_s']} s, total {summary['elapsed_s']} s)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
