"""The Training tab says what a corpus of this size can reach in the chosen time (issue #30, item 9)."""

from __future__ import annotations


def test_the_corpus_preview_says_what_to_expect_and_suggests_fine_tuning(qtbot, window, gui_corpus):
    tab = window.training_tab
    window.tabs.setCurrentWidget(tab)  # (showing the tab lists the models for "Start from")
    qtbot.waitUntil(lambda: len(tab.form.base_models()) >= 1, timeout=30_000)
    tab.form.apply_preset("tiny")
    tab.form.set_values(minutes=3.0)
    tab.corpus.set_paths(str(gui_corpus))
    qtbot.waitUntil(lambda: tab.corpus.preview is not None and tab.expectation.isVisible(), timeout=30_000)
    text = tab.expectation.text()
    pairs = f"{tab.corpus.preview.pairs:,} pairs, tiny, 3 minutes"
    assert pairs in text and "weak model" in text and "BLEU 2.5" in text
    assert "Better: fine-tune" in text and "en→es" in text  # the tiny en-es model of this installation
    tab.form.set_values(minutes=20.0)
    assert "20 minutes" in tab.expectation.text()
    tab.form.select_base(tab.form.base_models()[0])  # fine-tuning: the note is not about that
    assert not tab.expectation.isVisible()
