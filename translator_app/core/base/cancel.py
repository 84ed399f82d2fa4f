"""Cancellation: one token a caller sets and a long job checks, and one exception the job raises.

A :class:`CancelToken` is thread-safe (a ``threading.Event`` inside).  The GUI or a signal handler
calls :meth:`CancelToken.cancel`; the job checks it between steps, either as a callable
(``should_stop=token``: a token is a ``Callable[[], bool]``, so it fits every ``should_stop``
parameter of the core) or as an event (``cancel=token``, documents); a job that stops early raises
:class:`Cancelled` with a message saying how far it got and what was not written (documents,
adaptation), or ends with a ``stopped`` event (training).
It also answers ``set()`` / ``is_set()`` / ``clear()``, so code written for a ``threading.Event``
accepts it unchanged.

Torch-free and Qt-free: every layer may use it.
"""

from __future__ import annotations

import threading


class Cancelled(Exception):
    """A job stopped because it was asked to; its text says how far it got (nothing half-written)."""


class CancelToken:
    """Set once by whoever wants a job stopped; read by the job between its steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop (thread-safe; the job stops at its next check)."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:
        """The token as a ``should_stop`` callable."""
        return self._event.is_set()

    def reset(self) -> None:
        """Make the token usable for the next job (a worker reuses one token per job it runs)."""
        self._event.clear()

    # the threading.Event interface, for code written against one
    set = cancel
    clear = reset

    def is_set(self) -> bool:
        return self._event.is_set()
