"""Fuzzing the document readers (issue 16): 1,000 malformed documents per format.

Every case is generated from a valid sample (tests/core/test_documents.py ``make_samples``):
truncated or corrupt zip containers, members dropped or replaced by broken XML, broken markup,
wrong encodings, huge paragraphs, empty files, random byte flips, insertions and deletions.
Each one must give a ``DocumentError`` whose message starts with the file's path, or a
translation that reads back as a valid document of the same format; never another exception,
never a hang (a per-case SIGALRM limit), and the input's bytes never change.

The translator is a stand-in with ``translate_lines``' signature (it upper-cases), so the run
measures the readers and writers, not the model. ``DOCUMENT_FUZZ_CASES=5000`` hunts longer.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import time
import zipfile
from pathlib import Path

import pytest
from reliability_helpers import time_limit

from tests.core.test_documents import make_samples
from translator_app.core import documents
from translator_app.core.documents import DocumentError, translate_document

pytestmark = pytest.mark.fuzz

CASES = int(os.environ.get("DOCUMENT_FUZZ_CASES", "1000"))  # per format
CHUNKS = 4  # test items per format (each runs CASES / CHUNKS cases)
CASE_SECONDS = 10.0
FORMATS = ["txt", "md", "html", "docx", "odt", "srt", "vtt", "po", "xliff"]
ZIPPED = {"docx": "word/document.xml", "odt": "content.xml"}
NOISE = [
    b"\x00",
    b"\xff",
    b"\xfe\xff",
    b"\x80",
    b"\xc3",
    b"\xed\xa0\x80",
    b"<",
    b">",
    b"&",
    b"&#0;",
    b"]]>",
    b"<!--",
    b"\n",
    b"\r\n",
    b"\t",
    b'"',
    b"'",
    b"\xe2\x9f\xa6",
    b"\xe2\x9f\xa7",
    b"\xe2\x9f\xa612\xe2\x9f\xa7",
    b"-->",
    b"```",
    b"**",
    b"`",
    b"[",
    b"](",
    b"|",
    b"#",
    b"%s",
    b"{0}",
    b"msgid ",
    b'"\n',
    b"<b>",
    b"</p>",
    b"<x/>",
    b"00:00:01,000 --> ",
    b"WEBVTT",
    b"\\",
    b"\xef\xbb\xbf",
    b"PK\x03\x04",
]


class Upper:
    """translate_lines with the Translator's signature: upper-cases every line."""

    def translate_lines(self, lines, decode=None, batch_size=64, *, glossary=None):
        return [line.upper() for line in lines]


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, bytes]:
    paths = make_samples(tmp_path_factory.mktemp("fuzz-samples"))
    return {fmt: path.read_bytes() for fmt, path in paths.items()}


# ---- mutations --------------------------------------------------------------------------------


def flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return b"\x00"
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def insert(data: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + b"".join(rng.choice(NOISE) for _ in range(rng.randint(1, 6))) + data[at:]


def delete(data: bytes, rng: random.Random) -> bytes:
    a = rng.randint(0, len(data))
    return data[:a] + data[a + rng.randint(1, 200) :]


def duplicate(data: bytes, rng: random.Random) -> bytes:
    a = rng.randint(0, len(data))
    b = min(len(data), a + rng.randint(1, 300))
    return data[:b] + data[a:b] * rng.randint(1, 3) + data[b:]


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randint(0, max(len(data) - 1, 0))]


