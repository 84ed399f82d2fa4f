from __future__ import annotations

import random
import statistics
import time

import numpy as np
import pytest

from tests.conftest import REPO, TATOEBA
from translator_app.core.model.decoding import LIVE, DecodeConfig
from translator_app.core.model.search import Hypothesis, greedy_search
from translator_app.core.text.corpus import normalize
from translator_app.core.text.segment import split_sentences
from translator_app.core.text.spans import find_spans, mask, unspellable
from translator_app.core.text.tokenizer import EOS_ID, PLACEHOLDERS, Tokenizers
from translator_app.core.translation import pipeline
from translator_app.core.translation.translator import Translator

BUNDLED = REPO / "models" / "en-es"


# ---- a fake word-level tokenizer with placeholder pieces, and fake searches ----------------------
class FakeSubwords:
    has_placeholders = True

    def __init__(self):
        self.vocab = {p: i for i, p in enumerate(["<pad>", "<unk>", "<s>", "</s>", *PLACEHOLDERS])}

    def _id(self, piece: str) -> int:
        return self.vocab.setdefault(piece, len(self.vocab))

    def encode(self, text: str) -> list[int]:
        ids = []
        for word in text.split():
            first = True
            for part in pipeline.re.split(r"(⟦\d+⟧)", word):
                if not part:
                    continue
                if part in PLACEHOLDERS:
                    ids += [self._id("▁")] if first else []
                    ids.append(self._id(part))
                else:
                    ids.append(self._id(("▁" if first else "") + part))
                first = False
        return ids

    def pieces(self, ids):
        inverse = {i: p for p, i in self.vocab.items()}
        return [inverse[int(i)] for i in ids]

    def decode(self, ids) -> str:
        return "".join(p.replace("▁", " ") for p in self.pieces(i for i in ids if i > EOS_ID)).strip()


class FakeTokenizers(Tokenizers):
    def __init__(self):
        fake = FakeSubwords()
        super().__init__(fake, fake)


def copy_search(drop_placeholders: bool = False, copy_probs: bool = False):
    """A 'model' that copies its source (optionally dropping placeholders); attention follows the copy."""

    def search(model, sources, **kwargs):
        hyps = []
        for src in sources:
            keep = [j for j, i in enumerate(src[:-1]) if not (drop_placeholders and 4 <= i < 4 + len(PLACEHOLDERS))]
            attention = np.full((len(keep) + 1, len(src)), 0.01, dtype=np.float32)
            for row, j in enumerate(keep):
                attention[row, j] = 1.0
            attention[-1, -1] = 1.0
            if drop_placeholders:  # the word after a dropped placeholder looked at it
                for row, j in enumerate(keep):
                    if j > 0 and 4 <= src[j - 1] < 4 + len(PLACEHOLDERS):
                        attention[max(row - 1, 0), j - 1] = 2.0
            attention /= attention.sum(axis=1, keepdims=True)
            extra = {"copy_probs": np.linspace(0, 1, len(keep) + 1)} if copy_probs else {}
            hyps.append(Hypothesis(tuple(src[j] for j in keep), -1.0, -0.5, attention, **extra))
        return hyps

    return search


def test_spans_come_back_through_the_pipeline(monkeypatch):
    monkeypatch.setattr(pipeline.search_mod, "greedy_search", copy_search())
    text = "It costs $19.99 or 4.2% of 40,000 at 19:45. See report.pdf and https://a.org/x, press Ctrl+S."
    [result] = pipeline.translate_texts(
        None, FakeTokenizers(), [text], src_lang="en", tgt_lang="es", glossary={"press": "pulse"}
    )
    assert [s.source for s in result.sentences] == [
        "It costs $19.99 or 4.2% of 40,000 at 19:45.",
        "See report.pdf and https://a.org/x, press Ctrl+S.",
    ]
    assert "⟦1⟧" in result.sentences[0].source_tokens  # the model saw placeholders, not the spans
    assert result.text == (
        "It costs $19,99 or 4,2 % of 40.000 at 19:45. See report.pdf and https://a.org/x, pulse Ctrl+S."
    )


