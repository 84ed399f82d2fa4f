"""A training run folder and a model bundle on disk: every file name, every read and write.

A run folder holds the run's ``run.json`` (configs, metadata, the corpus it reads), ``history.jsonl``
(:mod:`~translator_app.core.folders.run_history`), ``data/`` (the splits as TSV, the source of each
training pair when the run samples by source, and the run's own tokenizer), the resumable ``checkpoint.pt`` (written by :mod:`~translator_app.core.train.train_state`
through :func:`atomic_write_bytes`), the ``.lock`` (:mod:`~translator_app.core.folders.runlock`) and, once
a validation was the best so far, the bundle (``config.json``, ``tokenizer.model`` or
``source.model`` + ``target.model``, ``weights.pt``; :mod:`~translator_app.core.model.checkpoint`).

Every file is written by the one atomic writer here: a temporary file in the same folder,
fsync, ``os.replace``, fsync of the folder; a crash leaves the old file or the new one, never
a torn one. Imports no torch (the GUI reads run folders through this module); the corpus and
tokenizer modules are imported only by the functions that need them.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from translator_app.core.folders.filenames import (  # noqa: F401  (re-exported: the names live in one place)
    BUNDLE_NAMES,
    CONFIG_FILE,
    DATA_DIR,
    DDP_CHECK_FILE,
    GENERAL_FILE,
    GENERAL_SPLIT,
    HISTORY_FILE,
    JOINT_TOKENIZER,
    LOCK_FILE,
    REPLAY_FILE,
    RUN_FILE,
    SHIPPED_TEST_FILE,
    SOURCE_TOKENIZER,
    SPLIT_NAMES,
    TARGET_TOKENIZER,
    TRAIN_SOURCES_FILE,
    TRAIN_STATE_FILE,
    WEIGHTS_FILE,
)

Pairs = list[tuple[str, str]]

_UMASK = os.umask(0)
os.umask(_UMASK)


# ---- the one atomic writer ----------------------------------------------------------------------


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[IO[bytes]]:
    """A binary file to write ``path`` through: a temporary file in the same folder, fsynced and
    renamed over ``path`` when the block ends without an exception (else removed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the usual permissions
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None and exc.errno is not None:
            raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
        raise
    fsync_dir(path.parent)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_file(path) as handle:
        handle.write(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, data: Any) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False))


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (a no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---- tokenizers in a folder ---------------------------------------------------------------------


def load_tokenizers(folder: str | Path, joint: bool | None = None, read: Callable[[Path], bytes] | None = None):
    """The SentencePiece model(s) in ``folder`` as :class:`~translator_app.core.text.tokenizer.Tokenizers`
    (the one loader of a bundle's, a base model's and a run's tokenizer). ``joint``: None = joint
    when ``tokenizer.model`` is there; ``read``: how a file is read (the bundle loader bounds it)."""
    from translator_app.core.text.tokenizer import SubwordModel, Tokenizers

    folder = Path(folder)
    read = read or Path.read_bytes
    if joint is None:
        joint = (folder / JOINT_TOKENIZER).exists()
    if joint:
        model = SubwordModel(read(folder / JOINT_TOKENIZER))
        return Tokenizers(model, model)
    return Tokenizers(SubwordModel(read(folder / SOURCE_TOKENIZER)), SubwordModel(read(folder / TARGET_TOKENIZER)))


def tokenizer_files(tok) -> list[tuple[str, bytes]]:
    """(file name, bytes) of each SentencePiece model of ``tok`` (a Tokenizers)."""
    if tok.joint:
        return [(JOINT_TOKENIZER, tok.source.model_bytes)]
    return [(SOURCE_TOKENIZER, tok.source.model_bytes), (TARGET_TOKENIZER, tok.target.model_bytes)]


def bundle_files(path: str | Path) -> list[Path]:
    """The files that make up the bundle in ``path`` (what export and copy take)."""
    path = Path(path)
    return [path / name for name in BUNDLE_NAMES if (path / name).is_file()]


# ---- a run folder -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunFolder:
    """The files of one training run (``path`` may not exist yet)."""

    path: Path

    @classmethod
    def at(cls, path: str | Path) -> RunFolder:
        return cls(Path(path))

    @property
    def run_file(self) -> Path:
        return self.path / RUN_FILE

    @property
    def state_file(self) -> Path:
        return self.path / TRAIN_STATE_FILE

    @property
    def history_file(self) -> Path:
        return self.path / HISTORY_FILE

    @property
    def data_dir(self) -> Path:
        return self.path / DATA_DIR

    def data_file(self, name: str) -> Path:
        """``data/NAME.tsv`` (``train``, ``valid``, ``test``, ``general``)."""
        return self.data_dir / f"{name}.tsv"

    def has_checkpoint(self) -> bool:
        return self.state_file.exists()

    # -- run.json

    def read_run(self) -> dict[str, Any]:
        """``run.json``, its metadata with the corpus path in it (as the bundles carry it). Raises
        OSError or ValueError."""
        run = json.loads(self.run_file.read_text(encoding="utf-8"))
        if not isinstance(run, dict):
            raise ValueError(f"{self.run_file}: not a JSON object")
        meta = run.get("meta") if isinstance(run.get("meta"), dict) else {}
        path, _ = _corpus_of(run)
        run["meta"] = {**meta, "corpus": path} if path and "corpus" not in meta else meta
        return run

    def corpus(self) -> tuple[str, str | None]:
        """The corpus the run reads (path, target path or None); ("", None) when unknown. Reads
        both layouts: the ``corpus`` pair (always written) and the older ``meta.corpus``."""
        try:
            return _corpus_of(json.loads(self.run_file.read_text(encoding="utf-8")))
        except (OSError, ValueError, AttributeError):
            return "", None

    def write_run(
        self, configs: dict[str, dict[str, Any]], meta: dict[str, Any], corpus: tuple[str, str | None]
    ) -> None:
        """``configs``: "model", "train", "tokenizer", "data" as dicts. The corpus is stored once
        (the ``corpus`` pair), not again in the metadata."""
        run = {**configs, "meta": _without_corpus(meta), "corpus": [corpus[0], corpus[1]]}
        atomic_write_json(self.run_file, run)

    def update_meta(self, meta: dict[str, Any]) -> None:
        """Replace the metadata in ``run.json`` (e.g. the base model's scores measured at step 0)."""
        run = json.loads(self.run_file.read_text(encoding="utf-8"))
        run["meta"] = _without_corpus(meta)
        atomic_write_json(self.run_file, run)

    # -- data/

    def write_split(self, parts: dict[str, Pairs]) -> None:
        """Each named list of pairs as ``data/NAME.tsv`` (atomically)."""
        for name, pairs in parts.items():
            with atomic_file(self.data_file(name)) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
                for src, tgt in pairs:  # as corpus.write_tsv writes them
                    text.write(f"{src}\t{tgt}\n")
                text.flush()
                text.detach()  # the writer closes the file after its fsync

    def read_pairs(self, name: str) -> Pairs:
        return read_pairs(self.data_file(name))

    def read_splits(self) -> dict[str, Pairs]:
        return {name: self.read_pairs(name) for name in SPLIT_NAMES}

    def write_train_sources(self, labels: list[str]) -> None:
        """``data/train.sources``: the source of each pair of ``data/train.tsv``, one name a line."""
        atomic_write_text(self.data_dir / TRAIN_SOURCES_FILE, "".join(f"{name}\n" for name in labels))

    def read_train_sources(self) -> list[str] | None:
        """What :meth:`write_train_sources` wrote; None when the run does not sample by source."""
        from translator_app.core.text.corpus_sources import read_labels

        path = self.data_dir / TRAIN_SOURCES_FILE
        return read_labels(path) if path.exists() else None

    def save_tokenizers(self, tok) -> None:
        """The run's tokenizer goes to ``data/``, never over the bundle's ``tokenizer.model``: a
        folder that holds a model keeps a matching tokenizer until the run saves its first bundle
        (``save_bundle`` replaces tokenizer, weights and config together)."""
        for name, data in tokenizer_files(tok):
            atomic_write_bytes(self.data_dir / name, data)

    def load_tokenizers(self):
        """The run's own tokenizer (``data/``; runs from before it lived there: the run folder)."""
        data = self.data_dir
        in_data = (data / JOINT_TOKENIZER).exists() or (data / SOURCE_TOKENIZER).exists()
        return load_tokenizers(data if in_data else self.path)

    # -- clean-up

    def forget_run(self) -> None:
        """Before a new run: an earlier run in this folder can no longer be resumed (on new data)."""
        self.state_file.unlink(missing_ok=True)
        self.run_file.unlink(missing_ok=True)
        for name in (GENERAL_FILE, TRAIN_SOURCES_FILE, JOINT_TOKENIZER, SOURCE_TOKENIZER, TARGET_TOKENIZER):
            (self.data_dir / name).unlink(missing_ok=True)

    def remove_leftovers(self) -> None:
        """Temporary files left by a write that was killed midway."""
        for leftover in [*self.path.glob(".*.tmp"), *self.data_dir.glob(".*.tmp")]:
            leftover.unlink(missing_ok=True)


def read_pairs(path: Path) -> Pairs:
    """A TSV the run wrote itself (no dedupe, no header detection; empty file = no pairs)."""
    from translator_app.core.text.corpus import read_corpus

    if not path.exists() or path.stat().st_size == 0:
        return []
    return read_corpus(path, dedupe=False, max_chars=10**6, detect_header=False)[0]


def _corpus_of(run: dict[str, Any]) -> tuple[str, str | None]:
    pair = run.get("corpus")
    if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str):
        return pair[0], pair[1] if isinstance(pair[1], str) and pair[1] else None
    meta = run.get("meta") if isinstance(run.get("meta"), dict) else {}
    return (str(meta["corpus"]), None) if isinstance(meta.get("corpus"), str) else ("", None)


def _without_corpus(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if k != "corpus"}
