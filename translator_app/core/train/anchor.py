"""Fine-tuning that stays near its base model: frozen parts and an L2-SP pull toward the base weights.

    apply(model, optimizer, meta, resumed)   # training._build, before the DDP wrapper

Both settings come from the run's ``meta["finetune"]`` (``freeze``, ``anchor``; a resumed run
keeps them, see core/train/finetune.py):

* ``freeze``: ``"embeddings"`` (the source and target embeddings; with tied embeddings that is
  also the output layer's weight) or ``"encoder"`` (the whole encoder; with shared source/target
  embeddings that includes the decoder's embeddings and tied output weight) stop training
  (``requires_grad`` off before DDP sees the parameters; Adam skips them, their gradient is None).
* ``anchor`` (L2-SP, Li et al. 2018, applied decoupled like AdamW's weight decay but toward the
  base weights instead of zero): after every optimiser step each trained parameter moves
  ``lr × anchor`` of the way back to its base value, ``θ ← θ − lr·anchor·(θ − θ₀)``. With the
  fine-tuning learning rate 4e-4, ``anchor`` 1 pulls back 0.04 % a step (about a third of the drift
  over 1,000 steps); 0 is off. The base weights are the model's own at step 0; a resumed run reads
  them from the base bundle again (its SHA-256 must match the one the run recorded).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import torch

from translator_app.core.folders.bundlemeta import BundleError
from translator_app.core.folders.filenames import WEIGHTS_FILE

FREEZE_CHOICES = ("none", "embeddings", "encoder")


def frozen_parameters(model: torch.nn.Module, freeze: str) -> list[torch.nn.Parameter]:
    """The parameters ``freeze`` names (distinct; tied ones once)."""
    if freeze in ("", "none"):
        return []
    if freeze == "embeddings":
        params = [model.encoder.embedding.weight, model.decoder.embedding.weight]
    elif freeze == "encoder":
        params = list(model.encoder.parameters())
    else:
        raise ValueError(f"freeze must be one of {', '.join(FREEZE_CHOICES)}, got {freeze!r}")
    return list({id(p): p for p in params}.values())


def _base_weights(model: torch.nn.Module, meta: dict[str, Any], resumed: bool) -> dict[str, torch.Tensor]:
    if not resumed:  # the model holds the base weights right now
        return {k: v.detach().clone() for k, v in model.state_dict().items()}
    from translator_app.core.model.checkpoint import load_bundle

    base = Path(str((meta.get("finetune") or {}).get("base") or ""))
    recorded = (meta.get("parent") or {}).get("sha256")
    try:
        digest = hashlib.sha256((base / WEIGHTS_FILE).read_bytes()).hexdigest()
    except OSError as exc:
        raise BundleError(
            f"{base}: the base model is gone; resuming a fine-tuning with --anchor needs its weights"
        ) from exc
    if recorded and digest != recorded:
        raise BundleError(f"{base}: the base model changed since this fine-tuning started; its anchor is lost")
    return {k: v.float() if v.is_floating_point() else v for k, v in load_bundle(base).state_dict.items()}


def apply(model: torch.nn.Module, optimizer: torch.optim.Optimizer, meta: dict[str, Any], resumed: bool) -> None:
    """Freeze what ``meta["finetune"]["freeze"]`` names and pull the rest toward the base weights
    with strength ``meta["finetune"]["anchor"]`` (a hook on ``optimizer``)."""
    info = meta.get("finetune") if isinstance(meta.get("finetune"), dict) else {}
    for param in frozen_parameters(model, str(info.get("freeze") or "none")):
        param.requires_grad_(False)
    strength = float(info.get("anchor") or 0.0)
    if strength <= 0:
        return
    base = _base_weights(model, meta, resumed)
    named = {id(p): (name, p) for name, p in model.named_parameters()}  # tied parameters once
    pairs = [(p, base[name].to(p.device, p.dtype)) for name, p in named.values() if p.requires_grad]
    params, targets = [p for p, _ in pairs], [t for _, t in pairs]

    def pull(opt: torch.optim.Optimizer, _args: Any, _kwargs: Any) -> None:
        weight = min(1.0, opt.param_groups[0]["lr"] * strength)
        with torch.no_grad():
            torch._foreach_lerp_(params, targets, weight)

    optimizer.register_step_post_hook(pull)
