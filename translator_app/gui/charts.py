"""Live training curves with QtCharts: training/validation loss and validation BLEU/chrF
(fine-tuning: also BLEU/chrF on the general dev set, the other side of the trade-off)."""

from __future__ import annotations

import math

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QEvent, QMargins, Qt
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget


def nice_step(span: float, ticks: int = 4, *, integer: bool = False) -> float:
    """A round tick interval (1, 2, 2.5 or 5 x 10^k) giving about ``ticks`` intervals over ``span``;
    ``integer``: a whole number (steps are counted: no 2.5, never below 1)."""
    raw = max(span, 1e-9) / ticks
    if integer:
        raw = max(raw, 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    factors = (1, 2, 5, 10) if integer and magnitude < 10 else (1, 2, 2.5, 5, 10)
    return next(m * magnitude for m in factors if m * magnitude >= raw)


class MetricChart(QChartView):
    """A chart of named series over training steps; axes grow with the data."""

    def __init__(
        self,
        title: str,
        series: list[tuple[str, bool]],
        *,
        zero_based: bool = False,
        optional: tuple[str, ...] = (),
        parent: QWidget | None = None,
    ):
        """``series``: (name, with_markers) pairs; markers suit the sparse validation points.
        ``zero_based``: the y axis starts at 0 (scores); otherwise it hugs the data (losses).
        ``optional``: series hidden (line and legend) until their first point."""
        chart = QChart()
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(100)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        chart.setTitle(title)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self._zero_based = zero_based
        self._x = QValueAxis()
        self._x.setLabelFormat("%d")
        self._y = QValueAxis()
        self._y.setLabelFormat("%.4g")
        for axis in (self._x, self._y):  # ticks at round numbers, range hugging the data
            axis.setTickType(QValueAxis.TickType.TicksDynamic)
            axis.setTickAnchor(0.0)
        chart.addAxis(self._x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self._y, Qt.AlignmentFlag.AlignLeft)
        self._series: dict[str, QLineSeries] = {}
        self._markers: dict[str, QScatterSeries] = {}
        for name, markers in series:
            line = QLineSeries()
            line.setName(name)
            chart.addSeries(line)
            line.attachAxis(self._x)
            line.attachAxis(self._y)
            if name in optional:  # the secondary measure: dashed, in its own colour
                pen = line.pen()
                pen.setStyle(Qt.PenStyle.DashLine)
                line.setPen(pen)
            self._series[name] = line
            if markers:
                dots = QScatterSeries()
                dots.setMarkerSize(7)
                dots.setColor(line.color())
                dots.setBorderColor(line.color())
                chart.addSeries(dots)
                dots.attachAxis(self._x)
                dots.attachAxis(self._y)
                chart.legend().markers(dots)[0].setVisible(False)
                self._markers[name] = dots
        self._optional = tuple(optional)
        self._highlights: dict[str, QScatterSeries] = {}  # marked points with their own legend entry
        self._bounds: list[float] | None = None
        self._apply_palette()
        self.clear()

    def add_highlight(self, name: str, size: float = 13.0) -> None:
        """A series of marked points (hollow rings around points of the other series), in the legend
        under ``name`` once it has a point."""
        ring = QScatterSeries()
        ring.setName(name)
        ring.setMarkerSize(size)
        ring.setColor(Qt.GlobalColor.transparent)
        pen = QPen(self.palette().color(QPalette.ColorRole.Text))
        pen.setWidthF(2.0)
        ring.setPen(pen)
        self.chart().addSeries(ring)
        ring.attachAxis(self._x)
        ring.attachAxis(self._y)
        ring.setVisible(False)
        self.chart().legend().markers(ring)[0].setVisible(False)
        self._highlights[name] = ring

    def add_point(self, name: str, x: float, y: float) -> None:
        if y is None or not math.isfinite(y):
            return
        if name in self._highlights:
            ring = self._highlights[name]
            ring.setVisible(True)
            self.chart().legend().markers(ring)[0].setVisible(True)
            ring.append(float(x), float(y))
            return
        if name in self._optional and not self._series[name].isVisible():
            self._set_shown(name, True)
        self._series[name].append(float(x), float(y))
        if name in self._markers:
            self._markers[name].append(float(x), float(y))
        b = self._bounds
        self._bounds = [min(b[0], x), max(b[1], x), min(b[2], y), max(b[3], y)] if b else [x, x, y, y]
        self._rescale()

    def points(self, name: str) -> list[tuple[float, float]]:
        return [(p.x(), p.y()) for p in {**self._series, **self._highlights}[name].points()]

    def is_shown(self, name: str) -> bool:
        return {**self._series, **self._highlights}[name].isVisible()

    def legend_names(self) -> list[str]:
        """The names the legend shows now."""
        return [m.label() for m in self.chart().legend().markers() if m.isVisible() and m.label()]

    def axis_labels_shown(self) -> bool:
        return self._x.labelsVisible() and self._y.labelsVisible()

    def _set_shown(self, name: str, shown: bool) -> None:
        line = self._series[name]
        line.setVisible(shown)
        self.chart().legend().markers(line)[0].setVisible(shown)
        if name in self._markers:
            self._markers[name].setVisible(shown)
            self.chart().legend().markers(self._markers[name])[0].setVisible(False)

    def clear(self) -> None:
        for series in (*self._series.values(), *self._markers.values(), *self._highlights.values()):
            series.clear()
        for name in self._optional:
            self._set_shown(name, False)
        for ring in self._highlights.values():
            ring.setVisible(False)
            self.chart().legend().markers(ring)[0].setVisible(False)
        self._bounds = None
        self._set_range(self._x, 0, 10)
        self._set_range(self._y, 0, 1)
        self._show_axis_labels(False)  # an empty chart shows no made-up numbers

    def _show_axis_labels(self, shown: bool) -> None:
        for axis in (self._x, self._y):
            axis.setLabelsVisible(shown)
            axis.setGridLineVisible(shown)

    def _set_range(self, axis: QValueAxis, lo: float, hi: float) -> None:
        axis.setRange(lo, hi)
        axis.setTickInterval(nice_step(hi - lo, integer=axis is self._x))

    def _rescale(self) -> None:
        self._show_axis_labels(True)
        x0, x1, y0, y1 = self._bounds
        self._set_range(self._x, min(0.0, x0), max(x1, x0 + 1) * 1.03)
        pad = (y1 - y0) * 0.1 or max(abs(y1) * 0.1, 0.1)
        lo = 0.0 if self._zero_based and y0 >= 0 else y0 - pad
        self._set_range(self._y, lo, y1 + pad)

    def _apply_palette(self) -> None:
        pal = self.palette()
        chart = self.chart()
        chart.setBackgroundBrush(pal.color(QPalette.ColorRole.Base))
        chart.setBackgroundPen(QPen(pal.color(QPalette.ColorRole.Mid)))
        chart.setTitleBrush(pal.color(QPalette.ColorRole.Text))
        chart.legend().setLabelColor(pal.color(QPalette.ColorRole.Text))
        for axis in (self._x, self._y):
            axis.setLabelsColor(pal.color(QPalette.ColorRole.Text))
            axis.setTitleBrush(pal.color(QPalette.ColorRole.Text))
            axis.setGridLineColor(pal.color(QPalette.ColorRole.Midlight))
            axis.setLinePenColor(pal.color(QPalette.ColorRole.Mid))
        self.setBackgroundBrush(pal.color(QPalette.ColorRole.Window))

    def changeEvent(self, event) -> None:  # noqa: N802 - a Qt override keeps its camelCase name
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)


