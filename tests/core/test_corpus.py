from __future__ import annotations

import pytest

from translator_app.core.text.corpus import (
    CorpusError,
    group_references,
    languages_from_name,
    read_corpus,
    split_by_source,
)


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_tsv_with_bom_crlf_header_extra_columns_and_nfc(tmp_path):
    text = "\ufeffen\tes\r\nCafe\u0301 time.\tHora del cafe\u0301.\textra\r\nGo.\tVe.\r\n"
    pairs, report = read_corpus(write(tmp_path, "x.tsv", text.encode()))
    assert report.header and report.src_lang == "en" and report.tgt_lang == "es"
    assert pairs == [("Café time.", "Hora del café."), ("Go.", "Ve.")]
    assert pairs[0][0] == "Caf\u00e9 time."  # NFC composed


def test_soft_problems_are_skipped_and_counted(tmp_path):
    text = "Hello.\tHola.\nno tab here\n\t\nHello.\tHola.\nA.\t" + "x" * 50 + "\nB.\tB.\n"
    pairs, report = read_corpus(write(tmp_path, "x.tsv", text.encode()), max_chars=20)
    assert pairs == [("Hello.", "Hola."), ("B.", "B.")]
    assert report.skipped["no tab between source and target"] == 1
    assert report.skipped["empty source or target"] == 1
    assert report.skipped["duplicate pair"] == 1
    assert report.skipped["longer than 20 characters"] == 1
    assert any(e.endswith(":2: no tab between source and target") for e in report.examples)


def test_strict_mode_turns_soft_problems_into_errors(tmp_path):
    path = write(tmp_path, "x.tsv", b"Hello.\tHola.\nno tab here\n")
    with pytest.raises(CorpusError, match=r"x\.tsv, line 2: no tab"):
        read_corpus(path, strict=True)


@pytest.mark.parametrize(
    "data, line, reason",
    [
        (b"", None, "empty"),
        (b"ok\tbien\nbad\xff\xfe\tmal\n", 2, "not valid UTF-8"),
        (b"ok\tbien\n\x00\x01\x02binary\n", 2, "NUL"),
        (b"no tabs at all\nnone here either\n", None, "no usable sentence pairs"),
    ],
)
def test_hard_problems_name_file_and_line(tmp_path, data, line, reason):
    path = write(tmp_path, "bad.tsv", data)
    with pytest.raises(CorpusError, match=reason) as info:
        read_corpus(path)
    assert info.value.path == str(path) and info.value.line == line
    assert str(path) in str(info.value)


def test_line_over_byte_limit(tmp_path):
    path = write(tmp_path, "long.tsv", b"a\tb\n" + b"x" * 5000 + b"\tb\n")
    with pytest.raises(CorpusError, match="line 2: line is longer than 1000 bytes"):
        read_corpus(path, max_line_bytes=1000)


def test_pair_files_and_mismatch(tmp_path):
    src = write(tmp_path, "a.en", b"One.\nTwo.\n")
    tgt = write(tmp_path, "a.es", b"Uno.\nDos.\n")
    pairs, _ = read_corpus(src, tgt)
    assert pairs == [("One.", "Uno."), ("Two.", "Dos.")]
    short = write(tmp_path, "b.es", b"Uno.\n")
    with pytest.raises(CorpusError, match="not line-aligned") as info:
        read_corpus(src, short)
    assert info.value.line == 2


def test_missing_file(tmp_path):
    with pytest.raises(CorpusError, match="cannot open"):
        read_corpus(tmp_path / "nope.tsv")


def test_split_is_deterministic_and_has_no_leakage():
    pairs = [(f"s{i % 300}", f"t{i}") for i in range(1000)]  # repeated sources with several targets
    a = split_by_source(pairs, valid_size=20, test_size=20, seed=7)
    b = split_by_source(pairs, valid_size=20, test_size=20, seed=7)
    assert a == b
    train_src = {s for s, _ in a.train}
    assert not train_src & {s for s, _ in a.test} and not train_src & {s for s, _ in a.valid}
    assert len({s for s, _ in a.test}) == 20 and len(a.train) + len(a.valid) + len(a.test) == 1000
    assert split_by_source(pairs, 20, 20, seed=8).test != a.test


def test_group_references():
    sources, refs = group_references([("Go.", "Ve."), ("Hi.", "Hola."), ("Go.", "Vete.")])
    assert sources == ["Go.", "Hi."] and refs == [["Ve.", "Vete."], ["Hola."]]


def test_languages_from_name():
    assert languages_from_name("/x/tatoeba.en-es.tsv") == ("en", "es")
    assert languages_from_name("corpus.tsv") == ("", "")


def test_repeated_pairs_weight_training_only_with_keep_duplicates(tmp_path):
    from translator_app.core.base.config import DataConfig
    from translator_app.core.train.request import CorpusSpec
    from translator_app.core.train.train_data import read_and_split

    rows = [f"sentence number {i}\tfrase número {i}" for i in range(60)]
    rows += ["the repeated one\tla repetida"] * 3
    path = tmp_path / "c.en-es.tsv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    spec = CorpusSpec(str(path))
    once, _, _ = read_and_split(spec, DataConfig(valid_size=5, test_size=5))
    kept, _, _ = read_and_split(spec, DataConfig(valid_size=5, test_size=5, keep_duplicates=True))
    repeated = ("the repeated one", "la repetida")

    def count(split):
        return sum(part.count(repeated) for part in (split.train, split.valid, split.test))

    assert count(once) == 1
    # the repeats stay together (split by source): three times in training, or once in valid/test
    assert kept.train.count(repeated) in (0, 3)
    assert count(kept) == (3 if kept.train.count(repeated) else 1)
    assert len(kept.valid) == len(set(kept.valid)) and len(kept.test) == len(set(kept.test))
