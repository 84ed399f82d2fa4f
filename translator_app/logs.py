"""Logging set-up shared by the desktop app and the command line.

Every module logs through its own ``logging.getLogger(__name__)``; this module only decides
where records go:

* a rotating file, ``translator-app.log`` in :func:`translator_app.paths.logs_dir`
  (1 MB × 3 backups), at INFO (DEBUG with ``verbose``), tracebacks included;
* standard error: warnings and errors as one line each (the traceback is in the file), or
  everything at DEBUG, tracebacks included, with ``verbose`` (``translator-app --verbose``).

:func:`setup_logging` may be called more than once (``cli.main`` → ``app.main``, tests): it
replaces the handlers it installed before instead of adding more.  A log folder that cannot be
written never stops the app: the file handler is then left out.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from pathlib import Path

LOG_FILE = "translator-app.log"
MAX_BYTES = 1_000_000
BACKUPS = 3
FILE_FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(threadName)s %(name)s: %(message)s"

_MARK = "_translator_app_handler"  # attribute set on the handlers this module owns
_state: dict[str, object] = {"path": None}

logger = logging.getLogger(__name__)


class _RotatingFile(logging.handlers.RotatingFileHandler):
    """Opened on the first record; a failing write (folder removed, disk full) is dropped
    silently instead of printing "--- Logging error ---" blocks into the user's terminal."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - a Qt override keeps its camelCase name
        pass


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of the record (pytest swaps it per test)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


class _OneLine(logging.Formatter):
    """``translator-app: warning: message`` without the traceback (the log file has it)."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def log_file() -> Path | None:
    """The file records go to (None before :func:`setup_logging`, or when it could not be opened)."""
    path = _state["path"]
    return path if isinstance(path, Path) else None


def setup_logging(verbose: bool = False, *, log_dir: str | Path | None = None, stderr: bool = True) -> Path | None:
    """Install the file and stderr handlers on the root logger; returns the log file's path."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
        handler.close()
    level = logging.DEBUG if verbose else logging.INFO
    path: Path | None = None
    try:
        if log_dir is None:
            from translator_app import paths

            folder = paths.logs_dir()
        else:
            folder = Path(log_dir)
            folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOG_FILE
        file_handler = _RotatingFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
        file_handler.setLevel(level)
        file_handler.setFormatter(logging.Formatter(FILE_FORMAT))
        setattr(file_handler, _MARK, True)
        root.addHandler(file_handler)
    except OSError as exc:  # read-only home, full disk: run without a log file
        print(f"translator-app: warning: no log file ({exc})", file=sys.stderr)
        path = None
    if stderr:
        console = _Stderr()
        if verbose:
            console.setLevel(logging.DEBUG)
            console.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
        else:
            console.setLevel(logging.WARNING)
            console.setFormatter(_OneLine("translator-app: %(levelname)s: %(message)s"))
        setattr(console, _MARK, True)
        root.addHandler(console)
    root.setLevel(level)
    for name in ("PIL", "matplotlib", "urllib3", "filelock", "faker", "asyncio"):  # chatty libraries
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)
    _state["path"] = path
    logger.debug("logging to %s (pid %d, verbose=%s)", path, os.getpid(), verbose)
    return path


def install_excepthooks() -> None:
    """Log uncaught exceptions (main thread, other threads, Qt slots) before Python prints them."""
    previous = sys.excepthook

    def hook(kind, value, tb):  # pragma: no cover - exercised by real crashes
        if not issubclass(kind, KeyboardInterrupt):
            logging.getLogger("translator_app").critical("Uncaught exception", exc_info=(kind, value, tb))
        previous(kind, value, tb)

    if not getattr(sys.excepthook, _MARK, False):
        setattr(hook, _MARK, True)
        sys.excepthook = hook
    previous_thread = threading.excepthook

    def thread_hook(args):  # pragma: no cover
        if args.exc_type is not SystemExit:
            name = args.thread.name if args.thread is not None else "?"
            logging.getLogger("translator_app").critical(
                "Uncaught exception in thread %s", name, exc_info=(args.exc_type, args.exc_value, args.exc_traceback)
            )
        previous_thread(args)

    if not getattr(threading.excepthook, _MARK, False):
        setattr(thread_hook, _MARK, True)
        threading.excepthook = thread_hook
