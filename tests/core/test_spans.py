from __future__ import annotations

import random
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import TATOEBA
from translator_app.core.text.numerals import render_numeric
from translator_app.core.text.spans import Span, find_spans, mask, mask_pair, mask_text, render, restore
from translator_app.core.text.tokenizer import PLACEHOLDERS

EXAMPLES = {
    "url": ["https://example.com/a?b=1", "http://www.libreoffice.org/", "www.python.org/docs"],
    "email": ["john.doe@mail.com", "a+b@x.co.uk"],
    "path": ["report.pdf", "C:\\Users\\x", "/etc/hosts", "~/.bashrc", "./build/run.sh", "notes.txt"],
    "version": ["3.2.1", "v2.0", "1.10.4-beta"],
    "model": ["RX-450", "BA2471", "ISO-9001", "MP3"],
    "number": ["40,000", "4.2", "1.5M", "987", "12,345,678.25"],
    "time": ["19:45", "08:30:15"],
    "date": ["2026-12-02", "12/02/2026"],
    "price": ["$19.99", "€5", "20 EUR", "$1,250"],
    "percent": ["4.2 %", "18%"],
    "shortcut": ["Ctrl+Shift+S", "Alt+F4", "Cmd+C"],
    "code": ["`ls -la`", "`x = y`"],
    "placeholder": ["%s", "%d", "%1$s", "{name}", "{0}", "$(ARG1)", "%PRODUCTNAME", "${HOME}"],
    "tag": ["#hashtag", "@handle"],
}
SENTENCES = [
    "The old man walked slowly along the river this morning.",
    "Please tell me where I can find the nearest station.",
    "She said that she would call us when she got home.",
    "We have never seen such a beautiful garden in our lives.",
    "Could you open the window and let some fresh air in?",
]


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_kind_is_found_whole(kind):
    for example in EXAMPLES[kind]:
        spans = find_spans(f"Look at {example} now.")
        assert [(s.text, s.kind) for s in spans] == [(example, kind)], example


def test_times_dates_and_trailing_punctuation():
    text = "Come at 5 p.m. or 19:45 (see https://x.org/a_(b)), then mail me@site.org."
    assert [(s.text, s.kind) for s in find_spans(text)] == [
        ("5", "time"),
        ("19:45", "time"),
        ("https://x.org/a_(b)", "url"),
        ("me@site.org", "email"),
    ]


def test_plain_words_and_word_internal_digits_are_never_masked():
    text = "On October 20th the co2 level in the 1990s was e.g. fine, and/or km/h, U.S. i.e. 4th."
    assert [s.text for s in find_spans(text)] == []
    text = 'He said: "no." It\'s 50/50 <none> #1'
    assert [(s.start, s.text, s.kind) for s in find_spans(text)] == [
        (text.index("50"), "50", "number"),
        (text.index("/50") + 1, "50", "number"),
        (len(text) - 1, "1", "number"),
    ]


def test_tatoeba_sentences_only_mask_digits():
    if not TATOEBA.exists():
        pytest.skip("shared corpus not found")
    lines = TATOEBA.read_text(encoding="utf-8").splitlines()
    sample = random.Random(0).sample(lines, 3000)
    masked_any = 0
    for line in sample:
        for side in line.split("\t")[:2]:
            for span in find_spans(side):
                masked_any += 1
                assert any(c.isdigit() for c in span.text), (side, span)
    assert masked_any > 10  # the sample does have numbers and times


def test_overlaps_go_to_the_longest_span():
    spans = find_spans("Costs $1,250.50 at www.a.com/v1.2.3 on 2026-12-02.")
    assert [s.text for s in spans] == ["$1,250.50", "www.a.com/v1.2.3", "2026-12-02"]


def test_glossary_is_case_sensitive_whole_word_and_longest_first():
    glossary = {"Writer": "Writer", "Open Office": "OpenOffice", "Office": "Oficina"}
    spans = find_spans("Open Office Writer, writers, Office and 3 more.", glossary)
    assert [(s.text, s.kind, s.replacement) for s in spans] == [
        ("Open Office", "glossary", "OpenOffice"),
        ("Writer", "glossary", "Writer"),
        ("Office", "glossary", "Oficina"),
        ("3", "number", None),
    ]


