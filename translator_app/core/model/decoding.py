"""The decoding settings: :class:`DecodeConfig`, one frozen value passed down the one decoding path.

Every knob of the search has its one home and its one default here (like joeynmt's ``TestConfig``
handed to ``predict()``): the beam width, the n-best count, the length penalty ``alpha``, the
length bound ``max_ratio`` and the n-gram blocking ``no_repeat_ngram``. The range checks are
:meth:`DecodeConfig.__post_init__` (through :func:`check_beam` for the widths): a config that
exists is valid, so no caller clamps.

Two named configs differ only in the beam: :data:`LIVE` (typed text in the Translate tab,
validation during training: greedy, the fastest) and :data:`DOCUMENT` (files, documents and the
command line: beam 5, better translations for about 1.5x the time).

The target prefix (interactive translation) and the glossary are not part of it: they are data of
one request (a sentence's typed words, a terms file of the person), not a way to search.

Torch-free: the GUI's settings and the command line's flags build configs without loading torch.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace
from typing import Any

MAX_BEAM = 64  # beam size and n-best: wider costs memory (beam x batch x vocabulary) for nothing
MAX_RATIO = 10.0  # output length bound: at most this x the source length (+ 10)


def check_beam(beam_size: Any, n_best: Any = 1) -> None:
    """The one range check of the decoding widths (CLI flags, worker requests, every search):
    ValueError with a clear message instead of an allocator traceback or a silent 0."""
    for what, value in (("beam size", beam_size), ("n-best", n_best)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 1 <= value <= MAX_BEAM:
            raise ValueError(f"{what} must be a whole number from 1 to {MAX_BEAM} (got {value!r})")


def _number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class DecodeConfig:
    """How to search (see :mod:`translator_app.core.model.search`); validated when made."""

    beam_size: int = 5  # 1: greedy search
    n_best: int = 1  # hypotheses kept per sentence (the beam is at least this wide)
    alpha: float = 1.0  # length penalty: scores are log-probability / length**alpha (0: none)
    max_ratio: float = 2.0  # output length bound: max_ratio x source subwords + 10 (at most 256)
    no_repeat_ngram: int = 4  # no n-gram of this many subwords twice in one output (0: off)

    def __post_init__(self) -> None:
        check_beam(self.beam_size, self.n_best)
        if not _number(self.alpha) or not 0.0 <= self.alpha <= 2.0:
            raise ValueError(f"alpha (length penalty) must be a number from 0 to 2 (got {self.alpha!r})")
        if not _number(self.max_ratio) or not 0.1 <= self.max_ratio <= MAX_RATIO:
            raise ValueError(f"max ratio must be a number from 0.1 to {MAX_RATIO:g} (got {self.max_ratio!r})")
        ngram = self.no_repeat_ngram
        if isinstance(ngram, bool) or not isinstance(ngram, numbers.Integral) or not (ngram == 0 or 2 <= ngram <= 16):
            raise ValueError(f"n-gram blocking must be 0 (off) or a whole number from 2 to 16 (got {ngram!r})")

    def with_beam(self, beam_size: int) -> DecodeConfig:
        """This config with another beam width (checked)."""
        return replace(self, beam_size=beam_size)

    def search_options(self) -> dict[str, Any]:
        """The keyword arguments of ``search.greedy_search`` / ``beam_search`` besides the widths."""
        return {"alpha": self.alpha, "max_ratio": self.max_ratio, "no_repeat_ngram": self.no_repeat_ngram}


DOCUMENT = DecodeConfig()  # files, documents, the command line, evaluation
LIVE = replace(DOCUMENT, beam_size=1)  # typed text and validation during training: greedy, the fastest
