"""The translation memory setting shared by the workers that load models (live translation,
documents): the folder of the memories, "" for none. A loaded Translator gets the memory of its
language pair (:meth:`~translator_app.core.translation.translator.Translator.set_memory`), so its exact matches
replace the model's output everywhere and its fuzzy ones ride along as suggestions."""

from __future__ import annotations

import logging
import threading
from typing import Any

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_folder = ""


def set_folder(folder: str) -> None:
    """Use the memories in ``folder`` ("" : none) for every model loaded from now on (thread-safe)."""
    global _folder
    with _lock:
        _folder = str(folder or "")


def folder() -> str:
    with _lock:
        return _folder


def attach(translator: Any) -> None:
    """Give ``translator`` the memory of its pair (when a folder is set and it can take one)."""
    where = folder()
    info = getattr(translator, "info", None)
    if not where or not hasattr(translator, "set_memory") or info is None or not (info.src_lang and info.tgt_lang):
        return
    from translator_app.core.adapt.memory import TranslationMemory

    try:
        translator.set_memory(TranslationMemory.open(where, info.src_lang, info.tgt_lang))
    except ValueError as exc:  # an unusable memory never stops translation
        logger.warning("Translation memory not used: %s", exc)
