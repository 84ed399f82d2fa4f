"""Source tags of a bidirectional model (core/text/tags.py): atomic pieces, the same ids as training saw,
left alone by normalisation, masking, augmentation and sentence splitting, read by the decoding path."""

from __future__ import annotations

import json
import shutil
import unicodedata
from types import SimpleNamespace

import numpy as np
import pytest

from tests.conftest import take_slice
from translator_app.core.base.config import TokenizerConfig, from_dict
from translator_app.core.model.search import Hypothesis
from translator_app.core.text.augment import augment_pairs
from translator_app.core.text.corpus import normalize
from translator_app.core.text.names import name_rule_from_pairs
from translator_app.core.text.segment import split_sentences
from translator_app.core.text.spans import find_spans, mask_pair
from translator_app.core.text.tags import DEFAULT_TAGS, split_tag, tag_ids
from translator_app.core.text.tokenizer import PLACEHOLDERS, TokenizerError, Tokenizers, train_subword_model
from translator_app.core.train.validation import translate_sources
from translator_app.core.translation import pipeline

ES, EN = DEFAULT_TAGS
SENTENCES = [
    "Tom bought 3 apples for $4.50 at 10:30.",
    "3 cats sleep.",  # starts with a digit
    '"Quoted," she said.',  # ... with a quote
    "\u27e61\u27e7 is the file.",  # ... with a placeholder
    "¿Dónde está https://example.org/x?",
    "Send it to ana@example.com, please.",
]


@pytest.fixture(scope="module")
def sub(tmp_path_factory):
    """A real SentencePiece model trained on a tagged corpus slice with the tags as symbols."""
    lines = take_slice(400, tmp_path_factory.mktemp("tags") / "t.en-es.tsv", step=97).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in lines.splitlines()]
    sentences = [f"{ES} {en}" for en, _ in rows] + [f"{EN} {es}" for _, es in rows] + [c for r in rows for c in r]
    return train_subword_model(sentences, TokenizerConfig(vocab_size=1000, symbols=f"{ES},{EN}"))


def test_symbols_are_parsed_checked_and_optional():
    assert TokenizerConfig(symbols=f" {ES}, {EN} ").symbol_list == (ES, EN)
    assert TokenizerConfig().symbol_list == ()
    for bad in ("⇨ es", "x,x", "\u27e63\u27e7"):
        with pytest.raises(ValueError):
            TokenizerConfig(symbols=bad)
    old = {"vocab_size": 300, "model_type": "unigram", "placeholders": True}  # run.json before the field
    assert from_dict(TokenizerConfig, old).symbols == ""


def test_the_tags_are_atomic_pieces(sub):
    for tag in DEFAULT_TAGS:
        assert sub.pieces(tag_ids(sub, tag)) in (["\u2581", tag], [tag])
    assert ES in sub.pieces(sub.encode(f"Hello {ES} world"))
    assert sub.has_placeholders  # the symbols come beside the placeholders, not instead of them


def test_without_the_symbols_a_tag_is_no_piece(sub):
    lines = [f"{ES} {s}" for s in SENTENCES * 20]
    plain = train_subword_model(lines, TokenizerConfig(vocab_size=200, byte_fallback=False))
    with pytest.raises(TokenizerError, match="not one piece"):
        tag_ids(plain, ES)
    with pytest.raises(TokenizerError):
        tag_ids(sub, "⇨fr")  # a tag the model was not trained with


def test_tag_ids_are_what_training_encoded(sub):
    """The tagged training text encodes to the tag's ids followed by the sentence's own ids."""
    for tag in DEFAULT_TAGS:
        for s in SENTENCES:
            assert sub.encode(f"{tag} {s}") == list(tag_ids(sub, tag)) + sub.encode(s), (tag, s)