def test_dropped_placeholders_are_reinserted_where_aligned(monkeypatch):
    monkeypatch.setattr(pipeline.search_mod, "greedy_search", copy_search(drop_placeholders=True))
    [result] = pipeline.translate_texts(
        None, FakeTokenizers(), ["Open report.pdf now and call 555 today"], src_lang="en", tgt_lang="en"
    )
    assert result.text == "Open report.pdf now and call 555 today"


def test_without_placeholder_pieces_nothing_is_masked(monkeypatch):
    monkeypatch.setattr(pipeline.search_mod, "greedy_search", copy_search())

    class Plain(FakeSubwords):
        has_placeholders = False

    tok = FakeTokenizers()
    tok.source = tok.target = Plain()
    [result] = pipeline.translate_texts(None, tok, ["It costs $19.99 today."], src_lang="en", tgt_lang="es")
    assert result.text == "It costs $19.99 today." and "⟦1⟧" not in result.sentences[0].source_tokens


def test_copy_probs_are_carried_and_joined_over_pieces(monkeypatch):
    monkeypatch.setattr(pipeline.search_mod, "greedy_search", copy_search(copy_probs=True))
    long_line = ", ".join(f"word{i} more{i} text{i}" for i in range(100))  # 300 subwords, no sentence end
    [result] = pipeline.translate_texts(None, FakeTokenizers(), [long_line], src_lang="en", tgt_lang="es")
    assert result.sentences  # (over 32 protected items: cut into parts, each masked whole; issue 29)
    for sent in result.sentences:
        assert sent.copy_probs is not None and sent.copy_probs.shape == (len(sent.target_tokens),)
        assert sent.attention.shape == (len(sent.target_tokens), len(sent.source_tokens))
    assert result.text == long_line  # pieces joined back without loss


def test_split_long_cuts_at_clauses_then_windows():
    encode = FakeSubwords().encode
    text = "one two three four five six; seven eight nine ten, eleven twelve and thirteen fourteen"
    pieces = pipeline.split_long(text, encode, "en", limit=6)
    assert all(len(p) <= 6 for p in pieces) and sum(map(len, pieces)) == len(encode(text))
    assert pipeline._cut_point(text, "en") == text.index("seven")  # the semicolon beats the comma
    no_space = "x" * 50
    assert pipeline.split_long(no_space, lambda t: list(range(len(t))), "en", limit=8)[-1] == list(range(48, 50))


def test_typed_sentence_overhead_is_under_a_millisecond(tiny_model_dir, monkeypatch):
    tr = Translator.load(tiny_model_dir)
    text = "Where is the station?"
    ids = tr.tok.source.encode(text) + [EOS_ID]
    [hyp] = greedy_search(tr.model, [ids])
    monkeypatch.setattr(pipeline.search_mod, "greedy_search", lambda model, sources, **kw: [hyp])
    times = []
    for _ in range(60):
        start = time.perf_counter()
        pipeline.translate_texts(tr.model, tr.tok, [text], src_lang="en", tgt_lang="es")
        times.append(time.perf_counter() - start)
    assert statistics.median(times) < 1e-3, f"{statistics.median(times) * 1e3:.2f} ms"


# ---- the tiny trained model -------------------------------------------------------------------
def test_beam_one_is_greedy_through_the_pipeline(tiny_model_dir):
    tr = Translator.load(tiny_model_dir, quantize=False)
    sentences = ["I like cats.", "Where is Tom?", "We are happy.", "Come here."]
    direct = greedy_search(tr.model, [tr.tok.source.encode(s) + [EOS_ID] for s in sentences])
    results = pipeline.translate_texts(tr.model, tr.tok, sentences, decode=LIVE)
    for hyp, result in zip(direct, results):
        assert result.text == tr.tok.target.decode(hyp.tokens)
        np.testing.assert_allclose(result.sentences[0].attention, hyp.attention, atol=1e-5)
    # the Translator adds its bundle's name rule ("Tom" becomes a placeholder): the same path with it
    named = pipeline.translate_texts(tr.model, tr.tok, sentences, decode=LIVE, names=tr.names)
    assert tr.translate_lines(sentences, decode=DecodeConfig(beam_size=1)) == [r.text for r in named]


