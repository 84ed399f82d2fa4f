"""benchmarks/decode_sweep.py: the settings it reads and the table it writes (no model run)."""

from __future__ import annotations

from benchmarks import decode_sweep


def test_settings_are_beam_and_optional_alpha():
    assert decode_sweep.parse_setting("8:0.6") == (8, 0.6)
    assert decode_sweep.parse_setting("3") == (3, 1.0)


def test_table_has_a_row_per_setting_and_marks_the_default():
    def result(name, bleu, seconds):
        return {"set": name, "bleu": bleu, "chrf": bleu + 20, "seconds": seconds}

    rows = [
        ((1, 1.0), [result("everyday", 30.0, 1.0), result("tatoeba", 40.0, 2.0)]),
        ((5, 1.0), [result("everyday", 31.5, 3.0), result("tatoeba", 41.25, 4.0)]),
    ]
    lines = decode_sweep.table(rows).splitlines()
    assert lines[0] == "| beam | alpha | everyday BLEU / chrF | tatoeba BLEU / chrF | seconds |"
    assert lines[2] == "| 1 | 1 | 30.00 / 50.00 | 40.00 / 60.00 | 3.0 |"
    assert lines[3] == "| 5 (default) | 1 | 31.50 / 51.50 | 41.25 / 61.25 | 7.0 |" and len(lines) == 4