def test_normalisation_masking_augmentation_and_splitting_leave_the_tag():
    for tag in DEFAULT_TAGS:
        assert unicodedata.normalize("NFKC", tag) == tag == normalize(f"  {tag} ")
        for s, t in [
            ("It costs $19.99 at 10:30, see www.a.org.", "Cuesta $19,99 a las 10:30, ver www.a.org."),
            ("Call John Smith on 555-123-4567.", "Llama a John Smith al 555-123-4567."),
        ]:
            masked, masked_t = mask_pair(f"{tag} {s}", t, "en", "es")
            assert (masked, masked_t) == (f"{tag} {mask_pair(s, t, 'en', 'es')[0]}", mask_pair(s, t, "en", "es")[1])
            assert PLACEHOLDERS[0] in masked  # (the masking did run)
            assert not [span for span in find_spans(f"{tag} {s}") if span.start < len(tag)]
            first = split_sentences(f"{tag} {s} And a second one.", "en")[0]
            assert first == f"{tag} {s}"
    pairs = [(f"{ES} John lives in Paris and is 34.", "John vive en París y tiene 34 años.")] * 20
    out, report = augment_pairs(pairs, share=1.0, seed=1, src_lang="en", tgt_lang="es")
    assert report.rewritten and all(s.startswith(f"{ES} ") for s, _ in out)
    assert any(s != pairs[0][0] for s, _ in out)  # (rewritten, yet tagged)


def test_split_tag():
    assert split_tag(f"{ES} Hola", DEFAULT_TAGS) == (ES, "Hola")
    assert split_tag(f"{EN}  Hola", DEFAULT_TAGS) == (EN, "Hola")
    assert split_tag(f"{ES}Hola", DEFAULT_TAGS) == ("", f"{ES}Hola")
    assert split_tag("Hola", DEFAULT_TAGS) == ("", "Hola")


def _recording_search(calls: list, tags: set[int]):
    """A stand-in model: copies its source (tag ids left out); attention 1 on the copied position, 0.01 elsewhere."""

    def search(model, sources, **kwargs):
        hyps = []
        for src in sources:
            calls.append(list(src))
            keep = [j for j, i in enumerate(src[:-1]) if i not in tags]
            attention = np.full((len(keep) + 1, len(src)), 0.01, dtype=np.float32)
            for row, j in enumerate(keep):
                attention[row, j] = 1.0
            attention[-1, -1] = 1.0
            attention /= attention.sum(axis=1, keepdims=True)
            hyps.append(Hypothesis(tuple(src[j] for j in keep), -1.0, -0.5, attention))
        return hyps

    return search


def test_the_pipeline_puts_the_tag_before_every_piece(sub, monkeypatch):
    tok = Tokenizers(sub, sub)
    tag = tag_ids(sub, ES)
    calls: list[list[int]] = []
    monkeypatch.setattr(pipeline.search_mod, "greedy_search", _recording_search(calls, set(tag)))
    text = 'Tom bought 3 apples for $4.50 at 10:30. \u27e61\u27e7 is "the" file. 3 cats sleep.'
    [plain] = pipeline.translate_texts(None, tok, [text])
    plain_calls, calls[:] = list(calls), []
    [tagged] = pipeline.translate_texts(None, tok, [text], source_tag=ES)
    assert len(plain_calls) == len(calls) == 3
    assert sorted(calls) == sorted(list(tag) + c for c in plain_calls)
    assert any(PLACEHOLDERS[0] in sub.pieces(c) for c in calls)  # (masked: spans as placeholders, after the tag)
    assert tagged.text == plain.text
    for a, b in zip(plain.sentences, tagged.sentences):
        assert a.source_tokens == b.source_tokens and ES not in b.source_tokens
        assert b.attention.shape == (len(b.target_tokens), len(b.source_tokens))
        np.testing.assert_allclose(b.attention, a.attention, atol=1e-6)  # the tag's columns dropped
        np.testing.assert_allclose(b.attention.sum(axis=1), 1.0, atol=1e-5)
    with pytest.raises(TokenizerError):
        pipeline.translate_texts(None, tok, [text], source_tag="⇨fr")


