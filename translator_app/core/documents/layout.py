"""The text side of a translated segment: its text marked with ⟦n⟧ format and code markers (and
read back from the translation), and the translated pieces laid onto the segment's TEXT slots.

Used by :mod:`.engine` (which owns the translator calls and the plan per segment); the method
is described there. Pure functions over :class:`~.common.Segment` pieces: no translator, no model.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Hashable, Sequence

from translator_app.core.documents.common import CODE, SEP, TEXT, Piece, Segment

MARK_BASE = 1001
MAX_MARKERS = 24  # the pipeline masks at most 32 spans per sentence
DP_LIMIT = 250_000  # target pieces x slots; above it, each piece goes to the first slot of its region
MARK = re.compile("\u27e6(\\d+)\u27e7")
_WS = re.compile(r"\s+")


def labelled(pieces: Sequence) -> tuple[str, list]:
    """NFC text of TEXT pieces (space SEPs as spaces), white space collapsed, with each char's label
    (None for white space)."""
    chars: list[tuple[str, Hashable]] = []
    for p in pieces:
        if p.kind == TEXT:
            chars += [(c, p.label) for c in unicodedata.normalize("NFC", p.text)]
        elif p.kind == SEP and p.space:
            chars.append((" ", None))
    return collapse(chars)


def collapse(chars: Sequence[tuple[str, Hashable]]) -> tuple[str, list]:
    """(char, label) pairs -> the text with runs of white space as one space (none at either end)
    and each char's label (None for a space)."""
    out: list[str] = []
    labels: list = []
    for c, label in chars:
        if c.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                labels.append(None)
        else:
            out.append(c)
            labels.append(label)
    while out and out[-1] == " ":
        out.pop()
        labels.pop()
    return "".join(out), labels


