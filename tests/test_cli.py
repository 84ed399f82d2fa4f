"""End to end through the command line: train a few steps on a Tatoeba slice, translate, evaluate."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import take_slice


def cli(*args, stdin: str | None = None, check: bool = True):
    proc = subprocess.run([sys.executable, "-m", "translator_app", *args], input=stdin, capture_output=True,
                          text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.mark.slow
def test_train_translate_evaluate(tmp_path):
    corpus = take_slice(2000, tmp_path / "slice.en-es.tsv", step=60)
    out = tmp_path / "model"
    res = cli("train", str(corpus), "--out", str(out), "--preset", "tiny", "--max-steps", "40",
              "--vocab-size", "400", "--valid-every", "20", "--threads", "1")
    assert "Finished (max_steps) at step 40" in res.stdout
    assert "valid loss" in res.stdout + res.stderr

    res = cli("translate", "--model", str(out), "--beam", "3", stdin="I am happy.\n\nWhere is Tom?\n")
    lines = res.stdout.split("\n")
    assert len(lines) == 4 and lines[1] == "" and lines[0] and lines[2]  # one output line per input line

    res = cli("translate", "--model", str(out), "--show-attention", "Tom", "runs.")
    assert "<-" in res.stdout

    res = cli("translate", "--model", str(out), "--n-best", "3", "--beam", "4", "I see.")
    alts = [line for line in res.stdout.splitlines() if line.startswith("    ")]
    assert len(alts) == 3 and len(set(alts)) == 3
    scores = [float(a.split()[0]) for a in alts]
    assert scores == sorted(scores, reverse=True)

    res = cli("evaluate", "--model", str(out), str(out / "data" / "test.tsv"), "--beam", "1", "--limit", "50")
    assert "multi-reference:  BLEU" in res.stdout and "chrF" in res.stdout


def test_clear_errors(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    res = cli("train", str(bad), "--out", str(tmp_path / "m"), check=False)
    assert res.returncode == 2 and "bad.tsv" in res.stderr and "line 1" in res.stderr
    res = cli("translate", "--model", str(tmp_path), "hello", check=False)
    assert res.returncode == 2 and "not a model bundle" in res.stderr
