from __future__ import annotations

import time

import pytest

from translator_app.core.text.segment import needs_split, split_sentences


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        (
            "en",
            'Dr. Smith arrived at 5 p.m. yesterday. He said "Hello there." Then he left! Did he? Yes.',
            ["Dr. Smith arrived at 5 p.m. yesterday.", 'He said "Hello there."', "Then he left!", "Did he?", "Yes."],
        ),
        (
            "en",
            "Mr. smith is 3.5 m tall. It costs $3.50. See www.example.com. Mail a.b@c.org. Done",
            ["Mr. smith is 3.5 m tall.", "It costs $3.50.", "See www.example.com.", "Mail a.b@c.org.", "Done"],
        ),
        (
            "es",
            'El Sr. García llegó ayer. ¿Cómo estás? ¡Muy bien! La Sra. López y el Dr. Pérez. "Hola." Adiós.',
            [
                "El Sr. García llegó ayer.",
                "¿Cómo estás?",
                "¡Muy bien!",
                "La Sra. López y el Dr. Pérez.",
                '"Hola."',
                "Adiós.",
            ],
        ),
        (
            "es",
            "Llegó a las 5 p.m. de ayer. Ud. sabe. Compré peras, etc. Luego me fui.",
            ["Llegó a las 5 p.m. de ayer.", "Ud. sabe.", "Compré peras, etc.", "Luego me fui."],
        ),
        ("pt", "O Sr. Silva chegou. Tudo bem? Sim.", ["O Sr. Silva chegou.", "Tudo bem?", "Sim."]),
        ("de", "Hr. Müller kam z.B. gestern. Das ist gut.", ["Hr. Müller kam z.B. gestern.", "Das ist gut."]),
        ("es-MX", "Hola. Adiós.", ["Hola.", "Adiós."]),
    ],
)
def test_sentences(lang, text, expected):
    assert split_sentences(text, lang) == expected
    assert " ".join(split_sentences(text, lang)) == text  # nothing is lost or rewritten


def test_pysbd_alone_splits_spanish_titles_and_urls_wrongly():
    import pysbd  # the reason for the guards above; if pysbd fixes this the guards are merely redundant

    seg = pysbd.Segmenter(language="es", clean=False)
    assert seg.segment("El Sr. García llegó.")[0].strip() == "El Sr."


def split_text(text: str, lang: str = "en") -> list[list[str]]:
    """One list of sentences per line, as the pipeline splits a text (blank lines: empty lists)."""
    return [split_sentences(line, lang) for line in text.splitlines()]


def test_lines_always_split_and_blank_lines_stay():
    assert split_text("Hi there. How are you?\n\n  \nNext line", "en") == [
        ["Hi there.", "How are you?"],
        [],
        [],
        ["Next line"],
    ]
    assert split_text("", "en") == []


def test_a_short_typed_sentence_skips_pysbd():
    assert not needs_split("Where is the station, and is it 3.5 km away?")
    assert needs_split("Hello. World")
    start = time.perf_counter()
    for _ in range(1000):
        split_sentences("Where is the station, and is it 3.5 km away?", "en")
    assert (time.perf_counter() - start) / 1000 < 50e-6


def test_split_text_splits_lines_then_sentences():
    """(Moved from the Translator's test-only ``split_sentences``: every sentence, line by line.)"""
    sentences = [s for line in split_text("Hi there. How are you? Fine!\nNext line") for s in line]
    assert sentences == ["Hi there.", "How are you?", "Fine!", "Next line"]
    assert split_text("Mr. smith is 3.5 m tall.") == [["Mr. smith is 3.5 m tall."]]
    assert [s for line in split_text("") for s in line] == []
