"""The heat map in a person's words (issue #30, item 5): placeholders shown as the text typed,
pieces merged into words, no ▁ and no </s>, and a legend for the copy column."""

from __future__ import annotations

import numpy as np

from tests.gui.test_gui_translate import wait_translation
from translator_app.gui.alignment_words import readable_alignment
from translator_app.gui.widgets import display_token


def test_pieces_become_words_and_placeholders_their_text():
    src = ("▁Call", "▁", "⟦1⟧", "▁to", "day", "▁caf", "<0xC3>", "<0xA9>", ".", "</s>")
    tgt = ("▁Llam", "a", "▁", "⟦1⟧", "▁hoy", ".", "</s>")
    att = np.random.default_rng(0).dirichlet(np.ones(len(src)), size=len(tgt)).astype(np.float32)
    copy = np.linspace(0, 1, len(tgt))
    s, t, a, c = readable_alignment(src, tgt, att, copy, [("555-0100", "555 0100")])
    assert [display_token(w) for w in s] == ["Call", "555-0100", "today", "café", "."]
    assert [display_token(w) for w in t] == ["Llama", "555 0100", "hoy", "."]
    assert a.shape == (4, 5) and c.shape == (4,)
    assert np.isclose(a[0, 2], att[:2, 3:5].sum(axis=1).mean())  # a word's column sums, its row averages
    assert np.isclose(c[0], copy[:2].mean())
    groups = [[0, 1], [2, 3], [4], [5]]  # the target pieces of each word ("</s>" is none's)
    assert np.allclose(a.sum(axis=1), [np.mean([1 - att[p, -1] for p in g]) for g in groups], atol=1e-5)


def test_the_translate_tab_shows_the_typed_words_and_explains_the_copy_column(qtbot, window):
    tab = window.translate_tab
    text = "Visit www.example.com at 10:30 today."
    tab.source.setPlainText(text)
    tab.translate_now()
    t = wait_translation(qtbot, tab, text)
    src_words, tgt_words = tab.heatmap.tokens()
    labels = [display_token(w) for w in src_words + tgt_words]
    assert "www.example.com" in labels and "10:30" in labels, labels
    assert not any("⟦" in w or "▁" in w or w == "</s>" for w in labels), labels
    assert "⟦1⟧" in t.sentences[0].source_tokens  # (the model itself saw the placeholder)
    heat = tab.heatmap
    heat.set_alignment(("▁a", "▁b"), ("▁x", "▁y"), np.eye(2))
    plain = heat.sizeHint().height()
    assert heat.copy_legend() == ""
    heat.set_alignment(("▁a", "▁b"), ("▁x", "▁y"), np.eye(2), copy_probs=[0.5, 0.1])
    assert "copied from the source" in heat.copy_legend() and "rather than translated" in heat.copy_legend()
    assert heat.sizeHint().height() > plain  # room for the legend line under the grid
    heat.grab()  # (paints it)
