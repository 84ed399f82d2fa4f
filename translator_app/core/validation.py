"""Validation during training: teacher-forced loss, greedy BLEU/chrF, sample translations."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from translator_app.core import corpus as corpus_mod
from translator_app.core.batching import EncodedCorpus, bucket_batches, make_batch
from translator_app.core.config import TrainConfig
from translator_app.core.events import Sample
from translator_app.core.metrics import Scores, corpus_scores
from translator_app.core.model import Seq2Seq
from translator_app.core.search import greedy_search
from translator_app.core.tokenizer import EOS_ID, Tokenizers


@torch.no_grad()
def validation_loss(model: Seq2Seq, data: EncodedCorpus, batch_tokens: int) -> float:
    model.eval()
    total, tokens = 0.0, 0
    for indices in bucket_batches(data, batch_tokens, seed=0, shuffle=False):
        batch = make_batch(data, indices).to(next(model.parameters()).device)
        logits = model(batch.src, batch.src_len, batch.tgt_in)
        total += float(F.cross_entropy(logits.reshape(-1, logits.size(-1)), batch.tgt_out.reshape(-1),
                                       ignore_index=model.cfg.pad_id, reduction="sum"))
        tokens += batch.n_tokens
    return total / max(tokens, 1)


def translate_sources(model: Seq2Seq, tok: Tokenizers, sources: list[str], chunk: int = 64):
    """Greedy-translate sentences in length-sorted chunks; returns hypotheses in input order."""
    model.eval()
    encoded = [tok.source.encode(s)[:250] + [EOS_ID] for s in sources]
    order = sorted(range(len(sources)), key=lambda i: len(encoded[i]))
    results: list[Any] = [None] * len(sources)
    for start in range(0, len(order), chunk):
        idx = order[start : start + chunk]
        for i, hyp in zip(idx, greedy_search(model, [encoded[i] for i in idx])):
            results[i] = hyp
    return encoded, results


def validate(model: Seq2Seq, tok: Tokenizers, valid: list[tuple[str, str]], valid_enc: EncodedCorpus,
             cfg: TrainConfig, n_samples: int = 3) -> tuple[float, Scores, tuple[Sample, ...]]:
    loss = validation_loss(model, valid_enc, cfg.batch_tokens)
    sources, refs = corpus_mod.group_references(valid)
    sources, refs = sources[: cfg.valid_max_sentences], refs[: cfg.valid_max_sentences]
    encoded, hyps = translate_sources(model, tok, sources)
    texts = [tok.target.decode(h.tokens) for h in hyps]
    scores = corpus_scores(texts, refs)
    samples = tuple(
        Sample(sources[i], refs[i][0], texts[i], tuple(tok.source.pieces(encoded[i][:-1])) + ("</s>",),
               tuple(tok.target.pieces(hyps[i].tokens)) + ("</s>",), hyps[i].attention)
        for i in range(min(n_samples, len(sources)))
    )
    return loss, scores, samples