class TrainingCharts(QWidget):
    """Loss chart (training, validation) above a score chart (BLEU, chrF)."""

    TRAIN_LOSS, VALID_LOSS, BLEU, CHRF = "training loss", "validation loss", "BLEU", "chrF"
    GENERAL_BLEU, GENERAL_CHRF = "general BLEU", "general chrF"  # fine-tuning: the base model's domain
    GENERAL_LIMIT = "general limit"  # fine-tuning: the lowest general BLEU a kept checkpoint may have
    SAVED = "saved (best BLEU)"  # rings on the validations that saved the model: it is chosen by BLEU

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.loss = MetricChart("Loss per target token, by step", [(self.TRAIN_LOSS, False), (self.VALID_LOSS, True)])
        self.scores = MetricChart(
            "Validation BLEU and chrF, by step",
            [
                (self.BLEU, True),
                (self.CHRF, True),
                (self.GENERAL_BLEU, True),
                (self.GENERAL_CHRF, True),
                (self.GENERAL_LIMIT, False),
            ],
            zero_based=True,
            optional=(self.GENERAL_BLEU, self.GENERAL_CHRF, self.GENERAL_LIMIT),
        )
        self.loss.add_highlight(self.SAVED)
        self.scores.add_highlight(self.SAVED)
        self.loss.setToolTip(
            "Training loss (mean since the previous report) and validation loss over steps; a ring marks "
            "each validation that saved the model — the model kept is the one with the best validation "
            "BLEU, not the lowest loss"
        )
        self.scores.setToolTip(
            "BLEU and chrF of greedy translations of the validation set; when fine-tuning, "
            "also of the general dev set (what the base model was good at), and the general limit: "
            "a checkpoint whose general BLEU falls below it is not kept"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss)
        layout.addWidget(self.scores)

    def add_progress(self, step: int, loss: float) -> None:
        self.loss.add_point(self.TRAIN_LOSS, step, loss)

    def add_validation(
        self,
        step: int,
        valid_loss: float,
        bleu: float,
        chrf: float,
        general_bleu: float | None = None,
        general_chrf: float | None = None,
        general_limit: float | None = None,
    ) -> None:
        self.loss.add_point(self.VALID_LOSS, step, valid_loss)
        if general_limit is not None:  # a flat line at the base model's general BLEU minus the allowed drop
            self.scores.add_point(self.GENERAL_LIMIT, step, general_limit)
        self.scores.add_point(self.BLEU, step, bleu)
        self.scores.add_point(self.CHRF, step, chrf)
        if general_bleu is not None:
            self.scores.add_point(self.GENERAL_BLEU, step, general_bleu)
        if general_chrf is not None:
            self.scores.add_point(self.GENERAL_CHRF, step, general_chrf)

    def mark_saved(self, step: int, valid_loss: float, bleu: float) -> None:
        """Ring the validation at ``step``: it saved the model (the best validation BLEU so far)."""
        self.loss.add_point(self.SAVED, step, valid_loss)
        self.scores.add_point(self.SAVED, step, bleu)

    def clear(self) -> None:
        self.loss.clear()
        self.scores.clear()
