"""Interactive-predictive translation (core/translation/interactive.py) on the bundled en->es model."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

from tests.conftest import REPO
from translator_app.core.model.decoding import DecodeConfig
from translator_app.core.translation import interactive
from translator_app.core.translation.translator import Translator

BUNDLED = REPO / "models" / "en-es"
pytestmark = pytest.mark.skipif(not (BUNDLED / "weights.pt").exists(), reason="bundled model missing")

SENTENCES = [
    "Hi, my name is John and I live in Madrid.",
    "The house is very big.",
    "Where is the train station?",
    "I would like a cup of coffee, please.",
]
URL = "https://example.com/help"


@pytest.fixture(scope="module")
def tr() -> Translator:
    return Translator.load(BUNDLED)


def _spelled(c: interactive.Completion) -> str:
    """What the completion's target pieces spell (▁ as a space)."""
    return "".join(t for t in c.tgt_tokens[:-1]).replace("\u2581", " ").lstrip()


@pytest.mark.parametrize("prefix", ["Hola, me lla", "Hola, me ", "Hola", "Buenos  días", "hOLA,", "Mi casa es "])
@pytest.mark.parametrize("beam", [1, 5])
def test_completion_starts_with_the_prefix(tr, prefix, beam):
    c = tr.complete(SENTENCES[0], prefix, decode=DecodeConfig(beam_size=beam))
    assert c.text.startswith(prefix) and c.suffix == c.text[len(prefix) :] and c.prefix == prefix
    assert len(c.text) > len(prefix)
    assert c.attention.shape == (len(c.tgt_tokens), len(c.src_tokens))
    assert np.allclose(c.attention.sum(axis=1), 1.0, atol=1e-3)
    assert c.tgt_tokens[-1] == "</s>" and c.src_tokens[-1] == "</s>" and np.isfinite(c.score)
    # the model itself decoded the typed characters (not just glued on): its pieces spell the prefix
    assert _spelled(c).startswith(" ".join(prefix.split()) + (" " if prefix.endswith(" ") else ""))
    if prefix.endswith(" "):
        assert not c.suffix[:1].isspace()


def test_mid_word_prefix_continues_the_typed_letters(tr):
    c = tr.complete(SENTENCES[0], "Hola, me lla")
    word = c.text.split()[2]
    assert word.startswith("lla") and _spelled(c).split()[2] == word


@pytest.mark.parametrize("beam", [1, 5])
def test_empty_prefix_is_ordinary_translation(tr, beam):
    for s in SENTENCES + [f"Please visit {URL} for more details."]:
        expected = tr.translate_lines([s], decode=DecodeConfig(beam_size=beam))[0]
        assert tr.complete(s, "", decode=DecodeConfig(beam_size=beam)).text == expected