def test_mask_numbers_spans_and_leaves_overflow_as_text():
    text = " ".join(str(100 + i) for i in range(40))
    masked, spans = mask_text(text)
    assert len(spans) == 40
    assert masked.split()[:32] == list(PLACEHOLDERS) and masked.split()[32:] == [str(132 + i) for i in range(8)]
    restored = restore(masked, spans, src_lang="en", tgt_lang="es")
    assert restored == text


@pytest.mark.parametrize(
    "text, kind, lang, expected",
    [
        ("40,000.5", "number", "es", "40.000,5"),
        ("40,000.5", "number", "de", "40.000,5"),
        ("1,500", "number", "es", "1500"),
        ("1,500", "number", "de", "1.500"),
        ("2024", "number", "es", "2024"),
        ("12,345,678.25", "number", "pt", "12.345.678,25"),
        ("4.2%", "percent", "es", "4,2 %"),
        ("4.2 %", "percent", "it", "4,2 %"),
        ("$19.99", "price", "es", "$19,99"),
        ("€19.99", "price", "es", "19,99 €"),
        ("€5", "price", "fr", "5 €"),
        ("20 EUR", "price", "es", "20 EUR"),
        ("1.5M", "number", "es", "1,5M"),
        ("40,000", "number", "fr", "40\u202f000"),
        ("4,2", "number", "es", "4,2"),  # not an English number: left alone
    ],
)
def test_numbers_follow_the_target_convention(text, kind, lang, expected):
    assert render_numeric(text, kind, "en", lang) == expected


def test_numbers_from_spanish_to_english_and_unknown_languages():
    assert render_numeric("40.000,5", "number", "es", "en") == "40,000.5"
    assert render_numeric("4,2 %", "percent", "es", "en") == "4.2%"
    assert render_numeric("40,000", "number", "en", "xx") == "40,000"
    assert render_numeric("40.000", "number", "es", "de") == "40.000"  # the same convention: kept
    assert render_numeric("40.000", "number", "es", "fr") == "40\u202f000"


def test_restore_puts_spans_back_and_converts_numbers():
    src = "It costs $19.99 or 4.2% of 40,000 at 19:45, see report.pdf."
    masked, spans = mask_text(src)
    assert masked == "It costs ⟦1⟧ or ⟦2⟧ of ⟦3⟧ at ⟦4⟧, see ⟦5⟧."
    out = restore("Cuesta ⟦1⟧ o ⟦2⟧ de ⟦3⟧ a las ⟦4⟧, vea ⟦5⟧.", spans, src_lang="en", tgt_lang="es")
    assert out == "Cuesta $19,99 o 4,2 % de 40.000 a las 19:45, vea report.pdf."


def test_restore_removes_duplicates_and_invented_placeholders():
    spans = find_spans("Press Ctrl+C and Alt+F4.")
    out = restore("Pulse ⟦1⟧ ⟦1⟧ y ⟦2⟧ ⟦7⟧.", spans, src_lang="en", tgt_lang="es")
    assert out == "Pulse Ctrl+C y Alt+F4."
    assert restore("Hola ⟦3⟧ mundo.", [], src_lang="en", tgt_lang="es") == "Hola mundo."


def test_restore_glossary_replacement_and_glued_spacing():
    spans = find_spans("Open Writer at 5 p.m.", {"Writer": "Escritor"})
    assert restore("Abra⟦1⟧a las⟦2⟧ p.m.", spans, src_lang="en", tgt_lang="es") == "Abra Escritor a las 5 p.m."
    assert restore("Archivo⟦1⟧.", find_spans("file{0}."), src_lang="en", tgt_lang="es") == "Archivo{0}."


