"""High-level translation: text in, text + per-sentence tokens, scores and attention out.

A thin owner of one model around :func:`translator_app.core.translation.pipeline.translate_texts`, the one
decoding path (sentence splitting, protected spans, batching, search, restoring).
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translator_app.core.model.checkpoint import Bundle, BundleError, check_weights, expected_shapes, load_bundle
from translator_app.core.model.decoding import LIVE, DecodeConfig
from translator_app.core.model.model import Seq2Seq, quantize_for_inference
from translator_app.core.text.names import NameRule
from translator_app.core.text.tags import META_KEY, tag_ids
from translator_app.core.text.tokenizer import TokenizerError
from translator_app.core.translation import interactive, pipeline
from translator_app.core.translation.pipeline import (  # noqa: F401  (re-exported: the public result types)
    MAX_SOURCE_TOKENS,
    SentenceTranslation,
    Translation,
)
from translator_app.core.translation.quickload import skip_init

MAX_INPUT_CHARS = 20_000  # a longer paste is refused with a clear message


class InputTooLong(ValueError):
    pass


class InteractiveUnsupported(ValueError):
    """Completion asked of a model the interactive path cannot read (a bidirectional model's direction)."""


@dataclass(frozen=True)
class ModelInfo:
    path: str
    name: str
    src_lang: str
    tgt_lang: str
    parameters: int
    meta: dict[str, Any] = field(default_factory=dict)


def _glossary_key(glossary: Mapping[str, str] | None) -> tuple:
    return tuple(sorted(glossary.items())) if glossary else ()


class Translator:
    """Owns one model; not thread-safe (keep it in one worker thread)."""

    def __init__(self, bundle: Bundle, *, quantize: bool = True, cache_size: int = 256):
        self.tok = bundle.tokenizers
        with skip_init():  # every parameter comes from the bundle: initialising them is wasted time
            # before allocating: an untrusted config may ask for absurd sizes
            check_weights(bundle.path, bundle.state_dict, expected_shapes(bundle.path, bundle.model_config))
            model = Seq2Seq(bundle.model_config)
        state = {k: v.float() if v.is_floating_point() else v for k, v in bundle.state_dict.items()}
        try:
            model.load_state_dict(state)
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()
            raise BundleError(f"{bundle.path}: weights do not match the model config ({' '.join(first[:2])})") from exc
        model.eval()
        n_params = model.num_parameters()
        self.model = quantize_for_inference(model, inplace=True) if quantize else model
        self.quantized = quantize
        # the weights now live in the model: keep the bundle's description, not a second copy of them
        self.bundle = dataclasses.replace(bundle, state_dict={})
        self._cache: OrderedDict[tuple, Translation] = OrderedDict()
        self._cache_size = cache_size
        meta = bundle.meta
        self.info = ModelInfo(
            str(bundle.path),
            str(meta.get("name") or Path(bundle.path).name),
            str(meta.get("src_lang", "")),
            str(meta.get("tgt_lang", "")),
            n_params,
            dict(meta),
        )
        self.names = NameRule.from_meta(meta)  # names to carry over (None: a bundle made before the rule)
        self.src_lang = self.info.src_lang or "en"
        self.tgt_lang = self.info.tgt_lang or "es"
        # one direction of a bidirectional model: its tag goes before every source (core/text/tags.py)
        self.source_tag = str(meta.get(META_KEY) or "")
        if self.source_tag:
            try:
                tag_ids(self.tok.source, self.source_tag)  # one piece of the vocabulary, or the bundle is refused
            except TokenizerError as exc:
                raise BundleError(f"{bundle.path}: meta.{META_KEY}: {exc}") from exc
        self.memory: Any = None  # a core.adapt.memory.TranslationMemory of this pair: its exact matches are used

    def set_memory(self, memory: Any) -> None:
        """Use ``memory``'s exact matches (and attach its fuzzy ones) in every translation; None: off."""
        self.memory = memory
        self._cache.clear()

    @classmethod
    def load(cls, path: str | Path, *, quantize: bool = True) -> Translator:
        """The one model loader (the app, the document dialog, the command line, the benchmarks):
        the bundle in ``path``, checked (:func:`.checkpoint.load_bundle`), its parameters never
        initialised before they are loaded (:func:`.quickload.skip_init`)."""
        with skip_init():  # (the meta-device shape check would otherwise import torch._dynamo)
            bundle = load_bundle(path)
        return cls(bundle, quantize=quantize)

    def _translate(
        self, texts: Sequence[str], decode: DecodeConfig, glossary: Mapping[str, str] | None, batch_size: int = 64
    ) -> list[Translation]:
        return pipeline.translate_texts(
            self.model,
            self.tok,
            texts,
            src_lang=self.src_lang,
            tgt_lang=self.tgt_lang,
            decode=decode,
            glossary=glossary,
            batch_size=batch_size,
            names=self.names,
            memory=self.memory if decode.n_best == 1 else None,  # alternatives are the model's own
            source_tag=self.source_tag,
        )

    def translate(
        self, text: str, decode: DecodeConfig = LIVE, *, glossary: Mapping[str, str] | None = None
    ) -> Translation:
        """Translate ``text`` sentence by sentence, one output line per input line.

        A text of blank lines only gives an empty translation."""
        if len(text) > MAX_INPUT_CHARS:
            raise InputTooLong(
                f"The text has {len(text):,} characters; at most {MAX_INPUT_CHARS:,} are "
                "translated at once. Use File > Translate file or document for long texts."
            )
        revision = self.memory.revision() if self.memory is not None else None
        key = (text, decode, _glossary_key(glossary), revision)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        out = self._translate([text], decode, glossary)[0]
        self._cache[key] = out
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return out

    def alternatives(
        self, sentence: str, n: int = 5, decode: DecodeConfig = LIVE, *, glossary: Mapping[str, str] | None = None
    ) -> list[tuple[str, float]]:
        """The n best translations of one sentence, (text, length-normalised log-probability), best
        first, from a beam at least n wide (``decode``'s other settings kept).

        (A text of several sentences gets the rank-wise joins of its sentences' alternatives.)"""
        n = max(1, n)
        k = max(n, 2)  # n_best >= 2 makes the pipeline keep every sentence's alternatives
        wide = dataclasses.replace(decode, beam_size=max(decode.beam_size, k), n_best=k)
        result = self._translate([" ".join(sentence.splitlines())], wide, glossary)[0]
        sents = result.sentences
        if not sents:
            return []
        if len(sents) == 1:
            return list(sents[0].alternatives[:n])
        alts = []
        for rank in range(n):
            chosen = [s.alternatives[min(rank, len(s.alternatives) - 1)] for s in sents]
            alts.append((" ".join(t for t, _ in chosen), sum(sc for _, sc in chosen) / len(chosen)))
        return alts

    def translate_lines(
        self,
        lines: Sequence[str],
        decode: DecodeConfig = LIVE,
        batch_size: int = 64,
        *,
        glossary: Mapping[str, str] | None = None,
    ) -> list[str]:
        """Translate many independent lines in length-sorted batches (file translation): one output
        line per input line, each sentence-split and span-protected like ``translate``."""
        texts = [" ".join(line.splitlines()) for line in lines]  # a line never becomes two
        return [t.text for t in self._translate(texts, decode, glossary, batch_size)]

    def complete(
        self, source: str, prefix: str, decode: DecodeConfig = LIVE, *, glossary: Mapping[str, str] | None = None
    ) -> interactive.Completion:
        """The translation of one sentence that starts with ``prefix`` exactly (see :mod:`.interactive`)."""
        self._refuse_tag()
        return interactive.complete(
            self.model,
            self.tok,
            source,
            prefix,
            decode=decode,
            src_lang=self.src_lang,
            tgt_lang=self.tgt_lang,
            glossary=glossary,
            names=self.names,
        )

    def next_words(
        self, source: str, prefix: str, k: int = 5, *, glossary: Mapping[str, str] | None = None
    ) -> list[interactive.WordChoice]:
        """The ``k`` likeliest words after ``prefix``, best first (see :func:`.interactive.next_words`)."""
        self._refuse_tag()
        return interactive.next_words(
            self.model,
            self.tok,
            source,
            prefix,
            k=k,
            src_lang=self.src_lang,
            tgt_lang=self.tgt_lang,
            glossary=glossary,
            names=self.names,
        )

    def _refuse_tag(self) -> None:
        """The interactive path reads sources without a tag: a tagged bundle would get its direction wrong."""
        if self.source_tag:
            raise InteractiveUnsupported(
                f"{self.info.name}: interactive completion does not read the source tag {self.source_tag!r} of this "
                "direction of a bidirectional model; translate the text instead"
            )
