"""Resume of a run whose time budget is used up: offer to extend it.

The time budget counts the whole run (``TrainConfig.minutes``, earlier processes included), so a run
that ended on its budget, resumed with the same budget, would train one step and stop again. On
Resume the Training tab asks :func:`extend_if_spent`: when the run's history says it ended on its
budget and the form's budget gives it no more time, a dialog offers N more minutes, which go into the
job as ``TrainConfig.extend_minutes`` (the core turns them into the run's new total).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from translator_app.core.folders import run_history
from translator_app.gui.widgets import format_duration

DEFAULT_EXTENSION_MIN = 5.0


class ExtendBudgetDialog(QDialog):
    """ "The run used its time budget … Train N more minutes?" (Extend / Cancel)."""

    def __init__(self, name: str, finish: dict[str, Any], minutes: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Extend the time budget?")
        trained = format_duration(float(finish.get("elapsed_s", 0.0)))
        text = QLabel(
            f"The run “{name}” ended at step {finish.get('step', 0):,} because it used its time budget "
            f"({minutes:g} min; trained {trained}). Resuming with the same budget would stop again at once.\n\n"
            "Train it for longer:"
        )
        text.setWordWrap(True)
        self.minutes = QDoubleSpinBox()
        self.minutes.setRange(0.1, 10000.0)
        self.minutes.setDecimals(1)
        self.minutes.setSingleStep(5.0)
        self.minutes.setValue(max(DEFAULT_EXTENSION_MIN, minutes))
        self.minutes.setSuffix(" more min")
        self.minutes.setToolTip("Minutes of training beyond what the run has trained so far")
        form = QFormLayout()
        form.addRow("&Extend by:", self.minutes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Extend and resume")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.addWidget(text)
        column.addLayout(form)
        column.addWidget(buttons)


def extend_if_spent(parent: QWidget, job: Any) -> Any | None:
    """``job`` (a ``core.train.request.TrainRequest`` with ``resume``) as it should run: unchanged when its budget
    leaves time; with ``extend_minutes`` when the person extends it in the dialog; None on Cancel."""
    finish = run_history.spent_budget(job.out_dir, job.train_cfg.minutes)
    if finish is None:
        return job
    dialog = ExtendBudgetDialog(Path(job.out_dir).name, finish, job.train_cfg.minutes, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return replace(job, train_cfg=replace(job.train_cfg, extend_minutes=float(dialog.minutes.value())))