def test_blank_lines_stay_blank(tiny_model_dir):
    tr = Translator.load(tiny_model_dir)
    result = tr.translate("I see a dog. We are happy.\n\n   \nCome here.\n")
    lines = result.text.split("\n")
    assert len(lines) == 4 and lines[1] == lines[2] == "" and lines[0] and lines[3]
    assert [s.line for s in result.sentences] == [0, 0, 3]
    assert tr.translate_lines(["", "Come here.", "  ", "A.\nB."])[0::2] == ["", ""]
    assert "\n" not in tr.translate_lines(["A dog.\nA cat."])[0]  # one output line per input line


def test_a_2000_subword_line_is_translated_whole(tiny_model_dir):
    tr = Translator.load(tiny_model_dir)
    words = TATOEBA.read_text(encoding="utf-8").split()[:3000] if TATOEBA.exists() else ["cat", "dog"] * 1500
    words = [w.strip(".!?") for w in words if w.strip(".!?") and not find_spans(w)]  # nothing is masked:
    words = [w for w in words if all(c.isascii() or tr.tok.source.can_spell(c) for c in w)]  # nor unspellable
    line, n = "", 0
    while n < 2000:
        line = normalize(" ".join(words[: len(line.split()) + 50]).replace(" the ", ", the "))
        n = len(tr.tok.source.encode(line))
    [result] = pipeline.translate_texts(tr.model, tr.tok, [line], src_lang="en", tgt_lang="es", batch_size=16)
    [sent] = result.sentences
    assert len(sent.source_tokens) - 1 == n  # every source subword went into the model
    assert sent.attention.shape == (len(sent.target_tokens), len(sent.source_tokens))
    # block diagonal: each target row attends inside one piece, and the pieces go left to right
    starts = []
    for row in sent.attention:
        cols = np.flatnonzero(row > 0)
        assert cols.max() - cols.min() <= pipeline.MAX_SOURCE_TOKENS
        starts.append(int(cols.min()))
    assert starts == sorted(starts) and len(set(starts)) >= 2
    assert np.all(sent.attention.sum(axis=1) <= 1 + 1e-4) and result.text


def test_translate_sources_restores_and_validates(tiny_model_dir):
    from translator_app.core.train.validation import translate_sources

    tr = Translator.load(tiny_model_dir, quantize=False)
    out = translate_sources(tr.model, tr.tok, ["I like cats.", "Tom is here. I like it!"], src_lang="en", tgt_lang="es")
    assert [len(t.sentences) for t in out] == [1, 2]
    assert out[0].text == tr.translate("I like cats.").text


def test_alternatives_are_ranked_and_distinct(tiny_model_dir):
    tr = Translator.load(tiny_model_dir)
    alts = tr.alternatives("I see.", 3, DecodeConfig(beam_size=4))
    assert len(alts) == 3 and [s for _, s in alts] == sorted((s for _, s in alts), reverse=True)
    assert len(tr.alternatives("I see.", 1)) == 1


# ---- the bundled model ------------------------------------------------------------------------
def _paragraphs(n: int, seed: int = 0) -> list[str]:
    lines = [line.split("\t")[0] for line in TATOEBA.read_text(encoding="utf-8").splitlines()[20000::97]]
    lines = [s for s in lines if s[-1] in ".!?" and not s.startswith(('"', "'"))]
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        sents = rnd.sample(lines, rnd.randint(3, 8))
        if i % 10 == 3:  # a 250+ subword sentence
            sents.insert(1, ", and ".join(s[:-1] for s in rnd.sample(lines, 40)) + ".")
        out.append(" ".join(sents))
        if i % 7 == 0:
            out.append("")
    return out


