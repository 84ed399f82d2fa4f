"""Small shared widgets and formatting helpers (no torch, palette colours only)."""

from __future__ import annotations

import enum

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QToolButton, QWidget


def language_name(code: str) -> str:
    """'es' -> 'Spanish (es)'; unknown or empty codes are shown as they are."""
    if not code:
        return "?"
    language = QLocale(code).language()
    if language in (QLocale.Language.C, QLocale.Language.AnyLanguage):
        return code
    return f"{QLocale.languageToString(language)} ({code})"


def format_duration(seconds: float | None) -> str:
    if seconds is None or seconds != seconds or seconds < 0:
        return "–"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def display_token(piece: str) -> str:
    """A SentencePiece piece for display: '▁casa' -> 'casa', 'mente' -> '·mente', ',' -> ','."""
    if piece.startswith("▁"):
        return piece[1:] or "▁"
    if piece in ("</s>", "<unk>", "<s>") or not piece[:1].isalnum():
        return piece  # specials and punctuation need no continuation mark
    return "·" + piece


class Level(enum.Enum):
    """How serious a banner's message is (it decides the icon)."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class MessageBanner(QFrame):
    """An inline message with an icon (information, warning or error) and a close button."""

    ICONS = {
        Level.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
        Level.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
        Level.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
    }

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self._icon = QLabel()
        self._text = QLabel()
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setAutoRaise(True)
        close.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_TitleBarCloseButton))
        close.setToolTip("Dismiss this message")
        close.clicked.connect(self.dismiss)
        self.close_button = close
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._text, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.level: Level | None = None  # None while no message is shown
        self.hide()

    def add_action(self, widget: QWidget) -> None:
        """Put a button (or any widget) between the message and the close button."""
        layout = self.layout()
        layout.insertWidget(layout.indexOf(self.close_button), widget, 0, Qt.AlignmentFlag.AlignTop)

    def show_message(self, text: str, level: Level = Level.ERROR) -> None:
        self.level = level
        icon = self.style().standardIcon(self.ICONS[self.level])
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self._icon.setPixmap(icon.pixmap(size, size))
        self._text.setText(text)
        self.show()

    def text(self) -> str:
        return "" if self.isHidden() else self._text.text()

    def dismiss(self) -> None:
        self.level = None
        self._text.clear()
        self.hide()
