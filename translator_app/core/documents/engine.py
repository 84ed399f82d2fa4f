"""Translate segments through the one decoding path, carrying inline formatting onto the right words.

Every text goes to the model through ``translator.translate_lines(texts, beam_size=K, glossary=...)``
in batches (it splits sentences, masks protected spans and restores them), except the parts of
a segment that mix formats for a model without placeholder pieces, which go through
``translator.translate(text, ...)`` (the same pipeline, one text at a time) for its attention.

How inline formatting (a bold word, a link) and inline code find their place:

* **markers** (the model keeps placeholders, or a stand-in translator without a tokenizer):
  every formatted run is wrapped in ``⟦1001⟧…⟦1002⟧`` and every code piece becomes one
  ``⟦k⟧``; the pipeline masks them as protected spans and puts them back, so the translated
  text says which words are bold and where the code went. Code is never sent to the model.
* **attention** (a model without placeholder pieces; any model with ``translate`` when a
  segment mixes formats, since format markers disturb the model): the segment is cut at its code pieces
  (so code stays verbatim); a part that mixes formats is translated with ``translate`` and
  ``placement.sentence_pieces`` puts every run of another format than the surrounding text on
  the one stretch of whole target words that attends to it most (protected spans such as
  ``12%`` anchored to their run and kept whole).
* when neither works (markers lost, the alignment does not spell the text), the whole
  sentence takes the segment's dominant format (``DocumentReport.approximated``). Text is
  never dropped: every target character lands in some slot.

The target pieces (label, text, region) are then laid onto the segment's TEXT slots with a
monotone dynamic programme (few characters in a slot of another format or on the wrong side
of a code piece), slots of one format split by line breaks get the text in proportion to their
source length (a cue of two lines keeps two lines), and white space is tidied at slot edges.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from translator_app.core.documents.common import (
    CODE,
    EMPTY,
    EMPTY_RESULT,
    MAX_SEGMENT_CHARS,
    NO_WORDS,
    SEP,
    TEXT,
    TOO_LONG,
    Cancelled,
    DocumentReport,
    Segment,
    has_words,
)
from translator_app.core.documents.placement import char_runs, outer_label, sentence_pieces

MARK_BASE = 1001
MAX_MARKERS = 24  # the pipeline masks at most 32 spans per sentence
DP_LIMIT = 250_000  # target pieces x slots; above it, each piece goes to the first slot of its region
_MARK = re.compile("\u27e6(\\d+)\u27e7")
_WS = re.compile(r"\s+")


def marker_support(translator: Any) -> bool:
    """Whether ⟦n⟧ markers survive translation: the model has placeholder pieces (or the
    translator says so with ``preserves_markers``; one without a tokenizer is trusted)."""
    explicit = getattr(translator, "preserves_markers", None)
    if explicit is not None:
        return bool(explicit)
    tok = getattr(translator, "tok", None)
    if tok is None:
        return True
    return all(bool(getattr(getattr(tok, side, None), "has_placeholders", False)) for side in ("source", "target"))


@dataclass
class _Job:
    kind: str  # "line" (translate_lines, one label), "marked", "align" (translate), "keep"
    text: str
    region: int = 0
    label: Hashable = None
    labels: list = field(default_factory=list)  # align / keep: label of every character
    marks: dict = field(default_factory=dict)  # marked: id -> ("open"|"close", label) or ("code", index)
    result: Any = None
    edges: str = ""  # region jobs: "<" when the source part starts with white space, ">" when it ends with it


@dataclass
class _Plan:
    index: int
    base: Hashable
    jobs: list[_Job]
    approximated: bool = False


def _labelled(pieces: Sequence) -> tuple[str, list]:
    """NFC text of TEXT pieces (space SEPs as spaces), white space collapsed, with each char's label
    (None for white space)."""
    chars: list[tuple[str, Hashable]] = []
    for p in pieces:
        if p.kind == TEXT:
            chars += [(c, p.label) for c in unicodedata.normalize("NFC", p.text)]
        elif p.kind == SEP and p.space:
            chars.append((" ", None))
    return _collapse(chars)


def _collapse(chars: Sequence[tuple[str, Hashable]]) -> tuple[str, list]:
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


def _majority(labels: Sequence, default: Hashable = None) -> Hashable:
    counts: dict = {}
    for label in labels:
        if label is not None:
            counts[label] = counts.get(label, 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else default  # max keeps the first of a tie


def _runs(text: str, labels: Sequence, base: Hashable) -> list[tuple[Hashable, str]]:
    """(label, text) runs of a labelled text (white space joins its neighbours)."""
    out: list[tuple[Hashable, str]] = []
    for c, label in zip(text, labels):
        label = base if label is None else label
        if out and (out[-1][0] == label or c == " "):
            out[-1] = (out[-1][0], out[-1][1] + c)
        else:
            out.append((label, c))
    return out


class Engine:
    def __init__(
        self,
        translator: Any,
        *,
        beam_size: int = 1,
        glossary: Mapping[str, str] | None = None,
        progress: Callable[[int, int], Any] | None = None,
        cancel: Any = None,
        batch_lines: int = 64,
        batch_chars: int = 8000,
    ):
        self.translator = translator
        self.beam = max(1, int(beam_size))
        self.glossary = dict(glossary) if glossary else None
        self.progress = progress
        self._cancel = getattr(cancel, "is_set", cancel)
        self.batch_lines, self.batch_chars = batch_lines, batch_chars
        self.markers = marker_support(translator)
        self.can_align = callable(getattr(translator, "translate", None))

    # ---- the run ------------------------------------------------------------------------------
    def run(self, segments: Sequence[Segment], report: DocumentReport) -> None:
        plans: list[_Plan] = []
        for i, seg in enumerate(segments):
            source = seg.source
            reason = seg.skip
            if reason is None:
                if not source.strip():
                    reason = EMPTY
                elif not has_words(source):
                    reason = NO_WORDS
                elif len(source) > MAX_SEGMENT_CHARS:
                    reason = TOO_LONG
            if reason is None:
                plans.append(self._plan(i, seg))
                report.segments += 1
            elif reason != EMPTY or seg.counted:
                report.segments += 1
                report.skip(reason, seg.where)
        total, done = len(plans), 0
        self._tick(0, total)
        start = 0
        while start < len(plans):
            end, lines, chars, aligns = start, 0, 0, 0
            while end < len(plans) and (
                end == start or (lines < self.batch_lines and chars < self.batch_chars and aligns < 8)
            ):
                for job in plans[end].jobs:
                    lines += job.kind in ("line", "marked")
                    chars += len(job.text)
                    aligns += job.kind == "align"
                end += 1
            self._check_cancel(done, total)
            chunk = plans[start:end]
            batch = [job for plan in chunk for job in plan.jobs if job.kind in ("line", "marked")]
            if batch:
                outs = list(
                    self.translator.translate_lines(
                        [j.text for j in batch], beam_size=self.beam, glossary=self.glossary
                    )
                )
                if len(outs) != len(batch):
                    raise RuntimeError(f"the translator returned {len(outs)} lines for {len(batch)}")
                for job, out in zip(batch, outs):
                    job.result = out
            for plan in chunk:
                for job in plan.jobs:
                    if job.kind == "align":
                        self._check_cancel(done, total)
                        job.result = self._align(job, plan)
                self._finish(plan, segments[plan.index], report)
                done += 1
            self._tick(done, total)
            start = end

    def _tick(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)

    def _check_cancel(self, done: int, total: int) -> None:
        if self._cancel is not None and self._cancel():
            raise Cancelled(f"cancelled after {done:,} of {total:,} segments")

    # ---- planning -------------------------------------------------------------------------------
    def _plan(self, index: int, seg: Segment) -> _Plan:
        text, labels = _labelled(seg.pieces)
        base = outer_label(
            char_runs(labels), _majority(labels, next((p.label for p in seg.pieces if p.kind == TEXT), None))
        )
        formats = {label for label in labels if label is not None}
        has_code = any(p.kind == CODE for p in seg.pieces)
        if len(formats) <= 1 and not has_code:
            return _Plan(index, base, [_Job("line", text, 0, base)])
        markers = self.markers and "\u27e6" not in text
        if markers and (len(formats) <= 1 or not self.can_align):
            marked, _, marks = _marked_text(seg.pieces, base)
            if len(marks) <= MAX_MARKERS:
                return _Plan(index, base, [_Job("marked", marked, marks=marks, label=base)])
        if markers:  # formats by attention (format markers would disturb the model), code as markers
            marked, labels, marks = _marked_text(seg.pieces, base, formats=False)
            if len(marks) <= MAX_MARKERS:
                return _Plan(index, base, [_Job("align", marked, 0, base, labels, marks=marks)])
        jobs, plan = [], _Plan(index, base, [])
        region, current = 0, []
        for p in [*seg.pieces, None]:
            if p is not None and p.kind != CODE:
                current.append(p)
                continue
            part, part_labels = _labelled(current)
            raw = "".join(q.text if q.kind == TEXT else (" " if q.space else "") for q in current)
            edges = ("<" if raw[:1].isspace() else "") + (">" if raw[-1:].isspace() else "")
            if part.strip():
                kinds = {label for label in part_labels if label is not None}
                if not has_words(part):
                    jobs.append(_Job("keep", part, region, base, part_labels))
                elif len(kinds) <= 1:
                    jobs.append(_Job("line", part, region, next(iter(kinds), base)))
                elif self.can_align:
                    jobs.append(_Job("align", part, region, _majority(part_labels, base), part_labels))
                else:
                    jobs.append(_Job("line", part, region, _majority(part_labels, base)))
                    plan.approximated = True
                jobs[-1].edges = edges
            region, current = region + 1, []
        plan.jobs = jobs
        return plan

    # ---- attention alignment --------------------------------------------------------------------
    def _align(self, job: _Job, plan: _Plan) -> list[tuple[Hashable, str]]:
        try:
            translation = self.translator.translate(job.text, beam_size=self.beam, glossary=self.glossary)
        except ValueError:  # InputTooLong: the plain path has no such limit
            plan.approximated = True
            out = self.translator.translate_lines([job.text], beam_size=self.beam, glossary=self.glossary)[0]
            return [(job.label, out)]
        sentences = list(getattr(translation, "sentences", ()) or ())
        texts = [s.text for s in sentences]
        joiner = "" if "".join(texts) == translation.text and " ".join(texts) != translation.text else " "
        pieces: list[tuple[Hashable, str]] = []
        cursor = 0
        for k, sent in enumerate(sentences):
            at = job.text.find(sent.source, cursor)
            found = sentence_pieces(sent, job.labels[at : at + len(sent.source)], job.label) if at >= 0 else None
            if found is None:
                plan.approximated = True
                span = job.labels[cursor:] if at < 0 else job.labels[at : at + len(sent.source)]
                found = [(_majority(span, job.label), sent.text)]
            if at >= 0:
                cursor = at + len(sent.source)
            if k and joiner:
                pieces.append((None, joiner))
            pieces += found
        if not sentences:
            pieces = [(job.label, translation.text)]
        return pieces

    # ---- laying the translation onto the slots --------------------------------------------------
    def _finish(self, plan: _Plan, seg: Segment, report: DocumentReport) -> None:
        targets: list[tuple[Hashable, str, int]] = []
        words = ""
        for job in plan.jobs:
            if job.kind == "marked":
                found, ok = _parse_marked(job.result or "", job.marks, plan.base)
                plan.approximated |= not ok
                targets += found
                words += _MARK.sub("", job.result or "")
                continue
            if "<" in job.edges:
                targets.append((plan.base, " ", job.region))
            if job.kind == "keep":
                targets += [(label, text, job.region) for label, text in _runs(job.text, job.labels, plan.base)]
            elif job.kind == "align":
                result = job.result if "".join(t for _, t in job.result).strip() else [(job.label, job.text)]
                targets += _split_codes(result, job.marks, plan.base, job.region)
                words += _MARK.sub("", "".join(text for _, text in job.result))
            else:  # a part the model left empty keeps its source text
                targets.append((job.label, job.result if (job.result or "").strip() else job.text, job.region))
                words += job.result or ""
            if ">" in job.edges:
                targets.append((plan.base, " ", job.region))
        if not words.strip():
            report.skip(EMPTY_RESULT, seg.where)
            return
        slots = [i for i, p in enumerate(seg.pieces) if p.kind == TEXT]
        regions, region = [], 0
        for p in seg.pieces:
            if p.kind == CODE:
                region += 1
            elif p.kind == TEXT:
                regions.append(region)
        placed = _assign(targets, [(seg.pieces[i].label, r) for i, r in zip(slots, regions)])
        if placed is None:
            plan.approximated = True
            placed = _assign_simple(targets, regions)
        texts = _tidy(seg, slots, placed, plan.base)
        seg.result = [None] * len(seg.pieces)
        for i, text in zip(slots, texts):
            seg.result[i] = text
        report.translated += 1
        report.words += len(seg.source.split())
        report.approximated += plan.approximated


def _marked_text(pieces: Sequence, base: Hashable, formats: bool = True) -> tuple[str, list, dict]:
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
    text, labels = _collapse(chars)
    return text, labels, marks


def _parse_marked(out: str, marks: dict, base: Hashable) -> tuple[list[tuple[Hashable, str, int]], bool]:
    pieces: list[tuple[Hashable, str, int]] = []
    stack: list[Hashable] = []
    seen: set[int] = set()
    region, ok = 0, True
    pos = 0
    for m in _MARK.finditer(out):
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


def _assign(targets: list[tuple[Hashable, str, int]], slots: list[tuple[Hashable, int]]) -> list[str] | None:
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


def _assign_simple(targets: list[tuple[Hashable, str, int]], regions: list[int]) -> list[str]:
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


def _tidy(seg: Segment, slots: list[int], placed: list[str], base: Hashable) -> list[str]:
    """Re-wrap slots of one format split by line breaks, tidy white space at slot edges, and keep
    the segment's outer white space as it was."""
    pieces = seg.pieces
    n = len(slots)
    texts = [_WS.sub(" ", t) for t in placed]
    sep_before = [
        k > 0 and any(p.kind == SEP and p.space for p in pieces[slots[k - 1] + 1 : slots[k]]) for k in range(n)
    ]
    code_before = [any(p.kind == CODE for p in pieces[(slots[k - 1] + 1 if k else 0) : slots[k]]) for k in range(n)]
    code_after = any(p.kind == CODE for p in pieces[slots[-1] + 1 :]) if n else False
    # slots of one label joined by space-like SEPs only: one text, cut in proportion to the source
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
    # white space between slots: one space where the translation has one, in a plain slot if possible
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
    # the segment's outer white space (indentation, a newline before the closing tag) stays
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
    return out


def _split_codes(
    pieces: list[tuple[Hashable, str]], marks: dict, base: Hashable, region: int
) -> list[tuple[Hashable, str, int]]:
    """(label, text) pieces whose text may hold code markers -> (label, text, region), markers removed."""
    out: list[tuple[Hashable, str, int]] = []
    for label, text in pieces:
        label = base if label is None else label
        pos = 0
        for m in _MARK.finditer(text):
            out.append((label, text[pos : m.start()], region))
            mark = marks.get(int(m.group(1)))
            if mark is not None and mark[0] == "code":
                region = mark[1] + 1
            pos = m.end()
        out.append((label, text[pos:], region))
    return [t for t in out if t[1]]
