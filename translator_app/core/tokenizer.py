"""SentencePiece subword tokenizers, trained on the training split and stored in the bundle.

Ids are fixed: 0 = <pad>, 1 = <unk>, 2 = <s>, 3 = </s> (matching :class:`ModelConfig`).
A joint tokenizer serves both sides; otherwise source and target have their own.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Iterable, Sequence

import sentencepiece as spm

from translator_app.core.config import TokenizerConfig

PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3


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

    def encode(self, text: str) -> list[int]:
        return self._sp.EncodeAsIds(text)

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


def train_subword_model(sentences: Sequence[str], cfg: TokenizerConfig, seed: int = 1234) -> SubwordModel:
    if not sentences:
        raise TokenizerError("no sentences to train the tokenizer on")
    sample = list(sentences)
    if len(sample) > cfg.max_sentences:
        sample = random.Random(seed).sample(sample, cfg.max_sentences)
    buffer = io.BytesIO()
    spm.SentencePieceTrainer.Train(
        sentence_iterator=iter(sample),
        model_writer=buffer,
        vocab_size=cfg.vocab_size,
        model_type=cfg.model_type,
        character_coverage=cfg.character_coverage,
        pad_id=PAD_ID,
        unk_id=UNK_ID,
        bos_id=BOS_ID,
        eos_id=EOS_ID,
        hard_vocab_limit=False,  # tiny corpora get a smaller vocabulary instead of an error
        input_sentence_size=cfg.max_sentences,
        shuffle_input_sentence=True,
        num_threads=2,
        minloglevel=2,
    )
    return SubwordModel(buffer.getvalue())


def train_tokenizers(pairs: Sequence[tuple[str, str]], cfg: TokenizerConfig, seed: int = 1234) -> Tokenizers:
    sources = [s for s, _ in pairs]
    targets = [t for _, t in pairs]
    if cfg.joint:
        model = train_subword_model(sources + targets, cfg, seed)
        return Tokenizers(model, model)
    return Tokenizers(train_subword_model(sources, cfg, seed), train_subword_model(targets, cfg, seed))
