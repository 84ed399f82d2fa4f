"""Where the app keeps its files.

User data (trained/imported models, training runs) lives in the platform's user data
directory, logs in its log directory and derived files (the int8 model cache) in its cache
directory (platformdirs).  ``TRANSLATOR_APP_HOME`` puts all three under one folder instead,
which the tests use to stay out of the real home directory; the GUI's settings follow it too
(:func:`settings_dir`).  Bundled models ship in
``models/`` beside the package (a checkout) or inside the frozen bundle.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "translator-app"
APP_AUTHOR = "translator-app"
DEFAULT_MODEL_NAME = "en-es"


def user_data_dir() -> Path:
    override = os.environ.get("TRANSLATOR_APP_HOME")
    base = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    base.mkdir(parents=True, exist_ok=True)
    return base


def _sub(name: str) -> Path:
    path = user_data_dir() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_models_dir() -> Path:
    return _sub("models")


def runs_dir() -> Path:
    return _sub("runs")


def memory_dir() -> Path:
    """The personal translation memories, one SQLite file per language pair (``en-es.sqlite``)."""
    return _sub("memory")


def logs_dir() -> Path:
    """Where the rotating log file goes (``translator-app.log``)."""
    override = os.environ.get("TRANSLATOR_APP_HOME")
    path = Path(override) / "logs" if override else Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_cache_dir() -> Path:
    """Files the app can always rebuild (e.g. int8-quantised copies of model weights)."""
    override = os.environ.get("TRANSLATOR_APP_HOME")
    path = Path(override) / "cache" if override else Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def settings_dir() -> Path:
    """The folder that holds the app's own configuration folder (the GUI's settings are in
    ``<settings_dir>/translator-app/Translator.ini``): ``$TRANSLATOR_APP_HOME/config`` when that is
    set, else the platform's user configuration folder (``$XDG_CONFIG_HOME`` or ``~/.config`` on
    Linux), so that two installations with different ``TRANSLATOR_APP_HOME`` never share settings."""
    override = os.environ.get("TRANSLATOR_APP_HOME")
    path = Path(override) / "config" if override else Path(platformdirs.user_config_dir())
    path.mkdir(parents=True, exist_ok=True)
    return path


def bundled_models_dir() -> Path:
    """``models/`` shipped with the app: env override, frozen bundle, or the checkout."""
    override = os.environ.get("TRANSLATOR_APP_MODELS")
    if override:
        return Path(override)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "models"
    return Path(__file__).resolve().parent.parent / "models"


def resources_dir() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def default_model_dir() -> Path:
    return bundled_models_dir() / DEFAULT_MODEL_NAME
