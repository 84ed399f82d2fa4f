"""The bookkeeping of the editable translation (gui/interactive.py), free of Qt: where each
sentence sits in the text, the grey suggestion, and which edits survive a re-translation."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any


@dataclass
class Segment:
    source: str  # the source sentence
    machine: str  # its machine translation (what "Re-translate sentence" restores)
    start: int  # document offsets of the sentence's text (end exclusive)
    end: int
    alignment: tuple | None = None  # (source tokens, target tokens, attention, copy probs) of the shown text
    machine_alignment: tuple | None = None
    edited: bool = False
    stale: bool = False  # edited, then its source sentence changed


@dataclass
class Suggestion:
    sentence: int
    start: int  # document offset where the grey text begins (the cursor)
    length: int
    old_tail: str  # the sentence's previous ending, restored on dismiss
    completion: Any


def carry_edits(old: list[tuple[str, bool]], new_sources: list[str]) -> list[tuple[int, bool] | None]:
    """For each new source sentence, the old edited sentence whose text it keeps, as
    (old index, source changed), or None. ``old``: (source, edited) of the shown sentences."""
    out: list[tuple[int, bool] | None] = [None] * len(new_sources)
    matcher = difflib.SequenceMatcher(None, [src for src, _ in old], new_sources, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(min(i2 - i1, j2 - j1) if tag in ("equal", "replace") else 0):
            similar = (
                tag == "equal" or difflib.SequenceMatcher(None, old[i1 + k][0], new_sources[j1 + k]).ratio() >= 0.5
            )
            if old[i1 + k][1] and similar:  # (a sentence rewritten beyond recognition loses the edit)
                out[j1 + k] = (i1 + k, tag == "replace")
    return out


def text_diff(old: str, new: str, cursor: int) -> tuple[int, int, int]:
    """(position, removed, added) turning ``old`` into ``new``; the edit is taken to end at
    ``cursor`` (where typing leaves it) when that fits, which settles repeated characters."""
    tail = len(new) - cursor
    if 0 <= cursor <= len(new) and tail <= len(old) and old[len(old) - tail :] == new[cursor:]:
        end_old, end_new = len(old) - tail, cursor
    else:
        end_old, end_new = len(old), len(new)
        while end_old and end_new and old[end_old - 1] == new[end_new - 1]:
            end_old, end_new = end_old - 1, end_new - 1
    pos, limit = 0, min(end_old, end_new)
    while pos < limit and old[pos] == new[pos]:
        pos += 1
    return pos, end_old - pos, end_new - pos


def locate(text: str, parts: list[str]) -> list[tuple[int, int]] | None:
    """(start, end) of each of ``parts``, found in order in ``text``; None when one is missing."""
    spans, pos = [], 0
    for part in parts:
        start = text.find(part, pos)
        if start < 0:
            return None
        spans.append((start, start + len(part)))
        pos = start + len(part)
    return spans


def alignment_of(item: Any) -> tuple:
    """(source tokens, target tokens, attention, copy probs) of a SentenceTranslation or Completion."""
    if hasattr(item, "src_tokens"):
        return tuple(item.src_tokens), tuple(item.tgt_tokens), item.attention, None
    return tuple(item.source_tokens), tuple(item.target_tokens), item.attention, getattr(item, "copy_probs", None)