@pytest.mark.skipif(not BUNDLED.exists() or not TATOEBA.exists(), reason="bundled model or corpus missing")
def test_bundled_model_keeps_every_line_and_sentence():
    tr = Translator.load(BUNDLED)
    lines = _paragraphs(50)
    long_ones = [s for line in lines for s in split_sentences(line) if len(tr.tok.source.encode(s)) > 250]
    assert long_ones
    results = pipeline.translate_texts(tr.model, tr.tok, lines, src_lang="en", tgt_lang="es")
    outputs = [r.text for r in results]
    assert len(outputs) == len(lines)
    for line, result in zip(lines, results):
        expected = split_sentences(line) if line else []
        assert [s.source for s in result.sentences] == expected  # each sentence translated once, in order
        assert " ".join(s.source for s in result.sentences) == line  # and together they are the line
        assert (result.text == "") == (line == "") and "\n" not in result.text
        for sent in result.sentences:
            # nothing truncated: the pieces the model read spell out the whole sentence
            # (characters the vocabulary cannot spell are protected spans too: issue 29)
            verbatim = unspellable(sent.source, tr.tok.source.can_spell)
            spans = find_spans(sent.source, None, (), verbatim)
            masked = mask(sent.source, spans) if tr.tok.has_placeholders else sent.source
            assert "".join(sent.source_tokens[:-1]).replace("\u2581", "") == masked.replace(" ", "")
            assert sent.text


def test_cli_translates_piped_stdin_in_batches_with_a_glossary(tiny_model_dir, tmp_path, monkeypatch, capsys):
    import io

    from translator_app import cli

    glossary = tmp_path / "glossary.tsv"
    glossary.write_text("# comment\nTatoeba\tTATOEBA-ES\n", encoding="utf-8")
    lines = ["I like Tatoeba.", "", "Where is Tom? He is here.", "Come here."] * 70  # 280 lines: two batches
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert cli.main(["translate", "--model", str(tiny_model_dir), "--beam", "1", "--glossary", str(glossary)]) == 0
    out = capsys.readouterr().out.split("\n")
    assert len(out) == len(lines) + 1 and out[-1] == ""
    assert all((o == "") == (i == "") for i, o in zip(lines, out))
    assert all("TATOEBA-ES" in o for o in out[0 : len(lines) : 4])  # the glossary term, restored as given


def test_memory_matches_with_sentence_parts_and_placeholders(monkeypatch):
    """Exact memory matches (a sentence, a whole line) beside a sentence of over 32 protected
    items cut into parts: each part masked and restored, the fuzzy match on its first part."""
    from types import SimpleNamespace

    monkeypatch.setattr(pipeline.search_mod, "greedy_search", copy_search())

    class Memory:
        def __init__(self, exact, fuzzy):
            self.exact, self.fuzzy = exact, fuzzy

        def lookup(self, source, threshold=80.0):
            if source in self.exact:
                return SimpleNamespace(source=source, target=self.exact[source], exact=True, similarity=100.0)
            if threshold <= 100 and source in self.fuzzy:
                return SimpleNamespace(source=source, target="?", exact=False, similarity=90.0)
            return None

    many = "Codes " + " ".join(f"{n} x{n}" for n in range(100, 140)) + " end."
    memory = Memory({"Open the file.": "Abre el archivo."}, {many})
    [result] = pipeline.translate_texts(
        None, FakeTokenizers(), [f"Open the file. {many}\nOpen the file."], src_lang="en", tgt_lang="en", memory=memory
    )
    assert result.text == f"Abre el archivo. {many}\nAbre el archivo."
    first, *parts, last = result.sentences
    assert first.origin == last.origin == "memory" and len(parts) == 2
    assert all(p.origin == "model" and 0 < len(p.placeholders) <= len(PLACEHOLDERS) for p in parts)
    assert parts[0].match is not None and not parts[0].match.exact and parts[1].match is None
