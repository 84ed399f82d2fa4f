"""Names to carry over (core/text/names.py), and the span kinds added with them (versions, measures,
phone numbers, lower-case codes, the dollar sign's place)."""

from __future__ import annotations

import pytest

from tests.core.test_pipeline import FakeTokenizers, copy_search
from translator_app.core.text.names import NameRule, common_word_test, initial, name_rule_from_pairs
from translator_app.core.text.spans import find_spans, render
from translator_app.core.translation import pipeline

COMMON = {"the", "report", "reports", "drive", "google", "stone", "games", "mayor", "plaza", "ltd", "prizes"}


def is_common(word: str) -> bool:
    return word in COMMON


RULE = NameRule(keep=frozenset({"Tom", "Mayor"}), translate=frozenset({"Monday", "English", "Format"}))


@pytest.mark.parametrize(
    "text, names",
    [
        ("Hi Laura, thanks for the report.", ["Laura"]),
        ("Please contact my colleague Daniel Weber at d.weber@x.de.", ["Daniel Weber"]),
        ("I told Tom on Monday in English.", ["Tom"]),  # kept by the corpus; translated words are not names
        ("The tourist office in the Plaza Mayor gives out maps.", ["Mayor"]),  # "Plaza" is an ordinary word
        ("Venus rotates the other way.", []),  # sentence-initial: undecidable, left to the model
        ("Choose Format - Character in LibreOffice.", ["LibreOffice"]),  # after " - ": a menu path
        ("Ask Dr. Smith.", ["Smith"]),  # a title does not start a sentence
        ("The Rosetta Stone helped Egyptian scholars.", ["Rosetta"]),  # Egyptian: a nationality (en)
        ("iPhone sales grew on GitHub.", ["iPhone", "GitHub"]),  # CamelCase: also sentence-initially
        ('I\'ve shared the "Q3 Reports" folder on Google Drive.', []),
    ],
)
def test_names_found_in_english(text, names):
    assert [text[a:b] for a, b in RULE.find(text, is_common, "en")] == names


@pytest.mark.parametrize(
    "text, names",
    [
        ("Nuestra contable, Sofía Ruiz, le llamará.", ["Sofía Ruiz"]),  # letters beyond ASCII
        ("Un billete de ida y vuelta a Córdoba, por favor.", ["Córdoba"]),
        ("Vive con Zoë y el señor Müller en Ávila.", ["Zoë", "Müller", "Ávila"]),
        ("Vaya a Ver ▸ Límites de texto.", []),  # a menu path: each item starts afresh
        ("Elija Formato → Párrafo.", []),
        ("El Perú exporta café.", []),  # the corpus translates it (Peru)
    ],
)
def test_names_with_accented_letters(text, names):
    rule = NameRule(keep=frozenset({"Tom"}), translate=frozenset({"Perú"}))
    assert [text[a:b] for a, b in rule.find(text, lambda w: w in {"ver", "formato", "vive"}, "es")] == names


def test_demonym_rule_is_for_english_only_and_the_corpus_overrides_it():
    text = "Vive con Christian y Julian."
    assert [text[a:b] for a, b in RULE.find(text, is_common, "es")] == ["Christian", "Julian"]
    rule = NameRule(keep=frozenset({"Christian"}))
    assert [m for m in rule.find("I met Christian and Julian.", is_common, "en")] == [(6, 15)]


def test_initial_words():
    assert initial("", 0) and initial("¿", 1) and initial("Done. ", 6) and initial('He said: "', 10)
    assert not initial("Hi ", 3) and not initial("Mr. ", 4) and not initial("Sra. ", 5)


def test_the_rule_is_learnt_from_the_corpus():
    pairs = (
        [("I live in Barcelona now.", "Ahora vivo en Barcelona.")] * 3
        + [("See you on Monday then.", "Nos vemos el lunes entonces.")] * 5
        + [("Open it in LibreOffice.", "Ábralo en LibreOffice.")] * 2
        + [("Call Madrid now.", "Llame a Madrid ya.")]  # once: decides nothing
        + [("Monday is fine.", "El lunes va bien.")] * 9
    )  # sentence-initial: not counted
    pairs += [("He flew to Perú.", "Voló a Perú.")] * 2  # letters beyond ASCII are counted too
    rule = name_rule_from_pairs(pairs)
    assert "Barcelona" in rule.keep and "LibreOffice" in rule.keep and "Perú" in rule.keep
    assert "Monday" in rule.translate and "Madrid" not in rule.keep | rule.translate
    again = NameRule.from_meta({"names": rule.to_meta()})
    assert again == rule
    assert NameRule.from_meta({}) is None and NameRule.from_meta({"names": {"keep": "x"}}) is None


def test_common_word_test_counts_pieces():
    test = common_word_test(lambda w: [1] if w in COMMON else [1, 2, 3])
    assert test("report") and not test("barcelona")


