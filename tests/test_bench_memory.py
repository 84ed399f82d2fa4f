"""benchmarks/bench_memory_adaptation.py runs end to end on a tiny setting (the real measurement is the lead's)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import take_slice


@pytest.mark.slow
def test_bench_memory_adaptation_tiny(tiny_model_dir, tmp_path, capsys):
    from benchmarks import bench_memory_adaptation as bench

    gimp = tmp_path / "gimp"
    gimp.mkdir()
    take_slice(12, gimp / "train.en-es.tsv", step=301)
    take_slice(5, gimp / "test.en-es.tsv", step=457)
    out = tmp_path / "rows.json"
    code = bench.main(
        ["--model", str(tiny_model_dir), "--gimp", str(gimp), "--feed", "4,6", "--every", "4", "--test", "5",
         "--general", "5", "--minutes", "1", "--threads", "1", "--extra", "--max-steps 2 --valid-every 2",
         "--work", str(tmp_path / "work"), "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    rows = json.loads(out.read_text())
    assert [(r["run"], r["fed"]) for r in rows] == [
        ("root", 0),
        ("version", 4),
        ("version", 6),
        ("once", 4),
        ("once", 6),
    ]
    assert all("gimp_bleu" in r and "general_bleu" in r for r in rows)
    assert "| version | 4 |" in capsys.readouterr().out
