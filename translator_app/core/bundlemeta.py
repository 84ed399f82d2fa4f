"""A bundle's ``config.json``, read without torch.

:func:`read_config` and :class:`BundleError` live here, without the torch import of the
checkpoint module (which re-exports both): the model store lists models with it on the GUI
thread, before and right after the window is first painted, where importing torch (seconds
of held GIL) would freeze the window.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from translator_app.core.filenames import CONFIG_FILE

BUNDLE_FORMAT = "translator-app-bundle"
BUNDLE_VERSION = 1


class BundleError(ValueError):
    """A model bundle that cannot be used; the message names the path and the problem."""


def read_config(path: str | Path) -> dict[str, Any]:
    """The parsed, checked ``config.json`` of a bundle (cheap: no weights are read)."""
    path = Path(path)
    cfg_path = path / CONFIG_FILE
    if not path.is_dir():
        raise BundleError(f"{path}: not a model folder")
    try:
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BundleError(f"{path}: no {CONFIG_FILE}; this is not a model bundle") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{cfg_path}: unreadable model config ({exc})") from exc
    if not isinstance(config, dict) or config.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"{cfg_path}: not a {BUNDLE_FORMAT} config")
    version = config.get("version")
    if not isinstance(version, int) or version > BUNDLE_VERSION:
        raise BundleError(
            f"{cfg_path}: bundle version {version!r} is newer than this app supports ({BUNDLE_VERSION}); update the app"
        )
    return config
