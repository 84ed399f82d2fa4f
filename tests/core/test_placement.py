"""Inline formatting placement (core/documents/placement.py) with hand-made tokens and attention."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from translator_app.core.documents import translate_document
from translator_app.core.documents.placement import best_stretch, sentence_pieces

B, P = "bold", "plain"


@dataclass
class Sent:
    source: str
    text: str
    source_tokens: tuple
    target_tokens: tuple
    attention: np.ndarray
    placeholders: tuple = ()


def sentence(source, text, src, tgt, links, placeholders=()):
    """Attention with each target token (row) attending to the source tokens ``links[t]``."""
    src, tgt = tuple(src) + ("</s>",), tuple(tgt) + ("</s>",)
    att = np.full((len(tgt), len(src)), 0.01, dtype=np.float32)
    for t, cols in enumerate(links):
        for s in [cols] if isinstance(cols, int) else cols:
            att[t, s] = 1.0
    att[-1, -1] = 1.0
    att /= att.sum(axis=1, keepdims=True)
    return Sent(source, text, src, tgt, att, tuple(placeholders))


def labels_for(source: str, marked: str) -> list:
    at = source.index(marked)
    return [None if c.isspace() else (B if at <= i < at + len(marked) else P) for i, c in enumerate(source)]


def marked(pieces) -> list[str]:
    return [text.strip() for label, text in pieces if label == B]


def place(sent, marked_source):
    pieces = sentence_pieces(sent, labels_for(sent.source, marked_source), P)
    assert pieces is not None
    assert "".join(t for _, t in pieces) == sent.text  # the text is never changed
    return pieces


W = "\u2581"


def test_a_number_span_stays_whole_even_when_restored_with_a_space():
    sent = sentence(
        "Prices rose by 12% last year.",
        "Los precios subieron un 12 % el año pasado.",
        [W + "Prices", W + "rose", W + "by", W, "\u27e61\u27e7", W + "last", W + "year", "."],
        [
            W + "Los",
            W + "precios",
            W + "subieron",
            W + "un",
            W,
            "\u27e61\u27e7",
            W + "el",
            W + "año",
            W + "pasado",
            ".",
        ],
        [0, 0, 1, 2, 3, 3, 5, 6, 5, 7],  # the placeholder row attends to the space before it
        placeholders=[("12%", "12 %")],
    )
    assert marked(place(sent, "12%")) == ["12 %"]


def test_a_noun_phrase_moves_with_its_words_when_adjective_and_noun_swap():
    sent = sentence(
        "We sell fresh bread every day.",
        "Vendemos pan fresco cada día.",
        [W + "We", W + "sell", W + "fresh", W + "bread", W + "every", W + "day", "."],
        [W + "Vende", "mos", W + "pan", W + "fres", "co", W + "cada", W + "día", "."],
        [1, 0, 3, 2, 2, 4, 5, 6],
    )
    assert marked(place(sent, "fresh bread")) == ["pan fresco"]


def test_a_word_is_never_split_between_formats():
    sent = sentence(
        "The red car.",
        "El coche rojo.",
        [W + "The", W + "red", W + "car", "."],
        [W + "El", W + "co", "che", W + "ro", "jo", "."],
        [0, 2, 1, 1, 1, 3],  # "che" (half of "coche") attends to "red"
    )
    assert marked(place(sent, "car")) == ["coche"]
    assert marked(place(sent, "red")) == ["rojo"]


def test_a_protected_span_anchors_its_run_against_misleading_attention():
    sent = sentence(
        "Download version 2.4 today.",
        "Descargue hoy la versión 2.4.",
        [W + "Download", W + "version", W, "\u27e61\u27e7", W + "today", "."],
        [W + "Descargue", W + "hoy", W + "la", W + "versión", W, "\u27e61\u27e7", "."],
        [0, 4, 1, 1, 2, 4, 5],  # the number's row attends to "today"
        placeholders=[("2.4", "2.4")],
    )
    assert marked(place(sent, "version 2.4")) == ["la versión 2.4"]
    assert marked(place(sent, "today")) == ["hoy"]


def test_the_plain_text_around_a_longer_bold_phrase_stays_plain():
    sent = sentence(
        "This is a large file.",
        "Este es un archivo grande.",
        [W + "This", W + "is", W + "a", W + "large", W + "file", "."],
        [W + "Este", W + "es", W + "un", W + "archivo", W + "grande", "."],
        [0, 1, 2, 4, 3, 5],
    )
    pieces = place(sent, "large file")
    assert marked(pieces) == ["archivo grande"] and pieces[-1] == (P, ".")


def test_flat_attention_puts_the_run_on_one_whole_word():
    sent = sentence(
        "Open the new window.",
        "Abra la ventana nueva.",
        [W + "Open", W + "the", W + "new", W + "window", "."],
        [W + "Abra", W + "la", W + "ven", "tana", W + "nueva", "."],
        [list(range(5))] * 6,
    )
    got = marked(place(sent, "new"))
    assert len(got) == 1 and got[0] in {"Abra", "la", "ventana", "nueva", "."}


def test_tokens_that_do_not_spell_the_sentence_give_none():
    sent = sentence("Hello there.", "Hola.", [W + "x", W + "y"], [W + "zzzzzzz"], [0])
    assert sentence_pieces(sent, labels_for(sent.source, "there"), P) is None


@pytest.mark.parametrize(
    "scores, expected",
    [([-1, 2, -0.5, 1, -3], (1, 3, 2.5)), ([-1, -2], (0, 0, -1)), ([1, float("-inf"), 3], (2, 2, 3))],
)
def test_best_stretch(scores, expected):
    assert best_stretch(scores) == expected


def test_documents_carry_bold_onto_the_reordered_phrase(tmp_path):
    class Aligned:
        preserves_markers = False

        def translate_lines(self, lines, decode=None, *, glossary=None):
            return [line.upper() for line in lines]

        def translate(self, text, decode=None, *, glossary=None):
            assert text == "We sell fresh bread."
            sent = sentence(
                text,
                "Vendemos pan fresco.",
                [W + "We", W + "sell", W + "fresh", W + "bread", "."],
                [W + "Vendemos", W + "pan", W + "fresco", "."],
                [1, 3, 2, 4],
            )
            return type("T", (), {"text": sent.text, "sentences": (sent,)})()

    src, out = tmp_path / "a.html", tmp_path / "b.html"
    src.write_text("<p>We sell <b>fresh bread</b>.</p>")
    report = translate_document(src, out, Aligned())
    assert out.read_text().strip() == "<p>Vendemos <b>pan fresco</b>.</p>"
    assert report.approximated == 0
