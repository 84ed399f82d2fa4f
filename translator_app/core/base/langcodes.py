"""Language codes: the one normaliser from whatever a file, a setting or a person writes to a base code.

``"es_ES"`` / ``"pt-BR"`` / ``"sr@latin"`` / ``"EN-us"`` / ``" de "`` -> ``"es"`` / ``"pt"`` / ``"sr"`` /
``"en"`` / ``"de"``; anything that does not start with a two- or three-letter code (``"*all*"``,
``""``, junk) -> ``""``.  Used by the corpus formats (TMX / XLIFF / PO headers), language
identification, sentence splitting, number styles, augmentation and glossaries.

Imports nothing of the app: every layer may use it.
"""

from __future__ import annotations

import re

_CODE = re.compile(r"\s*([A-Za-z]{2,3})(?:$|[-_@.\s])")  # the base code, then the end or a separator


def base_code(code: str | None) -> str:
    """The lower-case base code of ``code`` ("" when it has none)."""
    match = _CODE.match(code or "")
    return match.group(1).lower() if match else ""
