"""Validation during training: teacher-forced loss, greedy BLEU/chrF, sample translations.

A bidirectional run's sources start with their tags (``"⇨es Hello."``, core/text/tags.py): each is
translated with its tag taken off the text and read as the tag's ids, as its direction's bundle
will be (the same encoder input; sentence splitting and masking never see the tag)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from translator_app.core.base.config import TrainConfig
from translator_app.core.base.events import Sample
from translator_app.core.model.decoding import LIVE, DecodeConfig
from translator_app.core.model.model import Seq2Seq
from translator_app.core.text import corpus as corpus_mod
from translator_app.core.text.metrics import Scores, corpus_scores
from translator_app.core.text.tags import split_tag
from translator_app.core.text.tokenizer import Tokenizers
from translator_app.core.train.batching import EncodedCorpus, bucket_batches, make_batch
from translator_app.core.translation.pipeline import Translation, merged_alignment, translate_texts


@torch.no_grad()
def validation_loss(model: Seq2Seq, data: EncodedCorpus, batch_tokens: int) -> float:
    model.eval()
    total, tokens = 0.0, 0
    for indices in bucket_batches(data, batch_tokens, seed=0, shuffle=False):
        batch = make_batch(data, indices).to(next(model.parameters()).device)
        total += float(model(batch.src, batch.src_len, batch.tgt_in, batch.tgt_out, 0.0))  # summed NLL
        tokens += batch.n_tokens
    return total / max(tokens, 1)


def translate_sources(
    model: Seq2Seq,
    tok: Tokenizers,
    sources: list[str],
    chunk: int = 64,
    *,
    src_lang: str = "en",
    tgt_lang: str = "es",
    decode: DecodeConfig = LIVE,
    tags: Sequence[str] = (),
) -> list[Translation]:
    """Translate sources (greedy unless ``decode`` says otherwise) through the one decoding path
    (sentences, spans, length-sorted chunks, restore); returns Translations in input order. A source
    that starts with one of ``tags`` is translated with that source tag (a bidirectional run)."""
    model.eval()
    split = [split_tag(s, tags) for s in sources]
    done: dict[int, Translation] = {}
    for tag in dict.fromkeys(t for t, _ in split):
        idx = [i for i, (t, _) in enumerate(split) if t == tag]
        found = translate_texts(
            model, tok, [split[i][1] for i in idx], src_lang=src_lang, tgt_lang=tgt_lang, decode=decode,
            batch_size=chunk, source_tag=tag,
        )  # fmt: skip
        done.update(zip(idx, found))
    return [done[i] for i in range(len(sources))]


def validate(
    model: Seq2Seq,
    tok: Tokenizers,
    valid: list[tuple[str, str]],
    valid_enc: EncodedCorpus,
    cfg: TrainConfig,
    n_samples: int = 3,
    *,
    src_lang: str = "en",
    tgt_lang: str = "es",
    tags: Sequence[str] = (),
) -> tuple[float, Scores, tuple[Sample, ...]]:
    loss = validation_loss(model, valid_enc, cfg.batch_tokens)
    sources, refs = corpus_mod.group_references(valid)
    sources, refs = sources[: cfg.valid_max_sentences], refs[: cfg.valid_max_sentences]
    translations = translate_sources(model, tok, sources, src_lang=src_lang, tgt_lang=tgt_lang, tags=tags)
    texts = [t.text for t in translations]
    scores = corpus_scores(texts, refs)
    samples = []
    for i in range(min(n_samples, len(sources))):
        src_tokens, tgt_tokens, attention = merged_alignment(translations[i])
        samples.append(Sample(sources[i], refs[i][0], texts[i], src_tokens, tgt_tokens, attention))
    return loss, scores, tuple(samples)


def dev_scores(
    model: Seq2Seq,
    tok: Tokenizers,
    pairs: list[tuple[str, str]],
    max_sentences: int,
    *,
    src_lang: str = "en",
    tgt_lang: str = "es",
    decode: DecodeConfig = LIVE,
    tags: Sequence[str] = (),
) -> Scores:
    """BLEU/chrF on a second dev set (fine-tuning: the general one), multi-reference; greedy unless
    ``decode`` says otherwise."""
    sources, refs = corpus_mod.group_references(pairs)
    sources, refs = sources[:max_sentences], refs[:max_sentences]
    found = translate_sources(model, tok, sources, src_lang=src_lang, tgt_lang=tgt_lang, decode=decode, tags=tags)
    texts = [t.text for t in found]
    return corpus_scores(texts, refs)
