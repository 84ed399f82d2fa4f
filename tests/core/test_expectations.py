"""What a training from scratch can reach (issue #30, item 9): the measured runs are cited honestly
and the advice names the weak case and fine-tuning when a model of the pair is installed."""

from __future__ import annotations

import re
from types import SimpleNamespace

from tests.conftest import REPO
from translator_app.core.text.expectations import FINE_TUNED, FROM_SCRATCH, expectation, nearest

EN_ES = SimpleNamespace(name="en-es", src_lang="en", tgt_lang="es", bundled=True)


def test_every_figure_is_in_the_file_it_cites():
    for m in (*FROM_SCRATCH, FINE_TUNED):
        if m.source.startswith("issue"):
            continue
        text = (REPO / m.source.split(",")[0]).read_text(encoding="utf-8")
        numbers = [float(x) for x in re.findall(r"\d+\.\d+", text)]
        assert any(abs(x - m.bleu) < 0.051 for x in numbers), (m, "BLEU not in", m.source)


def test_a_small_corpus_and_a_short_budget_are_called_weak_and_fine_tuning_is_offered_when_possible():
    text = expectation(18_657, 3, "tiny", "en", "fr", [EN_ES])
    assert "18,657 pairs, tiny, 3 minutes" in text and "BLEU 2.5" in text and "weak model" in text
    assert "No installed model translates en→fr" in text and "Better" not in text
    text = expectation(18_657, 3, "tiny", "en", "es", [EN_ES])
    assert "Better: fine-tune “en-es”" in text and "43.3" in text
    big = expectation(297_334, 60, "small", "en", "es", [])
    assert "weak model" not in big and "42.2" in big


def test_nearest_runs_follow_size_and_time():
    assert nearest(140_000, 20, k=1)[0].minutes == 20
    assert nearest(5_000, 10, k=1)[0].pairs == 4_000
