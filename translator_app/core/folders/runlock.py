"""One writer per model folder: an exclusive, OS-level lock on ``FOLDER/.lock``.

    with RunLock(out_dir):        # FolderBusy if another process already trains into out_dir
        ...train...

The lock is :mod:`filelock`'s (``flock`` on Unix, ``LockFileEx`` on Windows): the operating
system drops it when the holding process ends, however it ends, so a run killed with
``kill -9`` never blocks the next one.  While it holds the lock, the holder keeps a small JSON
note in the same file, ``{"pid", "host", "started", "purpose"}``, which a refused process reads
to say who is in the way; the note is emptied on release.  A note is only believed while the
lock is really held, and not when it names a process of this host that is no longer running
(a holder killed before it could write its own note leaves the previous one behind), so the
message never blames the wrong process.

Under ``torchrun`` only the process with ``RANK`` 0 writes into the folder, so only it takes
the lock; on the other ranks :class:`RunLock` is a no-op.

Importing this module does not import torch (the GUI's model store uses it).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translator_app.core.folders.filenames import LOCK_FILE

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holder:
    """Who holds a folder's lock, as its note says (fields may be empty when unknown)."""

    pid: int | None = None
    host: str = ""
    started: str = ""  # ISO 8601, UTC
    purpose: str = ""

    def describe(self) -> str:
        if self.pid is None:
            return "another process (it left no details)"
        where = f" on {self.host}" if self.host and self.host != _hostname() else ""
        since = f" since {_readable_time(self.started)}" if self.started else ""
        what = f"{self.purpose} " if self.purpose else ""
        return f"{what}process {self.pid}{where}{since}".strip()


class FolderBusy(OSError):
    """The folder is locked by another process (or another lock in this one); ``holder`` says by whom."""

    def __init__(self, folder: str | Path, holder: Holder, action: str = "train into it"):
        self.folder = Path(folder)
        self.holder = holder
        self.action = action
        super().__init__(
            f"{self.folder} is in use by {holder.describe()}. Wait until it has finished "
            f"(or stop it), then {action} again."
        )

    def __str__(self) -> str:  # OSError's own __str__ would print the args tuple
        return self.args[0]

    def __reduce__(self):  # picklable (multiprocessing, tests that run the lock in a child)
        return (type(self), (self.folder, self.holder, self.action))


def _hostname() -> str:
    try:
        return socket.gethostname()
    except OSError:  # pragma: no cover
        return ""


def _readable_time(iso: str) -> str:
    try:
        from datetime import datetime

        moment = datetime.fromisoformat(iso)
        return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    except (ValueError, TypeError, OSError):
        return iso


def _now_iso() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (True when it cannot be told)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process on Windows
        try:
            import ctypes

            kernel32 = ctypes.windll.kernel32
            handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
            if not handle:
                return False
            try:
                code = ctypes.c_ulong()
                if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                    return True
                return code.value == 259  # STILL_ACTIVE
            finally:
                kernel32.CloseHandle(handle)
        except Exception:  # noqa: BLE001 - any failure to ask Windows: assume the holder lives (never steal a lock)
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True


def _read_note(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _holder_from(note: dict[str, Any] | None) -> Holder:
    """The holder a note describes, or an anonymous one when the note cannot be trusted."""
    if not note:
        return Holder()
    try:
        pid = int(note.get("pid"))
    except (TypeError, ValueError):
        return Holder()
    host = str(note.get("host") or "")
    if (not host or host == _hostname()) and not _pid_alive(pid):
        return Holder()  # a stale note: its writer died; the live holder did not write one (yet)
    return Holder(pid, host, str(note.get("started") or ""), str(note.get("purpose") or ""))


def _rank_zero() -> bool:
    try:
        return int(os.environ.get("RANK", "0")) == 0
    except ValueError:
        return True


class RunLock:
    """Exclusive lock of ``folder`` (created if needed) for one writer; a context manager.

    ``timeout`` seconds to wait for a busy folder (0: fail at once with :class:`FolderBusy`).
    ``enabled=None`` locks only on rank 0 of a ``torchrun`` launch (``RANK``), i.e. always in a
    plain process; ``False`` makes the lock a no-op.  ``note=False`` takes the lock without
    writing the holder's note (a short check, e.g. before deleting the folder)."""

    def __init__(
        self,
        folder: str | Path,
        *,
        timeout: float = 0.0,
        purpose: str = "training",
        action: str = "train into it",
        enabled: bool | None = None,
        note: bool = True,
    ):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self.timeout = timeout
        self.purpose = purpose
        self.action = action
        self.enabled = _rank_zero() if enabled is None else enabled
        self.note = note
        self._lock: Any = None

    @property
    def locked(self) -> bool:
        return self._lock is not None and self._lock.is_locked

    def acquire(self) -> RunLock:
        if not self.enabled or self.locked:
            return self
        import filelock

        self.folder.mkdir(parents=True, exist_ok=True)
        before = _read_note(self.path)  # filelock < 3.29.8 truncates the file on every attempt
        lock = filelock.FileLock(str(self.path), thread_local=False)
        try:
            lock.acquire(timeout=self.timeout)
        except filelock.Timeout:
            after = _read_note(self.path)
            if not after and before:
                self._restore_note(before)
            holder = _holder_from(after or before)
            logger.info("%s is locked by %s", self.folder, holder.describe())
            raise FolderBusy(self.folder, holder, self.action) from None
        self._lock = lock
        if self.note:
            self._write_note({"pid": os.getpid(), "host": _hostname(), "started": _now_iso(), "purpose": self.purpose})
        logger.debug("locked %s", self.folder)
        return self

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is None or not lock.is_locked:
            return
        if self.note:
            self._write_note(None)  # emptied while still held: a later reader never sees our pid
        lock.release(force=True)
        logger.debug("unlocked %s", self.folder)

    def _write_note(self, note: dict[str, Any] | None) -> None:
        data = b"" if note is None else json.dumps(note).encode("utf-8")
        try:
            fd = os.open(self.path, os.O_WRONLY)
            try:
                os.ftruncate(fd, 0)
                os.write(fd, data)
            finally:
                os.close(fd)
        except OSError as exc:  # e.g. Windows, where the locked byte range cannot be written
            logger.debug("cannot write the lock note %s: %s", self.path, exc)

    def _restore_note(self, note: dict[str, Any]) -> None:
        """Put back a live holder's note that this failed attempt wiped (old filelock versions)."""
        if _holder_from(note).pid is not None:
            try:
                fd = os.open(self.path, os.O_WRONLY)
                try:
                    if os.fstat(fd).st_size == 0:
                        os.write(fd, json.dumps(note).encode("utf-8"))
                finally:
                    os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:  # pragma: no cover - a lock dropped without release
        try:
            self.release()
        except Exception:  # noqa: BLE001 - at interpreter exit anything may be gone; the OS frees the lock
            pass


def holder(folder: str | Path) -> Holder | None:
    """Who holds ``folder``'s lock now, or None when it is free (never creates a lock file)."""
    path = Path(folder) / LOCK_FILE
    if not path.is_file():
        return None  # nobody ever locked it: a writer always creates the file first
    try:
        probe = RunLock(folder, enabled=True, note=False)
        probe.acquire()
    except FolderBusy as exc:
        return exc.holder
    except OSError as exc:  # read-only folder or file: cannot tell, treat as free
        logger.debug("cannot probe %s: %s", path, exc)
        return None
    probe.release()
    return None