def test_the_tag_counts_in_a_pieces_length(sub, monkeypatch):
    """A sentence of exactly MAX_SOURCE_TOKENS subwords is one piece untagged, two with the tag before it."""
    tok = Tokenizers(sub, sub)
    calls: list[list[int]] = []
    monkeypatch.setattr(pipeline.search_mod, "greedy_search", _recording_search(calls, set(tag_ids(sub, ES))))
    text = " ".join(["the"] * pipeline.MAX_SOURCE_TOKENS)
    assert len(sub.encode(text)) == pipeline.MAX_SOURCE_TOKENS
    pipeline.translate_texts(None, tok, [text])
    assert [len(c) for c in calls] == [pipeline.MAX_SOURCE_TOKENS + 1]
    calls[:] = []
    pipeline.translate_texts(None, tok, [text], source_tag=ES)
    assert len(calls) == 2 and max(len(c) for c in calls) <= pipeline.MAX_SOURCE_TOKENS + 1


def test_validation_reads_each_source_with_its_own_tag(sub, monkeypatch):
    tok = Tokenizers(sub, sub)
    es, en = tag_ids(sub, ES), tag_ids(sub, EN)
    calls: list[list[int]] = []
    monkeypatch.setattr(pipeline.search_mod, "greedy_search", _recording_search(calls, set(es + en)))
    sources = [f"{ES} Hello. How are you?", f"{EN} Hola.", "Untagged."]
    model = SimpleNamespace(eval=lambda: None)  # (the search is a stand-in)
    found = translate_sources(model, tok, sources, tags=DEFAULT_TAGS)
    assert [t.source for t in found] == ["Hello. How are you?", "Hola.", "Untagged."]
    by_text = {sub.decode(c): c for c in calls}
    assert set(by_text) == {f"{ES} Hello.", f"{ES} How are you?", f"{EN} Hola.", "Untagged."}  # every sentence
    for text, ids in ((f"{ES} Hello.", es), (f"{ES} How are you?", es), (f"{EN} Hola.", en)):
        assert by_text[text] == list(ids) + sub.encode(split_tag(text, DEFAULT_TAGS)[1]) + [3]
    assert by_text["Untagged."] == sub.encode("Untagged.") + [3]
    calls[:] = []
    translate_sources(model, tok, sources)  # without tags, the tag is text: the second sentence goes without it
    assert sub.encode("How are you?") + [3] in calls


def test_a_bundle_with_a_tag_outside_its_vocabulary_is_refused(tiny_model_dir, tmp_path):
    from translator_app.core.model.checkpoint import BundleError
    from translator_app.core.translation.translator import Translator

    assert Translator.load(tiny_model_dir).source_tag == ""  # a bundle without the key: unchanged
    copy = tmp_path / "m"
    shutil.copytree(tiny_model_dir, copy)
    config = json.loads((copy / "config.json").read_text(encoding="utf-8"))
    config["meta"]["source_tag"] = ES
    (copy / "config.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(BundleError, match="source_tag"):
        Translator.load(copy)


def test_names_rule_of_a_bidirectional_run_reads_the_words_after_the_tag_as_initial(tiny_bidi_run):
    from translator_app.core.folders.runfolder import RunFolder
    from translator_app.core.model.checkpoint import load_bundle

    meta = load_bundle(tiny_bidi_run).meta
    assert meta["tokenizer_symbols"] == list(DEFAULT_TAGS)
    train = RunFolder.at(tiny_bidi_run).read_splits()["train"]
    assert all(split_tag(s, DEFAULT_TAGS)[0] for s, _ in train)  # every training source tagged
    untagged = name_rule_from_pairs([(split_tag(s, DEFAULT_TAGS)[1], t) for s, t in train]).to_meta()
    assert meta["names"] == untagged
    assert meta["names"] != name_rule_from_pairs(train).to_meta()  # (the tag would have made them non-initial)
