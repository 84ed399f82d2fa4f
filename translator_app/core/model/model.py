"""Attentional sequence-to-sequence model.

Bidirectional LSTM encoder, LSTM decoder with Luong ("general") or Bahdanau (additive)
attention, optional input feeding, dropout and tied output embeddings, and optional copy
attention (pointer-generator, See et al. 2017): a gate p_gen mixes the vocabulary
distribution with the attention weights scattered onto the source subword ids, so names and
other words the model cannot translate can be copied (needs a joint vocabulary).

Shapes: B = batch, S = source length, T = target length, E = emb_dim,
He = enc_hidden (per direction), Hd = dec_hidden, O = attentional vector size, V = vocab.

The decoder keeps its LSTM weights in ``nn.LSTMCell`` modules: decoding steps one cell
per token (cheap on CPU, quantisable), while training without input feeding runs the
same weights through the fused ``torch.lstm`` kernel over the whole sequence at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from translator_app.core.base.config import ModelConfig
from translator_app.core.model.loss import smoothed_nll, vocab_terms


class Dropout(nn.Module):
    """Dropout with its mask drawn from random bytes, so ``p`` is rounded to a multiple of 1/256 (0.2
    drops 51/256): on CPU torch's ``bernoulli_`` makes ``nn.Dropout`` over twice as slow (forward +
    backward, benchmarks/README.md). No parameters: bundles are unchanged."""

    def __init__(self, p: float):
        super().__init__()
        self.p = p
        self.cut = round(p * 256)  # bytes below this are dropped

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.cut == 0:
            return x
        if x.is_cuda:
            return F.dropout(x, self.p, True)
        keep = torch.empty(x.shape, dtype=torch.uint8).random_() >= self.cut  # (same shape as x)
        return x * keep.to(x.dtype).mul_(256 / (256 - self.cut))


@dataclass
class EncoderOut:
    memory: Tensor  # (B, S, 2He) encoder states
    keys: Tensor  # (B, S, K) attention keys, projected once per sentence
    mask: Tensor  # (B, S) True at real tokens
    src: Tensor  # (B, S) source ids (copy attention scatters onto them)

    def index_select(self, index: Tensor) -> EncoderOut:
        return EncoderOut(
            self.memory.index_select(0, index),
            self.keys.index_select(0, index),
            self.mask.index_select(0, index),
            self.src.index_select(0, index),
        )


@dataclass
class DecoderState:
    h: list[Tensor]  # per layer (N, Hd)
    c: list[Tensor]  # per layer (N, Hd)
    feed: Tensor | None  # (N, O) previous attentional vector (input feeding)
    gate: Tensor | None = None  # (N,) p_gen of the step that made this state (copy attention)

    def index_select(self, index: Tensor) -> DecoderState:
        return DecoderState(
            [x.index_select(0, index) for x in self.h],
            [x.index_select(0, index) for x in self.c],
            None if self.feed is None else self.feed.index_select(0, index),
            None if self.gate is None else self.gate.index_select(0, index),
        )


class Encoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.embedding = nn.Embedding(cfg.src_vocab_size, cfg.emb_dim, padding_idx=cfg.pad_id)
        self.rnn = nn.LSTM(
            cfg.emb_dim,
            cfg.enc_hidden,
            num_layers=cfg.enc_layers,
            batch_first=True,
            bidirectional=True,
            dropout=cfg.dropout if cfg.enc_layers > 1 else 0.0,
        )
        self.dropout = Dropout(cfg.dropout)
        # bridge: final (fwd, bwd) states -> initial decoder state of every decoder layer
        self.bridge_h = nn.Linear(2 * cfg.enc_hidden, cfg.dec_hidden * cfg.dec_layers)
        self.bridge_c = nn.Linear(2 * cfg.enc_hidden, cfg.dec_hidden * cfg.dec_layers)
        self.dec_layers, self.dec_hidden = cfg.dec_layers, cfg.dec_hidden

    def forward(self, src: Tensor, lengths: Tensor) -> tuple[Tensor, list[Tensor], list[Tensor]]:
        """src (B, S) ids, lengths (B,) -> memory (B, S, 2He), h0/c0 lists of (B, Hd)."""
        x = self.dropout(self.embedding(src))  # (B, S, E)
        if int(lengths.min()) == src.size(1):  # no padding: the fused kernel as is (packing is 2x slower on CPU)
            memory, (h, c) = self.rnn(x)  # (B, S, 2He); h, c: (layers * 2, B, He)
        else:
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, (h, c) = self.rnn(packed)
            memory, _ = pad_packed_sequence(out, batch_first=True, total_length=src.size(1))  # (B, S, 2He)
        h_last = torch.cat([h[-2], h[-1]], dim=-1)  # (B, 2He)
        c_last = torch.cat([c[-2], c[-1]], dim=-1)
        h0 = torch.tanh(self.bridge_h(h_last)).chunk(self.dec_layers, dim=-1)  # each (B, Hd)
        c0 = self.bridge_c(c_last).chunk(self.dec_layers, dim=-1)
        return self.dropout(memory), list(h0), list(c0)


class LuongAttention(nn.Module):
    """score(q, m) = q^T W m  ("general")."""

    def __init__(self, query_dim: int, memory_dim: int):
        super().__init__()
        self.key_proj = nn.Linear(memory_dim, query_dim, bias=False)

    def keys(self, memory: Tensor) -> Tensor:
        return self.key_proj(memory)  # (B, S, Hd)

    def scores(self, query: Tensor, keys: Tensor) -> Tensor:
        """query (B, T, Hd), keys (B, S, Hd) -> (B, T, S)."""
        return torch.bmm(query, keys.transpose(1, 2))


class BahdanauAttention(nn.Module):
    """score(q, m) = v^T tanh(W_k m + W_q q)  (additive)."""

    def __init__(self, query_dim: int, memory_dim: int, attn_dim: int):
        super().__init__()
        self.key_proj = nn.Linear(memory_dim, attn_dim, bias=False)
        self.query_proj = nn.Linear(query_dim, attn_dim, bias=True)
        self.v = nn.Linear(attn_dim, 1, bias=False)

    def keys(self, memory: Tensor) -> Tensor:
        return self.key_proj(memory)  # (B, S, A)

    def scores(self, query: Tensor, keys: Tensor) -> Tensor:
        """query (B, T, Hd), keys (B, S, A) -> (B, T, S)."""
        q = self.query_proj(query).unsqueeze(2)  # (B, T, 1, A)
        return self.v(torch.tanh(q + keys.unsqueeze(1))).squeeze(-1)


def attend(attention: nn.Module, query: Tensor, enc: EncoderOut) -> tuple[Tensor, Tensor]:
    """query (B, T, Hd) -> context (B, T, 2He), weights (B, T, S) summing to 1 over S."""
    scores = attention.scores(query, enc.keys)
    scores = scores.masked_fill(~enc.mask.unsqueeze(1), float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return torch.bmm(weights, enc.memory), weights


class Decoder(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        mem_dim = 2 * cfg.enc_hidden
        self.out_dim = cfg.emb_dim if cfg.tie_embeddings else cfg.dec_hidden  # O
        self.embedding = nn.Embedding(cfg.tgt_vocab_size, cfg.emb_dim, padding_idx=cfg.pad_id)
        in_dim = (
            cfg.emb_dim + (self.out_dim if cfg.input_feeding else 0) + (mem_dim if cfg.attention == "bahdanau" else 0)
        )
        self.cells = nn.ModuleList(
            [nn.LSTMCell(in_dim if i == 0 else cfg.dec_hidden, cfg.dec_hidden) for i in range(cfg.dec_layers)]
        )
        if cfg.attention == "luong":
            self.attention: nn.Module = LuongAttention(cfg.dec_hidden, mem_dim)
        else:
            self.attention = BahdanauAttention(cfg.dec_hidden, mem_dim, cfg.dec_hidden)
        self.combine = nn.Linear(cfg.dec_hidden + mem_dim, self.out_dim, bias=False)
        self.dropout = Dropout(cfg.dropout)
        self.out = nn.Linear(self.out_dim, cfg.tgt_vocab_size)
        if cfg.tie_embeddings:
            self.out.weight = self.embedding.weight
        # copy attention: p_gen = sigmoid(w [att; ctx; emb] + b)
        self.copy_gate = nn.Linear(self.out_dim + mem_dim + cfg.emb_dim, 1) if cfg.copy_attention else None

    @property
    def parallel(self) -> bool:
        """Whether training can run all target steps at once (no recurrence through attention)."""
        return self.cfg.attention == "luong" and not self.cfg.input_feeding

    def init_state(self, h0: list[Tensor], c0: list[Tensor]) -> DecoderState:
        feed = h0[0].new_zeros(h0[0].size(0), self.out_dim) if self.cfg.input_feeding else None
        return DecoderState(list(h0), list(c0), feed)

    def _cell_stack(self, x: Tensor, state: DecoderState) -> tuple[list[Tensor], list[Tensor]]:
        hs, cs = [], []
        for i, cell in enumerate(self.cells):
            h, c = cell(x, (state.h[i], state.c[i]))
            hs.append(h)
            cs.append(c)
            x = self.dropout(h) if i + 1 < len(self.cells) else h
        return hs, cs

    def gate(self, att: Tensor, ctx: Tensor, emb: Tensor) -> Tensor | None:
        """(..., O), (..., 2He), (..., E) -> p_gen (...,) in (0, 1), or None without copy attention."""
        if self.copy_gate is None:
            return None
        return torch.sigmoid(self.copy_gate(torch.cat([att, ctx, emb], dim=-1)).squeeze(-1).float())

    def step(self, y_prev: Tensor, state: DecoderState, enc: EncoderOut) -> tuple[Tensor, Tensor, DecoderState]:
        """One step: y_prev (N,) -> attentional vector (N, O), attention (N, S), new state (with p_gen)."""
        emb = self.dropout(self.embedding(y_prev))  # (N, E)
        x = emb
        if self.cfg.attention == "bahdanau":
            ctx, _ = attend(self.attention, state.h[-1].unsqueeze(1), enc)  # (N, 1, 2He)
            x = torch.cat([x, ctx.squeeze(1)], dim=-1)
        if state.feed is not None:
            x = torch.cat([x, state.feed], dim=-1)
        hs, cs = self._cell_stack(x, state)
        top = hs[-1]  # (N, Hd)
        ctx, weights = attend(self.attention, top.unsqueeze(1), enc)  # (N, 1, 2He), (N, 1, S)
        att = torch.tanh(self.combine(torch.cat([top, ctx.squeeze(1)], dim=-1)))  # (N, O)
        gate = self.gate(att, ctx.squeeze(1), emb)
        return att, weights.squeeze(1), DecoderState(hs, cs, att if self.cfg.input_feeding else None, gate)

    def logits(self, att: Tensor) -> Tensor:
        """(..., O) -> (..., V)."""
        return self.out(self.dropout(att))

    def forward(self, tgt_in: Tensor, state: DecoderState, enc: EncoderOut) -> tuple[Tensor, Tensor, Tensor | None]:
        """Teacher forcing: tgt_in (B, T) -> attentional vectors (B, T, O), attention (B, T, S),
        p_gen (B, T) or None."""
        if self.parallel:
            x = self.dropout(self.embedding(tgt_in))  # (B, T, E)
            weights = []
            for cell in self.cells:
                weights += [cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]
            h0 = torch.stack(state.h)  # (L, B, Hd)
            c0 = torch.stack(state.c)
            out = torch.lstm(x, (h0, c0), weights, True, len(self.cells), self.cfg.dropout, self.training, False, True)[
                0
            ]  # (B, T, Hd)
            ctx, weights = attend(self.attention, out, enc)  # (B, T, 2He), (B, T, S)
            att = torch.tanh(self.combine(torch.cat([out, ctx], dim=-1)))  # (B, T, O)
            return att, weights, self.gate(att, ctx, x)
        atts, attn, gates = [], [], []
        for t in range(tgt_in.size(1)):
            att, w, state = self.step(tgt_in[:, t], state, enc)
            atts.append(att)
            attn.append(w)
            gates.append(state.gate)
        gate = torch.stack(gates, dim=1) if self.copy_gate is not None else None
        return torch.stack(atts, dim=1), torch.stack(attn, dim=1), gate


class Seq2Seq(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.decoder = Decoder(cfg)
        if cfg.share_src_tgt_embeddings:
            self.encoder.embedding.weight = self.decoder.embedding.weight
        self._init_weights()

    def _init_weights(self) -> None:
        for name, p in self.named_parameters():
            if "bias" in name:
                nn.init.zeros_(p)
                if ("cells" in name or "rnn" in name) and p.dim() == 1:
                    hidden = p.size(0) // 4
                    with torch.no_grad():
                        p[hidden : 2 * hidden].fill_(1.0)  # forget gate
            elif "embedding" in name:
                nn.init.normal_(p, std=self.cfg.emb_dim**-0.5)
            else:
                nn.init.uniform_(p, -0.1, 0.1)
        with torch.no_grad():
            self.encoder.embedding.weight[self.cfg.pad_id].zero_()
            self.decoder.embedding.weight[self.cfg.pad_id].zero_()

    def encode(self, src: Tensor, lengths: Tensor) -> tuple[EncoderOut, DecoderState]:
        """src (B, S), lengths (B,) -> encoder output and initial decoder state."""
        memory, h0, c0 = self.encoder(src, lengths)
        mask = torch.arange(src.size(1), device=src.device).unsqueeze(0) < lengths.to(src.device).unsqueeze(1)
        enc = EncoderOut(memory, self.decoder.attention.keys(memory), mask, src)
        return enc, self.decoder.init_state(h0, c0)

    def log_probs(self, att: Tensor, weights: Tensor, gate: Tensor | None, src: Tensor) -> Tensor:
        """Output distribution: att (..., O), weights (..., S), gate (...,), src (B, S) -> log p (..., V).

        Without copy attention this is log_softmax of the logits; with it,
        log(p_gen * softmax(logits) + (1 - p_gen) * attention scattered onto the source ids)."""
        logits = self.decoder.logits(att).float()
        if gate is None:
            return F.log_softmax(logits, dim=-1)
        probs = torch.softmax(logits, dim=-1) * gate.unsqueeze(-1)
        index = src if weights.dim() == 2 else src.unsqueeze(1).expand(-1, weights.size(1), -1)
        probs = probs.scatter_add(-1, index, weights.float() * (1.0 - gate).unsqueeze(-1))
        return torch.log(probs.clamp_min(1e-12))

    def decode_step(self, y_prev: Tensor, state: DecoderState, enc: EncoderOut) -> tuple[Tensor, Tensor, DecoderState]:
        """y_prev (N,) -> log-probabilities (N, V), attention (N, S), new state (state.gate: p_gen)."""
        att, weights, state = self.decoder.step(y_prev, state, enc)
        return self.log_probs(att, weights, state.gate, enc.src), weights, state

    def forward(
        self, src: Tensor, src_len: Tensor, tgt_in: Tensor, tgt_out: Tensor | None = None, smoothing: float = 0.0
    ) -> Tensor:
        """src (B, S), src_len (B,), tgt_in (B, T) starting with <s> -> log-probabilities (B, T, V);
        with ``tgt_out`` (B, T) the summed label-smoothed training loss instead (a scalar)."""
        enc, state = self.encode(src, src_len)
        att, weights, gate = self.decoder(tgt_in, state, enc)
        if tgt_out is None:
            return self.log_probs(att, weights, gate, src)
        return self._loss(att, weights, gate, src, tgt_out, smoothing)

    def _loss(
        self, att: Tensor, weights: Tensor, gate: Tensor | None, src: Tensor, tgt_out: Tensor, smoothing: float
    ) -> Tensor:
        """Summed loss over real target tokens: (1 - eps) * NLL of the output distribution + eps * the
        uniform-smoothing term on the vocabulary distribution. Only the N real (non-pad) positions go
        through the output layer, and the vocabulary terms come from :func:`vocab_terms` (chunked fp32,
        no fp32 (N, V) tensor); with copy attention only p(y) of the reference token is formed."""
        keep = tgt_out != self.cfg.pad_id  # (B, T)
        target = tgt_out[keep]  # (N,)
        out = self.decoder.out  # decoder.logits without its bias, which vocab_terms adds chunk by chunk
        logits = F.linear(self.decoder.dropout(att[keep]), out.weight)  # (N, V), bf16 under autocast
        log_vocab, mean_log_vocab = vocab_terms(logits, out.bias, target)  # (N,), (N,) fp32
        if gate is None:
            return smoothed_nll(log_vocab, mean_log_vocab, smoothing).sum()
        src_rows = src.unsqueeze(1).expand(-1, tgt_out.size(1), -1)[keep]  # (N, S)
        p_copy = (weights[keep].float() * (src_rows == target.unsqueeze(1))).sum(-1)  # (N,)
        g = gate[keep]  # (N,)
        p = g * log_vocab.exp() + (1.0 - g) * p_copy  # (N,) the mixture's p(y)
        nll = -torch.log(p.clamp_min(1e-12))
        loss = (1.0 - smoothing) * nll - smoothing * mean_log_vocab if smoothing > 0 else nll
        return loss.sum()

    def num_parameters(self) -> int:
        return sum(p.numel() for p in {id(p): p for p in self.parameters()}.values())


def quantize_for_inference(model: Seq2Seq, *, inplace: bool = False) -> nn.Module:
    """Dynamic int8 quantisation of the Linear, LSTM and LSTMCell layers (CPU inference).

    ``inplace=True`` swaps the layers of ``model`` itself instead of a deep copy, so the fp32
    weights are not kept alive beside the int8 ones (the Translator owns its model).
    """
    import copy
    import warnings

    model = (model if inplace else copy.deepcopy(model)).eval()
    if model.cfg.tie_embeddings:  # untie so the quantised output layer gets its own copy
        model.decoder.out.weight = nn.Parameter(model.decoder.out.weight.detach().clone())
    with warnings.catch_warnings():  # torch marks eager dynamic quantisation deprecated; it still works
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(
            model, {nn.Linear, nn.LSTM, nn.LSTMCell}, dtype=torch.qint8, inplace=inplace
        )
