"""SentencePiece subword tokenizers, trained on the training split and stored in the bundle.

Ids are fixed: 0 = <pad>, 1 = <unk>, 2 = <s>, 3 = </s> (matching :class:`ModelConfig`).
A joint tokenizer serves both sides; otherwise source and target have their own.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sentencepiece as spm

from translator_app.core.base.config import TokenizerConfig

PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
# protected-span tokens: atomic pieces in new vocabularies (see core/text/spans.py); ⟦1⟧ is the first span
PLACEHOLDERS: tuple[str, ...] = tuple(f"\u27e6{i}\u27e7" for i in range(1, 33))


class TokenizerError(ValueError):
    pass


class SubwordModel:
    """One SentencePiece model, kept as its serialized bytes so it can be saved as-is."""

    def __init__(self, model_bytes: bytes):
        self.model_bytes = model_bytes
        self._sp = spm.SentencePieceProcessor()
        try:
            self._sp.LoadFromSerializedProto(model_bytes)
        except Exception as exc:  # sentencepiece raises RuntimeError/OSError on corrupt protos
            raise TokenizerError(f"corrupt SentencePiece model: {exc}") from exc
        if self._sp.pad_id() != PAD_ID or self._sp.eos_id() != EOS_ID or self._sp.bos_id() != BOS_ID:
            raise TokenizerError("SentencePiece model has unexpected special ids")

    def __len__(self) -> int:
        return self._sp.GetPieceSize()

    @property
    def has_placeholders(self) -> bool:
        """Whether every protected-span placeholder is one atomic piece of this vocabulary."""
        cached = getattr(self, "_has_placeholders", None)
        if cached is None:
            ids = [self._sp.PieceToId(p) for p in PLACEHOLDERS]
            cached = all(
                i != UNK_ID and self._sp.IsControl(i) is False and self._sp.IdToPiece(i) == p
                for i, p in zip(ids, PLACEHOLDERS)
            )
            self._has_placeholders = cached
        return cached

    @property
    def byte_fallback(self) -> bool:
        """Whether unknown characters become byte pieces instead of <unk>."""
        return self._sp.PieceToId("<0x41>") != UNK_ID

    def encode(self, text: str) -> list[int]:
        return self._sp.EncodeAsIds(text)

    def can_spell(self, char: str) -> bool:
        """Whether ``char`` has a piece of its own (not <unk>, not byte-fallback pieces, which the
        model would have to re-assemble into valid UTF-8); a lone surrogate never has."""
        known = self.__dict__.setdefault("_spellable", {})
        found = known.get(char)
        if found is None:
            try:
                ids = self._sp.EncodeAsIds(char)
            except (RuntimeError, TypeError, UnicodeError):  # a lone surrogate cannot reach C++
                ids = [UNK_ID]
            found = all(i != UNK_ID and not self._sp.IsByte(i) for i in ids)
            known[char] = found
        return found

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        return self._sp.Encode(list(texts), out_type=int)

    def pieces(self, ids: Iterable[int]) -> list[str]:
        return [self._sp.IdToPiece(int(i)) for i in ids]

    def decode(self, ids: Sequence[int]) -> str:
        return self._sp.DecodeIds([int(i) for i in ids if int(i) > EOS_ID])


@dataclass
class Tokenizers:
    source: SubwordModel
    target: SubwordModel

    @property
    def joint(self) -> bool:
        return self.source is self.target

    @property
    def has_placeholders(self) -> bool:
        """Whether protected spans can be masked: both sides have the ⟦n⟧ pieces."""
        return self.source.has_placeholders and self.target.has_placeholders


def train_subword_model(sentences: Sequence[str], cfg: TokenizerConfig, seed: int = 1234) -> SubwordModel:
    """Train a SentencePiece model. Byte fallback and the placeholders take 256 + 32 pieces: a
    vocabulary too small for them (tiny test corpora) is trained without them rather than failing.
    ``cfg.symbols`` become atomic pieces too (user-defined symbols, like the placeholders)."""
    if not sentences:
        raise TokenizerError("no sentences to train the tokenizer on")
    sample = list(sentences)
    if len(sample) > cfg.max_sentences:
        sample = random.Random(seed).sample(sample, cfg.max_sentences)
    attempts = [(cfg.byte_fallback, cfg.placeholders), (False, cfg.placeholders), (False, False)]
    for n, (byte_fallback, placeholders) in enumerate(dict.fromkeys(attempts)):
        try:
            return SubwordModel(_train(sample, cfg, byte_fallback, placeholders))
        except RuntimeError as exc:
            if "smaller than required_chars" not in str(exc) or n == len(dict.fromkeys(attempts)) - 1:
                raise TokenizerError(f"cannot train the tokenizer: {exc}") from exc
    raise AssertionError("unreachable")


def _train(sample: list[str], cfg: TokenizerConfig, byte_fallback: bool, placeholders: bool) -> bytes:
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.Train(
        sentence_iterator=iter(sample),
        model_writer=buffer,
        vocab_size=cfg.vocab_size,
        model_type=cfg.model_type,
        # with byte fallback the rarest characters become byte pieces instead of taking vocabulary slots
        character_coverage=min(cfg.character_coverage, 0.9999) if byte_fallback else cfg.character_coverage,
        pad_id=PAD_ID,
        unk_id=UNK_ID,
        bos_id=BOS_ID,
        eos_id=EOS_ID,
        hard_vocab_limit=False,  # tiny corpora get a smaller vocabulary instead of an error
        byte_fallback=byte_fallback,  # no input character becomes <unk>
        # (cfg.symbols, a bidirectional model's tags: kept in every attempt, the model cannot do without them)
        user_defined_symbols=(list(PLACEHOLDERS) if placeholders else []) + list(cfg.symbol_list),
        input_sentence_size=cfg.max_sentences,
        shuffle_input_sentence=True,
        num_threads=2,
        minloglevel=2,
    )
    return buffer.getvalue()


def train_tokenizers(pairs: Sequence[tuple[str, str]], cfg: TokenizerConfig, seed: int = 1234) -> Tokenizers:
    sources = [s for s, _ in pairs]
    targets = [t for _, t in pairs]
    if cfg.joint:
        model = train_subword_model(sources + targets, cfg, seed)
        return Tokenizers(model, model)
    return Tokenizers(train_subword_model(sources, cfg, seed), train_subword_model(targets, cfg, seed))