def test_dropped_placeholder_goes_after_the_most_attending_target_token():
    spans = [Span(9, 15, "$19.99", "price")]
    source_tokens = ["▁It", "▁costs", "▁", "⟦1⟧", "▁today", ".", "</s>"]
    target_tokens = ["▁Cuesta", "▁mucho", "▁hoy", ".", "</s>"]
    attention = np.full((5, 7), 0.01)
    attention[0, 3] = 0.9  # "Cuesta" looked at the placeholder
    out = restore(
        "Cuesta mucho hoy.",
        spans,
        src_lang="en",
        tgt_lang="es",
        attention=attention,
        target_tokens=target_tokens,
        source_tokens=source_tokens,
    )
    assert out == "Cuesta $19,99 mucho hoy."
    attention[0, 3], attention[3, 3] = 0.01, 0.9  # the final "." did: before the full stop
    out = restore(
        "Cuesta mucho hoy.",
        spans,
        src_lang="en",
        tgt_lang="es",
        attention=attention,
        target_tokens=target_tokens,
        source_tokens=source_tokens,
    )
    assert out == "Cuesta mucho hoy $19,99."
    # no alignment: the proportional position (source token 4 of 6)
    out = restore("Cuesta mucho hoy.", spans, src_lang="en", tgt_lang="es", source_tokens=source_tokens)
    assert out == "Cuesta mucho $19,99 hoy."


def test_mask_pair_masks_spans_found_on_both_sides_in_source_order():
    src, tgt = mask_pair(
        "Only 18.5% of 40,000 voted at 2:30, see www.a.org and 7 cats.",
        "A las 2:30 votó el 18,5 % de 40.000 (www.a.org), siete gatos.",
        "en",
        "es",
    )
    assert src == "Only ⟦1⟧ of ⟦2⟧ voted at ⟦3⟧, see ⟦4⟧ and 7 cats."
    assert tgt == "A las ⟦3⟧ votó el ⟦1⟧ de ⟦2⟧ (⟦4⟧), siete gatos."
    assert mask_pair("I have $300.", "Tengo 300 dólares.", "en", "es") == ("I have $300.", "Tengo 300 dólares.")
    assert mask_pair("Go 2 and 2.", "Ve 2 y dos.", "en", "es") == ("Go ⟦1⟧ and 2.", "Ve ⟦1⟧ y dos.")
    assert mask_pair("Room 21", "Cuarto 213", "en", "es") == ("Room 21", "Cuarto 213")  # whole tokens only


def test_mask_pair_is_fast_without_spans():
    pairs = [(s, s[::-1]) for s in SENTENCES] * 2000
    start = time.perf_counter()
    for src, tgt in pairs:
        assert mask_pair(src, tgt, "en", "es") == (src, tgt)
    per_pair = (time.perf_counter() - start) / len(pairs)
    assert per_pair < 20e-6, f"{per_pair * 1e6:.1f} µs per pair"


_ALL = [(k, e) for k, v in EXAMPLES.items() for e in v]


@st.composite
def sentence_with_spans(draw):
    words = draw(st.sampled_from(SENTENCES)).split()
    chosen = draw(st.lists(st.sampled_from(_ALL), min_size=1, max_size=6, unique=True))
    for _, example in chosen:
        words.insert(draw(st.integers(0, len(words))), example)
    return " ".join(words), [e for _, e in chosen]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=sentence_with_spans(),
    rnd=st.randoms(use_true_random=False),
    drop=st.booleans(),
    dup=st.booleans(),
    tgt=st.sampled_from(["es", "en", "de", "fr"]),
)
def test_property_every_span_comes_back_exactly_once(case, rnd, drop, dup, tgt):
    text, inserted = case
    masked, spans = mask_text(text)
    assert sorted(s.text for s in spans) == sorted(inserted)
    assert mask(text, spans) == masked and not any(s.text in masked for s in spans)
    rendered = [render(s, "en", tgt) for s in spans]
    for r in rendered:  # "exactly once" is only checkable when no form contains another
        assume(sum(r in other for other in rendered) == 1 and r not in " ".join(SENTENCES))
    words = masked.split()
    rnd.shuffle(words)  # a model that reorders words
    if drop:
        placeholder_words = [i for i, w in enumerate(words) if "⟦" in w]
        words[rnd.choice(placeholder_words)] = "x"
    if dup:
        words.insert(rnd.randrange(len(words) + 1), PLACEHOLDERS[0])
        words.insert(rnd.randrange(len(words) + 1), PLACEHOLDERS[len(spans)])  # invented
    out = restore(" ".join(words), spans, src_lang="en", tgt_lang=tgt)
    assert "⟦" not in out
    for r in rendered:
        assert out.count(r) == 1, (r, out)
    assert restore(masked, spans, src_lang="en", tgt_lang="en") == text  # identity without a model
