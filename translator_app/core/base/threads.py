"""The trainer's thread count when none is given: measured, not guessed.

Two threads on two cores are the fastest on a quiet machine, and the slowest on a busy one: each
operator splits its work between the threads and waits for the slower half, so another process
taking one core for a moment stalls both (a new user's ``train --preset tiny --max-steps 40``
ran at 1,416 target tok/s with the default threads and 10,836 with ``--threads 1``; the small
preset under the same kind of load: 2,414 with 2 threads, 3,130 with 1; benchmarks/README.md).

:class:`ThreadChooser` (``--threads 0``, the default) trains a few steps with the other thread
count from time to time, compares target tokens per second of those steps with the steps just
before them, and keeps the faster count; so the trainer follows the machine as it gets busy or
quiet again. The trials cost about 1 % of a quiet run.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import torch

WARMUP_STEPS = 20  # the first steps are slow whatever the threads (allocation, one-time setup)
TRIAL_STEPS = 10  # steps measured with each count
PERIOD_STEPS = 500  # steps between trials
MARGIN = 1.1  # the other count must be this much faster to be kept


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


class ThreadChooser:
    """Call :meth:`after_step` after every training step with its target tokens and seconds."""

    def __init__(
        self,
        counts: tuple[int, int] | None = None,
        set_threads: Callable[[int], None] = torch.set_num_threads,
    ):
        many = available_cores()
        self.counts = counts or (many, 1)
        self.current = self.counts[0]
        self._set = set_threads
        self._set(self.current)
        self._steps = 0
        self._phase = "warmup"  # warmup -> reference -> trial -> settled -> reference ...
        self._in_phase = 0
        self._tokens = self._seconds = 0.0
        self._reference = 0.0  # tokens/s with the current count, just before the trial
        self.switches: list[tuple[int, int]] = []  # (step, new count), for the log

    @property
    def active(self) -> bool:
        return self.counts[0] != self.counts[1]

    def _other(self) -> int:
        return self.counts[1] if self.current == self.counts[0] else self.counts[0]

    def after_step(self, tokens: float, seconds: float) -> None:
        if not self.active:
            return
        self._steps += 1
        self._in_phase += 1
        if self._phase in ("reference", "trial"):
            self._tokens += tokens
            self._seconds += seconds
        if self._phase == "warmup" and self._in_phase >= WARMUP_STEPS:
            self._start("reference")
        elif self._phase == "settled" and self._in_phase >= PERIOD_STEPS:
            self._start("reference")
        elif self._phase == "reference" and self._in_phase >= TRIAL_STEPS:
            self._reference = self._tokens / max(self._seconds, 1e-9)
            self._set(self._other())
            self._start("trial")
        elif self._phase == "trial" and self._in_phase >= TRIAL_STEPS:
            trial = self._tokens / max(self._seconds, 1e-9)
            if trial > MARGIN * self._reference:
                self.current = self._other()
                self.switches.append((self._steps, self.current))
            self._set(self.current)
            self._start("settled")

    def _start(self, phase: str) -> None:
        self._phase, self._in_phase, self._tokens, self._seconds = phase, 0, 0.0, 0.0
