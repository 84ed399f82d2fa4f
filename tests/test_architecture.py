"""Layering rules: core never imports Qt nor translator_app.paths; gui never imports torch (checked in fresh
interpreters)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import translator_app.core

CORE_MODULES = sorted(m.name for m in pkgutil.walk_packages(translator_app.core.__path__, "translator_app.core."))
CORE_PARTS = ("adapt", "base", "documents", "folders", "library", "model", "text", "train", "translation")


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + "print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_core_modules_found():
    assert (
        "translator_app.core.train.training" in CORE_MODULES
        and "translator_app.core.translation.translator" in CORE_MODULES
    )


def test_core_never_imports_qt():
    loaded = _loaded_after_import(CORE_MODULES + ["translator_app.cli", "translator_app.paths"])
    qt = sorted(m for m in loaded if m.split(".")[0] in {"PySide6", "shiboken6", "PyQt5", "PyQt6"})
    assert not qt, f"core pulled in Qt: {qt}"
    assert "torch" in loaded  # the check itself works: core does import torch


def test_core_never_imports_paths():
    """Only the entry points read translator_app.paths; the core takes every folder as an argument."""
    assert "translator_app.paths" not in _loaded_after_import(CORE_MODULES)


def test_gui_never_imports_torch():
    import translator_app

    gui_dir = translator_app.__path__[0] + "/gui"
    mods = [f"translator_app.gui.{m.name}" for m in pkgutil.iter_modules([gui_dir])]
    if not mods:
        return
    loaded = _loaded_after_import(mods)
    assert "torch" not in loaded, "a gui module imports torch (directly or through the core)"


def test_import_linter_contracts():
    """The same rules, statically, as import-linter contracts declared in pyproject.toml."""
    import os
    import shutil

    exe = shutil.which("lint-imports", path=os.path.dirname(sys.executable))
    assert exe, "import-linter is part of the test extras"
    proc = subprocess.run([exe], capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "7 kept, 0 broken" in proc.stdout
