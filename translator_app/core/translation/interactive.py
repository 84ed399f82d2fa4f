"""Interactive-predictive translation: complete what the person has typed so far.

``complete(model, tok, source, prefix)`` returns the whole translation that starts with ``prefix``
exactly; ``next_words(...)`` the k likeliest words that follow it. Both prepare the source like
the one decoding path (:func:`pipeline.prepare`: normalisation, protected spans masked as ⟦n⟧ when
the vocabulary has those pieces, names), so URLs and numbers stay protected and come back in the
completion.

How the prefix is decoded (everything in "piece space": SentencePiece text, ▁ as a space, as
UTF-8 bytes so byte-fallback pieces count as well):

* the prefix is cut before its last word: "Hola, me lla" -> complete part "Hola, me", partial
  word "lla" (a prefix ending in a space has the empty partial word; every word starts with a
  space in piece space, so the text still to spell is b" lla" or b" ");
* protected-span texts in the complete part (as the source wrote them, or as they render in the
  target) become their placeholders; its subword ids are forced through the decoder
  (``search``'s ``prefixes``, so copy attention, blocking and the length bound are search's own);
* then each next piece must be compatible with what is left of the partial word (its text a
  prefix of the rest, or the rest a prefix of its text; a placeholder counts as its span's text),
  and once it is spelled the search continues freely (greedy or beam);
* the typed prefix is never altered: ``text = prefix + suffix``, where the suffix is what the
  pieces spell after the prefix, spans restored (a span the model dropped is put back into the
  suffix like ``spans.restore`` does). An empty prefix is exactly ordinary translation.
* a source with more protected spans than placeholders is read in the pipeline's parts
  (``pipeline.protect``): the prefix completes the part it has reached (that of the last span it
  holds), the parts it has passed are forced through, the later ones translated freely.

Shapes: V = target vocabulary, S = source pieces + </s>, T = target pieces + </s>.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import torch

from translator_app.core.model import search as search_mod
from translator_app.core.model.decoding import LIVE, DecodeConfig
from translator_app.core.text.corpus import normalize
from translator_app.core.text.names import NameRule, common_word_test
from translator_app.core.text.segment import base_language
from translator_app.core.text.spans import Span, render, restore
from translator_app.core.text.tokenizer import BOS_ID, EOS_ID, PLACEHOLDERS
from translator_app.core.translation import pipeline

_BYTE_PIECE = re.compile(r"<0x([0-9A-Fa-f]{2})>")
_MAX_WORD_PIECES = 12  # next_words: pieces after the typed part of a word
_PUNCTUATION = ".,;:!?…)]}»”’\"'([{«“‘¿¡"  # stripped from a next word: a click replaces the word alone


@dataclass(frozen=True)
class Completion:
    source: str  # the source sentence
    prefix: str  # what the person typed, kept exactly
    text: str  # the full translation; text.startswith(prefix) always holds
    suffix: str  # text[len(prefix):]
    src_tokens: tuple[str, ...]  # source pieces, then "</s>"
    tgt_tokens: tuple[str, ...]  # target pieces (prefix pieces included), then "</s>"
    attention: np.ndarray  # (len(tgt_tokens), len(src_tokens)), rows = target pieces, each sums to 1
    score: float  # log-prob of the whole hypothesis, length-normalised like search (Hypothesis.score)


@dataclass(frozen=True)
class WordChoice:
    word: str  # an alternative next word (detokenised, no surrounding spaces)
    prob: float  # its probability given source and prefix (product over its subword pieces, times a word
    #              boundary following them; see next_words)


@lru_cache(maxsize=8)
def _vocabulary(sub) -> tuple[tuple[bytes, ...], dict[int, int]]:
    """What each id of a SubwordModel spells in piece space (V,), and placeholder id -> span index."""
    texts, placeholders = [], {}
    index = {p: k for k, p in enumerate(PLACEHOLDERS)}
    for i, piece in enumerate(sub.pieces(range(len(sub)))):
        byte = _BYTE_PIECE.fullmatch(piece)
        if i <= EOS_ID or piece == "<unk>":
            texts.append(b"")
        elif byte:
            texts.append(bytes([int(byte.group(1), 16)]))
        else:
            texts.append(piece.replace("\u2581", " ").encode("utf-8"))
        if piece in index:
            placeholders[i] = index[piece]
    return tuple(texts), placeholders


@dataclass
class _Context:
    sentence: pipeline._Sentence
    chunk: tuple[int, ...]  # source ids, ending in </s>
    forced: tuple[int, ...]  # target ids of the prefix's complete words (spans as placeholders)
    rest: bytes  # the partial word still to spell in piece space (b" lla", b" "), b"" for an empty prefix
    texts: list[bytes]  # (V,) piece-space text of each target id; placeholders: their span's rendering
    placeholders: dict[int, int]  # target id -> span index
    used: frozenset[int]  # span indices the prefix's complete part holds
    src_lang: str
    tgt_lang: str
    _masks: dict[bytes, torch.Tensor | None] = field(default_factory=dict)

    @property
    def spans(self) -> tuple[Span, ...]:
        return self.sentence.spans[: len(PLACEHOLDERS)]

    def compatible(self, rest: bytes) -> torch.Tensor | None:
        """(V,) bool: ids whose text is a prefix of ``rest`` or starts with it; None when none is."""
        if rest not in self._masks:
            ok = [bool(t) and (rest.startswith(t) or t.startswith(rest)) for t in self.texts]
            self._masks[rest] = torch.tensor(ok, dtype=torch.bool) if any(ok) else None
        return self._masks[rest]

    def constraint(self, _b: int, after) -> torch.Tensor | None:
        """search's constraint: ids allowed after the prefix's ``after`` ids, None once the word is spelled."""
        covered = b"".join(self.texts[i] for i in after)
        if len(covered) >= len(self.rest) or not self.rest.startswith(covered):
            return None
        return self.compatible(self.rest[len(covered) :])

    def spell(self, ids) -> tuple[bytes, set[int]]:
        """Piece-space text of target ids after the prefix (a span once; dropped: invented and repeated
        placeholders), and the span indices it holds."""
        seen, out = set(self.used), []
        for i in ids:
            k = self.placeholders.get(i)
            if k is None:
                out.append(self.texts[i])
            elif k < len(self.spans) and k not in seen:
                seen.add(k)
                out.append(self.texts[i])
        return b"".join(out), seen - self.used


def _prepare(tok, source: str, src_lang: str, glossary, names) -> list[pipeline._Sentence]:
    """The source prepared by the one decoding path, as the pieces it is read in: one sentence; else
    (several sentences, an over-long one) the whole line masked the same way (``pipeline.protect``)
    and read as one piece, or, with more protected spans than placeholders, as one piece per part."""
    line = " ".join(source.splitlines())
    sentences, _ = pipeline.prepare(tok, [line], src_lang, glossary, names)
    if len(sentences) <= 1 and all(len(s.chunks) == 1 for s in sentences):
        return sentences
    line, masking = normalize(line), tok.has_placeholders
    is_common = common_word_test(tok.source.encode) if masking and names is not None else None
    parts = pipeline.protect(tok, line, base_language(src_lang), glossary, names, is_common) if masking else []
    return [
        pipeline._Sentence(
            0, 0, part, spans, (tuple(tok.source.encode(pipeline._SURROGATE.sub("", text))) + (EOS_ID,),), masking
        )
        for part, spans, text in parts or [(line, (), line)]
    ]


def _located(tok, source: str, prefix: str, src_lang: str, tgt_lang: str, glossary, names):
    """(the source's pieces, the prefix's share of each piece up to the one it ends in). With several
    pieces (parts), a part's share starts at the first of its spans the prefix's complete words hold
    (spans sought in source order); the prefix ends in the part of the last span found."""
    parts = _prepare(tok, source, src_lang, glossary, names)
    head = prefix[: len(prefix) - len(_split_prefix(prefix)[1])] if prefix else ""
    starts: list[int | None] = [0] + [None] * (len(parts) - 1)
    pos = last = 0
    for p, part in enumerate(parts if len(parts) > 1 else ()):
        for span in part.spans:
            for form in dict.fromkeys([render(span, src_lang, tgt_lang), span.text]):
                at = _whole_at(head, form, [(0, pos)]) if form else -1
                if at >= 0:
                    starts[p] = at if starts[p] is None else starts[p]
                    pos, last = at + len(form), p
                    break
    cuts = [len(prefix)] * (last + 2)
    for p in range(last, -1, -1):  # a part without a span in the prefix: an empty share
        cuts[p] = starts[p] if starts[p] is not None else cuts[p + 1]
    return parts, [prefix[cuts[p] : cuts[p + 1]] for p in range(last + 1)]


def _split_prefix(prefix: str) -> tuple[str, str]:
    """(complete part, partial last word): "Hola, me lla" -> ("Hola, me", "lla"); "Hola, me " -> ("Hola, me", "")."""
    if prefix[-1:].isspace():
        return prefix.strip(), ""
    cut = max(prefix.rfind(c) for c in " \t\n\r\u00a0\u202f\u3000")
    return prefix[: cut + 1].strip(), prefix[cut + 1 :]


def _whole_at(text: str, form: str, taken: list[tuple[int, int]]) -> int:
    at = text.find(form)
    while at >= 0:
        end = at + len(form)
        alone = (at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_")) and (
            end == len(text) or not (text[end].isalnum() or text[end] == "_")
        )
        if alone and all(end <= s or at >= e for s, e in taken):
            return at
        at = text.find(form, at + 1)
    return -1


def _context(tok, sentence: pipeline._Sentence, prefix: str, src_lang: str, tgt_lang: str) -> _Context:
    spans = sentence.spans[: len(PLACEHOLDERS)]
    complete, partial = _split_prefix(prefix)
    hits: list[tuple[int, int, int]] = []  # (start, end, span index) in the complete part
    for k, span in enumerate(spans):
        for form in dict.fromkeys([render(span, src_lang, tgt_lang), span.text]):
            at = _whole_at(complete, form, [(s, e) for s, e, _ in hits]) if form else -1
            if at >= 0:
                hits.append((at, at + len(form), k))
                break
    masked, pos = [], 0
    for start, end, k in sorted(hits):
        masked += [complete[pos:start], PLACEHOLDERS[k]]
        pos = end
    masked.append(complete[pos:])
    masked_text = "".join(masked)
    forced = tuple(tok.target.encode(masked_text)) if masked_text.strip() else ()
    rest = b"" if not prefix.strip() else (" " + unicodedata.normalize("NFKC", partial)).encode("utf-8")
    base, placeholders = _vocabulary(tok.target)
    used = frozenset(k for _, _, k in hits)
    texts = list(base)
    for i, k in placeholders.items():
        texts[i] = render(spans[k], src_lang, tgt_lang).encode("utf-8") if k < len(spans) and k not in used else b""
    return _Context(sentence, sentence.chunks[0], forced, rest, texts, placeholders, used, src_lang, tgt_lang)


def _suffix(ctx: _Context, generated) -> str:
    """What the generated ids spell after the typed prefix, spans restored (dropped ones put back)."""
    spelled, present = ctx.spell(generated)
    covered = len(os.path.commonprefix([spelled, ctx.rest]))  # all of rest, unless the vocabulary could not spell it
    cut = spelled[covered:]
    suffix = cut.decode("utf-8", errors="replace")
    missing = [s for k, s in enumerate(ctx.spans) if k not in ctx.used and k not in present]
    if ctx.sentence.masked and missing:
        core = suffix.lstrip()
        lead = suffix[: len(suffix) - len(core)]
        restored = restore(
            core, missing, src_lang=ctx.src_lang, tgt_lang=ctx.tgt_lang, source_length=len(ctx.sentence.source)
        )
        suffix = lead + restored
    return suffix


def complete(
    model,
    tok,
    source: str,
    prefix: str,
    *,
    decode: DecodeConfig = LIVE,
    src_lang: str = "en",
    tgt_lang: str = "es",
    glossary: Mapping[str, str] | None = None,
    names: NameRule | None = None,
) -> Completion:
    """The best translation of ``source`` that starts with ``prefix``, searched as ``decode`` says
    (its n-best is ignored: one completion). ``text`` is ``prefix + suffix``; an empty prefix gives ordinary translation."""
    parts, shares = _located(tok, source, prefix, src_lang, tgt_lang, glossary, names)
    if not parts:  # nothing to translate
        return Completion(source, prefix, prefix, "", ("</s>",), ("</s>",), np.ones((1, 1), np.float32), 0.0)
    j, empty = len(shares) - 1, not prefix.strip()
    # the parts the prefix has passed: their shares forced whole (for their pieces and attention)
    ctxs = [
        _context(tok, parts[i], s.rstrip() + " " if s.strip() else "", src_lang, tgt_lang)
        for i, s in enumerate(shares[:j])
    ]
    ctx = _context(tok, parts[j], shares[j], src_lang, tgt_lang)
    kwargs, one = {}, replace(decode, n_best=1)
    if not empty:
        forced = [c.forced for c in ctxs] + [ctx.forced] + [()] * (len(parts) - j - 1)
        kwargs = {"prefixes": forced, "constraint": lambda b, after: ctx.constraint(b, after) if b == j else None}
    hyps = [h[0] for h in search_mod.search(model, [list(p.chunks[0]) for p in parts], one, **kwargs)]
    src = [tuple(tok.source.pieces(p.chunks[0][:-1])) + ("</s>",) for p in parts]
    texts = [
        pipeline._assemble(tok, p, [h], list(s), src_lang, tgt_lang)[0] for p, h, s in zip(parts[j:], hyps[j:], src[j:])
    ]
    joiner = "" if base_language(tgt_lang) in pipeline._NO_SPACE_LANGUAGES else " "
    if empty:  # exactly the one decoding path's text
        suffix = joiner.join(texts)
    else:
        suffix = _suffix(ctx, hyps[j].tokens[len(ctx.forced) :])
        if prefix[-1].isspace():
            suffix = suffix.lstrip()
        if texts[1:]:  # the parts after it, translated freely
            suffix += ("" if (prefix + suffix)[-1:].isspace() else joiner) + joiner.join(texts[1:])
    tgt, att = [], []
    for i, hyp in enumerate(hyps):
        ids = hyp.tokens[: len(ctxs[i].forced)] if i < j else hyp.tokens
        tgt.append(tuple(tok.target.pieces(ids)) + ("</s>",))
        att.append(np.asarray(hyp.attention)[: len(ids) + 1])
    return Completion(
        source,
        prefix,
        prefix + suffix,
        suffix,
        _merged(src),
        _merged(tgt),
        pipeline.block_diagonal(att),
        float(np.mean([h.score for h in hyps[j:]])),
    )


def _merged(blocks: list[tuple[str, ...]]) -> tuple[str, ...]:
    """Pieces of several parts as one sequence (their inner "</s>" dropped, like block_diagonal)."""
    return tuple(t for b in blocks[:-1] for t in b[:-1]) + blocks[-1]


@torch.inference_mode()
def next_words(
    model,
    tok,
    source: str,
    prefix: str,
    *,
    k: int = 5,
    src_lang: str = "en",
    tgt_lang: str = "es",
    glossary: Mapping[str, str] | None = None,
    names: NameRule | None = None,
) -> list[WordChoice]:
    """The ``k`` likeliest distinct words after ``prefix``, best first (end of sentence is not a word).

    A word is the pieces up to the next word boundary (a ▁-piece or </s>); its probability is the
    product of its pieces' probabilities times the probability that a boundary follows, summed over
    segmentations (while a piece spells typed letters, its probability is renormalised over the
    pieces compatible with them, so the probability is given the typed letters too). When the
    prefix ends inside a word, each choice is that whole word (the typed letters included:
    "me lla" -> "llamo", "llama"); after a space or an empty prefix, the next word.
    """
    parts, shares = _located(tok, source, prefix, src_lang, tgt_lang, glossary, names)
    if not parts or k < 1:
        return []
    ctx = _context(tok, parts[len(shares) - 1], shares[-1], src_lang, tgt_lang)  # the part the prefix ends in
    device = next(model.parameters()).device if any(True for _ in model.parameters()) else "cpu"
    src, lengths = search_mod.pad_batch([list(ctx.chunk)], device)
    enc, state = model.encode(src, lengths)
    for tok_id in (BOS_ID, *ctx.forced):  # teacher forcing through the prefix's complete words
        logp, _, state = model.decode_step(torch.tensor([tok_id], device=device), state, enc)  # (1, V) next piece
    found = _word_probabilities(model, ctx, enc, state, logp, k, device)
    merged: dict[str, float] = {}  # "Berlin." and "Berlin" are one word (what a click replaces is the word)
    for text, prob in found.items():
        word = text.strip(_PUNCTUATION) or text
        merged[word] = merged.get(word, 0.0) + prob
    ranked = sorted(merged.items(), key=lambda kv: kv[1], reverse=True)[:k]
    return [WordChoice(word, min(1.0, prob)) for word, prob in ranked]


def _word_probabilities(model, ctx: _Context, enc, state, logp: torch.Tensor, k: int, device) -> dict[str, float]:
    """Each next word's probability (text -> p), from the decoder ``state`` after the prefix's words and
    ``logp`` (1, V): a beam over the word's pieces, pruned once the ``k`` best words outweigh a candidate."""
    starts = torch.tensor([t.startswith(b" ") for t in ctx.texts], dtype=torch.bool, device=device)  # (V,)
    nonempty = torch.tensor([bool(t) for t in ctx.texts], dtype=torch.bool, device=device)  # (V,)
    boundary = starts.clone()
    boundary[EOS_ID] = True
    masks = (boundary, nonempty, nonempty & ~starts)  # each (V,): ends a word, has text, continues a word
    width = max(3 * k, 8)
    live: list[tuple[tuple[int, ...], float]] = [((), 0.0)]  # (piece ids so far, their log-prob)
    found: dict[str, float] = {}
    for _ in range(len(ctx.rest) + _MAX_WORD_PIECES):
        cands: list[tuple[float, int, int]] = []  # (log-prob, live row, next id)
        for r, (ids, lp) in enumerate(live):
            allowed, row = _allowed(ctx, masks, ids, lp, logp[r], found, device)
            if allowed is None:
                continue
            vals, idx = row.masked_fill(~allowed, float("-inf")).topk(min(width, row.numel()))
            cands += [(lp + v, r, i) for v, i in zip(vals.tolist(), idx.tolist()) if v > float("-inf")]
        best = sorted(found.values(), reverse=True)
        floor = math.log(best[k - 1]) if len(best) >= k else float("-inf")
        cands = sorted((c for c in cands if c[0] > floor), reverse=True)[:width]  # words only lose mass
        if not cands:
            break
        rows = torch.tensor([c[1] for c in cands], device=device)
        y = torch.tensor([c[2] for c in cands], device=device)
        live = [(live[r][0] + (i,), lp) for lp, r, i in cands]
        zeros = torch.zeros(len(cands), dtype=torch.long, device=device)
        logp, _, state = model.decode_step(y, state.index_select(rows), enc.index_select(zeros))  # (N, V)
    return found


def _allowed(ctx: _Context, masks: tuple, ids: tuple[int, ...], lp: float, row: torch.Tensor, found: dict, device):
    """The pieces (V,) that may follow the live pieces ``ids`` (log-prob ``lp``; None: none fits the typed
    letters) and the (V,) log-probabilities to rank them by; a complete word goes into ``found``."""
    covered = b"".join(ctx.texts[i] for i in ids)
    if len(covered) < len(ctx.rest):  # still spelling the typed letters
        allowed = ctx.compatible(ctx.rest[len(covered) :])
        if allowed is None:
            return None, row
        allowed = allowed.to(device)
        masked = row.masked_fill(~allowed, float("-inf"))
        return allowed, masked - torch.logsumexp(masked, 0)  # given the typed letters: renormalised over them
    boundary, nonempty, continuation = masks
    if not ids:  # empty prefix: the sentence's first word
        return nonempty, row
    word, _ = ctx.spell(ids)
    text = word.decode("utf-8", errors="replace").strip()
    if text and "\ufffd" not in text:
        end = float(torch.logsumexp(row.masked_fill(~boundary, float("-inf")), 0))
        found[text] = found.get(text, 0.0) + math.exp(lp + end)
    return continuation, row