def test_forcing_the_greedy_output_gives_it_back(tr):
    for s in SENTENCES:
        greedy = tr.translate_lines([s])[0]
        words = greedy.split()
        prefixes = [" ".join(words[:n]) + " " for n in range(1, len(words))]
        prefixes += [greedy[: len(greedy) // 2], greedy[: len(greedy) // 3], greedy]
        for prefix in prefixes:
            assert tr.complete(s, prefix).text == greedy, prefix


def test_protected_span_is_restored_in_the_suffix(tr):
    s = f"Please visit {URL} for more details."
    for prefix in ["Por favor, visite ", "Por favor", "Por favor, visite https://exa"]:
        c = tr.complete(s, prefix)
        assert c.text.startswith(prefix) and URL in c.text and URL[len("https://exa") :] in c.suffix
        assert "⟦" not in c.text
    assert any("⟦1⟧" in t for t in tr.complete(s, "Por favor").src_tokens)  # the model read the placeholder
    typed = f"Por favor, visite {URL} "  # the span typed in the prefix is not repeated
    c = tr.complete(s, typed)
    assert c.text.startswith(typed) and c.text.count(URL) == 1 and "⟦" not in c.text


@pytest.mark.parametrize("prefix", ["", "Hola, me ", "Hola, me lla", "Mi nombre es John y "])
def test_next_words_are_distinct_ranked_probabilities(tr, prefix):
    choices = tr.next_words(SENTENCES[0], prefix, k=5)
    words = [c.word for c in choices]
    assert len(choices) == 5 and len(set(words)) == 5
    assert all(w and w == w.strip() and " " not in w for w in words)
    probs = [c.prob for c in choices]
    assert probs == sorted(probs, reverse=True) and all(0.0 < p <= 1.0 for p in probs)
    assert sum(probs) <= 1.0 + 1e-6
    if prefix.endswith("lla"):
        assert all(w.startswith("lla") for w in words)


def test_choosing_a_next_word_then_completing(tr):
    prefix = "Hola, me "
    second = tr.next_words(SENTENCES[0], prefix, k=5)[1].word
    c = tr.complete(SENTENCES[0], prefix + second)
    assert c.text.startswith(prefix + second)
    first = tr.next_words(SENTENCES[0], "", k=1)
    assert len(first) == 1 and tr.complete(SENTENCES[0], first[0].word + " ").text.startswith(first[0].word + " ")


def test_several_sentences_are_completed_as_one(tr):
    source = "The house is very big. Where is the train station?"
    c = tr.complete(source, "La casa es ")
    assert c.text.startswith("La casa es ") and c.attention.shape == (len(c.tgt_tokens), len(c.src_tokens))
    assert len(tr.next_words(source, "La casa es ", k=3)) == 3


def test_more_spans_than_placeholders_are_all_kept(tr):
    """40 numbers: the one decoding path masks them in parts of at most 32 (pipeline._parts);
    interactive reads the same parts, so none past the 32nd is left to the model to rewrite."""
    numbers = [str(n) for n in range(101, 141)]
    source = "The numbers are " + ", ".join(numbers) + "."
    typed = "Los números son " + ", ".join(numbers[:34])  # into the second part
    for prefix in ["", "Los números son ", typed + ", ", typed + ", 1"]:
        c = interactive.complete(tr.model, tr.tok, source, prefix, src_lang="en", tgt_lang="es", names=tr.names)
        assert c.text.startswith(prefix) and "⟦" not in c.text
        assert sorted(re.findall(r"\d+", c.text)) == numbers, c.text  # each number exactly once
        assert c.attention.shape == (len(c.tgt_tokens), len(c.src_tokens))
        rows = c.attention.sum(axis=1)  # (block diagonal over the parts, like pipeline's: inner </s> dropped)
        assert (rows > 0).all() and (rows <= 1.0 + 1e-3).all()
    assert interactive.complete(tr.model, tr.tok, source, "", names=tr.names).text == tr.translate_lines([source])[0]
    assert len(tr.next_words(source, typed + ", ", k=3)) == 3


def test_blank_source(tr):
    c = tr.complete("   ", "Hola")
    assert c.text == "Hola" and c.suffix == ""
    assert tr.next_words("", "Hola") == []


def test_cli_prefix_from_arguments_and_stdin(monkeypatch, capsys):
    from translator_app import cli

    prefix = "Hola, me lla"
    assert cli.main(["translate", "--model", str(BUNDLED), "--beam", "1", "--prefix", prefix, SENTENCES[0]]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith(prefix) and len(out[0]) > len(prefix)
    monkeypatch.setattr("sys.stdin", io.StringIO(SENTENCES[1] + "\n"))
    assert cli.main(["translate", "--model", str(BUNDLED), "--beam", "2", "--prefix", "La casa "]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith("La casa ") and len(out[0]) > len("La casa ")


# ---- search with a prefix, on random models (every architecture, copy attention included) -----------
def _random_models():
    import torch

    from translator_app.core.base.config import ModelConfig
    from translator_app.core.model.model import Seq2Seq

    cfgs = [
        ModelConfig(
            src_vocab_size=60,
            tgt_vocab_size=60,
            emb_dim=16,
            enc_hidden=12,
            dec_hidden=20,
            dropout=0.0,
            copy_attention=True,
            share_src_tgt_embeddings=True,
        ),
        ModelConfig(
            src_vocab_size=50,
            tgt_vocab_size=60,
            emb_dim=16,
            enc_hidden=12,
            dec_hidden=20,
            dropout=0.0,
            attention="bahdanau",
            input_feeding=True,
            tie_embeddings=False,
        ),
    ]
    for cfg in cfgs:
        torch.manual_seed(0)
        model = Seq2Seq(cfg).eval()
        with torch.no_grad():
            model.decoder.out.bias[3] += 1.0
        yield model


@pytest.mark.parametrize("beam", [1, 4])
def test_search_forces_the_prefix_and_scores_it(beam):
    import torch

    from translator_app.core.model.search import search

    sources = [[5, 6, 7, 8, 3], [9, 10, 3]]
    prefixes = [(40, 41, 40), (7,)]
    for model in _random_models():
        hyps = [h[0] for h in search(model, sources, DecodeConfig(beam_size=beam), prefixes=prefixes)]
        for src, prefix, hyp in zip(sources, prefixes, hyps):
            assert hyp.tokens[: len(prefix)] == prefix
            with torch.no_grad():  # the score is the model's log-probability of the whole output
                tgt = torch.tensor([[2, *hyp.tokens]])
                logp = model(torch.tensor([src]), torch.tensor([len(src)]), tgt)[0]
                expected = sum(float(logp[t, y]) for t, y in enumerate([*hyp.tokens, 3]))
            assert hyp.log_prob == pytest.approx(expected, abs=1e-3)
            assert hyp.attention.shape == (len(hyp.tokens) + 1, len(src))
        # a constraint: after the prefix, only even ids until three are out
        even = torch.zeros(60, dtype=torch.bool)
        even[4::2] = True
        hyps = [
            h[0]
            for h in search(
                model,
                sources,
                DecodeConfig(beam_size=beam),
                prefixes=prefixes,
                constraint=lambda b, after, even=even: even if len(after) < 3 else None,
            )
        ]
        for prefix, hyp in zip(prefixes, hyps):
            assert all(t % 2 == 0 for t in hyp.tokens[len(prefix) : len(prefix) + 3])
            assert len(hyp.tokens) >= len(prefix) + 3
