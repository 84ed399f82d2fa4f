"""A bundle's replay set: a compact sample of the pairs it was trained on (``replay.tsv.gz``).

Fine-tuning mixes general pairs into the in-domain ones so the model keeps what it knew
(core/train/finetune.py). An installed app has no training corpus, so every bundled model carries a
sample of its own: ``source<TAB>target`` lines, gzip-compressed, a uniform sample of the training
file's lines (a corpus built with ``--repeat`` keeps its weights: its sources stay in their
training proportions). ``scripts/add_replay_set.py`` adds one to a bundle and records it in
``config.json`` ``meta["replay"]`` (``file``, ``pairs``, ``bytes``, ``sha256``, ``source``).

A bundle from someone else is untrusted, and so is its replay set: :func:`read_replay` refuses a
file over :data:`MAX_FILE_BYTES`, inflates at most :data:`MAX_TEXT_BYTES` (a gzip bomb stops
there), accepts strict UTF-8 ``source<TAB>target`` lines only, at most :data:`MAX_PAIRS` of them
and :data:`MAX_CHARS` characters a side, and checks the size and SHA-256 its bundle recorded.

:func:`find_replay` says where fine-tuning finds general pairs: a file given, else the bundle's
replay set, else the base run's ``data/train.tsv``. No torch at import time (the GUI asks too).
"""

from __future__ import annotations

import gzip
import hashlib
import random
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from translator_app.core.folders.runfolder import REPLAY_FILE, RunFolder
from translator_app.core.text.corpus import CorpusError

DEFAULT_PAIRS = 40_000  # enough for ~10 epochs of fresh general pairs beside a few thousand in-domain ones
MAX_FILE_BYTES = 32 * 1024**2  # compressed
MAX_TEXT_BYTES = 128 * 1024**2  # inflated
MAX_PAIRS = 250_000
MAX_CHARS = 1000  # a side; DataConfig.max_chars


def _fail(path: Path, reason: str, line: int | None = None) -> CorpusError:
    return CorpusError(path, line, f"replay set: {reason}")


def read_replay(path: str | Path, recorded: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """The pairs of a replay file, checked (see the module doc); ``recorded``: the bundle's
    ``meta["replay"]`` (its ``bytes``, ``sha256`` and ``pairs`` must match when given)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _fail(path, f"cannot read ({exc.strerror or exc})") from exc
    if len(data) > MAX_FILE_BYTES:
        raise _fail(path, f"larger than {MAX_FILE_BYTES // 1024**2} MiB")
    recorded = recorded if isinstance(recorded, dict) else {}
    if recorded.get("bytes") is not None and recorded["bytes"] != len(data):
        raise _fail(path, f"{len(data)} bytes, but the model's config.json records {recorded['bytes']}")
    if recorded.get("sha256") and recorded["sha256"] != hashlib.sha256(data).hexdigest():
        raise _fail(path, "its SHA-256 is not the one the model's config.json records (a changed or damaged file)")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip, one member
    try:
        raw = inflater.decompress(data, MAX_TEXT_BYTES + 1)
    except zlib.error as exc:
        raise _fail(path, f"not a gzip file ({exc})") from exc
    if len(raw) > MAX_TEXT_BYTES:
        raise _fail(path, f"inflates to more than {MAX_TEXT_BYTES // 1024**2} MiB")
    if not inflater.eof or inflater.unused_data:
        raise _fail(path, "truncated, or more than one gzip member")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(path, f"not UTF-8 text (byte {exc.start})") from exc
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) > MAX_PAIRS:
        raise _fail(path, f"more than {MAX_PAIRS:,} pairs")
    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(lines, 1):
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise _fail(path, "expected one source<TAB>target pair", number)
        if max(len(parts[0]), len(parts[1])) > MAX_CHARS or "\x00" in line or "\r" in line:
            raise _fail(path, f"a side over {MAX_CHARS} characters, or a control character", number)
        pairs.append((unicodedata.normalize("NFC", parts[0]), unicodedata.normalize("NFC", parts[1])))
    if not pairs:
        raise _fail(path, "no pairs")
    if recorded.get("pairs") is not None and recorded["pairs"] != len(pairs):
        raise _fail(path, f"{len(pairs)} pairs, but the model's config.json records {recorded['pairs']}")
    return pairs


def encode_replay(pairs: Iterable[tuple[str, str]]) -> bytes:
    """The gzip bytes of ``pairs`` (deterministic: no time stamp, no file name)."""
    text = "".join(f"{s}\t{t}\n" for s, t in pairs)
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def sample_pairs(
    pairs: Sequence[tuple[str, str]], n: int, seed: int, exclude_sources: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """A uniform, seeded sample of ``n`` of ``pairs`` (repeated lines keep their weight), in file
    order, leaving out pairs whose source is in ``exclude_sources`` (a bundle's test split) and
    pairs a replay file cannot hold (a tab, a line end, an empty or over-long side)."""
    exclude = set(exclude_sources)
    usable = [
        i
        for i, (s, t) in enumerate(pairs)
        if s not in exclude
        and s.strip()
        and t.strip()
        and max(len(s), len(t)) <= MAX_CHARS
        and not any(c in s + t for c in "\t\n\r\x00")
    ]
    chosen = sorted(random.Random(seed).sample(usable, min(n, len(usable))))
    return [pairs[i] for i in chosen]


def replay_record(data: bytes, pairs: int, source: dict[str, Any] | None = None) -> dict[str, Any]:
    """What ``config.json`` ``meta["replay"]`` says of a replay file."""
    return {
        "file": REPLAY_FILE,
        "pairs": pairs,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        **({"source": source} if source else {}),
    }


def _is_run_data(path: Path) -> bool:
    """A training run's own data/train.tsv: already augmented and masked, not to be masked again."""
    run = RunFolder(path.parent.parent)
    return path == run.data_file("train") and run.run_file.is_file()


def find_replay(base: Path, meta: dict[str, Any], replay_corpus: str | None) -> tuple[Path, bool] | None:
    """(general data file, whether it is a run's prepared data) or None when there is none: the
    file given, else the bundle's replay set, else the base run's data/train.tsv."""
    if replay_corpus:
        path = Path(replay_corpus)
        if path.is_dir():
            path = RunFolder(path).data_file("train")
            if not path.is_file():
                raise CorpusError(
                    replay_corpus,
                    None,
                    "a folder given as replay corpus must be a training run folder (with data/train.tsv)",
                )
            return path, True
        if not path.is_file():
            raise CorpusError(replay_corpus, None, "replay corpus not found")
        return path, _is_run_data(path)
    if (base / REPLAY_FILE).is_file():
        return base / REPLAY_FILE, False
    for folder in (meta.get("run"), base):
        if folder:
            path = RunFolder.at(str(folder)).data_file("train")
            if path.is_file():
                return path, True
    return None
