"""Loading a model for the desktop app: :func:`load_translator`, run in the translation worker.

Today this is :meth:`Translator.load` (int8 dynamic quantisation included); it is the one place
the desktop start-up path goes through, so a faster way to get a ready model (see the report of
issue 17 for what was measured) changes only here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def load_translator(path: str | Path, *, quantize: bool = True) -> Any:
    from translator_app.core.translator import Translator

    return Translator.load(path, quantize=quantize)
