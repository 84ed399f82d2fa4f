"""A bundle's ``config.json``, read without torch.

:func:`read_config` and :class:`BundleError` live here, without the torch import of the
checkpoint module (which re-exports both): the model store lists models with it on the GUI
thread, before and right after the window is first painted, where importing torch (seconds
of held GIL) would freeze the window.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any, BinaryIO

from translator_app.core.folders.filenames import CONFIG_FILE

BUNDLE_FORMAT = "translator-app-bundle"
BUNDLE_VERSION = 1
# the most a bundle file may hold: every file of a model folder is read through open_regular
MAX_CONFIG_BYTES = 1024 * 1024
MAX_TOKENIZER_BYTES = 64 * 1024 * 1024
MAX_WEIGHTS_BYTES = 4 * 1024**3
MAX_CHECKPOINT_BYTES = 16 * 1024**3  # weights + Adam's two moments + a little


class BundleError(ValueError):
    """A model bundle that cannot be used; the message names the path and the problem."""


def open_regular(path: str | Path, limit: int) -> BinaryIO:
    """``path`` opened for reading if it is a regular file (after symlinks) of at most ``limit``
    bytes; else BundleError. Opened non-blocking, so a FIFO or a device never hangs the reader,
    and checked on the open descriptor, so /dev/zero behind a link is never read."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise BundleError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BundleError(f"{path}: not a regular file (a pipe, device or folder); refused")
        if info.st_size > limit:
            raise BundleError(f"{path}: {info.st_size:,} bytes, over the limit of {limit:,} for this file; refused")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see :func:`open_regular`)."""
    with open_regular(path, limit) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise BundleError(f"{path}: over the limit of {limit:,} bytes for this file; refused")
    return data


def read_config(path: str | Path) -> dict[str, Any]:
    """The parsed, checked ``config.json`` of a bundle (cheap: no weights are read)."""
    path = Path(path)
    cfg_path = path / CONFIG_FILE
    if not path.is_dir():
        raise BundleError(f"{path}: not a model folder")
    try:
        config = json.loads(read_limited(cfg_path, MAX_CONFIG_BYTES).decode("utf-8"))
    except FileNotFoundError as exc:
        raise BundleError(f"{path}: no {CONFIG_FILE}; this is not a model bundle") from exc
    except BundleError:
        raise
    except RecursionError:
        raise BundleError(f"{cfg_path}: unreadable model config (nested too deeply)") from None
    except (OSError, ValueError) as exc:  # UnicodeDecodeError, JSONDecodeError, an integer of 5,000 digits
        raise BundleError(f"{cfg_path}: unreadable model config ({str(exc)[:200]})") from exc
    if not isinstance(config, dict) or config.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"{cfg_path}: not a {BUNDLE_FORMAT} config")
    version = config.get("version")
    if not isinstance(version, int) or version > BUNDLE_VERSION:
        raise BundleError(
            f"{cfg_path}: bundle version {version!r} is newer than this app supports ({BUNDLE_VERSION}); update the app"
        )
    return config
