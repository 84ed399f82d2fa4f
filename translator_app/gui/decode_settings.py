"""The search settings of the Translate tab: :class:`DecodeControls` (the beam box and a
"Decoding…" button opening :class:`DecodeSettingsDialog`: length penalty, length bound, n-gram
blocking), stored in QSettings.

The values are one :class:`~translator_app.core.model.decoding.DecodeConfig` (its defaults are the
only defaults); the Translate tab adds its beam and passes the config with every request, the
document dialog starts from it. Stored under ``translate/alpha``, ``translate/max_ratio`` and
``translate/no_repeat_ngram`` beside ``translate/beam``.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSettings, QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QWidget,
)

from translator_app.core.model.decoding import LIVE, MAX_RATIO, DecodeConfig

KEYS = {"alpha": "translate/alpha", "max_ratio": "translate/max_ratio", "no_repeat_ngram": "translate/no_repeat_ngram"}


def load(settings: QSettings, beam_size: int) -> DecodeConfig:
    """The stored settings with ``beam_size``; a missing or invalid value takes its default."""
    config = LIVE.with_beam(beam_size)
    for name, key in KEYS.items():
        raw = settings.value(key)
        if raw is None:
            continue
        try:
            config = replace(config, **{name: type(getattr(LIVE, name))(float(raw))})
        except (TypeError, ValueError):
            continue  # (an edited settings file: the default stays)
    return config


def save(settings: QSettings, config: DecodeConfig) -> None:
    for name, key in KEYS.items():
        settings.setValue(key, getattr(config, name))


class DecodeSettingsDialog(QDialog):
    """Length penalty, length bound and n-gram blocking of ``config``; :meth:`config` reads them back."""

    def __init__(self, config: DecodeConfig, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Decoding settings")
        self._beam = config.beam_size
        self.alpha = QDoubleSpinBox()
        self.alpha.setRange(0.0, 2.0)
        self.alpha.setSingleStep(0.1)
        self.alpha.setValue(config.alpha)
        self.alpha.setToolTip("Length penalty: 0 favours short translations, 1 (default) scores per word")
        self.max_ratio = QDoubleSpinBox()
        self.max_ratio.setRange(0.5, MAX_RATIO)
        self.max_ratio.setSingleStep(0.5)
        self.max_ratio.setValue(config.max_ratio)
        self.max_ratio.setToolTip("A translation has at most this many times the source's subwords, plus 10")
        self.no_repeat = QSpinBox()
        self.no_repeat.setRange(1, 16)  # 1 shows "off" (0): blocking needs at least 2 subwords
        self.no_repeat.setSpecialValueText("off")
        self.no_repeat.setValue(config.no_repeat_ngram or 1)
        self.no_repeat.setToolTip("No sequence of this many subwords twice in one translation (stops loops)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Length penalty (alpha)", self.alpha)
        form.addRow("Maximum length ratio", self.max_ratio)
        form.addRow("Block repeated n-grams", self.no_repeat)
        form.addRow(buttons)

    def config(self) -> DecodeConfig:
        ngram = self.no_repeat.value()
        return DecodeConfig(
            beam_size=self._beam,
            alpha=round(self.alpha.value(), 2),
            max_ratio=round(self.max_ratio.value(), 2),
            no_repeat_ngram=0 if ngram < 2 else ngram,
        )


class DecodeControls(QWidget):
    """The Translate tab's beam box and "Decoding…" button; :meth:`config` is the DecodeConfig
    of both. ``changed`` when either changes (the tab translates again)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rest = LIVE  # the knobs besides the beam
        label = QLabel("&Beam:")
        self.beam = QSpinBox()
        self.beam.setRange(1, 12)
        self.beam.setSpecialValueText("1 (greedy)")
        self.beam.setToolTip("Beam size: 1 is fastest (greedy); larger beams search more translations")
        label.setBuddy(self.beam)
        self.beam.valueChanged.connect(lambda _v: self.changed.emit())
        self.button = QToolButton()
        self.button.setText("Decoding…")
        self.button.setToolTip("Length penalty, length bound and n-gram blocking of the search")
        self.button.clicked.connect(self.edit)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (label, self.beam, self.button):
            row.addWidget(widget)

    def config(self) -> DecodeConfig:
        return self._rest.with_beam(self.beam.value())

    def edit(self) -> None:
        dialog = DecodeSettingsDialog(self.config(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._rest = dialog.config()
            self.changed.emit()

    def save(self, settings: QSettings) -> None:
        settings.setValue("translate/beam", self.beam.value())
        save(settings, self._rest)

    def restore(self, settings: QSettings) -> None:
        with QSignalBlocker(self.beam):
            self.beam.setValue(int(settings.value("translate/beam", LIVE.beam_size)))
        self._rest = load(settings, self.beam.value())
