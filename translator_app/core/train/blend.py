"""Fine-tuning, at the end: blend the best in-domain weights with the base model's when they forgot too much.

When the best in-domain checkpoint of a fine-tuning went over the general limit (it is in
``OUT/best-in-domain``, core/train/forgetting.py), a weighted mean of its weights and the base
model's, ``alpha * tuned + (1 - alpha) * base`` ("WiSE-FT", Wortsman et al. 2022), usually keeps most
of the in-domain gain and loses much less of the rest: measured on the GIMP help (issue #33,
benchmarks/quality.md), a fine-tune at +10.3 BLEU in-domain / -2.2 on Tatoeba blended at 0.8 gave
+9.6 / -1.5, where the checkpoints of the same run within the limit gained at most +8.7.

The choice is judged as the person will use the model, not as validation scores it: beam search
(``JUDGE``, the documents' decoding) on every sentence of the general dev set, where validation
during training is greedy on a sample of it (GENERAL_DEV_MAX sentences) to keep the steps going.
Greedy on 300 sentences read a blend at -1.6 (beam 5 on the whole set) as over 2 (benchmarks/quality.md).
:func:`blend_toward_base` judges the base model (general), the kept checkpoint (in-domain), then
``BLEND_ALPHAS`` from the most tuned down (1.0: the best in-domain checkpoint itself), and keeps the
first that stays within the limit and beats the kept checkpoint in-domain: the run's bundle becomes
that model, ``meta["finetune"]["blend"]`` records it, and ``OUT/best-in-domain`` stays for the person
to take instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch

from translator_app.core.base.events import Status
from translator_app.core.model.checkpoint import load_bundle
from translator_app.core.train.forgetting import BEST_IN_DOMAIN_DIR

BLEND_ALPHAS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)  # share of the tuned weights, most tuned first
IN_DOMAIN, GENERAL = "in-domain", "general"  # what ``judge(run, which)`` scores


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


def candidate_name(alpha: float, step: int) -> str:
    """ "step 800" (alpha 1: the checkpoint itself) or "blend 0.7 × step 800 + 0.3 × base"."""
    return f"step {step}" if alpha >= 1.0 else f"blend {alpha:g} × step {step} + {1 - alpha:.1f} × base"


def blend_toward_base(run: Any, judge: Callable[[Any, str], float], save: Any) -> Iterator[Status]:
    """Yields Status events; ``run``: the finished fine-tuning (train_loop.Run), ``judge(run, which)`` the
    BLEU of ``run.model`` as it is now on the IN_DOMAIN or the GENERAL dev set, searched as documents are
    (train_loop.score_as_used; nothing saved), ``save(run, metrics)`` writes the run's bundle. Does nothing
    unless a better in-domain checkpoint went over the limit."""
    info = run.ft_info or {}
    over, limit = info.get("best_in_domain"), info.get("max_general_drop")
    source = Path(run.out) / BEST_IN_DOMAIN_DIR
    if not isinstance(over, dict) or limit is None or not source.is_dir():
        return
    tuned = load_bundle(source).state_dict
    base = load_bundle(info["base"]).state_dict
    current = {k: v.detach().clone() for k, v in run.model.state_dict().items()}
    yield Status(
        f"The best in-domain checkpoint (step {over['step']}) lost {over['general_drop']:.2f} general BLEU in "
        f"validation, over the limit of {limit:g}: judging it, and blends of it with the base model, as documents "
        "are translated (beam search, the whole general dev set)"
    )
    run.model.load_state_dict(load_bundle(run.out).state_dict)  # the kept checkpoint (the model is the last step's)
    kept_bleu = judge(run, IN_DOMAIN)
    run.model.load_state_dict(base)
    base_general = judge(run, GENERAL)
    yield Status(
        f"Judged: the kept checkpoint {kept_bleu:.2f} in-domain BLEU; the base model {base_general:.2f} general"
    )
    for alpha in BLEND_ALPHAS:
        run.model.load_state_dict(blended(tuned, base, alpha))
        name = candidate_name(alpha, over["step"])
        bleu = judge(run, IN_DOMAIN)
        if bleu <= kept_bleu:  # less tuned blends do worse still in-domain: the kept checkpoint stays
            yield Status(f"{name}: in-domain BLEU {bleu:.2f}, no better than the kept checkpoint's")
            break
        general = judge(run, GENERAL)
        drop = base_general - general
        within = drop <= limit + 1e-9
        yield Status(
            f"{name}: in-domain BLEU {bleu:.2f}, general BLEU {-drop:+.2f}"
            + (" (within the limit)" if within else " (over the limit)")
        )
        if within:
            info["blend"] = {"alpha": alpha, "step": over["step"], "bleu": bleu, "general_drop": round(drop, 2)}
            info["judged"] = {"kept_bleu": kept_bleu, "base_general": base_general, "decode": "beam"}
            save(run, {"valid_bleu": bleu, "general_bleu": general, "blend": alpha, "judged": "beam"})
            run.state.best_bleu = bleu
            yield Status(
                f"Kept {name}: in-domain BLEU {bleu:.2f} (the best checkpoint within the limit had "
                f"{kept_bleu:.2f}), general BLEU {-drop:+.2f}, both as documents are translated"
            )
            return
    run.model.load_state_dict(current)  # nothing better: the model as it was (the bundle was never touched)


def kept_summary(info: dict[str, Any] | None) -> str:
    """One line on the model the end's judgement kept ("" when it kept none): for the Training tab's scores."""
    blend = (info or {}).get("blend")
    if not isinstance(blend, dict):
        return ""
    what = candidate_name(float(blend["alpha"]), blend["step"])
    change = f"{-float(blend['general_drop']):+.1f}".replace("-", "\u2212")
    return (
        f"Kept {what}: in-domain BLEU {float(blend['bleu']):.1f} · general BLEU {change} vs the base "
        "(beam search, the whole general dev set)"
    )
