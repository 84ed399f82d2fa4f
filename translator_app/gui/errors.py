"""The one place where exceptions become messages for the person using the app.

Workers signal failures with the exception object (one ``errored`` signal each, see
:mod:`translator_app.workers.base`); the window's one :class:`ErrorRelay` turns each into text with
:func:`user_message` and shows it (like napari's notification relay): in its default place, or
through the widget a failure belongs to (:meth:`ErrorRelay.to`).  Errors the app explains itself
(the core's ``CorpusError``, ``BundleError``, ``StoreError``, ``DocumentError``, ``InputTooLong``…,
the workers' ``WorkerError``\\ s; all ``ValueError`` subclasses carry a readable message) are shown
as they are; anything else is named as unexpected, with its type, so that a bug report says what
happened.  No torch here: the translator's ``InputTooLong`` is recognised only when the module that
defines it has been imported (an instance of it cannot exist otherwise).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from translator_app.core.base.cancel import Cancelled
from translator_app.core.documents import DocumentError
from translator_app.core.folders.bundlemeta import BundleError
from translator_app.core.folders.runlock import FolderBusy
from translator_app.core.library.store import StoreError
from translator_app.core.text.corpus import CorpusError
from translator_app.workers import WorkerError

logger = logging.getLogger(__name__)
OUT_OF_MEMORY = "Out of memory. Try a smaller preset, fewer batch tokens or a shorter text."
# explained errors whose text is the whole message (ValueError last: the core's checks of settings)
_EXPLAINED: tuple[type[BaseException], ...] = (
    WorkerError,
    CorpusError,
    BundleError,
    StoreError,
    DocumentError,
    FolderBusy,
    ValueError,
)


def _input_too_long() -> tuple[type[BaseException], ...]:
    translator = sys.modules.get("translator_app.core.translation.translator")
    cls = getattr(translator, "InputTooLong", None)
    return (cls,) if isinstance(cls, type) else ()


def user_message(exc: BaseException) -> str:
    """A message for the person: the exception's own text when it is a known, explained error."""
    text = str(exc).strip()
    if isinstance(exc, MemoryError):
        return OUT_OF_MEMORY
    if isinstance(exc, Cancelled):  # "cancelled after 3 of 40 segments" -> "Cancelled after 3 of 40 segments"
        if not text:
            return "Cancelled."
        return text[:1].upper() + text[1:] if text.lower().startswith("cancel") else f"Cancelled: {text}"
    if isinstance(exc, (*_input_too_long(), *_EXPLAINED)) and text:
        return text
    if isinstance(exc, OSError) and (exc.strerror or text):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or text}"
    return f"Unexpected error: {type(exc).__name__}: {exc}" if text else f"Unexpected error: {type(exc).__name__}"


class ErrorRelay(QObject):
    """The GUI's one error relay: a failure (an exception, with what failed) becomes a message here.

    :meth:`relay` shows it in the default place (``show``, e.g. the Translate tab's banner);
    :meth:`to` makes a slot that shows it through a given widget method instead (a failure that
    belongs to one panel).  Every message is also emitted on ``relayed(message, exception)`` and
    logged."""

    relayed = Signal(str, object)  # the message shown, the exception

    def __init__(self, show: Callable[[str], None] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.show = show

    def message(self, exc: BaseException, what: str = "") -> str:
        """The text for ``exc``: ``"<what>: <message>"`` (``what`` e.g. "Cannot list the models")."""
        text = user_message(exc)
        return f"{what}: {text}" if what else text

    def relay(self, exc: BaseException, what: str = "", show: Callable[[str], None] | None = None) -> str:
        """Show ``exc`` (through ``show``, else the default place); returns the message."""
        text = self.message(exc, what)
        logger.info("shown to the user: %s", text)
        self.relayed.emit(text, exc)
        target = show or self.show
        if target is not None:
            target(text)
        return text

    def to(self, show: Callable[[str], None], what: str = "") -> Callable[[BaseException], None]:
        """A slot for a worker's ``errored`` that shows its failures through ``show``."""

        def relay(exc: BaseException) -> None:
            self.relay(exc, what, show)

        return relay
