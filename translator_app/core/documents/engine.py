"""Translate segments through the one decoding path, carrying inline formatting onto the right words.

Every text goes to the model through ``translator.translate_lines(texts, decode, glossary=...)``
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

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from translator_app.core.documents.common import (
    CODE,
    EMPTY,
    EMPTY_RESULT,
    MAX_SEGMENT_CHARS,
    NO_WORDS,
    TEXT,
    TOO_LONG,
    Cancelled,
    DocumentReport,
    Segment,
    has_words,
)
from translator_app.core.documents.layout import (
    MARK,
    MAX_MARKERS,
    assign,
    assign_simple,
    labelled,
    majority,
    marked_text,
    parse_marked,
    runs,
    split_codes,
    tidy,
)
from translator_app.core.documents.placement import char_runs, outer_label, sentence_pieces
from translator_app.core.model.decoding import LIVE, DecodeConfig


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


class Engine:
    def __init__(
        self,
        translator: Any,
        *,
        decode: DecodeConfig = LIVE,
        glossary: Mapping[str, str] | None = None,
        progress: Callable[[int, int], Any] | None = None,
        cancel: Any = None,
        batch_lines: int = 64,
        batch_chars: int = 8000,
    ):
        self.translator = translator
        self.decode = decode  # core.model.decoding.DecodeConfig: how to search (checked when it was made)
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
                    self.translator.translate_lines([j.text for j in batch], self.decode, glossary=self.glossary)
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
        text, labels = labelled(seg.pieces)
        base = outer_label(
            char_runs(labels), majority(labels, next((p.label for p in seg.pieces if p.kind == TEXT), None))
        )
        formats = {label for label in labels if label is not None}
        has_code = any(p.kind == CODE for p in seg.pieces)
        if len(formats) <= 1 and not has_code:
            return _Plan(index, base, [_Job("line", text, 0, base)])
        markers = self.markers and "\u27e6" not in text
        if markers and (len(formats) <= 1 or not self.can_align):
            marked, _, marks = marked_text(seg.pieces, base)
            if len(marks) <= MAX_MARKERS:
                return _Plan(index, base, [_Job("marked", marked, marks=marks, label=base)])
        if markers:  # formats by attention (format markers would disturb the model), code as markers
            marked, labels, marks = marked_text(seg.pieces, base, formats=False)
            if len(marks) <= MAX_MARKERS:
                return _Plan(index, base, [_Job("align", marked, 0, base, labels, marks=marks)])
        jobs, plan = [], _Plan(index, base, [])
        region, current = 0, []
        for p in [*seg.pieces, None]:
            if p is not None and p.kind != CODE:
                current.append(p)
                continue
            part, part_labels = labelled(current)
            raw = "".join(q.text if q.kind == TEXT else (" " if q.space else "") for q in current)
            edges = ("<" if raw[:1].isspace() else "") + (">" if raw[-1:].isspace() else "")
            if part.strip():
                kinds = {label for label in part_labels if label is not None}
                if not has_words(part):
                    jobs.append(_Job("keep", part, region, base, part_labels))
                elif len(kinds) <= 1:
                    jobs.append(_Job("line", part, region, next(iter(kinds), base)))
                elif self.can_align:
                    jobs.append(_Job("align", part, region, majority(part_labels, base), part_labels))
                else:
                    jobs.append(_Job("line", part, region, majority(part_labels, base)))
                    plan.approximated = True
                jobs[-1].edges = edges
            region, current = region + 1, []
        plan.jobs = jobs
        return plan

    # ---- attention alignment --------------------------------------------------------------------
    def _align(self, job: _Job, plan: _Plan) -> list[tuple[Hashable, str]]:
        try:
            translation = self.translator.translate(job.text, self.decode, glossary=self.glossary)
        except ValueError:  # InputTooLong: the plain path has no such limit
            plan.approximated = True
            out = self.translator.translate_lines([job.text], self.decode, glossary=self.glossary)[0]
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
                found = [(majority(span, job.label), sent.text)]
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
                found, ok = parse_marked(job.result or "", job.marks, plan.base)
                plan.approximated |= not ok
                targets += found
                words += MARK.sub("", job.result or "")
                continue
            if "<" in job.edges:
                targets.append((plan.base, " ", job.region))
            if job.kind == "keep":
                targets += [(label, text, job.region) for label, text in runs(job.text, job.labels, plan.base)]
            elif job.kind == "align":
                result = job.result if "".join(t for _, t in job.result).strip() else [(job.label, job.text)]
                targets += split_codes(result, job.marks, plan.base, job.region)
                words += MARK.sub("", "".join(text for _, text in job.result))
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
        placed = assign(targets, [(seg.pieces[i].label, r) for i, r in zip(slots, regions)])
        if placed is None:
            plan.approximated = True
            placed = assign_simple(targets, regions)
        texts = tidy(seg, slots, placed, plan.base)
        seg.result = [None] * len(seg.pieces)
        for i, text in zip(slots, texts):
            seg.result[i] = text
        report.translated += 1
        report.words += len(seg.source.split())
        report.approximated += plan.approximated
