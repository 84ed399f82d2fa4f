"""The command line that runs ``translator-app ARGS`` in a child process, from a checkout or from
the packaged (PyInstaller) app. No Qt, no torch.

From a checkout (or an installed package) ``sys.executable`` is Python: the child is
``python -m translator_app ARGS``. In the frozen app ``sys.executable`` is the app binary, which
has no ``-m``: its entry script (``packaging/entry.py``) hands its arguments straight to
:func:`translator_app.cli.main`, so the child is ``BINARY ARGS``. On Windows and macOS the bundle
has a console sibling, ``translator-app-cli`` (``packaging/translator_app.spec``), whose standard
output a parent can read (the windowed ``translator-app.exe`` has none): it is preferred when present.
"""

from __future__ import annotations

import sys
from pathlib import Path

CLI_BINARY = "translator-app-cli"  # the console executable of the bundle (Windows, macOS)


def frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def child_command(args: list[str] | tuple[str, ...], executable: str | None = None) -> list[str]:
    """``[program, ...]`` that runs ``translator-app *args``; ``executable``: the Python (or, frozen,
    the app binary) to use instead of ``sys.executable``."""
    exe = executable or sys.executable
    if not frozen():
        return [exe, "-m", "translator_app", *args]
    path = Path(exe)
    console = path.with_name(CLI_BINARY + path.suffix)  # translator-app.exe -> translator-app-cli.exe
    if console != path and console.is_file():
        return [str(console), *args]
    return [exe, *args]
