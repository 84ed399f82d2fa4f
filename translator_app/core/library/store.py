"""The model store: bundled models (read-only) and the user's trained or imported models.

    store = ModelStore(bundled_dir, user_dir)  # the entry points pass translator_app.paths' folders
    for entry in store.entries():          # cheap: reads config.json files only
        print(entry.label, entry.path)
    entry = store.import_bundle("model.zip")  # validated, copied atomically
    store.export_zip(entry.path, "copy.zip")
    store.delete(entry.path)               # user models only

Listing reads ``config.json`` only (:func:`checkpoint.read_config`); importing loads the
whole bundle (:func:`checkpoint.load_bundle`) before it is added, so a broken bundle never
reaches the store.  Every copy goes to a hidden temporary folder beside its destination and
is renamed into place, so a crash never leaves a half-copied model behind.

This module imports no torch at import time (the checkpoint module is imported lazily), so
the GUI may import it without pulling torch in; listing (``scan``, ``entry``) reads configs
with the torch-free :mod:`~translator_app.core.folders.bundlemeta`, only import and export load torch.

A model folder that a training process is writing into is locked (:mod:`.runlock`): deleting
it, or importing it as a folder, is refused with a message naming that process.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translator_app.core.folders.runfolder import CONFIG_FILE, REPLAY_FILE, atomic_file, bundle_files
from translator_app.core.folders.runfolder import TRAIN_STATE_FILE as CHECKPOINT_FILE
from translator_app.core.library.bundle_import import (  # noqa: F401 - StoreError, MAX_IMPORT_BYTES: the public names
    MAX_IMPORT_BYTES,
    StoreError,
    copy_files,
    extract_bundle,
    test_translation,
)

_TEMP_PREFIX = ".import-"
_NAME_OK = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class ModelEntry:
    name: str
    path: Path
    src_lang: str
    tgt_lang: str
    bundled: bool
    metrics: dict[str, Any] = field(default_factory=dict, compare=False)
    meta: dict[str, Any] = field(default_factory=dict, compare=False)
    resumable: bool = False  # a training checkpoint sits beside the bundle
    title: str = ""  # the display name from the bundle's metadata ("" when it has none)

    @property
    def key(self) -> str:
        return str(self.path)

    @property
    def pair(self) -> str:
        return f"{self.src_lang or '?'}→{self.tgt_lang or '?'}"

    @property
    def label(self) -> str:
        kind = "bundled" if self.bundled else "yours"
        title = self.title if self.title and self.title != self.name else ""
        return f"{title} — {self.name} ({self.pair}, {kind})" if title else f"{self.name}  ({self.pair}, {kind})"

    def describe(self) -> str:
        """A one-paragraph description (for tooltips)."""
        lines = [f"{self.title or self.name}: {self.pair}", str(self.path)]
        bleu, chrf = self.metrics.get("valid_bleu"), self.metrics.get("valid_chrf")
        if bleu is not None:
            lines.append(f"validation BLEU {bleu:.1f}" + (f", chrF {chrf:.1f}" if chrf is not None else ""))
        if self.meta.get("steps"):
            lines.append(f"{self.meta['steps']} training steps, {self.meta.get('train_minutes', '?')} min")
        if self.meta.get("corpus"):
            lines.append(f"corpus: {Path(str(self.meta['corpus'])).name}")
        return "\n".join(lines)


@dataclass(frozen=True)
class StoreProblem:
    path: Path
    message: str


def sanitize_name(name: str) -> str:
    """A folder name made of letters, digits, '.', '_' and '-' (never empty, never hidden)."""
    cleaned = _NAME_OK.sub("-", name.strip()).strip("-.")
    return cleaned[:64] or "model"


def _checkpoint():
    from translator_app.core.model import checkpoint  # imports torch: only when bundles are read

    return checkpoint


def _read_config(path: Path) -> dict[str, Any]:
    from translator_app.core.folders.bundlemeta import read_config  # torch-free: listing runs on the GUI thread

    return read_config(path)


def _refuse_if_busy(folder: Path, action: str) -> None:
    """StoreError naming the process that trains into ``folder`` (its run lock is held)."""
    from translator_app.core.folders.runlock import holder

    who = holder(folder)
    if who is not None:
        raise StoreError(
            f"{folder.name} is being written by {who.describe()} (a training run); "
            f"stop it or wait until it has finished, then {action} it again."
        )


def _entry(path: Path, config: dict[str, Any], bundled: bool) -> ModelEntry:
    meta = config.get("meta") if isinstance(config.get("meta"), dict) else {}
    metrics = meta.get("metrics") if isinstance(meta.get("metrics"), dict) else {}
    return ModelEntry(
        path.name,
        path,
        str(meta.get("src_lang") or ""),
        str(meta.get("tgt_lang") or ""),
        bundled,
        dict(metrics),
        dict(meta),
        (path / CHECKPOINT_FILE).is_file(),
        str(meta.get("name") or ""),
    )


class ModelStore:
    """Bundled models in ``bundled_dir`` (read-only) and user models in ``user_dir`` (created when
    first used); the entry points pass ``paths.bundled_models_dir()`` and ``paths.user_models_dir()``."""

    def __init__(self, bundled_dir: str | Path, user_dir: str | Path):
        self._bundled_dir = Path(bundled_dir)
        self._user_dir = Path(user_dir)

    @property
    def bundled_dir(self) -> Path:
        return self._bundled_dir

    @property
    def user_dir(self) -> Path:
        self._user_dir.mkdir(parents=True, exist_ok=True)
        return self._user_dir

    # ---- listing --------------------------------------------------------------------

    def scan(self) -> tuple[list[ModelEntry], list[StoreProblem]]:
        """All usable entries (bundled first, then user models by name) and the folders that
        look like models but cannot be read."""
        entries: list[ModelEntry] = []
        problems: list[StoreProblem] = []
        for root, bundled in ((self.bundled_dir, True), (self.user_dir, False)):
            found = []
            for folder in _subfolders(root):
                if not (folder / CONFIG_FILE).exists():
                    continue  # a training run without a model yet, or an unrelated folder
                try:
                    found.append(_entry(folder, _read_config(folder), bundled))
                except ValueError as exc:  # BundleError
                    problems.append(StoreProblem(folder, str(exc)))
                except Exception as exc:  # noqa: BLE001 - one bad folder never breaks the whole list
                    problems.append(StoreProblem(folder, f"{folder}: {type(exc).__name__}: {exc}"))
            entries += sorted(found, key=lambda e: (e.name.lower(), str(e.path)))
        return entries, problems

    def entries(self) -> list[ModelEntry]:
        return self.scan()[0]

    def entry(self, path: str | Path) -> ModelEntry | None:
        """The entry for a model folder (anywhere), or None when it is not a readable bundle."""
        path = Path(path)
        try:
            config = _read_config(path)
        except (ValueError, OSError, RecursionError):
            return None
        return _entry(path, config, self.is_bundled(path))

    def is_bundled(self, path: str | Path) -> bool:
        return _is_within(Path(path), self.bundled_dir)

    def is_user_model(self, path: str | Path) -> bool:
        return _is_within(Path(path), self.user_dir) and Path(path).resolve() != self.user_dir.resolve()

    def find_reverse(self, entry: ModelEntry, entries: Iterable[ModelEntry] | None = None) -> ModelEntry | None:
        """A model translating ``entry.tgt_lang`` → ``entry.src_lang`` (bundled preferred)."""
        if not entry.src_lang or not entry.tgt_lang:
            return None
        candidates = [
            e
            for e in (self.entries() if entries is None else entries)
            if e.src_lang == entry.tgt_lang and e.tgt_lang == entry.src_lang and e.path != entry.path
        ]
        candidates.sort(key=lambda e: (not e.bundled, -float(e.metrics.get("valid_bleu") or 0.0)))
        return candidates[0] if candidates else None

    def unique_name(self, base: str) -> str:
        base = sanitize_name(base)
        name, n = base, 2
        while (self.user_dir / name).exists():
            name, n = f"{base}-{n}", n + 1
        return name

    # ---- import / export / delete ------------------------------------------------------

    def import_bundle(self, source: str | Path, name: str | None = None) -> ModelEntry:
        """Copy the bundle in folder or ``.zip`` ``source`` into the user models folder.

        The bundle is loaded completely (config, tokenizers, weights) before it is added;
        only the bundle files are copied. Returns the new entry."""
        source = Path(source)
        if not source.exists():
            raise StoreError(f"{source}: no such file or folder")
        if source.is_dir():
            if self.is_user_model(source):
                raise StoreError(f"{source}: this model is already in your models folder")
            _refuse_if_busy(source, "import")
            self._validate(source)
            files = {p.name: p for p in bundle_files(source)}
            default_name = str(_checkpoint().read_config(source).get("meta", {}).get("name") or source.name)
            return self._install(lambda tmp: copy_files(files, tmp), name or default_name, source, validate=False)
        if zipfile.is_zipfile(source):
            return self._install(lambda tmp: extract_bundle(source, tmp), name, source)
        raise StoreError(f"{source}: not a model folder or a .zip file")

    def _validate(self, folder: Path) -> None:
        try:
            bundle = _checkpoint().load_bundle(folder)
            test_translation(bundle)
            if (folder / REPLAY_FILE).is_file():  # untrusted like the rest: bounded, checked read
                from translator_app.core.train.replay import read_replay

                read_replay(folder / REPLAY_FILE, bundle.meta.get("replay"))
        except ValueError as exc:  # BundleError, CorpusError
            raise StoreError(f"Not a usable model bundle: {exc}") from exc
        except Exception as exc:
            raise StoreError(f"Not a usable model bundle: {folder}: {type(exc).__name__}: {exc}") from exc

    def _install(self, fill, name: str | None, source: Path, *, validate: bool = True) -> ModelEntry:
        root = self.user_dir
        tmp = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=root))
        try:
            fill(tmp)
            if validate:
                try:
                    self._validate(tmp)
                except StoreError as exc:  # name the archive, not the temporary folder
                    raise StoreError(str(exc).replace(str(tmp), str(source))) from exc
            config = _checkpoint().read_config(tmp)
            fallback = source.stem if source.is_file() else source.name
            final = root / self.unique_name(name or str(config.get("meta", {}).get("name") or fallback))
            os.rename(tmp, final)  # same folder: atomic; unique_name guarantees it is free
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return _entry(final, config, False)

    def export_zip(self, path: str | Path, zip_path: str | Path) -> Path:
        """Write the bundle files of the model in ``path`` to ``zip_path`` (atomically)."""
        path, zip_path = Path(path), Path(zip_path)
        files = bundle_files(path)
        if not any(f.name == CONFIG_FILE for f in files):
            raise StoreError(f"{path}: not a model bundle (no {CONFIG_FILE})")
        folder = sanitize_name(path.name)
        with atomic_file(zip_path) as handle, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for file in files:
                archive.write(file, f"{folder}/{file.name}")
        return zip_path

    def delete(self, path: str | Path) -> None:
        """Delete a user model folder (with its training files). Bundled models are refused."""
        path = Path(path)
        if self.is_bundled(path) or not self.is_user_model(path):
            raise StoreError(f"{path}: only your own models can be deleted, not bundled ones")
        if not path.is_dir():
            raise StoreError(f"{path}: no such model")
        _refuse_if_busy(path, "delete")
        # rename first so a half-deleted folder is never listed as a model
        doomed = path.with_name(f"{_TEMP_PREFIX}deleted-{path.name}")
        shutil.rmtree(doomed, ignore_errors=True)
        os.rename(path, doomed)
        shutil.rmtree(doomed, ignore_errors=True)


# ---- helpers ----------------------------------------------------------------------------


def _subfolders(root: Path) -> list[Path]:
    try:
        return [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    except OSError:
        return []


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False
