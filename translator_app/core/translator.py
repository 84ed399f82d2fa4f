"""High-level translation: text in, text + per-sentence tokens, scores and attention out."""

from __future__ import annotations

import dataclasses
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from translator_app.core.checkpoint import Bundle, BundleError, load_bundle
from translator_app.core.corpus import normalize
from translator_app.core.model import Seq2Seq, quantize_for_inference
from translator_app.core.search import beam_search, greedy_search
from translator_app.core.tokenizer import EOS_ID

MAX_INPUT_CHARS = 20_000  # a longer paste is refused with a clear message
MAX_SOURCE_TOKENS = 200  # a longer sentence is translated in pieces of this many subwords
_SENTENCE_END = re.compile(r"(?<=[.!?…。！？])[\"'»”)\]]*\s+(?=[\"'«“(\[¿¡]*[A-ZÀ-ÖØ-ÞĀ-ſ0-9])")


class InputTooLong(ValueError):
    pass


@dataclass(frozen=True)
class SentenceTranslation:
    source: str
    text: str
    source_tokens: tuple[str, ...]  # subword pieces, then "</s>"
    target_tokens: tuple[str, ...]  # subword pieces, then "</s>"
    attention: np.ndarray  # (len(target_tokens), len(source_tokens)); rows sum to 1
    score: float  # length-normalised log-probability
    confidence: float  # geometric mean token probability, 0..1


@dataclass(frozen=True)
class Translation:
    source: str
    text: str
    sentences: tuple[SentenceTranslation, ...]
    beam_size: int
    elapsed_ms: float

    @property
    def confidence(self) -> float:
        if not self.sentences:
            return 1.0
        return float(np.mean([s.confidence for s in self.sentences]))


@dataclass(frozen=True)
class ModelInfo:
    path: str
    name: str
    src_lang: str
    tgt_lang: str
    parameters: int
    meta: dict[str, Any] = field(default_factory=dict)


def split_sentences(text: str) -> list[str]:
    """Split on line breaks, then after sentence-final punctuation followed by a capital."""
    parts: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            parts += [p.strip() for p in _SENTENCE_END.split(line) if p.strip()]
    return parts


