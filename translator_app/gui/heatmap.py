"""Attention heat map: rows are target subwords, columns are source subwords.

Drawn with QPainter. Labels, grid and highlights use palette colours; only the colour scale
of the cells is fixed (a perceptually uniform viridis-like ramp, readable in light and dark
themes). Hovering a cell shows its weight in a tooltip; hovering a target row (cell or label)
highlights that row and the source tokens it attends to most.

For models trained with copy attention, ``set_alignment(..., copy_probs=...)`` adds a narrow
column headed "copy" right of the grid: per output token (row), a bar as long as the
probability that the token was copied from the source (0..1, in a hue of its own, so that it
is not read as attention); its tooltip says "copied from the source: 87 %".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from translator_app.gui.widgets import display_token

_VIRIDIS = [
    (68, 1, 84),
    (72, 40, 120),
    (62, 74, 137),
    (49, 104, 142),
    (38, 130, 142),
    (31, 158, 137),
    (53, 183, 121),
    (109, 205, 89),
    (180, 222, 44),
    (253, 231, 37),
]
MIN_CELL, MAX_CELL = 12, 30
ALIGNED_FRACTION = 0.5  # a source token is "aligned" to a row when its weight >= this x row max
COPY_GAP = 8  # pixels between the grid and the copy column
COPY_HEADER = "copy"
COPY_COLOR = QColor(232, 114, 12)  # orange: no viridis colour, readable on light and dark bases
COPY_LEGEND = "copy: how likely the word was copied from the source (a name, a number) rather than translated"


def _ramp(n: int = 256) -> list[QColor]:
    out = []
    for i in range(n):
        x = i / (n - 1) * (len(_VIRIDIS) - 1)
        lo = min(int(x), len(_VIRIDIS) - 2)
        t = x - lo
        a, b = _VIRIDIS[lo], _VIRIDIS[lo + 1]
        out.append(QColor(*(round(a[k] + (b[k] - a[k]) * t) for k in range(3))))
    return out


COLORS = _ramp()


def weight_color(weight: float) -> QColor:
    return COLORS[int(max(0.0, min(1.0, weight)) * (len(COLORS) - 1))]


class HeatMap(QWidget):
    """``set_alignment(source_tokens, target_tokens, attention)`` shows one sentence."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip(
            "Attention: how much each word of the translation (row) looked at each word of the source "
            "(column). Hover a row to see its aligned source words."
        )
        self._src: tuple[str, ...] = ()
        self._tgt: tuple[str, ...] = ()
        self._att = np.zeros((0, 0), dtype=np.float32)
        self._copy: np.ndarray | None = None  # (rows,) copy probability per target token, or None
        self._message = "No translation yet"
        self.hovered_row = -1
        self.hovered_col = -1

    # ---- data --------------------------------------------------------------------------
    def set_alignment(
        self, source_tokens: Sequence[str], target_tokens: Sequence[str], attention, copy_probs=None
    ) -> None:
        """Show one sentence; ``copy_probs`` (one probability per target token) adds the copy column."""
        att = np.asarray(attention, dtype=np.float32)
        if att.ndim != 2 or att.shape != (len(target_tokens), len(source_tokens)):
            raise ValueError(
                f"attention shape {att.shape} does not match "
                f"{len(target_tokens)} target x {len(source_tokens)} source tokens"
            )
        copy = None
        if copy_probs is not None:
            copy = np.asarray(copy_probs, dtype=np.float32).reshape(-1)
            if copy.shape != (len(target_tokens),):
                raise ValueError(f"copy_probs shape {copy.shape} does not match {len(target_tokens)} target tokens")
            copy = np.clip(np.nan_to_num(copy, nan=0.0), 0.0, 1.0)
        self._src, self._tgt, self._att, self._copy = tuple(source_tokens), tuple(target_tokens), att, copy
        self._message = ""
        self.hovered_row = self.hovered_col = -1
        self.updateGeometry()
        self.update()

    def clear(self, message: str = "") -> None:
        self._src, self._tgt, self._att = (), (), np.zeros((0, 0), dtype=np.float32)
        self._copy = None
        self._message = message
        self.hovered_row = self.hovered_col = -1
        self.updateGeometry()
        self.update()

    def matrix_shape(self) -> tuple[int, int]:
        return tuple(self._att.shape)

    def tokens(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self._src, self._tgt

    def copy_probs(self) -> np.ndarray | None:
        """The copy probabilities shown in the copy column (None: no column)."""
        return None if self._copy is None else self._copy.copy()

    def has_copy_column(self) -> bool:
        return self._copy is not None and bool(self._att.size)

    def copy_legend(self) -> str:
        """The line under the grid that explains the copy column ("" without one)."""
        return COPY_LEGEND if self.has_copy_column() else ""

    def _legend_height(self) -> int:
        return QFontMetrics(self._label_font()).height() + 8 if self.has_copy_column() else 0

    def aligned_columns(self, row: int) -> list[int]:
        """Source columns that target row ``row`` attends to (weight >= half the row maximum)."""
        if not 0 <= row < self._att.shape[0]:
            return []
        weights = self._att[row]
        return [int(c) for c in np.flatnonzero(weights >= ALIGNED_FRACTION * float(weights.max()))]

    # ---- geometry --------------------------------------------------------------------------
    def _label_font(self, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        font.setBold(bold)
        return font

    def _margins(self) -> tuple[int, int]:
        fm = QFontMetrics(self._label_font(True))
        left = max((fm.horizontalAdvance(display_token(t)) for t in self._tgt), default=0) + 12
        labels = [display_token(t) for t in self._src] + ([COPY_HEADER] if self._copy is not None else [])
        top = max((fm.horizontalAdvance(label) for label in labels), default=0) + 12
        return left, top

    def _copy_extra(self, cell: int) -> int:
        """Width the copy column adds right of the grid (0 without one)."""
        return COPY_GAP + cell if self._copy is not None else 0

    def _cell(self) -> int:
        left, top = self._margins()
        rows, cols = self._att.shape
        if not rows or not cols:
            return MAX_CELL
        extra_cols = 1 if self._copy is not None else 0
        fit_w = (self.width() - left - 40 - (COPY_GAP if extra_cols else 0)) / (cols + extra_cols)
        fit_h = (self.height() - top - 8 - self._legend_height()) / rows
        return int(max(MIN_CELL, min(MAX_CELL, fit_w, fit_h)))

    def _size_for(self, cell: int) -> QSize:
        left, top = self._margins()
        rows, cols = self._att.shape
        return QSize(left + cols * cell + self._copy_extra(cell) + 48, top + rows * cell + 8 + self._legend_height())

    def copy_column_rect(self) -> QRect:
        """Where the copy column is drawn (an empty rect without one)."""
        if not self.has_copy_column():
            return QRect()
        left, top, cell = self._grid()
        rows, cols = self._att.shape
        return QRect(left + cols * cell + COPY_GAP, top, cell, rows * cell)

    def copy_row_at(self, pos: QPoint) -> int:
        """The target row whose copy bar is under ``pos``, -1 outside the copy column."""
        rect = self.copy_column_rect()
        if rect.isEmpty() or not rect.contains(pos):
            return -1
        cell = self._grid()[2]
        return min(int((pos.y() - rect.top()) // cell), self._att.shape[0] - 1)

    def sizeHint(self) -> QSize:  # noqa: N802 - a Qt override keeps its camelCase name
        return self._size_for(22) if self._att.size else QSize(300, 120)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - a Qt override keeps its camelCase name
        return self._size_for(MIN_CELL) if self._att.size else QSize(120, 60)

    def _grid(self) -> tuple[int, int, int]:
        left, top = self._margins()
        return left, top, self._cell()

    def cell_at(self, pos: QPoint) -> tuple[int, int]:
        """(row, col) under ``pos``; -1 for a coordinate outside the grid (labels count as their
        row/col; the copy column counts as its row, with col -1)."""
        left, top, cell = self._grid()
        rows, cols = self._att.shape
        copy_row = self.copy_row_at(pos)
        if copy_row >= 0:
            return copy_row, -1
        row = (pos.y() - top) // cell if pos.y() >= top else -1
        col = (pos.x() - left) // cell if pos.x() >= left else -1
        row = row if 0 <= row < rows and pos.x() < left + cols * cell else -1
        col = col if 0 <= col < cols and pos.y() < top + rows * cell else -1
        return int(row), int(col)

    # ---- painting ----------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - a Qt override keeps its camelCase name
        painter = QPainter(self)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        rows, cols = self._att.shape
        if not rows or not cols:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._message)
            return
        left, top, cell = self._grid()
        for r in range(rows):
            for c in range(cols):
                painter.fillRect(
                    QRect(left + c * cell, top + r * cell, cell, cell), weight_color(float(self._att[r, c]))
                )
        painter.setPen(QPen(pal.color(QPalette.ColorRole.Base), 1))
        for r in range(rows + 1):
            painter.drawLine(left, top + r * cell, left + cols * cell, top + r * cell)
        for c in range(cols + 1):
            painter.drawLine(left + c * cell, top, left + c * cell, top + rows * cell)
        aligned = set(self.aligned_columns(self.hovered_row))
        highlight = pal.color(QPalette.ColorRole.Highlight)
        text = pal.color(QPalette.ColorRole.Text)
        # target labels (right-aligned, left of the grid)
        for r, token in enumerate(self._tgt):
            hot = r == self.hovered_row
            painter.setFont(self._label_font(hot))
            painter.setPen(highlight if hot else text)
            painter.drawText(
                QRect(0, top + r * cell, left - 6, cell),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                display_token(token),
            )
        # source labels (rotated, above the grid)
        for c, token in enumerate(self._src):
            hot = c in aligned or c == self.hovered_col
            painter.save()
            painter.setFont(self._label_font(hot))
            painter.setPen(highlight if hot else text)
            painter.translate(left + c * cell + cell / 2, top - 6)
            painter.rotate(-90)
            painter.drawText(
                QRect(0, -cell // 2, top - 8, cell),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                display_token(token),
            )
            painter.restore()
        if self.hovered_row >= 0:
            painter.setPen(QPen(highlight, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRect(left, top + self.hovered_row * cell, cols * cell, cell))
            for c in aligned:
                painter.drawRect(QRect(left + c * cell + 2, top + self.hovered_row * cell + 2, cell - 4, cell - 4))
        if self._copy is not None:
            self._draw_copy_column(painter, left + cols * cell + COPY_GAP, top, cell)
            self._draw_copy_legend(painter, left, top + rows * cell + 6)
        self._draw_scale(painter, left + cols * cell + self._copy_extra(cell) + 14, top, max(rows * cell, 40))

    def _draw_copy_column(self, painter: QPainter, x: int, top: int, cell: int) -> None:
        """One bar per row, as long as the copy probability, under a rotated "copy" header."""
        pal = self.palette()
        rows = self._att.shape[0]
        painter.fillRect(QRect(x, top, cell, rows * cell), pal.color(QPalette.ColorRole.AlternateBase))
        for r, p in enumerate(self._copy):
            width = int(round(float(p) * (cell - 2)))
            if width > 0:
                painter.fillRect(QRect(x + 1, top + r * cell + 2, width, cell - 4), COPY_COLOR)
        painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRect(x, top, cell, rows * cell))
        for r in range(1, rows):
            painter.drawLine(x, top + r * cell, x + cell, top + r * cell)
        if self.hovered_row >= 0:
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2))
            painter.drawRect(QRect(x, top + self.hovered_row * cell, cell, cell))
        painter.save()
        font = self._label_font()
        font.setItalic(True)
        painter.setFont(font)
        painter.setPen(pal.color(QPalette.ColorRole.Text))
        painter.translate(x + cell / 2, top - 6)
        painter.rotate(-90)
        painter.drawText(
            QRect(0, -cell // 2, top - 8, cell), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, COPY_HEADER
        )
        painter.restore()

    def _draw_copy_legend(self, painter: QPainter, x: int, y: int) -> None:
        """An orange swatch and what the copy column means, under the grid."""
        painter.setFont(self._label_font())
        fm = painter.fontMetrics()
        painter.fillRect(QRect(x, y + (fm.height() - 8) // 2, 14, 8), COPY_COLOR)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        painter.drawText(x + 20, y + fm.ascent(), COPY_LEGEND)

    def _draw_scale(self, painter: QPainter, x: int, y: int, height: int) -> None:
        for i in range(height):
            painter.fillRect(QRect(x, y + i, 10, 1), weight_color(1.0 - i / max(height - 1, 1)))
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        painter.setFont(self._label_font())
        fm = painter.fontMetrics()
        painter.drawText(x + 13, y + fm.ascent(), "1")
        painter.drawText(x + 13, y + height, "0")

    # ---- interaction ---------------------------------------------------------------------------
    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - a Qt override keeps its camelCase name
        row, col = self.cell_at(event.position().toPoint())
        if (row, col) != (self.hovered_row, self.hovered_col):
            self.hovered_row, self.hovered_col = row, col
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event) -> None:  # noqa: N802 - a Qt override keeps its camelCase name
        if self.hovered_row != -1 or self.hovered_col != -1:
            self.hovered_row = self.hovered_col = -1
            self.update()
        super().leaveEvent(event)

    def copy_tooltip(self, row: int) -> str:
        """'copied from the source: 87 %' for target row ``row`` ("" without a copy column)."""
        if self._copy is None or not 0 <= row < len(self._copy):
            return ""
        return f"copied from the source: {round(float(self._copy[row]) * 100)} %"

    def tooltip_text(self, row: int, col: int) -> str:
        if row >= 0 and col >= 0:
            return f"{display_token(self._tgt[row])} → {display_token(self._src[col])}\nweight {float(self._att[row, col]):.3f}"
        if row >= 0:
            words = ", ".join(display_token(self._src[c]) for c in self.aligned_columns(row))
            return f"{display_token(self._tgt[row])} attends to: {words}"
        return ""

    def event(self, event) -> bool:
        if event.type() == event.Type.ToolTip:
            copy_row = self.copy_row_at(event.pos())
            if copy_row >= 0:
                text = self.copy_tooltip(copy_row)
            else:
                row, col = self.cell_at(event.pos())
                text = self.tooltip_text(row, col)
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            elif self._att.size:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.toolTip(), self)
            return True
        return super().event(event)