def majority(labels: Sequence, default: Hashable = None) -> Hashable:
    counts: dict = {}
    for label in labels:
        if label is not None:
            counts[label] = counts.get(label, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else default  # max keeps the first of a tie


def runs(text: str, labels: Sequence, base: Hashable) -> list[tuple[Hashable, str]]:
    """(label, text) runs of a labelled text (white space joins its neighbours)."""
    out: list[tuple[Hashable, str]] = []
    for c, label in zip(text, labels):
        label = base if label is None else label
        if out and (out[-1][0] == label or c == " "):
            out[-1] = (out[-1][0], out[-1][1] + c)
        else:
            out.append((label, c))
    return out


def marked_text(pieces: Sequence, base: Hashable, formats: bool = True) -> tuple[str, list, dict]:
    """The segment's text with every code piece as one ⟦id⟧ and (``formats``) every run of another
    format than ``base`` between ⟦open⟧…⟦close⟧; the label of each character; id -> meaning."""
    chars: list[tuple[str, Hashable]] = []
    marks: dict[int, tuple] = {}
    current, next_id, code = None, MARK_BASE, 0

    def emit(s: str, label: Hashable = None) -> None:
        chars.extend((c, None if c.isspace() else label) for c in s)

    def close() -> None:
        nonlocal current
        if current is not None:
            emit(f"\u27e6{current[1]}\u27e7")
            current = None

    for p in pieces:
        if p.kind == TEXT:
            text = unicodedata.normalize("NFC", p.text)
            if formats and text.strip():
                if p.label == base:
                    close()
                elif current is None or current[0] != p.label:
                    close()
                    marks[next_id], marks[next_id + 1] = ("open", p.label), ("close", p.label)
                    emit(f"\u27e6{next_id}\u27e7")
                    current, next_id = (p.label, next_id + 1), next_id + 2
            emit(text, p.label)
        elif p.kind == SEP:
            emit(" " if p.space else "")
        else:
            close()
            marks[next_id] = ("code", code)
            emit(f"\u27e6{next_id}\u27e7")
            next_id, code = next_id + 1, code + 1
    close()
    text, labels = collapse(chars)
    return text, labels, marks


def parse_marked(out: str, marks: dict, base: Hashable) -> tuple[list[tuple[Hashable, str, int]], bool]:
    pieces: list[tuple[Hashable, str, int]] = []
    stack: list[Hashable] = []
    seen: set[int] = set()
    region, ok = 0, True
    pos = 0
    for m in MARK.finditer(out):
        if m.start() > pos:
            pieces.append((stack[-1] if stack else base, out[pos : m.start()], region))
        pos = m.end()
        mark_id = int(m.group(1))
        mark = marks.get(mark_id)
        if mark is None:
            continue  # invented by the model: dropped
        if mark_id in seen:
            ok = False
            continue
        seen.add(mark_id)
        if mark[0] == "open":
            stack.append(mark[1])
        elif mark[0] == "close":
            if stack and stack[-1] == mark[1]:
                stack.pop()
            else:
                ok = False
                if mark[1] in stack:
                    stack.remove(mark[1])
        else:
            region = mark[1] + 1
    if pos < len(out):
        pieces.append((stack[-1] if stack else base, out[pos:], region))
    ok = ok and not stack and seen == set(marks)
    if not ok:
        pieces = [(base, text, r) for _, text, r in pieces]
    return pieces, ok


def assign(targets: list[tuple[Hashable, str, int]], slots: list[tuple[Hashable, int]]) -> list[str] | None:
    """Texts for the slots: target pieces in order, each in a slot at or after the previous one's,
    minimising the characters that land in another format or on the wrong side of a code piece."""
    n, m = len(slots), len(targets)
    if n == 0:
        return []
    if m == 0:
        return [""] * n
    if n == 1:
        return ["".join(t for _, t, _ in targets)]
    if n * m > DP_LIMIT:
        return None

    def cost(i: int, j: int) -> float:
        label, text, region = targets[i]
        weight = len(text.strip())
        return weight * ((label != slots[j][0]) + 2 * (region != slots[j][1])) + 1e-6 * j

    prev = [cost(0, j) for j in range(n)]
    back: list[list[int]] = []
    for i in range(1, m):
        best, arg, row, cur = float("inf"), 0, [], []
        for j in range(n):
            if prev[j] < best:
                best, arg = prev[j], j
            row.append(arg)
            cur.append(best + cost(i, j))
        back.append(row)
        prev = cur
    j = min(range(n), key=lambda k: prev[k])
    where = [0] * m
    where[m - 1] = j
    for i in range(m - 1, 0, -1):
        j = back[i - 1][j]
        where[i - 1] = j
    texts = [""] * n
    for (_, text, _), j in zip(targets, where):
        texts[j] += text
    return texts


def assign_simple(targets: list[tuple[Hashable, str, int]], regions: list[int]) -> list[str]:
    texts = [""] * len(regions)
    for _, text, region in targets:
        j = regions.index(region) if region in regions else 0
        texts[j] += text
    return texts


def distribute(text: str, weights: Sequence[int]) -> list[str]:
    """Cut ``text`` at spaces into len(weights) parts of lengths in proportion to the weights
    (each part with a weight gets a word while there are words)."""
    words = text.split()
    n = len(weights)
    if n <= 1 or not words or sum(weights) <= 0:
        return [" ".join(words)] + [""] * max(n - 1, 0)
    ends, pos = [], 0
    for w in words:
        pos += len(w)
        ends.append(pos)
        pos += 1
    total, weight_sum = ends[-1], sum(weights)
    parts, first, acc = [], 0, 0
    for i in range(n - 1):
        acc += weights[i]
        if weights[i] <= 0 or first >= len(words):
            parts.append("")
            continue
        later = sum(1 for w in weights[i + 1 :] if w > 0)
        hi = max(first, len(words) - 1 - later)
        goal = total * acc / weight_sum
        k = bisect.bisect_left(ends, goal, first, hi + 1)
        candidates = [c for c in (k - 1, k) if first <= c <= hi] or [first]
        best = min(candidates, key=lambda c: abs(ends[c] - goal))
        parts.append(" ".join(words[first : best + 1]))
        first = best + 1
    parts.append(" ".join(words[first:]))
    return parts


def tidy(seg: Segment, slots: list[int], placed: list[str], base: Hashable) -> list[str]:
    """Re-wrap slots of one format split by line breaks, tidy white space at slot edges, and keep
    the segment's outer white space as it was."""
    pieces = seg.pieces
    n = len(slots)
    texts = _rewrapped(pieces, slots, [_WS.sub(" ", t) for t in placed])
    code_before = [any(p.kind == CODE for p in pieces[(slots[k - 1] + 1 if k else 0) : slots[k]]) for k in range(n)]
    code_after = any(p.kind == CODE for p in pieces[slots[-1] + 1 :]) if n else False
    out = _spaced(pieces, slots, texts, code_before, code_after, base)
    _keep_outer_space(pieces, slots, out, code_before, code_after)
    return out


def _rewrapped(pieces: list[Piece], slots: list[int], texts: list[str]) -> list[str]:
    """``texts`` (one per slot), where slots of one label are joined by space-like SEPs only: one
    text, cut in proportion to the source."""
    n = len(slots)
    k = 0
    while k < n:
        group = [k]
        while group[-1] + 1 < n:
            a, b = slots[group[-1]], slots[group[-1] + 1]
            between = pieces[a + 1 : b]
            if (
                not between
                or pieces[a].label != pieces[b].label
                or any(p.kind != SEP for p in between)
                or not any(p.space for p in between)
            ):
                break
            group.append(group[-1] + 1)
        if len(group) > 1:
            joined = " ".join(texts[g] for g in group)
            weights = [len(pieces[slots[g]].text.strip()) for g in group]
            parts = distribute(joined, weights)
            filled = [i for i, p in enumerate(parts) if p] or [0]
            parts[filled[0]] = joined[: len(joined) - len(joined.lstrip(" "))] + parts[filled[0]]
            parts[filled[-1]] += joined[len(joined.rstrip(" ")) :] if joined.strip() else ""
            for g, part in zip(group, parts):
                texts[g] = part
        k = group[-1] + 1
    return texts


def _spaced(
    pieces: list[Piece], slots: list[int], texts: list[str], code_before: list[bool], code_after: bool, base: Hashable
) -> list[str]:
    """The slots' texts with the white space between them: one space where the translation has one,
    in a plain (``base``) slot if possible; beside a code piece, spaces stay where they were."""
    n = len(slots)
    sep_before = [
        k > 0 and any(p.kind == SEP and p.space for p in pieces[slots[k - 1] + 1 : slots[k]]) for k in range(n)
    ]
    contents = [k for k in range(n) if texts[k].strip()]
    out = [""] * n
    for k in contents:
        out[k] = texts[k].strip(" ")
    if contents:
        first, last = contents[0], contents[-1]
        if any(code_before[: first + 1]) and texts[first].startswith(" "):
            out[first] = " " + out[first]
        if (code_after or any(code_before[last + 1 :])) and texts[last].endswith(" "):
            out[last] += " "
    for a, b in zip(contents, contents[1:]):
        if any(code_before[a + 1 : b + 1]):  # a code piece sits between: spaces stay where they were
            out[a] += " " if texts[a].endswith(" ") else ""
            out[b] = (" " if texts[b].startswith(" ") else "") + out[b]
            for k in range(a + 1, b):
                out[k] = texts[k]
            continue
        gap = (
            texts[a][len(texts[a].rstrip(" ")) :]
            + "".join(texts[a + 1 : b])
            + texts[b][: len(texts[b]) - len(texts[b].lstrip(" "))]
        )
        if not gap or any(sep_before[a + 1 : b + 1]):
            continue
        plain = next((k for k in range(a + 1, b) if pieces[slots[k]].label == base), None)
        if plain is not None:
            out[plain] = " "
        elif pieces[slots[a]].label == base or pieces[slots[b]].label != base:
            out[a] += " "
        else:
            out[b] = " " + out[b]
    return out


def _keep_outer_space(
    pieces: list[Piece], slots: list[int], out: list[str], code_before: list[bool], code_after: bool
) -> None:
    """Put the segment's outer white space (indentation, a newline before the closing tag) back into ``out``."""
    sources = [pieces[i].text for i in slots]
    src_content = [k for k, s in enumerate(sources) if s.strip()] or [0]
    first, last = src_content[0], src_content[-1]
    for k, src in enumerate(sources):
        if k < first or k > last:
            if not src.strip():
                out[k] = (src + out[k]) if k < first else (out[k] + src)
            continue
        if k == first and not any(code_before[: k + 1]):
            out[k] = src[: len(src) - len(src.lstrip())] + out[k]
        if k == last and not (code_after or any(code_before[k + 1 :])):
            out[k] = out[k] + src[len(src.rstrip()) :]


def split_codes(
    pieces: list[tuple[Hashable, str]], marks: dict, base: Hashable, region: int
) -> list[tuple[Hashable, str, int]]:
    """(label, text) pieces whose text may hold code markers -> (label, text, region), markers removed."""
    out: list[tuple[Hashable, str, int]] = []
    for label, text in pieces:
        label = base if label is None else label
        pos = 0
        for m in MARK.finditer(text):
            out.append((label, text[pos : m.start()], region))
            mark = marks.get(int(m.group(1)))
            if mark is not None and mark[0] == "code":
                region = mark[1] + 1
            pos = m.end()
        out.append((label, text[pos:], region))
    return [t for t in out if t[1]]