def reencode(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace") + " café ñandú €"
    codec = rng.choice(["utf-16-le", "utf-16-be", "latin-1", "cp1252", "utf-32-le", "shift_jis", "koi8-r"])
    return text.encode(codec, "replace")


def huge(data: bytes, rng: random.Random) -> bytes:
    words = b"word " * rng.randint(200, 12_000)
    at = data.find(b">", rng.randint(0, max(len(data) - 1, 0))) + 1 or len(data) // 2
    return data[:at] + words + data[at:]


def unbalance(data: bytes, rng: random.Random) -> bytes:
    for needle in (b"</", b"<", b"**", b"```", b"-->", b'"'):
        hits = [i for i in range(len(data)) if data.startswith(needle, i)]
        if hits and rng.random() < 0.6:
            i = rng.choice(hits)
            return data[:i] + data[i + len(needle) + rng.randint(0, 5) :]
    return data + b"<p><b><i>" * rng.randint(1, 400)


def nest(data: bytes, rng: random.Random) -> bytes:
    depth = rng.randint(50, 3000)
    at = rng.randint(0, len(data))
    return data[:at] + b"<b>" * depth + b"deep" + b"</b>" * depth + data[at:]


TEXT_MUTATIONS = [flip, insert, delete, duplicate, truncate, reencode, huge, unbalance, nest]


def rezip(data: bytes, rng: random.Random, member: str) -> bytes:
    """A zip-level mutation of a valid DOCX / ODT."""
    src = zipfile.ZipFile(io.BytesIO(data))
    infos = src.infolist()
    choice = rng.randrange(6)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in infos:
            content = src.read(info)
            if choice == 0 and info.filename == member:  # the main part: broken XML inside a valid zip
                content = rng.choice(TEXT_MUTATIONS)(content, rng)
            elif choice == 1 and info.filename == rng.choice(
                [member, "mimetype", "[Content_Types].xml", "styles.xml", "word/styles.xml"]
            ):
                continue  # a member missing
            elif choice == 2 and info.filename == "mimetype":
                content = rng.choice([b"application/zip", b"", b"application/vnd.oasis.opendocument.spreadsheet"])
            elif choice == 3 and info.filename.endswith(".xml"):
                content = content[: rng.randint(0, len(content))]
            elif choice == 4 and info.filename == member:
                content = content.decode("utf-8").encode("utf-16")
            out.writestr(info, content)
        if choice == 5:
            out.writestr(member, b"<?xml version='1.0'?><root/>")  # a duplicate name
    return buf.getvalue()


def corrupt_container(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    if kind == 0:
        return data[: rng.randint(0, len(data) - 1)]  # truncated archive
    if kind == 1:  # damage compressed bytes in the middle
        out = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            out[rng.randrange(100, len(out) - 100)] ^= 1 << rng.randrange(8)
        return bytes(out)
    if kind == 2:  # damage the central directory
        out = bytearray(data)
        tail = data.rfind(b"PK\x01\x02")
        for _ in range(rng.randint(1, 6)):
            out[rng.randrange(max(tail, 0), len(out))] = rng.randrange(256)
        return bytes(out)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("junk.bin", os.urandom(rng.randint(0, 2000)))
    return buf.getvalue()


def make_case(fmt: str, samples: dict[str, bytes], rng: random.Random) -> bytes:
    sample = samples["xliff2"] if fmt == "xliff" and rng.random() < 0.4 else samples[fmt]
    roll = rng.random()
    if roll < 0.02:
        return b""
    if roll < 0.04:
        return os.urandom(rng.randint(1, 3000))
    if fmt in ZIPPED:
        if roll < 0.45:
            return rezip(sample, rng, ZIPPED[fmt])
        if roll < 0.75:
            return corrupt_container(sample, rng)
    data = sample
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        data = rng.choice(TEXT_MUTATIONS)(data, rng)
    return data


# ---- the checks ---------------------------------------------------------------------------------


def check_case(path: Path, out: Path, fmt: str) -> str:
    """ "ok" or "error"; raises AssertionError (or the unexpected exception) otherwise."""
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        with time_limit(CASE_SECONDS):
            translate_document(path, out, Upper(), fmt=fmt)
            documents.load_document(out, fmt)  # what was written reads back as the same format
        outcome = "ok"
    except DocumentError as exc:
        assert str(exc).startswith(str(path)), f"the error does not name the file: {exc}"
        assert not out.exists(), "an output was written although translation failed"
        outcome = "error"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, "the input was modified"
    return outcome


@pytest.mark.parametrize("chunk", range(CHUNKS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_malformed_documents(fmt, chunk, samples, tmp_path, monkeypatch):
    monkeypatch.setattr(documents.common.os, "fsync", lambda fd: None)  # durability is not what is tested here
    rng = random.Random(f"document-fuzz-{fmt}-{chunk}")
    ext = documents.FORMATS[fmt][0]
    outcomes = {"ok": 0, "error": 0}
    slowest = 0.0
    n = CASES // CHUNKS + (chunk < CASES % CHUNKS)
    for case in range(n):
        data = make_case(fmt, samples, rng)
        path = tmp_path / f"case{case}{ext}"
        path.write_bytes(data)
        out = tmp_path / f"out{case}{ext}"
        start = time.perf_counter()
        try:
            outcomes[check_case(path, out, fmt)] += 1
        except Exception as exc:
            keep = Path(os.environ.get("DOCUMENT_FUZZ_KEEP", tmp_path)) / f"failing-{fmt}-{chunk}-{case}{ext}"
            keep.write_bytes(data)
            raise AssertionError(f"case {case} ({keep}): {type(exc).__name__}: {exc}") from exc
        slowest = max(slowest, time.perf_counter() - start)
        path.unlink()
        out.unlink(missing_ok=True)
    assert sum(outcomes.values()) == n
    print(f"{fmt}[{chunk}]: {outcomes}, slowest {slowest:.3f} s")


def test_the_fuzz_judge_catches_a_broken_reader(samples, tmp_path, monkeypatch):
    """Control: a reader that crashes, or one that names no file, fails the check."""
    path = tmp_path / "x.txt"
    path.write_bytes(samples["txt"])
    monkeypatch.setattr(documents, "_loader", lambda fmt: lambda p, d, o: 1 / 0)
    with pytest.raises(AssertionError):  # wrapped as DocumentError naming the file: that one passes ...
        assert check_case(path, tmp_path / "o.txt", "txt") != "error"
    monkeypatch.setattr(documents, "load_document", lambda *a, **k: (_ for _ in ()).throw(KeyError("boom")))
    with pytest.raises(KeyError):  # ... an exception of another type is not swallowed
        check_case(path, tmp_path / "o.txt", "txt")
