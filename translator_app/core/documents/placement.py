"""Which target words of one translated sentence carry which inline format, read from the attention.

The source sentence's characters carry labels (a bold run, a link, plain text). The label that
forms the most separate runs in the source (plain text around a bold phrase) is the *outer* one;
every other run (a maximal stretch of source words with one label) is placed on the one
contiguous stretch of target words that attends to it most: each target word scores the
attention it gives the run minus the attention it gives the rest of the sentence, and the run
takes the stretch with the largest total (a maximum-sum subarray), so a noun phrase moves with
its words when the translation reorders adjective and noun. Anchors override the attention: a
protected span (``⟦k⟧``: a number, a placeholder) and a word spelled the same on both sides go
with their source run. The target words no run takes keep the outer label.

Words are never split: pieces of one word (subwords, a protected span restored as ``12 %``, any
pieces that touch without a space) take one label together. When a run's best stretch is weak
(no target word attends to it more than to the rest), it goes to the single word attending to
it most. ``sentence_pieces`` returns None when the tokens do not spell the sentence, and the
caller keeps the whole sentence in one format.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

_PH = re.compile("\u27e6(\\d+)\u27e7")
ANCHOR = 2.0  # score of a word tied to a run by a protected span or an identical spelling
WEAK = 0.15  # below this, a run's best stretch is not trusted: the single best word instead


def spelled(tokens: Sequence[str], placeholders: Sequence[tuple[str, str]], side: int) -> list[str]:
    """The tokens with every ``⟦k⟧`` written as the text it stands for (``side`` 0: in the source,
    1: in the translation), so they spell the sentence as it reads."""
    out = []
    for tok in tokens:
        m = _PH.search(tok)
        if m and 1 <= int(m.group(1)) <= len(placeholders):
            tok = tok[: m.start()] + placeholders[int(m.group(1)) - 1][side] + tok[m.end() :]
        out.append(tok)
    return out


def token_spans(tokens: Sequence[str], text: str) -> list[tuple[int, int]] | None:
    """Character span in ``text`` of every SentencePiece token ("▁" is a space)."""
    spelled_text, bounds = "", []
    for tok in tokens:
        start = len(spelled_text)
        spelled_text += tok.replace("\u2581", " ")
        bounds.append((start, len(spelled_text)))
    shift = len(spelled_text) - len(spelled_text.lstrip())
    if spelled_text[shift:] == text:
        return [(max(a - shift, 0), max(b - shift, 0)) for a, b in bounds]
    matcher = difflib.SequenceMatcher(None, spelled_text, text, autojunk=False)
    mapped = [-1] * len(spelled_text)
    matched = 0
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            mapped[a + k] = b + k
        matched += size
    if matched < 0.6 * max(len(text), 1):
        return None
    spans, last = [], 0
    for a, b in bounds:
        hits = [mapped[i] for i in range(a, b) if mapped[i] >= 0]
        spans.append((min(hits), max(hits) + 1) if hits else (last, last))
        last = spans[-1][1]
    return spans


def words_of(tokens: Sequence[str], spans: Sequence[tuple[int, int]], text: str) -> list[list[int]]:
    """Token indices of every word: a word starts at "▁", at punctuation and after it; a protected
    span is a word of its own; pieces that touch inside a word (letters on both sides) are joined,
    and tokens that cover no character belong to no word."""
    words: list[list[int]] = []
    ends: list[int] = []
    prev_boundary = True
    for t, tok in enumerate(tokens):
        a, b = spans[t]
        if not text[a:b].strip():
            prev_boundary = True
            continue
        anchor = _PH.search(tok) is not None
        punct = not anchor and not any(c.isalnum() for c in tok)
        glued = bool(words) and ends[-1] == a and 0 < a < len(text) and text[a - 1].isalnum() and text[a].isalnum()
        if glued or not (not words or tok.startswith("\u2581") or punct or anchor or prev_boundary):
            words[-1].append(t)
            ends[-1] = max(ends[-1], b)
        else:
            words.append([t])
            ends.append(b)
        prev_boundary = punct or anchor
    return words


def _majority(labels: Sequence) -> Hashable:
    counts: dict = {}
    for label in labels:
        if label is not None:
            counts[label] = counts.get(label, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def _runs(word_labels: Sequence) -> list[tuple[Hashable, list[int]]]:
    """(label, source word indices) of every maximal stretch of one label (unlabelled words skipped)."""
    runs: list[tuple[Hashable, list[int]]] = []
    for w, label in enumerate(word_labels):
        if label is None:
            continue
        if runs and runs[-1][0] == label:
            runs[-1][1].append(w)
        else:
            runs.append((label, [w]))
    return runs


def char_runs(labels: Sequence) -> list[tuple[Hashable, list[int]]]:
    """(label, character indices) runs of a labelled text; white space (None) joins neighbours."""
    return _runs(labels)


def outer_label(runs: Sequence[tuple[Hashable, list[int]]], base: Hashable) -> Hashable:
    """The label of the text around the others: the one with the most runs (then ``base``, then the
    most words)."""
    count: dict = {}
    size: dict = {}
    for label, ws in runs:
        count[label] = count.get(label, 0) + 1
        size[label] = size.get(label, 0) + len(ws)
    if not count:
        return base
    return max(count, key=lambda k: (count[k], k == base, size[k]))


def best_stretch(scores: Sequence[float]) -> tuple[int, int, float]:
    """(first, last, total) of the contiguous stretch with the largest sum (-inf never taken)."""
    best = (0, -1, float("-inf"))
    start, total = 0, 0.0
    for i, s in enumerate(scores):
        if s == float("-inf"):
            start, total = i + 1, 0.0
            continue
        if total <= 0:
            start, total = i, 0.0
        total += s
        if total > best[2]:
            best = (start, i, total)
    return best


def _key(text: str) -> str:
    return text.strip().casefold()


def sentence_pieces(sent: Any, labels: Sequence, base: Hashable) -> list[tuple[Hashable, str]] | None:
    """(label, text) pieces of one translated sentence (they spell ``sent.text``), or None when
    its tokens and attention cannot be read. ``labels``: the label of every character of
    ``sent.source`` (None for white space)."""
    src = list(sent.source_tokens)
    tgt = list(sent.target_tokens)
    att = sent.attention
    if src and src[-1] == "</s>":
        src.pop()
    if tgt and tgt[-1] == "</s>":
        tgt.pop()
    shape = getattr(att, "shape", None)
    if not src or not tgt or shape is None or len(shape) != 2 or shape[0] < len(tgt) or shape[1] < len(src):
        return None
    holders = tuple(getattr(sent, "placeholders", ()) or ())
    src_spans = token_spans(spelled(src, holders, 0), sent.source)
    tgt_spans = token_spans(spelled(tgt, holders, 1), sent.text)
    if src_spans is None or tgt_spans is None:
        return None
    A = np.nan_to_num(np.asarray(att, dtype=np.float64)[: len(tgt), : len(src)])
    src_words = words_of(src, src_spans, sent.source)
    tgt_words = words_of(tgt, tgt_spans, sent.text)
    if not src_words or not tgt_words:
        return None
    src_word_labels = [
        _majority([lab for t in w for lab in labels[src_spans[t][0] : src_spans[t][1]]]) for w in src_words
    ]
    runs = _runs(src_word_labels)
    outer = outer_label(runs, base)
    word_label: list[Hashable] = [None] * len(tgt_words)
    anchors = _anchors(src, tgt, src_words, tgt_words, src_spans, tgt_spans, sent.source, sent.text)
    rows = np.array([A[w].sum(axis=0) / len(w) for w in tgt_words])  # each target word's attention
    for label, ws in runs:
        if label == outer:
            continue
        cols = sorted(t for w in ws for t in src_words[w])
        inside = rows[:, cols].sum(axis=1)
        scores = [float(x) for x in inside - (rows.sum(axis=1) - inside)]
        for j, tied in anchors.items():
            scores[j] = ANCHOR if tied in ws else -ANCHOR
        for j, taken in enumerate(word_label):
            if taken is not None:
                scores[j] = float("-inf")
        first, last, total = best_stretch(scores)
        if total < WEAK:
            free = [j for j in range(len(tgt_words)) if word_label[j] is None]
            if not free:
                continue
            first = last = max(free, key=lambda j: (float(inside[j]), -j))
        for j in range(first, last + 1):
            word_label[j] = label
    return _pieces(sent.text, tgt_words, tgt_spans, word_label, outer)


def _anchors(src, tgt, src_words, tgt_words, src_spans, tgt_spans, source: str, text: str) -> dict[int, int]:
    """target word -> source word, for a protected span (the same ``⟦k⟧`` on both sides) or a word
    of two or more letters spelled the same on both sides, each once."""

    def index(tokens, words, spans, whole, strict):
        keys: dict[str, list[int]] = {}
        for w, ts in enumerate(words):
            holder = next((m.group() for t in ts for m in [_PH.search(tokens[t])] if m), None)
            word = whole[spans[ts[0]][0] : spans[ts[-1]][1]].strip()
            # a name, a code, a number: capitals past the first letter of a sentence, or a digit
            named = any(c.isdigit() for c in word) or (w > 0 and any(c.isupper() for c in word))
            if holder or (len(word) >= 2 and (named or not strict)):
                keys.setdefault(holder or _key(word), []).append(w)
        return keys

    src_keys = index(src, src_words, src_spans, source, True)
    tgt_keys = index(tgt, tgt_words, tgt_spans, text, False)
    return {ws[0]: src_keys[key][0] for key, ws in tgt_keys.items() if len(ws) == 1 and len(src_keys.get(key, ())) == 1}


def _pieces(text: str, words, spans, word_label: list, outer: Hashable) -> list[tuple[Hashable, str]]:
    """(label, text) pieces spelling ``text``: white space between two words of one label has it,
    other white space (and anything outside the words) the outer label."""
    marks: list[tuple[int, int, Hashable]] = []
    pos = 0
    for ts, label in zip(words, word_label):
        start, end = max(spans[ts[0]][0], pos), max(spans[ts[-1]][1], pos)
        marks.append((start, end, outer if label is None else label))
        pos = end
    out: list[tuple[Hashable, str]] = []

    def add(label: Hashable, piece: str) -> None:
        if not piece:
            return
        if out and out[-1][0] == label:
            out[-1] = (label, out[-1][1] + piece)
        else:
            out.append((label, piece))

    pos = 0
    for k, (start, end, label) in enumerate(marks):
        if start > pos:
            before = marks[k - 1][2] if k else None
            add(label if before == label else outer, text[pos:start])
        add(label, text[start:end])
        pos = max(pos, end)
    add(outer, text[pos:])
    return out
