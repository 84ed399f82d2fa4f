"""The training loss over the output vocabulary, without full-size fp32 tensors.

The label-smoothed loss of a token needs two numbers from its row of logits z (V entries):
log p(y) = z_y - logsumexp(z) and the mean over the vocabulary of log p = mean(z) - logsumexp(z).
:class:`VocabTerms` computes both a few rows at a time in one reused fp32 buffer that stays in the
cache, and its backward writes the gradient of the logits straight in their own dtype (bf16 under
autocast), chunk by chunk:

    d log p(y) / dz = onehot(y) - softmax(z)        d mean log p / dz = 1/V - softmax(z)

Autograd through ``log_softmax`` + ``gather`` + ``mean`` instead keeps an fp32 (N, V) copy of the
logits and a log-softmax of that size, and builds three more of that size in the backward (the
gather's zeros, the mean's expansion, their sum). Measured at 6,000 target tokens and 8,000
pieces (bf16, 2 threads), output layer + loss forward and backward: 170 ms against 410 ms. Two
variants measured slower and were dropped: recomputing the logits chunk by chunk in the backward
so that no (N, V) tensor is kept at all (205 ms: the second matmul costs more than the memory
traffic it saves), and softmax in bf16 in the backward (230 ms: ATen's bf16 elementwise ops convert
to fp32 each time).

Shapes: N = target tokens (rows), V = vocabulary.
"""

from __future__ import annotations

import torch
from torch import Tensor

CHUNK_ROWS = 64  # rows per fp32 chunk: 64 x 8,000 x 4 bytes = 2 MB, reused, so it stays in the cache


class VocabTerms(torch.autograd.Function):
    """logits (N, V) without the bias, bias (V,), target (N,) -> log p(target) (N,), mean_v log p_v
    (N,), both fp32, p = softmax(logits + bias). The bias is added chunk by chunk: a matmul that adds
    it (addmm) first copies it into every row of its (N, V) output, a full extra pass."""

    @staticmethod
    def forward(ctx, logits: Tensor, bias: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
        n, v = logits.shape
        bias32 = bias.float()
        lse = logits.new_empty(n, dtype=torch.float32)
        mean = logits.new_empty(n, dtype=torch.float32)
        buf = logits.new_empty(min(n, CHUNK_ROWS), v, dtype=torch.float32)  # one fp32 chunk, reused
        for start in range(0, n, CHUNK_ROWS):
            rows = slice(start, start + CHUNK_ROWS)
            b = buf[: logits[rows].size(0)].copy_(logits[rows]).add_(bias32)  # (n_chunk, V) fp32
            top = b.amax(dim=-1, keepdim=True)  # (n_chunk, 1)
            b.sub_(top)
            mean[rows] = b.sum(dim=-1).div_(v)  # mean(z) - top
            b.exp_()
            lse[rows] = b.sum(dim=-1).log_()  # logsumexp(z) - top
            lse[rows] += top.squeeze(1)
            mean[rows] += top.squeeze(1)
        picked = logits.gather(1, target.unsqueeze(1)).squeeze(1).float() + bias32[target]  # (N,)
        ctx.save_for_backward(logits, bias32, target, lse)
        return picked - lse, mean - lse

    @staticmethod
    def backward(ctx, g_picked: Tensor, g_mean: Tensor) -> tuple[Tensor, Tensor, None]:
        logits, bias32, target, lse = ctx.saved_tensors
        n, v = logits.shape
        grad = torch.empty_like(logits)
        grad_bias = torch.zeros_like(bias32)
        g_picked, g_mean = g_picked.float(), g_mean.float()
        g_all = -(g_picked + g_mean).unsqueeze(1)  # (N, 1): each term subtracts softmax(z)
        g_flat = (g_mean / v).unsqueeze(1)  # (N, 1)
        lse = lse.unsqueeze(1)  # (N, 1)
        buf = logits.new_empty(min(n, CHUNK_ROWS), v, dtype=torch.float32)
        for start in range(0, n, CHUNK_ROWS):
            rows = slice(start, start + CHUNK_ROWS)
            b = buf[: logits[rows].size(0)]
            b.copy_(logits[rows]).add_(bias32).sub_(lse[rows]).exp_()  # softmax(z)
            b.mul_(g_all[rows]).add_(g_flat[rows])  # 1/V term - softmax terms
            b.scatter_add_(1, target[rows].unsqueeze(1), g_picked[rows].unsqueeze(1))  # one-hot term
            grad[rows] = b
            grad_bias += b.sum(dim=0)
        return grad, grad_bias, None


def vocab_terms(logits: Tensor, bias: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """logits (N, V) before the bias, bias (V,), target (N,) ids -> (log p_vocab(target), mean over
    V of log p_vocab), each (N,) fp32."""
    return VocabTerms.apply(logits, bias, target)


def smoothed_nll(log_p_target: Tensor, mean_log_p: Tensor, smoothing: float) -> Tensor:
    """Per-token loss (N,): (1 - eps) * -log p(target) + eps * -mean_v log p_v(vocabulary)
    (the same as ``F.cross_entropy(..., label_smoothing=eps)`` when p is the vocabulary softmax)."""
    if smoothing <= 0:
        return -log_p_target
    return -(1.0 - smoothing) * log_p_target - smoothing * mean_log_p
