"""The heat map in the words a person reads: subword pieces merged into words, placeholders shown
as the text they stand for, no "▁" and no "</s>".

:func:`readable_alignment` turns a sentence's alignment (SentencePiece pieces, each ending in
"</s>"; attention rows = target pieces, columns = source pieces) into one over words: a word's
column is the sum of its pieces' columns (attention stays a share of the source), its row the mean
of its pieces' rows, its copy probability the mean of its pieces'. Byte-fallback pieces
(``<0xC3><0xA9>``) become their characters, ``⟦1⟧`` the masked text (the name, number, URL … the
person typed; in the translation, the text it became), punctuation stays a column of its own.
The words come back in SentencePiece's convention (``"▁word"`` starts a word), which the heat map's
labels already read. Qt-free and torch-free: plain numpy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

EOS = "</s>"
_BYTE = re.compile(r"<0x([0-9A-Fa-f]{2})>")
_PLACEHOLDER = re.compile(r"⟦(\d+)⟧")


def _is_punct(text: str) -> bool:
    return bool(text) and not any(ch.isalnum() for ch in text)


def word_groups(pieces: Sequence[str], texts: Sequence[str] = ()) -> list[tuple[list[int], str]]:
    """(indices of the pieces, the word's text) per word, in order; "</s>" belongs to none.
    ``texts``: what ⟦1⟧, ⟦2⟧ … stand for."""
    groups: list[tuple[list[int], list[str | bytes], str]] = []  # (indices, parts, kind)
    for i, piece in enumerate(pieces):
        if piece == EOS:
            continue
        lead = piece.startswith("▁")
        body = piece[1:] if lead else piece
        byte = _BYTE.fullmatch(body)
        slot = _PLACEHOLDER.fullmatch(body)
        part: str | bytes = bytes([int(byte.group(1), 16)]) if byte else body
        if slot:
            k = int(slot.group(1)) - 1
            part = texts[k] if 0 <= k < len(texts) else body
        kind = "slot" if slot else "punct" if _is_punct(body) else "word"
        last = groups[-1] if groups else None
        pending = last is not None and not any(last[1])  # a lone "▁" waits for its word
        joins = last is not None and (pending or (not lead and kind == "word" and last[2] == "word" and not slot))
        if joins and last is not None:
            last[0].append(i)
            last[1].append(part)
            if pending:
                groups[-1] = (last[0], last[1], kind)
        else:
            groups.append(([i], [part], kind))
    out = []
    for indices, parts, _kind in groups:
        text, buffer = "", b""
        for part in [*parts, ""]:
            if isinstance(part, bytes):
                buffer += part
                continue
            if buffer:
                text, buffer = text + buffer.decode("utf-8", "replace"), b""
            text += part
        out.append((indices, text or "▁"))
    return out


def readable_alignment(
    source_tokens: Sequence[str],
    target_tokens: Sequence[str],
    attention,
    copy_probs=None,
    placeholders: Sequence[tuple[str, str]] = (),
) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray, np.ndarray | None]:
    """Source words, target words, their attention (target words × source words) and the copy
    probability per target word (None when ``copy_probs`` is None). ``placeholders``: (source text,
    target text) of ⟦1⟧, ⟦2⟧ … (``SentenceTranslation.placeholders``)."""
    att = np.asarray(attention, dtype=np.float32)
    src = word_groups(source_tokens, [s for s, _ in placeholders])
    tgt = word_groups(target_tokens, [t for _, t in placeholders])
    if not src or not tgt or att.shape != (len(target_tokens), len(source_tokens)):
        return (), (), np.zeros((0, 0), dtype=np.float32), None
    cols = np.stack([att[:, idx].sum(axis=1) for idx, _ in src], axis=1)
    words = np.stack([cols[idx].mean(axis=0) for idx, _ in tgt], axis=0)
    copy = None
    if copy_probs is not None:
        probs = np.asarray(copy_probs, dtype=np.float32).reshape(-1)
        if probs.shape == (len(target_tokens),):
            copy = np.array([probs[idx].mean() for idx, _ in tgt], dtype=np.float32)

    def spelled(groups: list[tuple[list[int], str]], pieces: Sequence[str]) -> tuple[str, ...]:
        # a word that starts a word in the text keeps SentencePiece's "▁" (the labels strip it)
        return tuple(
            ("▁" if pieces[idx[0]].startswith("▁") or k == 0 else "") + text for k, (idx, text) in enumerate(groups)
        )

    return spelled(src, source_tokens), spelled(tgt, target_tokens), words, copy
