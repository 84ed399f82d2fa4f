"""Property-based and generated-file fuzzing of ``read_corpus`` (issue 7).

Every input gives either a valid corpus or a ``CorpusError`` naming the file (and the
line, where one is knowable); nothing crashes or hangs. The checks of a single input
live in ``scripts/fuzz_corpus.py`` (``check_case``: an independent byte-level scan says
which lines really have a hard problem), so the script and these tests judge alike.
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from reliability_helpers import REPO, time_limit

from scripts import fuzz_corpus as fuzz
from translator_app.core.text import corpus as corpus_mod
from translator_app.core.text.corpus import CorpusError, normalize, read_corpus, write_tsv

# 200 fixed examples per property in CI; RELIABILITY_EXAMPLES=5000 RELIABILITY_RANDOM=1 to hunt
SETTINGS = settings(
    max_examples=int(os.environ.get("RELIABILITY_EXAMPLES", "200")),
    deadline=None,
    derandomize=not os.environ.get("RELIABILITY_RANDOM"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ---- strategies ---------------------------------------------------------------------------

FRAGMENTS = [
    b"hello",
    b"world",
    b"Hola",
    b"caf\xc3\xa9",
    b"e\xcc\x81",
    b"ni\xc3\xb1o",
    b" ",
    b"  ",
    b"\t",
    b"\t",
    b"\r",
    b"\xef\xbb\xbf",
    b"\xc2\xa0",
    b"\xe2\x80\xa8",
    b"\xe3\x80\x80",
    b"\xf0\x9f\x98\x80",
    b"source",
    b"target",
    b"en",
    b"es",
    b".",
    b"?",
    b"\xe2\x80\x8b",
    b"\x0b",
    b"\x1c",
    b"\xc2\x85",
]
BAD_FRAGMENTS = [b"\x00", b"\xff", b"\x80", b"\xc3", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80"]

clean_line = st.lists(st.sampled_from(FRAGMENTS), max_size=12).map(b"".join)
any_line = st.lists(st.sampled_from(FRAGMENTS + BAD_FRAGMENTS), max_size=12).map(b"".join)
eol = st.sampled_from([b"\n", b"\r\n"])
kwargs = st.fixed_dictionaries(
    {},
    optional={
        "max_chars": st.integers(1, 40),
        "strict": st.booleans(),
        "dedupe": st.booleans(),
        "lowercase": st.booleans(),
        "max_line_bytes": st.integers(1, 120),
    },
)
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
corpus_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)


def _assemble(lines: list[bytes], ends: list[bytes], final: bool) -> bytes:
    out = b""
    for i, line in enumerate(lines):
        out += line + (ends[i % len(ends)] if (i + 1 < len(lines) or final) else b"")
    return out


def _judge(case) -> dict:
    result = fuzz.check_case(case, timeout=10.0)
    assert result["status"] in ("valid", "error"), f"{result['status']}: {result['detail']}"
    return result


# ---- any input: valid corpus or clear error ------------------------------------------------


@SETTINGS
@given(data=st.binary(max_size=3000), kw=kwargs)
@example(data=b"", kw={})
@example(data=b"\xef\xbb\xbf", kw={})
@example(data=b"\x00" * 9000 + b"\n", kw={})
@example(data=b"a" * 9000 + b"\x00", kw={})
def test_arbitrary_bytes(tmp_path, data, kw):
    path = tmp_path / "random.en-es.tsv"
    path.write_bytes(data)
    _judge(fuzz.Case("bytes", str(path), None, kw))


@SETTINGS
@given(
    lines=st.lists(any_line, max_size=25),
    ends=st.lists(eol, min_size=1, max_size=3),
    final=st.booleans(),
    bom=st.booleans(),
    kw=kwargs,
)
def test_structured_tsv_lines(tmp_path, lines, ends, final, bom, kw):
    path = tmp_path / "lines.tsv"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + _assemble(lines, ends, final))
    _judge(fuzz.Case("lines", str(path), None, kw))


@SETTINGS
@given(
    src=st.lists(any_line.filter(lambda b: b"\n" not in b), max_size=15),
    tgt=st.lists(any_line.filter(lambda b: b"\n" not in b), max_size=15),
    kw=kwargs,
)
def test_pair_files(tmp_path, src, tgt, kw):
    a, b = tmp_path / "pair.src", tmp_path / "pair.tgt"
    a.write_bytes(_assemble(src, [b"\n"], True))
    b.write_bytes(_assemble(tgt, [b"\n"], True))
    kw = {k: v for k, v in kw.items() if k != "strict"}
    result = _judge(fuzz.Case("pair", str(a), str(b), kw))
    if src and tgt and len(src) != len(tgt) and result["status"] == "error":
        assert "line" in result["detail"]


# ---- hard problems are reported at the right file and line ---------------------------------


@SETTINGS
@given(
    lines=st.lists(clean_line.filter(lambda b: b"\r" not in b), min_size=1, max_size=40),
    data=st.data(),
    bad=st.sampled_from(BAD_FRAGMENTS),
)
def test_a_bad_byte_is_reported_at_its_line(tmp_path, lines, data, bad):
    k = data.draw(st.integers(0, len(lines) - 1), label="line index")
    pos = data.draw(st.integers(0, len(lines[k])), label="column")
    lines[k] = lines[k][:pos] + bad + lines[k][pos:]
    path = tmp_path / "bad byte.tsv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(CorpusError) as info:
        read_corpus(path)
    err = info.value
    assert err.path == str(path) and str(err).startswith(f"{path}, line {k + 1}: ")
    assert err.line == k + 1
    if bad != b"\x00":
        assert "not valid UTF-8" in err.reason


@SETTINGS
@given(n_before=st.integers(0, 30), limit=st.integers(8, 300), over=st.integers(1, 500), final=st.booleans())
def test_an_over_long_line_is_reported_at_its_line(tmp_path, n_before, limit, over, final):
    lines = [b"a\tb"] * n_before + [b"x" * (limit + over)] + [b"c\td"]
    path = tmp_path / "long.tsv"
    path.write_bytes(b"\n".join(lines) + (b"\n" if final else b""))
    with pytest.raises(CorpusError, match=rf"long\.tsv, line {n_before + 1}: line is longer than {limit} bytes"):
        read_corpus(path, max_line_bytes=limit)


def test_nul_beyond_the_sniffed_head_is_reported_at_its_line(tmp_path):
    lines = [f"sentence {i}\tfrase {i}".encode() for i in range(2000)]
    lines[1500] = b"bin\x00ary\tdata"
    path = tmp_path / "late-nul.tsv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(CorpusError, match=r"late-nul\.tsv, line 1501: contains a NUL byte"):
        read_corpus(path)


@SETTINGS
@given(n_src=st.integers(1, 20), n_tgt=st.integers(1, 20))
def test_mismatched_pair_files_name_the_longer_file_and_the_line(tmp_path, n_src, n_tgt):
    assume(n_src != n_tgt)
    a, b = tmp_path / "m.src", tmp_path / "m.tgt"
    a.write_bytes(b"".join(b"src %d\n" % i for i in range(n_src)))
    b.write_bytes(b"".join(b"tgt %d\n" % i for i in range(n_tgt)))
    with pytest.raises(CorpusError, match="not line-aligned") as info:
        read_corpus(a, b)
    longer = a if n_src > n_tgt else b
    assert info.value.path == str(longer) and info.value.line == min(n_src, n_tgt) + 1
    assert str(info.value).startswith(f"{longer}, line {min(n_src, n_tgt) + 1}:")


@pytest.mark.parametrize("target_first", [False, True])
def test_empty_or_missing_side_file_is_named(tmp_path, target_first):
    full, empty = tmp_path / "full.txt", tmp_path / "empty.txt"
    full.write_bytes(b"a\nb\n")
    empty.write_bytes(b"")
    args = (empty, full) if not target_first else (full, empty)
    with pytest.raises(CorpusError, match="the file is empty") as info:
        read_corpus(*args)
    assert info.value.path == str(empty)
    with pytest.raises(CorpusError, match="cannot open") as info:
        read_corpus(full, tmp_path / "nope.txt")
    assert str(tmp_path / "nope.txt") in str(info.value)


# ---- equivalences and invariants of valid corpora -------------------------------------------

pair_text = st.lists(st.tuples(text, text), min_size=1, max_size=15)


def _tsv(pairs, end: bytes = b"\n") -> bytes:
    return b"".join(f"{s}\t{t}".encode() + end for s, t in pairs)


def _outcome(path, **kw):
    try:
        pairs, report = read_corpus(path, **kw)
        return pairs, report.lines, report.header, dict(report.skipped)
    except CorpusError as exc:
        return "error", exc.line, exc.reason.replace(str(path), "<file>")


@SETTINGS
@given(pairs=pair_text, bom=st.booleans())
def test_crlf_lf_and_bom_give_the_same_corpus(tmp_path, pairs, bom):
    assume(all("\n" not in s + t and "\r" not in s + t and "\x00" not in s + t for s, t in pairs))
    assume(not pairs[0][0].startswith("\ufeff"))  # a leading U+FEFF *is* a BOM on line 1
    lf, crlf = tmp_path / "lf.tsv", tmp_path / "crlf.tsv"
    lf.write_bytes(_tsv(pairs))
    crlf.write_bytes((codecs.BOM_UTF8 if bom else b"") + _tsv(pairs, b"\r\n"))
    assert _outcome(lf) == _outcome(crlf)


@SETTINGS
@given(pairs=pair_text, lowercase=st.booleans(), max_chars=st.integers(1, 50))
def test_valid_pairs_are_normalised_non_empty_and_within_limits(tmp_path, pairs, lowercase, max_chars):
    assume(all("\n" not in s + t and "\x00" not in s + t for s, t in pairs))
    path = tmp_path / "p.tsv"
    path.write_bytes(_tsv(pairs))
    try:
        got, report = read_corpus(path, lowercase=lowercase, max_chars=max_chars)
    except CorpusError as exc:
        assert exc.reason.startswith("no usable sentence pairs") and exc.path == str(path)
        return
    assert len(set(got)) == len(got)  # deduplicated
    for src, tgt in got:
        for side in (src, tgt):
            assert side and len(side) <= max_chars and side == normalize(side, lowercase)
            assert "\t" not in side and "\r" not in side
    assert report.lines == report.pairs + report.skipped_total + int(report.header)


@SETTINGS
@given(lines=st.lists(clean_line, min_size=1, max_size=20), max_chars=st.integers(1, 30))
def test_strict_mode_fails_at_the_first_skipped_line(tmp_path, lines, max_chars):
    path = tmp_path / "strict.tsv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    try:
        _, report = read_corpus(path, max_chars=max_chars)
        soft = [e for e in report.examples if not e.endswith("duplicate pair")]
    except CorpusError as exc:
        soft = [exc]  # nothing usable at all: strict mode must fail too
    if not soft:
        read_corpus(path, max_chars=max_chars, strict=True)  # same corpus, no error
        return
    with pytest.raises(CorpusError) as info:
        read_corpus(path, max_chars=max_chars, strict=True)
    if isinstance(soft[0], str):
        first_line = int(soft[0].rsplit(":", 2)[-2])
        assert info.value.line == first_line and info.value.path == str(path)


# ---- what training writes, it can read back (resume re-reads data/*.tsv) --------------------

normalised_pairs = st.lists(
    st.tuples(corpus_text, corpus_text).map(lambda p: (normalize(p[0]), normalize(p[1]))).filter(lambda p: all(p)),
    min_size=1,
    max_size=20,
)


@SETTINGS
@given(pairs=normalised_pairs)
def test_write_tsv_then_read_back_is_the_identity(tmp_path, pairs):
    # (read_corpus never returns a NUL, so none is generated.) Header-like first pairs are
    # the known bug below; everything else must round-trip
    assume(not corpus_mod._looks_like_header(*pairs[0]))
    path = tmp_path / "train.tsv"
    write_tsv(path, pairs)
    got, _ = read_corpus(path, dedupe=False, max_chars=10**6)
    assert got == pairs


def test_resume_reads_back_the_same_training_split(tmp_path):
    from translator_app.core.folders.runfolder import RunFolder

    split = corpus_mod.Split(
        train=[("OK", "OK"), ("Hello.", "Hola."), ("Thanks.", "Gracias.")],
        valid=[("no", "no"), ("Go.", "Ve.")],
        test=[("Run!", "¡Corre!")],
    )
    (tmp_path / "data").mkdir()
    for name in ("train", "valid", "test"):
        write_tsv(tmp_path / "data" / f"{name}.tsv", getattr(split, name))
    assert corpus_mod.Split(**RunFolder.at(tmp_path).read_splits()) == split


# ---- precise messages (known defects) --------------------------------------------------------


def test_invalid_byte_after_a_bom_is_quoted_correctly(tmp_path):
    path = tmp_path / "bom.tsv"
    path.write_bytes(codecs.BOM_UTF8 + b"abc\tde\xff\n")
    with pytest.raises(CorpusError) as info:
        read_corpus(path)
    assert info.value.line == 1
    assert "byte 0xff" in info.value.reason


def test_crlf_line_exactly_at_the_byte_limit_is_accepted(tmp_path):
    lf, crlf = tmp_path / "lf.tsv", tmp_path / "crlf.tsv"
    lf.write_bytes(b"aaaa\tbbbbb\n")  # 10 bytes of content
    crlf.write_bytes(b"aaaa\tbbbbb\r\n")
    assert read_corpus(lf, max_line_bytes=10)[0] == [("aaaa", "bbbbb")]
    assert read_corpus(crlf, max_line_bytes=10)[0] == [("aaaa", "bbbbb")]


# ---- the fuzz script ---------------------------------------------------------------------------


def test_fuzz_script_small_run(tmp_path):
    out = tmp_path / "fuzz.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "fuzz_corpus.py"), "--count", "250", "--seed", "3", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads(out.read_text())
    assert summary["inputs"] == 250 and summary["kinds"] >= 20
    assert summary["crashes"] == summary["hangs"] == summary["bad"] == 0
    assert summary["valid"] > 50 and summary["clear_errors"] > 100
    assert "inputs tried: 250" in proc.stdout


def _some_cases(tmp_path, n=150):
    return fuzz.make_cases(n, seed=11, work=tmp_path)


def test_the_fuzz_judge_catches_a_reader_that_accepts_bad_bytes(tmp_path, monkeypatch):
    cases = _some_cases(tmp_path)
    monkeypatch.setattr(corpus_mod, "_iter_lines", _lenient_iter_lines)
    statuses = [fuzz.check_case(c, 5.0)["status"] for c in cases]
    assert statuses.count("bad") >= 10, statuses


def _lenient_iter_lines(path, max_line_bytes):
    """A broken reader: decodes with errors='replace' and never refuses anything."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CorpusError(path, None, f"cannot open: {exc}") from exc
    for i, raw in enumerate(data.split(b"\n"), 1):
        yield i, raw.decode("utf-8", "replace").rstrip("\r").replace("\x00", "")


