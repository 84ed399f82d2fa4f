"""Source tags: one network for both directions (issue #28), told the target language by a tag.

A bidirectional run trains on ``"⇨es " + english<TAB>spanish`` and ``"⇨en " + spanish<TAB>english``
rows (scripts/bidirectional_corpus.py) with the tags as atomic SentencePiece pieces
(``TokenizerConfig.symbols``, ``train --tokenizer-symbols ⇨es,⇨en``). Each direction then ships as
its own bundle whose ``meta["source_tag"]`` names its tag (scripts/split_bidirectional.py); the
decoding path (core/translation/pipeline.py) puts the tag's ids before every piece the encoder reads.
Since ``encode(tag + " " + text) == encode(tag) + encode(text)`` for an atomic tag, that is exactly
what training saw for the tagged row, while sentence splitting, masking and names never see the tag.

Torch-free.
"""

from __future__ import annotations

from collections.abc import Sequence

from translator_app.core.text.tokenizer import UNK_ID, TokenizerError

DEFAULT_TAGS = ("\u21e8es", "\u21e8en")  # ⇨es: into Spanish (en→es rows), ⇨en: into English (es→en rows)
META_KEY = "source_tag"  # a bundle's meta: the tag its decoding puts before every source
SYMBOLS_KEY = "tokenizer_symbols"  # a run's meta: the symbols its tokenizer was trained with (TokenizerConfig)


def tag_ids(sub, tag: str) -> tuple[int, ...]:
    """The ids ``sub`` (a SubwordModel) encodes ``tag`` to: its word-start piece "▁" (when the vocabulary
    splits it off) and the tag's own piece. TokenizerError unless the tag is one atomic piece."""
    ids = tuple(sub.encode(tag)) if tag and not any(ch.isspace() for ch in tag) else ()
    pieces = sub.pieces(ids)
    if not ids or pieces[-1] != tag or ids[-1] == UNK_ID or pieces[:-1] not in ([], ["\u2581"]):
        raise TokenizerError(
            f"the source tag {tag!r} is not one piece of this vocabulary ({' '.join(pieces) or 'nothing'}); "
            "the model was not trained with it (train --tokenizer-symbols)"
        )
    return ids


def split_tag(text: str, tags: Sequence[str]) -> tuple[str, str]:
    """(the tag ``text`` starts with, the rest): ``"⇨es Hello"`` -> ("⇨es", "Hello"); ("", text) when it
    starts with none of ``tags`` followed by white space."""
    for tag in tags:
        if tag and text.startswith(tag) and text[len(tag) : len(tag) + 1].isspace():
            return tag, text[len(tag) :].lstrip()
    return "", text