def test_a_name_the_model_knows_as_one_piece_is_left_to_it():
    one_piece = {"Tom", "report"}
    assert RULE.find("I told Tom and Laura.", lambda w: w in one_piece, "en") == [(15, 20)]


def test_names_come_back_through_the_pipeline(monkeypatch):
    monkeypatch.setattr(pipeline.search_mod, "greedy_search", copy_search(drop_placeholders=True))
    # the fake tokenizer makes every word one piece; let "Tom" be several, as real names are
    monkeypatch.setattr(pipeline, "common_word_test", lambda encode: is_common)
    text = "Please tell Tom about the party at 5 pm."
    [plain] = pipeline.translate_texts(None, FakeTokenizers(), [text], src_lang="en", tgt_lang="es")
    [named] = pipeline.translate_texts(None, FakeTokenizers(), [text], src_lang="en", tgt_lang="es", names=RULE)
    assert "▁Tom" in plain.sentences[0].source_tokens  # without the rule the model sees the name
    assert "▁Tom" not in named.sentences[0].source_tokens  # with it, a placeholder it cannot mangle
    assert "Tom" in named.text and "5" in named.text  # dropped by the 'model', put back by restore


@pytest.mark.parametrize(
    "text, kind, span, rendered",
    [
        ("We dropped support for Python 3.8.", "version", "3.8", "3.8"),
        ("New in version 5.0: playlists.", "version", "5.0", "5.0"),
        ("The trail is 12 km long.", "measure", "12 km", "12 km"),
        ("It weighs 2.5 kg.", "measure", "2.5 kg", "2,5 kg"),
        ("The password is sunset2024.", "model", "sunset2024", "sunset2024"),
        ("Call +44 20 7946 0321 today.", "phone", "+44 20 7946 0321", "+44 20 7946 0321"),
        ("Call (555) 123-4567 today.", "phone", "(555) 123-4567", "(555) 123-4567"),
        ("It costs $49 a month.", "price", "$49", "$49"),
        ("It costs €1,500.50 a month.", "price", "€1,500.50", "1500,50 €"),
    ],
)
def test_new_span_kinds(text, kind, span, rendered):
    [found] = find_spans(text)
    assert (found.kind, found.text, render(found, "en", "es")) == (kind, span, rendered)


def test_ordinals_and_plain_decimals_are_not_versions_or_codes():
    assert find_spans("I came 1st in a 3d film.") == []
    assert [(s.kind, s.text) for s in find_spans("It grew 3.5 times.")] == [("number", "3.5")]


def test_a_glossary_term_inside_a_name_wins():
    spans = find_spans("Write to Greenfield Ltd today.", {"Ltd": "S.L."}, names=[(9, 22)])
    assert [(s.kind, s.text) for s in spans] == [("glossary", "Ltd")]


@pytest.mark.parametrize(
    "text, names",
    [
        ("The sensor sends a reading to the MQTT broker.", ["MQTT"]),  # unknown to the corpus and vocabulary
        ("MQTT brokers relay readings.", ["MQTT"]),  # an acronym is one sentence-initially too
        ("Export the PDFs to Qubitra.", ["PDFs", "Qubitra"]),
        ("The UN met in Geneva.", ["Geneva"]),  # the corpus translates it (ONU)
        ("Many KDE applications.", []),  # the corpus copies it: the model has seen it in context
        ("PLEASE read the REPORT.", []),  # ordinary words shouted
        ("I use USB sticks.", []),  # a whole piece as written: the model copies it itself
    ],
)
def test_acronyms(text, names):
    rule = NameRule(keep=frozenset({"KDE"}), translate=frozenset({"UN"}))
    common = {"please", "read", "report", "the", "use", "sticks", "USB", "usb", "many", "applications"}
    assert [text[a:b] for a, b in rule.find(text, lambda w: w in common, "en")] == names


def test_acronyms_are_counted_wherever_they_stand():
    pairs = [("UN troops arrived.", "Llegaron tropas de la ONU.")] * 5 + [("MQTT is light.", "MQTT es ligero.")] * 2
    rule = name_rule_from_pairs(pairs)
    assert "UN" in rule.translate and "MQTT" in rule.keep


def test_a_rule_stored_before_acronyms_were_counted_protects_none():
    old = NameRule.from_meta({"names": {"keep": ["Laura"], "translate": []}})
    text = "Laura met the ONU delegates."  # the old rule's translate list never saw ONU
    assert [text[a:b] for a, b in old.find(text, lambda w: False, "en")] == []  # Laura: sentence-initial
    assert old.find("Ask Laura about ONU.", lambda w: False, "en") == [(4, 9)]
    new = NameRule.from_meta({"names": NameRule(keep=frozenset({"Laura"})).to_meta()})
    assert new.find("Ask Laura about ONU.", lambda w: False, "en") == [(4, 9), (16, 19)]
