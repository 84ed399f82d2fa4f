"""The one decoding path: text -> lines -> sentences -> protected spans -> length-sorted batches ->
search -> restore -> detokenised text, with per-sentence tokens, scores and attention.

Everything that translates goes through :func:`translate_texts`: the Translator (typed text,
file lines, n-best alternatives) and validation during training. Every input line gives exactly
one output line; nothing is truncated (a sentence over ``MAX_SOURCE_TOKENS`` subwords is cut at
a clause boundary, else near its middle, and its pieces' attentions form a block diagonal).
Spans are masked only when the tokenizers have the placeholder pieces (``has_placeholders``).
A bundle of a bidirectional model has a source tag (:mod:`~translator_app.core.text.tags`): its ids go
before every piece the encoder reads, and its attention columns are dropped from the results.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from translator_app.core.model import search as search_mod
from translator_app.core.model.decoding import LIVE, DecodeConfig
from translator_app.core.text.corpus import normalize
from translator_app.core.text.names import NameRule, common_word_test
from translator_app.core.text.segment import base_language, split_sentences
from translator_app.core.text.spans import Span, find_spans, mask, render, restore, unspellable
from translator_app.core.text.tags import tag_ids
from translator_app.core.text.tokenizer import EOS_ID, PLACEHOLDERS

# the longest piece still gets its full output budget (2 x source + 10) under search's cap
MAX_SOURCE_TOKENS = (search_mod.MAX_OUTPUT_LEN - 10) // 2
_NO_SPACE_LANGUAGES = {"zh", "ja", "th", "lo", "km", "my"}  # sentences are joined without a space
_CONJUNCTIONS = {
    "en": "and but or because although though while whereas which who so yet unless until since when",
    "es": "y e pero o u porque aunque mientras que quien cuando sino pues donde",
    "fr": "et mais ou parce car donc bien quand lorsque qui que puisque tandis",
    "de": "und aber oder weil denn obwohl während dass wenn sondern als",
    "it": "e ma o perché poiché mentre che quando sebbene benché",
    "pt": "e mas ou porque pois embora enquanto que quando",
}
_SURROGATE = re.compile("[\ud800-\udfff]")  # undecodable bytes (surrogateescape): never sent to SentencePiece
_CLAUSE_MARKS = (re.compile(r"[;；]\s"), re.compile(r"[:：—–]\s"), re.compile(r"[,，]\s"))


@dataclass(frozen=True)
class SentenceTranslation:
    source: str
    text: str
    source_tokens: tuple[str, ...]  # subword pieces, then "</s>"
    target_tokens: tuple[str, ...]  # subword pieces, then "</s>"
    attention: np.ndarray  # (len(target_tokens), len(source_tokens)); rows sum to 1
    score: float  # length-normalised log-probability
    confidence: float  # geometric mean token probability, 0..1
    line: int = 0  # the input line the sentence came from
    copy_probs: np.ndarray | None = None  # (len(target_tokens),) copy probability per output token
    alternatives: tuple[tuple[str, float], ...] = ()  # the n best (text, score) when n_best > 1
    origin: str = "model"  # "memory": an exact match in the translation memory replaced the model's output
    match: Any = None  # core.adapt.memory.Match: the exact, or else a fuzzy (suggested), memory entry
    # what ⟦1⟧, ⟦2⟧ … in the tokens stand for: (the source text, its text in the translation)
    placeholders: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Translation:
    source: str
    text: str
    sentences: tuple[SentenceTranslation, ...]
    beam_size: int
    elapsed_ms: float

    @property
    def confidence(self) -> float:
        if not self.sentences:
            return 1.0
        return float(np.mean([s.confidence for s in self.sentences]))


@dataclass(frozen=True)
class _Sentence:
    text_index: int
    line: int
    source: str  # as in the input (normalised)
    spans: tuple[Span, ...]  # masked spans (empty without placeholders)
    chunks: tuple[tuple[int, ...], ...]  # source ids of each piece, ending in </s>
    masked: bool = False  # placeholders in use: restore (and drop invented placeholders) after search
    match: Any = None  # core.adapt.memory.Match of the sentence (an exact one is not searched)


def prepare(
    tok,
    texts: Sequence[str],
    src_lang: str,
    glossary: Mapping[str, str] | None = None,
    names: NameRule | None = None,
    memory: Any = None,
    limit: int = MAX_SOURCE_TOKENS,
) -> tuple[list[_Sentence], list[int]]:
    """Sentences of every text (with their pieces' ids) and the number of lines of each text.
    ``names``: the bundle's rule for names to protect (:mod:`.names`), None for none. ``memory``:
    a :class:`~translator_app.core.adapt.memory.TranslationMemory` (``lookup``); a line or sentence with an
    exact match becomes one sentence with no pieces to search. ``limit``: subwords a piece may have."""
    masking = tok.has_placeholders
    is_common = common_word_test(tok.source.encode) if masking and names is not None else None
    lang = base_language(src_lang)
    sentences: list[_Sentence] = []
    line_counts = []
    for ti, text in enumerate(texts):
        lines = text.splitlines()
        line_counts.append(len(lines))
        for li, raw in enumerate(lines):
            line = normalize(raw)
            if not line:
                continue
            whole = memory.lookup(line, threshold=101.0) if memory is not None else None
            if whole is not None:  # the whole line is in the memory (an imported multi-sentence unit)
                sentences.append(_Sentence(ti, li, line, (), (), False, whole))
                continue
            for sentence in split_sentences(line, lang):
                match = memory.lookup(sentence) if memory is not None else None
                if match is not None and match.exact:
                    sentences.append(_Sentence(ti, li, sentence, (), (), False, match))
                    continue
                if not masking:
                    sentences.append(_Sentence(ti, li, sentence, (), _chunks(sentence, tok, lang, limit), False, match))
                    continue
                for part, part_spans, masked in protect(tok, sentence, lang, glossary, names, is_common):
                    sentences.append(
                        _Sentence(ti, li, part, part_spans, _chunks(masked, tok, lang, limit), True, match)
                    )
                    match = None
    return sentences, line_counts


def protect(
    tok, text: str, lang: str, glossary: Mapping[str, str] | None = None, names: NameRule | None = None, is_common=None
) -> list[tuple[str, tuple[Span, ...], str]]:
    """The masking of the one decoding path (a tokenizer with placeholders): the protected spans of
    ``text`` (normalised; glossary terms, names by ``names`` when ``is_common`` is given, what the
    source vocabulary cannot spell), in parts of at most ``len(PLACEHOLDERS)`` spans (:func:`_parts`),
    each as (part, its spans, its masked text). Also used by :mod:`.interactive`."""
    found = names.find(text, is_common, lang) if names is not None and is_common is not None else ()
    can_spell = getattr(tok.source, "can_spell", None)  # (a stand-in tokenizer may not say)
    verbatim = unspellable(text, can_spell) if can_spell is not None else ()
    spans = tuple(find_spans(text, glossary, found, verbatim))
    return [(part, group, mask(part, group) if group else part) for part, group in _parts(text, spans)]


def _chunks(text: str, tok, lang: str, limit: int = MAX_SOURCE_TOKENS) -> tuple[tuple[int, ...], ...]:
    text = _SURROGATE.sub("", text)  # (masked, they are spans; unmasked, the model cannot read them)
    return tuple(tuple(ids) + (EOS_ID,) for ids in split_long(text, tok.source.encode, lang, limit))


def _parts(sentence: str, spans: tuple[Span, ...], limit: int = len(PLACEHOLDERS)) -> list[tuple[str, tuple]]:
    """A sentence with more protected spans than placeholders, in parts of at most ``limit``
    spans (cut at the last space before the first span that does not fit), so that every span
    is masked and copied, never left to the model to rewrite."""
    if len(spans) <= limit:
        return [(sentence, spans)]
    bounds, start, i = [], 0, 0
    while len(spans) - i > limit:
        nxt = spans[i + limit]
        cut = sentence.rfind(" ", spans[i + limit - 1].end, nxt.start)
        cut = nxt.start if cut < 0 else cut
        bounds.append((start, cut, spans[i : i + limit]))
        start, i = cut, i + limit
    bounds.append((start, len(sentence), spans[i:]))
    out = []
    for a, b, group in bounds:
        raw = sentence[a:b]
        shift = a + len(raw) - len(raw.lstrip())
        out.append((raw.strip(), tuple(replace(s, start=s.start - shift, end=s.end - shift) for s in group)))
    return out


def split_long(text: str, encode, lang: str = "en", limit: int = MAX_SOURCE_TOKENS) -> list[list[int]]:
    """Ids of ``text`` in pieces of at most ``limit`` subwords: cut at ; : , or before a
    conjunction near the middle, else at the space nearest the middle, else every ``limit`` ids."""
    ids = encode(text)
    if len(ids) <= limit:
        return [ids]
    cut = _cut_point(text, lang)
    if cut is None:
        return [ids[i : i + limit] for i in range(0, len(ids), limit)]
    return split_long(text[:cut].rstrip(), encode, lang, limit) + split_long(text[cut:].lstrip(), encode, lang, limit)


def _cut_point(text: str, lang: str) -> int | None:
    n, mid = len(text), len(text) / 2
    words = _CONJUNCTIONS.get(lang, _CONJUNCTIONS["en"])
    conj = re.compile(rf"\s(?=(?:{'|'.join(words.split())})\s)", re.IGNORECASE)
    for regex in (*_CLAUSE_MARKS, conj):
        cuts = [m.end() for m in regex.finditer(text) if 0.2 * n <= m.end() <= 0.8 * n]
        if cuts:
            return min(cuts, key=lambda c: abs(c - mid))
    spaces = [m.start() for m in re.finditer(r"\s", text) if 0 < m.start() < n - 1]
    return min(spaces, key=lambda c: abs(c - mid)) if spaces else None


def translate_texts(
    model,
    tok,
    texts: Sequence[str],
    *,
    src_lang: str = "en",
    tgt_lang: str = "es",
    decode: DecodeConfig = LIVE,
    glossary: Mapping[str, str] | None = None,
    batch_size: int = 64,
    names: NameRule | None = None,
    memory: Any = None,
    source_tag: str = "",
) -> list[Translation]:
    """Translate each text with the search ``decode`` describes (checked when it was made); its
    Translation keeps one output line per input line. ``memory``: a translation memory whose exact
    matches replace the model's output (``origin="memory"``). ``source_tag``: the tag of a bidirectional
    model's direction (:mod:`~translator_app.core.text.tags`; TokenizerError unless it is one piece), read
    before every piece; the results' source tokens and attention leave it out."""
    start = time.perf_counter()
    tag = tag_ids(tok.source, source_tag) if source_tag else ()
    sentences, line_counts = prepare(tok, texts, src_lang, glossary, names, memory, MAX_SOURCE_TOKENS - len(tag))
    pieces = [(si, ci) for si, s in enumerate(sentences) for ci in range(len(s.chunks))]
    pieces.sort(key=lambda p: len(sentences[p[0]].chunks[p[1]]))
    hyps: dict[tuple[int, int], list[Any]] = {}
    for b in range(0, len(pieces), batch_size):
        batch = pieces[b : b + batch_size]
        src = [list(tag + sentences[si].chunks[ci]) for si, ci in batch]  # the tag's ids, the piece's, </s>
        for key, found in zip(batch, search_mod.search(model, src, decode)):
            hyps[key] = [_untagged(h, len(tag)) for h in found] if tag else found
    results = [
        _sentence_result(tok, s, [hyps[(si, ci)] for ci in range(len(s.chunks))], src_lang, tgt_lang, decode.n_best)
        if s.chunks
        else _memory_result(tok, s)
        for si, s in enumerate(sentences)
    ]
    joiner = "" if base_language(tgt_lang) in _NO_SPACE_LANGUAGES else " "
    elapsed = (time.perf_counter() - start) * 1000
    out = []
    for ti, text in enumerate(texts):
        mine = [r for s, r in zip(sentences, results) if s.text_index == ti]
        lines = [[] for _ in range(line_counts[ti])]
        for r in mine:
            lines[r.line].append(r.text)
        joined = "\n".join(joiner.join(parts) for parts in lines) if mine else ""
        out.append(Translation(text, joined, tuple(mine), decode.beam_size, elapsed))
    return out


def _untagged(hyp, n: int):
    """``hyp`` without the attention on the ``n`` tag ids the encoder read first: attention (T, n + S) ->
    (T, S), each row renormalised to sum to 1 (the source tokens and the heat map never show the tag)."""
    attention = np.asarray(hyp.attention, dtype=np.float32)[:, n:]
    return replace(hyp, attention=attention / np.maximum(attention.sum(axis=1, keepdims=True), 1e-9))


def _sentence_result(
    tok, sentence: _Sentence, chunk_hyps: list[list[Any]], src_lang: str, tgt_lang: str, n_best: int
) -> SentenceTranslation:
    src_tokens = [p for chunk in sentence.chunks for p in tok.source.pieces(chunk[:-1])] + ["</s>"]
    best = [h[0] for h in chunk_hyps]
    text, tgt_tokens, attention = _assemble(tok, sentence, best, src_tokens, src_lang, tgt_lang)
    log_prob = sum(h.log_prob for h in best)
    count = sum(len(h.tokens) + 1 for h in best)
    copies = [getattr(h, "copy_probs", None) for h in best]
    copy_probs = None
    if copies and all(c is not None for c in copies):
        copy_probs = np.concatenate([np.asarray(c)[:-1] for c in copies[:-1]] + [np.asarray(copies[-1])])
    alternatives: tuple[tuple[str, float], ...] = ()
    if n_best > 1:
        alts = []
        for rank in range(max(len(h) for h in chunk_hyps)):
            chosen = [h[min(rank, len(h) - 1)] for h in chunk_hyps]
            alt_text = _assemble(tok, sentence, chosen, src_tokens, src_lang, tgt_lang)[0]
            alts.append((alt_text, float(np.mean([h.score for h in chosen]))))
        alternatives = tuple(alts)
    score = log_prob / max(count, 1)
    return SentenceTranslation(
        sentence.source,
        text,
        tuple(src_tokens),
        tuple(tgt_tokens),
        attention,
        score,
        float(np.exp(score)),
        sentence.line,
        copy_probs,
        alternatives,
        match=sentence.match,
        placeholders=tuple(
            (span.text, render(span, src_lang, tgt_lang)) for span in sentence.spans[: len(PLACEHOLDERS)]
        ),
    )


def _memory_result(tok, sentence: _Sentence) -> SentenceTranslation:
    """A sentence whose translation is an exact memory match: its pieces, and even attention."""
    src_tokens = tok.source.pieces(tok.source.encode(sentence.source)) + ["</s>"]
    tgt_tokens = tok.target.pieces(tok.target.encode(sentence.match.target)) + ["</s>"]
    attention = np.full((len(tgt_tokens), len(src_tokens)), 1.0 / len(src_tokens), dtype=np.float32)
    return SentenceTranslation(
        sentence.source,
        sentence.match.target,
        tuple(src_tokens),
        tuple(tgt_tokens),
        attention,
        0.0,
        1.0,
        sentence.line,
        origin="memory",
        match=sentence.match,
    )


def _assemble(tok, sentence: _Sentence, hyps: list[Any], src_tokens: list[str], src_lang: str, tgt_lang: str):
    """Restored text, target pieces (with "</s>") and block-diagonal attention of the chosen hypotheses."""
    ids = [i for h in hyps for i in h.tokens]
    tgt_tokens = tok.target.pieces(ids) + ["</s>"]
    attention = block_diagonal([h.attention for h in hyps])
    text = tok.target.decode(ids)
    if "\ufffd" in text and "\ufffd" not in sentence.source:  # byte pieces that do not form UTF-8
        text = " ".join(text.replace("\ufffd", "").split())
    if sentence.masked:
        text = restore(
            text,
            sentence.spans,
            src_lang=src_lang,
            tgt_lang=tgt_lang,
            attention=attention,
            target_tokens=tgt_tokens,
            source_tokens=src_tokens,
            source_length=len(sentence.source),
        )
    return text, tgt_tokens, attention


def block_diagonal(blocks: list[np.ndarray]) -> np.ndarray:
    """Attention of a sentence translated in pieces; drops the inner </s> rows/columns."""
    if len(blocks) == 1:
        return blocks[0]
    trimmed = [b[:-1, :-1] for b in blocks[:-1]] + [blocks[-1]]
    rows, cols = sum(b.shape[0] for b in trimmed), sum(b.shape[1] for b in trimmed)
    out = np.zeros((rows, cols), dtype=np.float32)
    r = c = 0
    for b in trimmed:
        out[r : r + b.shape[0], c : c + b.shape[1]] = b
        r, c = r + b.shape[0], c + b.shape[1]
    return out


def merged_alignment(translation: Translation) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    """Source pieces, target pieces and attention of a whole Translation (its sentences side by side)."""
    sents = translation.sentences
    if not sents:
        return ("</s>",), ("</s>",), np.ones((1, 1), dtype=np.float32)
    src = tuple(t for s in sents[:-1] for t in s.source_tokens[:-1]) + sents[-1].source_tokens
    tgt = tuple(t for s in sents[:-1] for t in s.target_tokens[:-1]) + sents[-1].target_tokens
    return src, tgt, block_diagonal([s.attention for s in sents])
