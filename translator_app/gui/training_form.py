"""Hyperparameter form: presets (tiny/small/base) plus the settings worth changing by hand.

"Start from" picks a trained model to fine-tune instead of a new one: the model's tokenizer and
architecture are then shown read-only, the training settings come from the "finetune" preset
(a low learning rate), and the share of general data replayed beside the corpus and the general
BLEU the kept checkpoint may lose (core/train/forgetting.py) are set here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QSettings, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from translator_app.core.base.config import (
    ATTENTION_TYPES,
    FINETUNE_PRESET,
    PRESETS,
    TRAIN_PRESETS,
    ModelConfig,
    TokenizerConfig,
    TrainConfig,
)
from translator_app.core.folders.bundlemeta import BundleError
from translator_app.core.train.finetune import DEFAULT_REPLAY_SHARE
from translator_app.core.train.forgetting import DEFAULT_MAX_GENERAL_DROP
from translator_app.core.train.request import Configs, FinetuneSpec, base_model_config, resolve

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
    "minutes": (
        "train",
        "Time budget (min)",
        0.0,
        10000.0,
        5.0,
        1,
        "Stop after this many minutes of training (0: no time limit)",
    ),
}
BUDGET = ("minutes", "max_steps", "max_epochs")
ARCHITECTURE = ("vocab_size", "emb_dim", "enc_hidden", "enc_layers", "dec_hidden")  # read-only when fine-tuning
NEW_MODEL = "New model"


class HyperparameterForm(QWidget):
    base_changed = Signal(str)  # the model to fine-tune ("" = a new model)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._base_cfg: ModelConfig | None = None
        self._wanted_base = ""  # the saved "Start from" model, chosen once the model list arrives
        self.start_from = QComboBox()
        self.start_from.addItem(NEW_MODEL, "")
        self.start_from.setToolTip(
            "Train a new model, or fine-tune one of your models on this corpus (it keeps "
            "its tokenizer and architecture and starts from its weights)"
        )
        self.start_from.setMinimumContentsLength(12)
        self.start_from.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.start_from.currentIndexChanged.connect(self._start_from_changed)
        self.replay = QDoubleSpinBox()
        self.replay.setRange(0.0, 0.9)
        self.replay.setSingleStep(0.05)
        self.replay.setDecimals(2)
        self.replay.setValue(DEFAULT_REPLAY_SHARE)
        self.replay.setToolTip(
            "Fine-tuning: share of general pairs (the base model's own training data, when it "
            "is found) mixed into the corpus, so the model forgets less of what it knew"
        )
        self.replay.setEnabled(False)
        self.max_drop = QDoubleSpinBox()
        self.max_drop.setRange(0.0, 100.0)
        self.max_drop.setSingleStep(0.5)
        self.max_drop.setDecimals(1)
        self.max_drop.setSuffix(" BLEU")
        self.max_drop.setValue(DEFAULT_MAX_GENERAL_DROP)
        self.max_drop.setToolTip(
            "Fine-tuning: the model kept is the best on your corpus whose general BLEU (what the base model "
            "was good at) is at most this far below the base model's; the chart draws the limit"
        )
        self.max_drop.setEnabled(False)
        self.preset = QComboBox()
        self.preset.addItems(list(PRESETS))
        self.preset.setToolTip("Start from a preset: tiny (a minute, for trying things out), small, base (hours)")
        self.preset.currentTextChanged.connect(self.apply_preset)
        self.attention = QComboBox()
        self.attention.addItems(list(ATTENTION_TYPES))
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

        model_box = QGroupBox("Model")
        model_form = QFormLayout(model_box)
        model_form.addRow("Start &from", self.start_from)
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
        train_form.addRow("General data share", self.replay)
        train_form.addRow("Max general drop", self.max_drop)
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

    # ---- start from a trained model ----------------------------------------------------------------
    def set_base_models(self, entries: Sequence[Any]) -> None:
        """The models that can be fine-tuned (store entries: ``label``, ``path``, ``describe()``)."""
        self.base_entries = tuple(entries)  # (their languages: the "what to expect" note's fine-tuning hint)
        chosen = self.base_path()
        wanted, self._wanted_base = self._wanted_base, ""
        current = chosen or wanted
        with QSignalBlocker(self.start_from):
            self.start_from.clear()
            self.start_from.addItem(NEW_MODEL, "")
            for entry in entries:
                self.start_from.addItem(entry.label, str(entry.path))
                self.start_from.setItemData(self.start_from.count() - 1, entry.describe(), Qt.ItemDataRole.ToolTipRole)
            index = max(self.start_from.findData(current), 0) if current else 0
            self.start_from.setCurrentIndex(index)
        if (chosen and index == 0) or (not chosen and wanted and index > 0):
            self._start_from_changed(index)  # the chosen model is gone (a new model), or the saved one is in

    def base_models(self) -> list[str]:
        return [str(self.start_from.itemData(i)) for i in range(1, self.start_from.count())]

    def base_path(self) -> str:
        """The model to fine-tune, "" for a new model."""
        return str(self.start_from.currentData() or "") if self._base_cfg is not None else ""

    def select_base(self, path: str) -> bool:
        index = self.start_from.findData(str(path)) if path else 0
        if index >= 0:
            self.start_from.setCurrentIndex(index)
        return index >= 0

    def _start_from_changed(self, index: int) -> None:
        path = str(self.start_from.itemData(index) or "")
        cfg = None
        if path:
            try:
                cfg = base_model_config(path)
            except (BundleError, ValueError, TypeError):  # an unreadable bundle, or a malformed "model" part
                with QSignalBlocker(self.start_from):
                    self.start_from.setCurrentIndex(0)
                path = ""
        self._base_cfg = cfg
        for name in ARCHITECTURE:
            self.fields[name].setReadOnly(cfg is not None)
            self.fields[name].setButtonSymbols(
                QAbstractSpinBox.ButtonSymbols.NoButtons
                if cfg is not None
                else QAbstractSpinBox.ButtonSymbols.UpDownArrows
            )
        self.attention.setEnabled(cfg is None)
        self.preset.setEnabled(cfg is None)
        self.replay.setEnabled(cfg is not None)
        self.max_drop.setEnabled(cfg is not None)
        if cfg is not None:
            self.set_values(
                vocab_size=cfg.src_vocab_size,
                emb_dim=cfg.emb_dim,
                enc_hidden=cfg.enc_hidden,
                enc_layers=cfg.enc_layers,
                dec_hidden=cfg.dec_hidden,
                attention=cfg.attention,
                dropout=cfg.dropout,
            )
            train = TRAIN_PRESETS[FINETUNE_PRESET]
            self.set_values(batch_tokens=train.batch_tokens, lr=train.lr, valid_every=train.valid_every)
        else:
            self.apply_preset(self.preset.currentText())
        self.base_changed.emit(path)

    def finetune_spec(self) -> FinetuneSpec | None:
        """The fine-tuning of the chosen base model; None for a new model."""
        if not self.base_path():
            return None
        return FinetuneSpec(
            self.base_path(),
            replay_share=round(self.replay.value(), 4),
            max_general_drop=round(self.max_drop.value(), 2),
            dropout=round(self.value("dropout"), 4),
        )

    def apply_preset(self, name: str) -> None:
        """Fill the form with preset ``name`` (the budget stays as it is)."""
        model, train, tok = PRESETS[name]
        with QSignalBlocker(self.preset):
            self.preset.setCurrentText(name)
        parts = {"model": model, "train": train, "tok": tok}
        for fields in (INT_FIELDS, FLOAT_FIELDS):
            for field, spec in fields.items():
                if field not in BUDGET:
                    self.fields[field].setValue(getattr(parts[spec[0]], field))
        self.attention.setCurrentText(model.attention)

    def set_values(self, **values) -> None:
        """Set fields by name (``minutes=1, max_steps=30``...)."""
        for name, value in values.items():
            if name == "attention":
                self.attention.setCurrentText(value)
            else:
                self.fields[name].setValue(value)

    def value(self, name: str):
        return self.fields[name].value()

    def configs(self) -> tuple[ModelConfig, TrainConfig, TokenizerConfig]:
        cfgs = self.resolved()
        return cfgs.model, cfgs.train, cfgs.tokenizer

    def resolved(self) -> Configs:
        """The form's values through ``core.train.request.resolve`` (the CLI's path too): the preset, or
        the base model's architecture and the fine-tuning preset, with each field put in."""
        parts = {"model": "model", "train": "train", "tok": "tokenizer"}
        over: dict[str, dict[str, Any]] = {"model": {"attention": self.attention.currentText()}, "train": {}}
        over["tokenizer"] = {}
        for fields in (INT_FIELDS, FLOAT_FIELDS):
            for field, spec in fields.items():
                over[parts[spec[0]]][field] = self.value(field)
        if self._base_cfg is not None:  # fine-tuning: the base architecture; only dropout may change
            over["model"], over["tokenizer"] = {"dropout": self.value("dropout")}, {}
        cfgs = resolve(self.preset.currentText(), over, self._base_cfg)
        # checkpoints at least as often as validations, so a stop loses little
        train = replace(cfgs.train, checkpoint_every=min(cfgs.train.checkpoint_every, cfgs.train.valid_every))
        return cfgs._replace(train=train)

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("training/preset", self.preset.currentText())
        settings.setValue("training/attention", self.attention.currentText())
        settings.setValue("training/start_from", self.base_path())
        settings.setValue("training/replay", self.replay.value())
        settings.setValue("training/max_general_drop", self.max_drop.value())
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
                    box.setValue(float(value) if name in FLOAT_FIELDS else int(float(value)))
                except (TypeError, ValueError):
                    pass
        try:
            self.replay.setValue(float(settings.value("training/replay", DEFAULT_REPLAY_SHARE)))
            self.max_drop.setValue(float(settings.value("training/max_general_drop", DEFAULT_MAX_GENERAL_DROP)))
        except (TypeError, ValueError):
            pass
        base = str(settings.value("training/start_from", "") or "")
        if base and self.start_from.findData(base) >= 0:
            self.select_base(base)
        elif base:
            self._wanted_base = base  # the models are listed in a worker: chosen when they arrive