def test_the_fuzz_judge_catches_wrong_lines_paths_crashes_and_hangs(tmp_path, monkeypatch):
    cases = _some_cases(tmp_path)
    real_iter = corpus_mod._iter_lines

    def off_by_one(path, max_line_bytes):
        try:
            yield from real_iter(path, max_line_bytes)
        except CorpusError as exc:
            raise CorpusError(exc.path, (exc.line or 0) + 1, exc.reason) from None

    monkeypatch.setattr(corpus_mod, "_iter_lines", off_by_one)
    assert [fuzz.check_case(c, 5.0)["status"] for c in cases].count("bad") >= 10

    def nameless(path, max_line_bytes):
        try:
            yield from real_iter(path, max_line_bytes)
        except CorpusError as exc:
            raise CorpusError("corpus", exc.line, exc.reason) from None

    monkeypatch.setattr(corpus_mod, "_iter_lines", nameless)
    assert [fuzz.check_case(c, 5.0)["status"] for c in cases].count("bad") >= 10

    def crashing(path, max_line_bytes):
        yield from real_iter(path, max_line_bytes)
        raise KeyError("boom")

    monkeypatch.setattr(corpus_mod, "_iter_lines", crashing)
    assert [fuzz.check_case(c, 5.0)["status"] for c in cases[:30]].count("crash") >= 10

    def hanging(path, max_line_bytes):
        time.sleep(5)
        yield from real_iter(path, max_line_bytes)

    monkeypatch.setattr(corpus_mod, "_iter_lines", hanging)
    assert fuzz.check_case(cases[0], 0.2)["status"] == "hang"


def test_reading_a_large_valid_corpus_is_quick(tmp_path):
    lines = [f"sentence number {i} here\tfrase número {i} aquí" for i in range(50_000)]
    path = tmp_path / "big.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with time_limit(30):
        pairs, report = read_corpus(path)
    assert len(pairs) == 50_000 and report.skipped_total == 0
