"""The two questions fine-tuning asks the person (core/train/forgetting.py says what to ask).

* Before a start: no general data can be replayed, so the model will forget much of what it knew
  (:func:`confirm_without_replay`; No is the default).
* After a run: no checkpoint kept the general BLEU within the limit, so the run's model is the base
  model; keep it, or keep the best in-domain checkpoint anyway (:func:`keep_over_limit`).

Both go through :func:`ask`, which tests replace.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from translator_app.core.train.forgetting import adopt_best_in_domain, replay_warning
from translator_app.core.train.request import FinetuneSpec
from translator_app.gui.errors import user_message
from translator_app.gui.widgets import Level
from translator_app.workers import Task, TaskKind


def ask(parent: QWidget | None, title: str, text: str, yes: str, no: str) -> bool:
    """A warning with two buttons; True when ``yes`` is chosen (``no`` is the default)."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    yes_button = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_button = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no_button)
    box.exec()
    return box.clickedButton() is yes_button


def confirm_without_replay(parent: QWidget | None, spec: FinetuneSpec | None) -> bool:
    """True when the fine-tuning of ``spec`` (the form's ``finetune_spec()``) may start: general data
    will be replayed, or the person said to go on without (a new model: True)."""
    if not spec:
        return True
    try:
        warning = replay_warning(spec.base, spec.replay_share, spec.replay_corpus)
    except (OSError, ValueError):
        return True  # an unreadable base model: the run itself says why
    if not warning:
        return True
    return ask(parent, "Fine-tune without general data?", warning, "Fine-tune anyway", "Cancel")


def keep_over_limit(parent: QWidget | None, over: Any) -> bool:
    """True when the person keeps the best in-domain checkpoint of ``over`` (a
    ``core.base.events.OverLimit``) instead of the base model."""
    base = f" (the base model: {over.base_bleu:.1f})" if over.base_bleu is not None else ""
    text = (
        f"No checkpoint kept the general BLEU within {over.limit:g} of the base model's, so the model "
        f"saved is the base model, unchanged.\n\nThe best checkpoint on your corpus (step {over.step:,}) "
        f"reached BLEU {over.bleu:.1f}{base} there, but lost {over.general_drop:.1f} general BLEU: it "
        "translates text unlike your corpus worse than the base model.\n\nWhich model do you keep?"
    )
    return ask(parent, "Over the general limit", text, "Keep the best on my corpus", "Keep the base model")


def offer_over_limit(tab: Any, ev: Any) -> None:
    """After a run (``ev``: a ``core.base.events.Finished``) whose checkpoints all went over the general
    limit: ask, and when the person keeps the best in-domain one, make it the run's model in the
    background (a ``workers.Task`` on ``tab.task_requested``)."""
    over = getattr(ev, "over_limit", None)
    if over is None or not keep_over_limit(tab, over):
        return
    name = Path(ev.out_dir).name

    def done(_result: Any) -> None:
        tab.banner.show_message(f"“{name}” is now the best checkpoint on your corpus (step {over.step:,}).", Level.INFO)
        tab.models_wanted.emit()  # its scores changed

    def failed(error: BaseException) -> None:
        tab.banner.show_message(f"Could not keep the best checkpoint: {user_message(error)}", Level.ERROR)

    tab.task_requested.emit(
        Task(TaskKind.KEEP_CHECKPOINT, functools.partial(adopt_best_in_domain, ev.out_dir))
        .success(done)
        .failure(failed)
    )
