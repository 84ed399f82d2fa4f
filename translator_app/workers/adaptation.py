"""Adaptation in the background: ``translator-app memory adapt --json`` as a child process.

A child process (not a thread) because the training must run at low priority and with its own
torch thread count, neither of which can be set for one thread of the app: the command lowers its
own priority (nice 10) and trains in a grandchild at nice 19 (:mod:`translator_app.core.adapt.adaptation`).
Its JSON events come back as signals: ``status`` (text), ``progress`` (0..1), ``done`` (the new
:class:`~translator_app.core.adapt.adaptation.Version`) or ``errored`` (the exception: the one failure
path of every worker, see :mod:`translator_app.workers.base`).
"""

from __future__ import annotations

import json

from PySide6.QtCore import QObject, QProcess, Signal

from translator_app.core.base.child import child_command


class AdaptationFailed(RuntimeError):
    pass


class AdaptationProcess(QObject):
    status = Signal(str)
    progress = Signal(float)
    done = Signal(object)  # core.adapt.adaptation.Version
    errored = Signal(object)  # the exception
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, program: str | None = None):
        super().__init__(parent)
        self.program = program
        self._proc: QProcess | None = None
        self._buffer = b""
        self._result = None

    @property
    def running(self) -> bool:
        return self._proc is not None

    def start(self, src: str, tgt: str, minutes: float = 2.0, threads: int = 2, extra: tuple[str, ...] = ()) -> bool:
        """Start an adaptation of the ``src``-``tgt`` model; False when one already runs."""
        if self._proc is not None:
            return False
        proc = QProcess(self)
        args = ["memory", "adapt", "--src", src, "--tgt", tgt, "--json", "--minutes", f"{minutes:g}"]
        cmd = child_command([*args, "--threads", str(threads), *extra], self.program)  # (frozen: the app binary)
        proc.setProgram(cmd[0])
        proc.setArguments(cmd[1:])
        proc.readyReadStandardOutput.connect(self._read)
        proc.finished.connect(self._finished)
        proc.errorOccurred.connect(self._error)
        self._proc, self._buffer, self._result = proc, b"", None
        proc.start()
        self.running_changed.emit(True)
        return True

    def cancel(self) -> None:
        if self._proc is not None:
            self._proc.terminate()

    def _read(self) -> None:
        self._buffer += bytes(self._proc.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            kind = record.pop("event", "")
            if kind == "AdaptStatus":
                self.status.emit(str(record.get("message", "")))
            elif kind == "AdaptProgress":
                self.progress.emit(float(record.get("fraction", 0.0)))
            elif kind == "AdaptDone":
                from translator_app.core.adapt.adaptation import version_from_dict

                self._result = version_from_dict(record["version"])

    def _finished(self, code: int, _status=None) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        self._read_rest(proc)
        err = bytes(proc.readAllStandardError()).decode("utf-8", "replace").strip().splitlines()
        proc.deleteLater()
        self.running_changed.emit(False)
        if self._result is not None and code == 0:
            self.done.emit(self._result)
        else:
            detail = " ".join(err[-3:]) or f"exit code {code}"
            self.errored.emit(AdaptationFailed(f"The adaptation did not finish: {detail}"))

    def _read_rest(self, proc: QProcess) -> None:
        self._proc = proc
        self._read()
        self._proc = None

    def _error(self, error) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            proc, self._proc = self._proc, None
            if proc is not None:
                proc.deleteLater()
            self.running_changed.emit(False)
            self.errored.emit(
                AdaptationFailed(f"The adaptation could not start ({child_command([], self.program)[0]})")
            )
