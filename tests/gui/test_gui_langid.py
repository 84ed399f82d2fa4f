"""Translate tab: the "this looks like <target language>" bar and its Swap; the heat map's copy
column; corpus preview notes."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QMouseEvent
from PySide6.QtWidgets import QApplication, QToolTip

pytest.importorskip("py3langid")

SPANISH = "Hola, me llamo Ana y vivo en Madrid con mi familia."
SPANISH_2 = "Mañana vamos a la playa si no llueve."
ENGLISH = "Hello, my name is Anna and I live in Berlin."
DEBOUNCE_WAIT_MS = 500  # longer than the 300 ms debounce


def en_es_tab(qtbot):
    from translator_app.gui.translate_tab import TranslateTab

    tab = TranslateTab()
    qtbot.addWidget(tab)
    tab.resize(900, 600)
    tab.show()
    tab.set_model(SimpleNamespace(src_lang="en", tgt_lang="es", path="fake", name="fake"))
    return tab


def bar_shown(tab) -> bool:
    return tab.lang_hint.isVisible() and bool(tab.lang_hint.language)


def test_spanish_in_an_en_es_tab_without_a_reverse_model_says_so_without_a_button(qtbot, record_property):
    tab = en_es_tab(qtbot)
    requests = []
    tab.translate_requested.connect(lambda i, text, beam: requests.append(text))
    tab.source.setFocus()
    qtbot.keyClicks(tab.source, SPANISH)  # typed: checked in the debounce slot, with the request
    qtbot.waitUntil(lambda: bar_shown(tab), timeout=15_000)
    assert requests and requests[-1] == SPANISH  # it is translated all the same
    assert tab.lang_hint.language == "es"
    text = tab.lang_hint.text()
    assert text.startswith("This looks like Spanish, but this model translates English → Spanish")
    assert "no Spanish → English model is installed" in text
    assert tab.lang_hint.swap_button.isHidden()
    record_property("langid_check_ms", round(tab.detect_ms, 3))
    print(f"\nlanguage check in the debounce slot: {tab.detect_ms:.3f} ms")
    assert tab.detect_ms < 50  # ~0.1 ms; the model load happens off the GUI thread
    tab.source.setPlainText(ENGLISH)  # the model's own source language: the bar goes
    qtbot.waitUntil(lambda: not tab.lang_hint.isVisible(), timeout=5_000)
    tab.source.setPlainText("Hola amigo")  # too short to say
    tab.translate_now()
    assert not tab.lang_hint.isVisible()


def test_the_bar_offers_the_swap_when_a_reverse_model_appears_and_dismissing_it_sticks(qtbot):
    tab = en_es_tab(qtbot)
    tab.source.setPlainText(SPANISH)
    tab.translate_now()
    qtbot.waitUntil(lambda: bar_shown(tab), timeout=15_000)
    assert tab.lang_hint.swap_button.isHidden()
    tab.set_reverse_available(True)  # e.g. an es-en model was just imported
    assert tab.lang_hint.text() == "This looks like Spanish. Translate Spanish → English instead?"
    assert tab.lang_hint.swap_button.isVisible()
    swaps = []
    tab.swap_requested.connect(lambda: swaps.append(tab.source.toPlainText()))
    qtbot.mouseClick(tab.lang_hint.close_button, Qt.MouseButton.LeftButton)
    assert not tab.lang_hint.isVisible() and swaps == []
    tab.source.setPlainText(SPANISH_2)  # dismissed: not again for this model ...
    tab.translate_now()
    assert not tab.lang_hint.isVisible()
    tab.source.clear()  # ... until the text is cleared
    tab.source.setPlainText(SPANISH_2)
    tab.translate_now()
    assert bar_shown(tab)
    qtbot.mouseClick(tab.lang_hint.swap_button, Qt.MouseButton.LeftButton)
    assert swaps == [SPANISH_2] and not tab.lang_hint.isVisible()


def test_clicking_swap_on_the_bar_loads_the_reverse_model_and_keeps_the_text(qtbot, window):
    from tests.core.test_store import make_bundle
    from translator_app import paths

    tab = window.translate_tab
    make_bundle(paths.user_models_dir() / "es-en", "es", "en")
    with qtbot.waitSignal(window.models_listed, timeout=20_000):
        window.refresh_models()  # in the task thread
    assert tab.swap_button.isEnabled() and window.model_info.src_lang == "en"
    tab.source.setFocus()
    qtbot.keyClicks(tab.source, SPANISH)
    qtbot.waitUntil(lambda: bar_shown(tab), timeout=15_000)
    assert tab.lang_hint.text() == "This looks like Spanish. Translate Spanish → English instead?"
    qtbot.waitUntil(lambda: tab.translation is not None and tab.shown_id == tab.latest_id, timeout=20_000)
    with qtbot.waitSignal(window.model_changed, timeout=20_000):
        qtbot.mouseClick(tab.lang_hint.swap_button, Qt.MouseButton.LeftButton)  # one click
    assert (window.model_info.src_lang, window.model_info.tgt_lang) == ("es", "en")
    assert "es-en" in window.picker.combo.currentText()
    assert tab.source.toPlainText() == SPANISH  # the text stayed (not replaced by its translation)
    assert "Spanish" in tab.source_lang.text() and "English" in tab.target_lang.text()
    qtbot.waitUntil(
        lambda: tab.translation is not None and tab.translation.source == SPANISH and tab.shown_id == tab.latest_id,
        timeout=20_000,
    )
    qtbot.wait(DEBOUNCE_WAIT_MS)
    assert not tab.lang_hint.isVisible()  # Spanish is now the source language
    # the toolbar's Swap keeps its own meaning: the translation becomes the source
    translated = tab.target.toPlainText()
    with qtbot.waitSignal(window.model_changed, timeout=20_000):
        tab.swap_button.click()
    assert window.model_info.src_lang == "en" and tab.source.toPlainText() == translated


# ---- heat map: the copy column --------------------------------------------------------------


def sentence(copy_probs):
    from translator_app.core.translation.pipeline import SentenceTranslation, Translation

    src = ("▁Anna", "▁lives", "▁in", "▁Berlin", ".", "</s>")
    tgt = ("▁Anna", "▁vive", "▁en", "▁Berlín", ".", "</s>")
    att = np.full((len(tgt), len(src)), 0.02, dtype=np.float32)
    for i in range(len(tgt)):
        att[i, i] = 0.9
    att /= att.sum(axis=1, keepdims=True)
    s = SentenceTranslation(
        "Anna lives in Berlin.",
        "Anna vive en Berlín.",
        src,
        tgt,
        att,
        -0.3,
        0.74,
        copy_probs=None if copy_probs is None else np.asarray(copy_probs, dtype=np.float32),
    )
    return Translation(s.source, s.text, (s,), 1, 5.0)


def test_the_heat_map_shows_a_copy_column_with_tooltips_when_copy_probs_are_set(qtbot):
    from translator_app.gui.heatmap import COPY_COLOR
    from translator_app.gui.translate_tab import TranslateTab

    tab = TranslateTab()
    qtbot.addWidget(tab)
    tab.resize(900, 700)
    tab.show()
    plain = sentence(None)
    tab.on_translation_ready(tab.latest_id, plain)
    heat = tab.heatmap
    assert not heat.has_copy_column() and heat.copy_column_rect().isEmpty() and "copy" not in tab.heat_hint.text()
    width_without = heat.sizeHint().width()

    probs = [0.87, 0.1, 0.0, 0.95, 0.02, 0.0]
    tab.on_translation_ready(tab.latest_id, sentence(probs))
    assert heat.has_copy_column() and np.allclose(heat.copy_probs(), probs[:5])
    assert heat.matrix_shape() == (5, 5)  # the words: no "</s>" row or column (issue #30)
    assert heat.sizeHint().width() > width_without
    assert "copied from the source" in tab.heat_hint.text()
    rect = heat.copy_column_rect()
    left, top, cell = heat._grid()
    assert rect.left() >= left + 5 * cell and rect.top() == top and rect.height() == 5 * cell
    row0 = QPoint(rect.left() + 3, top + cell // 2)
    assert heat.copy_row_at(row0) == 0 and heat.cell_at(row0) == (0, -1)
    assert heat.copy_row_at(QPoint(rect.left() + 3, top + 3 * cell + cell // 2)) == 3
    assert heat.copy_row_at(QPoint(left + cell // 2, top + cell // 2)) == -1  # an attention cell
    assert heat.copy_tooltip(0) == "copied from the source: 87 %"
    assert heat.copy_tooltip(3) == "copied from the source: 95 %"
    # the bar: copy colour where the probability is high, none where it is 0
    image = heat.grab().toImage()
    assert image.pixelColor(rect.left() + 3, top + cell // 2).rgb() == COPY_COLOR.rgb()
    assert image.pixelColor(rect.left() + 3, top + 2 * cell + cell // 2).rgb() != COPY_COLOR.rgb()
    # hovering the copy column highlights its row and shows the tooltip
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(row0),
        QPointF(heat.mapToGlobal(row0)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(heat, move)
    assert heat.hovered_row == 0 and heat.hovered_col == -1
    QApplication.sendEvent(heat, QHelpEvent(QEvent.Type.ToolTip, row0, heat.mapToGlobal(row0)))
    assert QToolTip.text() == "copied from the source: 87 %"
    QToolTip.hideText()

    tab.on_translation_ready(tab.latest_id, plain)  # a model without copy attention: no column
    assert not heat.has_copy_column()
    with pytest.raises(ValueError, match="copy_probs"):
        heat.set_alignment(("a", "</s>"), ("x", "</s>"), np.eye(2), copy_probs=[0.5])


# ---- corpus preview notes ---------------------------------------------------------------------------


def test_corpus_preview_carries_the_report_notes_and_the_panel_shows_them(qtbot, tmp_path):
    pytest.importorskip("lxml")
    from translator_app.core.text.corpus_preview import preview_corpus
    from translator_app.gui.corpus_panel import CorpusPanel

    tus = "".join(
        f'<tu><tuv xml:lang="de"><seg>Hund {i}</seg></tuv><tuv xml:lang="en"><seg>dog {i}</seg></tuv>'
        f'<tuv xml:lang="fr"><seg>chien {i}</seg></tuv></tu>\n'
        for i in range(3)
    )
    path = tmp_path / "three.tmx"
    path.write_text(f'<tmx version="1.4"><header srclang="*all*"/><body>\n{tus}</body></tmx>', encoding="utf-8")
    preview = preview_corpus(str(path))
    assert preview.notes == (
        "the TMX has 3 languages (de, en, fr); read de → en (choose others with src_lang / tgt_lang)",
    )
    panel = CorpusPanel()
    qtbot.addWidget(panel)
    panel.show_preview(preview)
    assert (
        "The TMX has 3 languages (de, en, fr); read de → en (choose others with src_lang / tgt_lang)."
        in panel.summary.text()
    )
    plain = preview_corpus(str(write_tsv(tmp_path / "plain.en-es.tsv")))
    assert plain.notes == ()
    panel.show_preview(plain)
    assert "TMX" not in panel.summary.text()


def write_tsv(path):
    path.write_text("".join(f"dog {i}\tperro {i}\n" for i in range(5)), encoding="utf-8")
    return path
