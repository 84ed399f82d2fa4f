"""What a training from scratch can reach: measured runs, and the advice the app and the CLI give
before training (issue #30: 18,657 pairs and 3 minutes gave BLEU 2.5 with no hint of what to expect).

Every figure is a measured run on an otherwise idle 2-core CPU (test BLEU on the run's own held-out
split, beam 5), cited from the file that reports it; nothing here is extrapolated beyond saying which
measured runs are nearest to the planned one. Torch-free and Qt-free: the Training tab reads it on
the GUI thread.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Measured:
    pairs: int  # training pairs of the corpus
    preset: str
    minutes: float
    bleu: float  # test BLEU, beam 5
    corpus: str  # what the corpus was
    source: str  # where the figure is reported


FROM_SCRATCH: tuple[Measured, ...] = (
    Measured(18_657, "tiny", 3, 2.5, "en→fr; validation BLEU", "issue #30"),
    Measured(4_000, "small", 10, 25.8, "GIMP help en→es, one narrow domain", "benchmarks/README.md, fine-tuning"),
    Measured(138_099, "small", 10, 25.6, "Tatoeba en→es", "benchmarks/README.md, ours vs JoeyNMT"),
    Measured(138_099, "small", 20, 36.2, "Tatoeba en→es", "README.md, command line"),
    Measured(138_099, "small", 60, 42.2, "Tatoeba en→es", "benchmarks/quality.md, old default"),
    Measured(297_334, "small", 60, 42.2, "broad en→es (the bundled model)", "benchmarks/quality.md"),
)
# fine-tuning the bundled en→es model on the 4,000 GIMP pairs, 10 minutes (benchmarks/README.md)
FINE_TUNED = Measured(4_000, "finetune", 10, 43.3, "GIMP help en→es, fine-tuning models/en-es", "benchmarks/README.md")
FINE_TUNE_FROM_SCRATCH = FROM_SCRATCH[1]  # the same corpus and minutes, from scratch
USEFUL_BLEU = 30.0  # below this, a general model's output is mostly not usable as is


def nearest(pairs: int, minutes: float, k: int = 3) -> list[Measured]:
    """The ``k`` measured runs nearest to ``pairs`` and ``minutes`` (log scale; no budget counts as
    an hour), by pairs."""
    minutes = minutes if minutes > 0 else 60.0

    def distance(m: Measured) -> float:
        return abs(math.log(max(pairs, 1) / m.pairs)) + abs(math.log(minutes / m.minutes))

    return sorted(sorted(FROM_SCRATCH, key=distance)[:k], key=lambda m: (m.pairs, m.minutes))


def _run(m: Measured) -> str:
    return f"{m.pairs:,} pairs ({m.corpus}), {m.preset}, {m.minutes:g} min → BLEU {m.bleu:g} [{m.source}]"


def fine_tune_candidates(src: str, tgt: str, models: Iterable[Any]) -> list[Any]:
    """The models (store entries: ``src_lang``, ``tgt_lang``, ``bundled``, ``name``) that translate
    ``src`` → ``tgt`` and so can be fine-tuned on the corpus, bundled first."""
    found = [m for m in models if src and m.src_lang == src and m.tgt_lang == tgt]
    return sorted(found, key=lambda m: not m.bundled)


def expectation(
    pairs: int, minutes: float, preset: str, src: str = "", tgt: str = "", models: Iterable[Any] = ()
) -> str:
    """A few lines: what the measured runs nearest to this one reached from scratch, whether that is
    likely to be usable, and fine-tuning a model of the same language pair instead when one exists."""
    budget = f"{minutes:g} minutes" if minutes > 0 else "no time limit"
    near = nearest(pairs, minutes)
    best = max(m.bleu for m in near)
    lines = [
        f"What to expect from scratch ({pairs:,} pairs, {preset}, {budget}, 2 CPU cores) — the nearest measured runs:"
    ]
    lines += [f"• {_run(m)}" for m in near]
    small = pairs < 50_000 or 0 < minutes < 10
    if small or best < USEFUL_BLEU:
        lines.append(
            "A corpus this small or a budget this short gives a weak model: the measured runs only passed "
            f"BLEU {USEFUL_BLEU:g} with 130,000+ pairs and 20+ minutes."
        )
    pair = f"{src}→{tgt}" if src and tgt else "this language pair"
    candidates = fine_tune_candidates(src, tgt, models)
    if candidates:
        base = candidates[0]
        lines.append(
            f"Better: fine-tune “{base.name}” ({pair}) on this corpus (Start from): measured "
            f"{FINE_TUNED.bleu:g} vs {FINE_TUNE_FROM_SCRATCH.bleu:g} BLEU from scratch on "
            f"{FINE_TUNED.pairs:,} pairs in {FINE_TUNED.minutes:g} minutes [{FINE_TUNED.source}]."
        )
    elif src and tgt:
        lines.append(f"No installed model translates {pair}, so fine-tuning one is not an option here.")
    return "\n".join(lines)
