"""Issue 29 items 3-5: invalid UTF-8, more protected items than placeholders, and characters the
vocabulary cannot spell; through the one decoding path with the tiny real model."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from translator_app.core.text.textin import argument_problem, decode_lines
from translator_app.core.translation.translator import Translator


@pytest.fixture(scope="module")
def tr(tiny_model_dir):
    t = Translator.load(tiny_model_dir)
    assert t.tok.has_placeholders
    return t


# ---- 3: invalid UTF-8 at the text entry -------------------------------------------------------


def test_decode_lines_names_the_bad_line_and_keeps_the_others():
    lines = decode_lines(b"Good line.\nBad \xff byte.\r\nAnother.\n")
    assert [e.text for e in lines] == ["Good line.", None, "Another."]
    assert lines[1].raw == b"Bad \xff byte." and "0xff" in lines[1].problem and "column 5" in lines[1].problem
    assert argument_problem("Bad \udcff") is not None and argument_problem("Fine ü") is None


def test_cli_translates_the_good_lines_and_reports_the_bad_one(tiny_model_dir):
    res = subprocess.run(
        [sys.executable, "-m", "translator_app", "translate", "--model", str(tiny_model_dir)],
        input=b"Good line.\nBad \xff byte.\nAnother.\n",
        capture_output=True,
        timeout=300,
    )
    out = res.stdout.split(b"\n")
    assert res.returncode == 1, res.stderr
    assert len(out) == 4 and out[-1] == b""
    assert out[1] == b"Bad \xff byte." and out[0] and out[2]
    assert b"line 2" in res.stderr and b"0xff" in res.stderr and b"Traceback" not in res.stderr


def test_pipeline_survives_surrogate_escapes(tr):
    out = tr.translate_lines(["Bad \udcff byte.", "Good line."])
    assert len(out) == 2 and all(out)


# ---- 4: more protected items than placeholders ---------------------------------------------


def test_300_urls_on_a_line_are_all_kept(tr):
    urls = [f"https://ex{i}.com/a" for i in range(300)]
    out = tr.translate_lines([" ".join(urls)])[0]
    assert [u for u in urls if u not in out] == []


def test_60_numbers_are_neither_altered_nor_invented(tr):
    numbers = [str(1000 + 7 * i) for i in range(60)]
    out = tr.translate_lines(["Numbers: " + " ".join(numbers) + "."])[0]
    found = re.findall(r"\d+", out)
    assert sorted(found) == sorted(numbers)


# ---- 5: characters the vocabulary cannot spell ----------------------------------------------

SCRIPTS = [
    "我爱你 means I love you; 東京 is Tokyo.",
    "The cat 😀 is happy.",
    "Γειά σου means hello.",
    "Привет means hello.",
    "שלום and مرحبا are greetings.",
]


@pytest.mark.parametrize("text", SCRIPTS)
def test_unspellable_characters_come_back_verbatim_never_as_replacement_chars(tr, text):
    out = tr.translate_lines([text])[0]
    assert "\ufffd" not in out
    for run in re.findall(r"[^\x00-\x7f]+(?: [^\x00-\x7f]+)*", text):
        assert run in out
