"""Fine-tuning, at the end: blend the best in-domain weights with the base model's when they forgot too much.

When the best in-domain checkpoint of a fine-tuning went over the general limit (it is in
``OUT/best-in-domain``, core/train/forgetting.py), a weighted mean of its weights and the base
model's, ``alpha * tuned + (1 - alpha) * base`` ("WiSE-FT", Wortsman et al. 2022), usually keeps most
of the in-domain gain and loses much less of the rest: measured on the GIMP help (issue #33,
benchmarks/quality.md), a fine-tune at +10.3 BLEU in-domain / -2.2 on Tatoeba blended at 0.8 gave
+9.6 / -1.5, where the checkpoints of the same run within the limit gained at most +8.7.
:func:`blend_toward_base` tries ``BLEND_ALPHAS`` from the most tuned down, each scored like a
validation (in-domain dev BLEU, general dev BLEU), and keeps the first that stays within the limit
and beats the kept checkpoint in-domain: the run's bundle becomes that blend, ``meta["finetune"]
["blend"]`` records it, and ``OUT/best-in-domain`` stays for the person to take instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

from translator_app.core.base.events import Status
from translator_app.core.model.checkpoint import load_bundle
from translator_app.core.train.forgetting import BEST_IN_DOMAIN_DIR

BLEND_ALPHAS = (0.9, 0.8, 0.7, 0.6, 0.5)  # share of the tuned weights, most tuned first


def weighted_mean(states: list[dict[str, torch.Tensor]], weights: list[float]) -> dict[str, torch.Tensor]:
    """``sum(w * state)`` for every floating tensor, in float32 (others: the first state's); tensors the first
    state ties (one tensor under several names) stay one tensor. Also scripts/average_bundles.py's mean."""
    means: dict[int, torch.Tensor] = {}
    out = {}
    for key, value in states[0].items():
        ptr = value.data_ptr()
        if ptr not in means:
            if value.is_floating_point():
                means[ptr] = sum(w * state[key].float() for w, state in zip(weights, states, strict=True))
            else:
                means[ptr] = value
        out[key] = means[ptr]
    return out


def blended(tuned: dict[str, torch.Tensor], base: dict[str, torch.Tensor], alpha: float) -> dict[str, torch.Tensor]:
    """``alpha * tuned + (1 - alpha) * base`` (see :func:`weighted_mean`)."""
    return weighted_mean([tuned, base], [alpha, 1.0 - alpha])


def blend_toward_base(run: Any, validate: Any, save: Any) -> Iterator[Status]:
    """Yields Status events; ``run``: the finished fine-tuning (train_loop.Run), ``validate(run)`` the
    scores of ``run.model`` as it is now (a Validation, nothing saved), ``save(run, metrics)`` writes the
    run's bundle. Does nothing unless a better in-domain checkpoint went over the limit."""
    info = run.ft_info or {}
    over, limit = info.get("best_in_domain"), info.get("max_general_drop")
    base_general = (info.get("base_general") or {}).get("bleu")
    source = Path(run.out) / BEST_IN_DOMAIN_DIR
    if not isinstance(over, dict) or limit is None or base_general is None or not source.is_dir():
        return
    kept_bleu = run.state.best_bleu if run.state.best_bleu is not None else float("-inf")
    tuned = load_bundle(source).state_dict
    base = load_bundle(info["base"]).state_dict
    current = {k: v.detach().clone() for k, v in run.model.state_dict().items()}
    yield Status(
        f"The best in-domain checkpoint (step {over['step']}) lost {over['general_drop']:.2f} general BLEU, over the "
        f"limit of {limit:g}: trying blends of it with the base model"
    )
    for alpha in BLEND_ALPHAS:
        run.model.load_state_dict(blended(tuned, base, alpha))
        event = validate(run)
        drop = base_general - event.general_bleu
        within = drop <= limit + 1e-9
        yield Status(
            f"blend {alpha:g} x step {over['step']} + {1 - alpha:.1f} x base: in-domain BLEU {event.bleu:.2f}, "
            f"general BLEU -{drop:.2f}" + (" (within the limit)" if within else " (over the limit)")
        )
        if within:
            if event.bleu <= kept_bleu:
                break  # a checkpoint within the limit did better in-domain: it stays
            info["blend"] = {"alpha": alpha, "step": over["step"], "bleu": event.bleu, "general_drop": round(drop, 2)}
            metrics = {"valid_bleu": event.bleu, "valid_chrf": event.chrf, "valid_loss": round(event.valid_loss, 4)}
            metrics.update(general_bleu=event.general_bleu, general_chrf=event.general_chrf, blend=alpha)
            save(run, metrics)
            run.state.best_bleu = event.bleu
            yield Status(
                f"Kept the blend {alpha:g} x step {over['step']} + {1 - alpha:.1f} x base: in-domain BLEU "
                f"{event.bleu:.2f} (the best checkpoint within the limit had {kept_bleu:.2f})"
            )
            return
    run.model.load_state_dict(current)  # nothing better: the model as it was (the bundle was never touched)
