"""Hyperparameter form: presets (tiny/small/base) plus the settings worth changing by hand."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSettings, QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QSpinBox, QVBoxLayout, QWidget,
)

from translator_app.core.config import PRESETS, ModelConfig, TokenizerConfig, TrainConfig

# field -> (config part, label, minimum, maximum, step, tooltip)
INT_FIELDS = {
    "vocab_size": ("tok", "Vocabulary", 100, 64000, 500, "SentencePiece vocabulary size (joint for both languages)"),
    "emb_dim": ("model", "Embedding size", 8, 1024, 32, "Size of the word embeddings"),
    "enc_hidden": ("model", "Encoder size", 8, 1024, 32, "Hidden units per direction of the BiLSTM encoder"),
    "enc_layers": ("model", "Encoder layers", 1, 4, 1, "Stacked BiLSTM layers in the encoder"),
    "dec_hidden": ("model", "Decoder size", 8, 2048, 32, "Hidden units of the LSTM decoder"),
    "batch_tokens": ("train", "Batch tokens", 100, 20000, 250, "Target tokens per training batch"),
    "valid_every": ("train", "Validate every", 5, 100000, 50, "Steps between validations (loss, BLEU, chrF, samples)"),
    "log_every": ("train", "Report every", 1, 1000, 5, "Steps between progress reports and loss-curve points"),
    "num_threads": ("train", "CPU threads", 0, 64, 1, "Threads for training; 0 lets PyTorch decide"),
    "max_steps": ("train", "Max steps", 0, 10_000_000, 100, "Stop after this many steps in total (0: no limit)"),
    "max_epochs": ("train", "Max epochs", 0, 1000, 1, "Stop after this many passes over the data (0: no limit)"),
}
FLOAT_FIELDS = {
    "dropout": ("model", "Dropout", 0.0, 0.9, 0.05, 2, "Dropout probability during training"),
    "lr": ("train", "Learning rate", 1e-5, 0.1, 1e-4, 5, "Peak learning rate of Adam (after warm-up)"),
    "minutes": ("train", "Time budget (min)", 0.0, 10000.0, 5.0, 1,
                "Stop after this many minutes of training (0: no time limit)"),
}
BUDGET = ("minutes", "max_steps", "max_epochs")


class HyperparameterForm(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.preset = QComboBox()
        self.preset.addItems(list(PRESETS))
        self.preset.setToolTip("Start from a preset: tiny (a minute, for trying things out), small, base (hours)")
        self.preset.currentTextChanged.connect(self.apply_preset)
        self.attention = QComboBox()
        self.attention.addItems(["luong", "bahdanau"])
        self.attention.setToolTip("Attention: Luong (multiplicative) or Bahdanau (additive)")
        self.fields: dict[str, QAbstractSpinBox] = {}
        for name, (_part, _label, lo, hi, step, tip) in INT_FIELDS.items():
            box = QSpinBox()
            box.setRange(lo, hi)
            box.setSingleStep(step)
            box.setGroupSeparatorShown(True)
            box.setToolTip(tip)
            self.fields[name] = box
        for name, (_part, _label, lo, hi, step, decimals, tip) in FLOAT_FIELDS.items():
            dbox = QDoubleSpinBox()
            dbox.setDecimals(decimals)
            dbox.setRange(lo, hi)
            dbox.setSingleStep(step)
            dbox.setToolTip(tip)
            self.fields[name] = dbox
        for name in ("max_steps", "max_epochs", "minutes", "num_threads"):
            self.fields[name].setSpecialValueText("no limit" if name != "num_threads" else "auto")
        for box in self.fields.values():
            box.valueChanged.connect(self.changed)  # type: ignore[attr-defined]

        model_box = QGroupBox("Model")
        model_form = QFormLayout(model_box)
        model_form.addRow("&Preset", self.preset)
        for name in ("vocab_size", "emb_dim", "enc_hidden", "enc_layers", "dec_hidden"):
            model_form.addRow(INT_FIELDS[name][1], self.fields[name])
        model_form.addRow("Attention", self.attention)
        model_form.addRow(FLOAT_FIELDS["dropout"][1], self.fields["dropout"])
        train_box = QGroupBox("Training")
        train_form = QFormLayout(train_box)
        for name in ("batch_tokens", "lr", "valid_every", "log_every", "num_threads"):
            label = (INT_FIELDS.get(name) or FLOAT_FIELDS[name])[1]
            train_form.addRow(label, self.fields[name])
        budget_box = QGroupBox("Budget (whichever comes first)")
        budget_form = QFormLayout(budget_box)
        for name in BUDGET:
            label = (INT_FIELDS.get(name) or FLOAT_FIELDS[name])[1]
            budget_form.addRow(label, self.fields[name])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for box in (model_box, train_box, budget_box):
            layout.addWidget(box)
        self.apply_preset("tiny")
        self.fields["minutes"].setValue(5.0)

    def apply_preset(self, name: str) -> None:
        """Fill the form with preset ``name`` (the budget stays as it is)."""
        model, train, tok = PRESETS[name]
        with QSignalBlocker(self.preset):
            self.preset.setCurrentText(name)
        parts = {"model": model, "train": train, "tok": tok}
        for fields in (INT_FIELDS, FLOAT_FIELDS):
            for field, spec in fields.items():
                if field not in BUDGET:
                    self.fields[field].setValue(getattr(parts[spec[0]], field))  # type: ignore[attr-defined]
        self.attention.setCurrentText(model.attention)
        self.changed.emit()

    def set_values(self, **values) -> None:
        """Set fields by name (``minutes=1, max_steps=30``...)."""
        for name, value in values.items():
            if name == "attention":
                self.attention.setCurrentText(value)
            else:
                self.fields[name].setValue(value)  # type: ignore[attr-defined]

    def value(self, name: str):
        return self.fields[name].value()  # type: ignore[attr-defined]

    def configs(self) -> tuple[ModelConfig, TrainConfig, TokenizerConfig]:
        model, train, tok = PRESETS[self.preset.currentText()]
        parts: dict[str, dict] = {"model": {"attention": self.attention.currentText()}, "train": {}, "tok": {}}
        for fields in (INT_FIELDS, FLOAT_FIELDS):
            for field, spec in fields.items():
                parts[spec[0]][field] = self.value(field)
        # checkpoints at least as often as validations, so a stop loses little
        parts["train"]["checkpoint_every"] = min(train.checkpoint_every, parts["train"]["valid_every"])
        return replace(model, **parts["model"]), replace(train, **parts["train"]), replace(tok, **parts["tok"])

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("training/preset", self.preset.currentText())
        settings.setValue("training/attention", self.attention.currentText())
        for name in self.fields:
            settings.setValue(f"training/hp/{name}", self.value(name))

    def restore_settings(self, settings: QSettings) -> None:
        preset = str(settings.value("training/preset", "tiny"))
        if preset in PRESETS:
            self.apply_preset(preset)
        self.attention.setCurrentText(str(settings.value("training/attention", self.attention.currentText())))
        for name, box in self.fields.items():
            value = settings.value(f"training/hp/{name}")
            if value is not None:
                try:
                    box.setValue(float(value) if name in FLOAT_FIELDS else int(float(value)))  # type: ignore[attr-defined]
                except (TypeError, ValueError):
                    pass
