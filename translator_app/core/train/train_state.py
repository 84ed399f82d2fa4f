"""Where a training run stands: the counters a resumed run continues from.

:class:`TrainingState` is the one place that writes a run's ``checkpoint.pt`` (:meth:`save`)
and the one that reads it back (:meth:`restore`). The file is a plain dict of tensors and
numbers, loaded with ``torch.load(weights_only=True)`` (:func:`checkpoint.load_train_state`):

    model, optimizer       the state dicts of the network and of Adam
    step, epoch, batch_pos  optimisation steps done; the epoch; the next batch in that epoch
    best_bleu, bad_validations, plateau_scale   early stopping and the plateau schedule
    elapsed_s              seconds trained so far, over every process that ran the run
    rng                    torch's CPU random state (a uint8 tensor)

Checkpoints written before this module existed have the same keys (older ones lack the last
few, which then take their defaults), so a run in progress resumes with this code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from translator_app.core.model.checkpoint import BundleError, save_train_state


@dataclass
class TrainingState:
    step: int = 0  # optimisation steps done
    epoch: int = 0
    batch_pos: int = 0  # index of the next batch of ``epoch``
    best_bleu: float | None = None
    bad_validations: int = 0  # validations in a row without a better BLEU
    elapsed_s: float = 0.0  # seconds trained before ``started`` (by earlier processes)
    plateau_scale: float = 1.0  # multiplier of the learning rate (plateau schedule)
    # this process's clock (time.monotonic()); not saved: elapsed() adds it to elapsed_s
    started: float = field(default_factory=time.monotonic, compare=False, repr=False)

    def elapsed(self) -> float:
        """Seconds trained in all, this process included."""
        return self.elapsed_s + time.monotonic() - self.started

    # ---- the counters as a dict --------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The counters, the time trained so far and torch's CPU RNG state now (the checkpoint's keys)."""
        return {
            "step": self.step,
            "epoch": self.epoch,
            "batch_pos": self.batch_pos,
            "best_bleu": self.best_bleu,
            "bad_validations": self.bad_validations,
            "elapsed_s": self.elapsed(),
            "plateau_scale": self.plateau_scale,
            "rng": torch.get_rng_state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """The counters back from a checkpoint dict (of this or an earlier version), and torch's CPU
        RNG state; ``started`` is left alone (it is this process's clock)."""
        self.step, self.epoch, self.batch_pos = int(state["step"]), int(state["epoch"]), int(state["batch_pos"])
        best = state.get("best_bleu")
        self.best_bleu = None if best is None else float(best)
        self.bad_validations = int(state.get("bad_validations", 0))
        self.elapsed_s = float(state.get("elapsed_s", 0.0))
        self.plateau_scale = float(state.get("plateau_scale", 1.0))
        torch.set_rng_state(state["rng"])

    # ---- the checkpoint file -----------------------------------------------------------------

    def save(self, path: str | Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> None:
        """Write ``path`` (atomically): model and optimizer state beside :meth:`state_dict`."""
        save_train_state(path, {"model": model.state_dict(), "optimizer": optimizer.state_dict(), **self.state_dict()})

    def restore(
        self, saved: dict[str, Any], model: torch.nn.Module, optimizer: torch.optim.Optimizer, path: str | Path
    ) -> None:
        """Load the model, the optimizer and the counters from ``saved`` (the dict
        :func:`~translator_app.core.model.checkpoint.load_train_state` read from ``path``)."""
        try:
            model.load_state_dict(saved["model"])
            optimizer.load_state_dict(saved["optimizer"])
        except (RuntimeError, ValueError, KeyError) as exc:
            raise BundleError(f"{path}: does not match the run's model ({exc})") from exc
        self.load_state_dict(saved)
