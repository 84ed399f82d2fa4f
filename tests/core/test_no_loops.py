"""No degenerate output: 1,000 generated inputs through the one decoding path never loop.

A looping line repeats some word trigram three times although the source does not. The tiny
test model (40 training steps) is the worst case: without repetition blocking it loops on
most inputs (checked below), so the property is really exercised.
"""

from __future__ import annotations

import random
from collections import Counter

from translator_app.core.model.decoding import DecodeConfig
from translator_app.core.model.search import greedy_search
from translator_app.core.translation.translator import Translator

WORDS = (
    "the a I you we Tom Mary house dog cat go went see saw like want is are was not very "
    "big small red green today tomorrow here there and but or of to in on with for from "
    "please thanks yes no my your his her book car city time day night work school"
).split()
EXTRAS = [
    "3",
    "42",
    "2026",
    "19:45",
    "BA2471",
    "3.2.1",
    "info@example.com",
    "https://example.org/a",
    "Ctrl+S",
    "%s",
    "{name}",
    "¿",
    "¡",
    ",",
    ";",
    "—",
    '"',
    "(",
    ")",
    "é",
    "ñ",
    "東京",
    "🙂",
]


def generated_inputs(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        length = rng.randint(1, 35)
        words = [rng.choice(WORDS) if rng.random() > 0.15 else rng.choice(EXTRAS) for _ in range(length)]
        if i % 10 == 0:  # inputs that themselves repeat a phrase
            words = (words[:3] * 4)[: max(length, 12)]
        text = " ".join(words)
        out.append(text[:1].upper() + text[1:] + rng.choice(["", ".", "?", "!"]))
    return out


def max_trigram(text: str) -> int:
    words = text.lower().split()
    counts = Counter(tuple(words[i : i + 3]) for i in range(len(words) - 2))
    return max(counts.values(), default=0)


def test_generated_inputs_never_loop(tiny_model_dir):
    tr = Translator.load(tiny_model_dir)
    sources = generated_inputs(1000)
    for beam in (1, 3):
        outputs = tr.translate_lines(sources, decode=DecodeConfig(beam_size=beam))
        assert len(outputs) == len(sources)
        looping = [(s, t) for s, t in zip(sources, outputs) if max_trigram(t) >= 3 and max_trigram(s) < 3]
        assert not looping, looping[:3]


def test_the_tiny_model_loops_without_blocking(tiny_model_dir):
    """The property above is not vacuous: the same model repeats itself once blocking is off."""
    tr = Translator.load(tiny_model_dir)
    sources = [s for s in generated_inputs(200) if len(s.split()) >= 10][:50]
    ids = [tr.tok.source.encode(s) + [3] for s in sources]

    def worst(hyps) -> int:
        return max(
            max(Counter(tuple(h.tokens[i : i + 3]) for i in range(len(h.tokens) - 2)).values(), default=0) for h in hyps
        )

    assert worst(greedy_search(tr.model, ids, no_repeat_ngram=0)) >= 3
    assert worst(greedy_search(tr.model, ids)) <= 2
