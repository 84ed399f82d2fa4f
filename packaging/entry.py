"""Entry script of the frozen (PyInstaller) app: ``translator-app [--self-test | gui | train | translate | evaluate]``.

Both executables of the bundle run this script: ``translator-app`` (windowed on Windows and
macOS) and, on Windows/macOS, ``translator-app-cli`` (console).  Everything else lives in
:mod:`translator_app.cli`.
"""

import multiprocessing
import os
import sys


def _ensure_streams() -> None:
    """A windowed Windows executable starts with ``sys.stdout``/``sys.stderr`` set to None;
    tqdm, print and logging would then raise.  Send them to the null device instead."""
    for name in ("stdin", "stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "r" if name == "stdin" else "w", encoding="utf-8"))


if __name__ == "__main__":
    # torch's DataLoader workers and any multiprocessing child re-run this executable;
    # freeze_support() turns such a child into the worker instead of a second app.
    multiprocessing.freeze_support()
    _ensure_streams()

    from translator_app.cli import main

    sys.exit(main(sys.argv[1:]))