class Translator:
    """Owns one model; not thread-safe (keep it in one worker thread)."""

    def __init__(self, bundle: Bundle, *, quantize: bool = True, cache_size: int = 256):
        self.tok = bundle.tokenizers
        _check_shapes(bundle)  # before allocating: an untrusted config may ask for absurd sizes
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
        self._cache: OrderedDict[tuple[str, int], Translation] = OrderedDict()
        self._cache_size = cache_size
        meta = bundle.meta
        self.info = ModelInfo(str(bundle.path), str(meta.get("name") or Path(bundle.path).name),
                              str(meta.get("src_lang", "")), str(meta.get("tgt_lang", "")),
                              n_params, dict(meta))

    @classmethod
    def load(cls, path: str | Path, *, quantize: bool = True) -> "Translator":
        return cls(load_bundle(path), quantize=quantize)

    def _encode(self, sentence: str) -> list[list[int]]:
        ids = self.tok.source.encode(sentence)
        chunks = [ids[i : i + MAX_SOURCE_TOKENS] for i in range(0, len(ids), MAX_SOURCE_TOKENS)] or [[]]
        return [c + [EOS_ID] for c in chunks]

    def translate(self, text: str, beam_size: int = 1) -> Translation:
        """Translate ``text`` sentence by sentence. Empty text gives an empty translation."""
        if len(text) > MAX_INPUT_CHARS:
            raise InputTooLong(f"The text has {len(text):,} characters; at most {MAX_INPUT_CHARS:,} are "
                               "translated at once. Use File > Translate file for long documents.")
        key = (text, beam_size)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        start = time.perf_counter()
        sentences = [normalize(s) for s in split_sentences(text)]
        pieces: list[tuple[int, list[int]]] = [(i, c) for i, s in enumerate(sentences) for c in self._encode(s)]
        hyps = self._search([c for _, c in pieces], beam_size)
        results = []
        for i, sentence in enumerate(sentences):
            parts = [(c, h) for (j, c), h in zip(pieces, hyps) if j == i]
            results.append(self._sentence_result(sentence, parts))
        out = Translation(text, " ".join(r.text for r in results), tuple(results), beam_size,
                          (time.perf_counter() - start) * 1000)
        self._cache[key] = out
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return out

    def _search(self, sources: list[list[int]], beam_size: int):
        if not sources:
            return []
        with torch.inference_mode():
            if beam_size <= 1:
                return greedy_search(self.model, sources)
            return [h[0] for h in beam_search(self.model, sources, beam_size)]

    def _sentence_result(self, sentence: str, parts) -> SentenceTranslation:
        src_tokens: list[str] = []
        tgt_tokens: list[str] = []
        tgt_ids: list[int] = []
        blocks, log_prob, count = [], 0.0, 0
        for src_ids, hyp in parts:  # several parts only for sentences over MAX_SOURCE_TOKENS
            src_tokens += self.tok.source.pieces(src_ids[:-1])
            tgt_tokens += self.tok.target.pieces(hyp.tokens)
            tgt_ids += hyp.tokens
            blocks.append(hyp.attention)
            log_prob += hyp.log_prob
            count += len(hyp.tokens) + 1
        attention = _block_diagonal(blocks)
        return SentenceTranslation(sentence, self.tok.target.decode(tgt_ids), tuple(src_tokens) + ("</s>",),
                                   tuple(tgt_tokens) + ("</s>",), attention, log_prob / max(count, 1),
                                   float(np.exp(log_prob / max(count, 1))))

    def alternatives(self, sentence: str, n: int = 5, beam_size: int = 0) -> list[tuple[str, float]]:
        """The n best translations of one sentence, (text, length-normalised log-probability), best first."""
        ids = self._encode(normalize(sentence))[0]
        with torch.inference_mode():
            hyps = beam_search(self.model, [ids], max(beam_size, n), n_best=n)[0]
        return [(self.tok.target.decode(h.tokens), h.score) for h in hyps]

    def translate_lines(self, lines: Sequence[str], beam_size: int = 1, batch_size: int = 64) -> list[str]:
        """Translate many independent lines in length-sorted batches (file translation)."""
        encoded = [self._encode(normalize(line))[0] if line.strip() else None for line in lines]
        order = sorted((i for i, e in enumerate(encoded) if e is not None), key=lambda i: len(encoded[i]))
        out = [""] * len(lines)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            for i, hyp in zip(idx, self._search([encoded[i] for i in idx], beam_size)):
                out[i] = self.tok.target.decode(hyp.tokens)
        return out


def _check_shapes(bundle: Bundle) -> None:
    """Compare the weights with the model the config describes, built on the meta device (no memory)."""
    try:
        with torch.device("meta"):
            expected = {k: tuple(v.shape) for k, v in Seq2Seq(bundle.model_config).state_dict().items()}
    except (AssertionError, ValueError, RuntimeError, IndexError, TypeError) as exc:
        raise BundleError(f"{bundle.path}: invalid model config ({type(exc).__name__}: {exc})") from exc
    found = {k: tuple(v.shape) for k, v in bundle.state_dict.items()}
    if expected != found:
        bad = sorted(k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k))[:3]
        detail = ", ".join(f"{k}: expected {expected.get(k)}, found {found.get(k)}" for k in bad)
        raise BundleError(f"{bundle.path}: weights do not match the model config ({detail})")


def _block_diagonal(blocks: list[np.ndarray]) -> np.ndarray:
    """Attention of a sentence translated in pieces; drops the inner </s> rows/columns."""
    if len(blocks) == 1:
        return blocks[0]
    trimmed = [b[:-1, :-1] for b in blocks[:-1]] + [blocks[-1]]
    rows, cols = sum(b.shape[0] for b in trimmed), sum(b.shape[1] for b in trimmed)
    out = np.zeros((rows, cols), dtype=np.float32)
    r = c = 0
    for b in trimmed:
        out[r : r + b.shape[0], c : c + b.shape[1]] = b
        r, c = r + b.shape[0], c + b.shape[1]
    return out
