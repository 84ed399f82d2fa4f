"""Importing an untrusted model bundle: bounded copies and unpacking, checked before writing.

Every file is read through :func:`bundlemeta.open_regular` (regular files within their limit;
a FIFO or /dev/zero is refused, never read); a zip's members are checked as declared before
anything is unpacked (duplicates, encryption, sizes, the weights against what the config's
model can hold); a bundle is accepted only if it loads (config limits, shapes, finite weights)
and translates a sentence (:func:`test_translation`). Errors are :class:`StoreError`.
"""

from __future__ import annotations

import shutil
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from translator_app.core.folders.filenames import BUNDLE_NAMES, CONFIG_FILE, WEIGHTS_FILE
from translator_app.core.model.decoding import DecodeConfig

MAX_IMPORT_BYTES = 4 * 1024**3  # a zip that inflates to more than this is refused


class StoreError(ValueError):
    """An import, export or delete that cannot be done; the message says why."""


def _checkpoint():
    from translator_app.core.model import checkpoint  # imports torch: only when bundles are read

    return checkpoint


def test_translation(bundle: Any) -> None:
    """A bundle is accepted only if it translates: built, loaded and run once on a sentence."""
    from translator_app.core.translation.translator import Translator

    out = Translator(bundle, quantize=False).translate_lines(
        ["Hello, world. 2 cats."], decode=DecodeConfig(beam_size=2)
    )
    if len(out) != 1 or not isinstance(out[0], str):
        raise StoreError(f"{bundle.path}: the model does not translate")


def _limit(name: str) -> int:
    from translator_app.core.folders import bundlemeta

    return {CONFIG_FILE: bundlemeta.MAX_CONFIG_BYTES, WEIGHTS_FILE: bundlemeta.MAX_WEIGHTS_BYTES}.get(
        name, bundlemeta.MAX_TOKENIZER_BYTES if name.endswith(".model") else bundlemeta.MAX_WEIGHTS_BYTES
    )


def copy_files(files: dict[str, Path], dest: Path) -> None:
    """Copy through the bounded reader: only regular files within their limits (never a FIFO)."""
    from translator_app.core.folders.bundlemeta import BundleError, open_regular

    for name, file in files.items():
        try:
            with open_regular(file, _limit(name)) as src, open(dest / name, "wb") as out:
                shutil.copyfileobj(src, out, 1024 * 1024)
        except BundleError as exc:
            raise StoreError(str(exc)) from exc


def extract_bundle(zip_path: Path, dest: Path) -> None:
    """Extract only the bundle files, from the archive root or from a single top-level folder."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            configs = [m for m in members if PurePosixPath(m.filename).name == CONFIG_FILE]
            if not configs:
                raise StoreError(f"{zip_path}: the archive holds no {CONFIG_FILE}; it is not a model bundle")
            prefixes = {str(PurePosixPath(m.filename).parent) for m in configs}
            if len(prefixes) > 1:
                raise StoreError(f"{zip_path}: the archive holds several models ({', '.join(sorted(prefixes))})")
            prefix = prefixes.pop()
            chosen = [
                m
                for m in members
                if str(PurePosixPath(m.filename).parent) == prefix and PurePosixPath(m.filename).name in BUNDLE_NAMES
            ]
            if sum(m.file_size for m in chosen) > MAX_IMPORT_BYTES:
                raise StoreError(f"{zip_path}: the model files are larger than {MAX_IMPORT_BYTES // 1024**3} GB")
            names = [PurePosixPath(m.filename).name for m in chosen]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise StoreError(f"{zip_path}: the archive holds {', '.join(twice)} more than once; refused")
            for member in chosen:  # sizes as the archive declares them, before anything is unpacked
                name = PurePosixPath(member.filename).name
                if member.file_size > _limit(name):
                    raise StoreError(f"{zip_path}: {name} unpacks to {member.file_size:,} bytes; refused")
                if member.flag_bits & 0x1:
                    raise StoreError(f"{zip_path}: {name} is encrypted; a model bundle cannot be")
            chosen.sort(key=lambda m: PurePosixPath(m.filename).name != CONFIG_FILE)  # the config first
            for member in chosen:
                name = PurePosixPath(member.filename).name
                if name == WEIGHTS_FILE:
                    _check_weights_size(zip_path, dest, member.file_size)
                with archive.open(member) as src, open(dest / name, "wb") as out:
                    shutil.copyfileobj(src, out, 1024 * 1024)
    except StoreError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise StoreError(f"{zip_path}: cannot read the archive ({exc})") from exc
    except (zlib.error, RuntimeError, ValueError) as exc:  # a corrupt stream, an encrypted member
        raise StoreError(f"{zip_path}: cannot unpack the archive ({type(exc).__name__}: {exc})") from exc


def _check_weights_size(zip_path: Path, dest: Path, size: int) -> None:
    """Refuse weights larger than the (already extracted) config's model could hold, before writing them."""
    checkpoint = _checkpoint()
    try:
        cfg = checkpoint.from_dict(checkpoint.ModelConfig, checkpoint.read_config(dest).get("model", {}))
        shapes = checkpoint.expected_shapes(dest, cfg)
    except (TypeError, ValueError) as exc:  # BundleError
        raise StoreError(f"Not a usable model bundle: {str(exc).replace(str(dest), str(zip_path))}") from exc
    allowed = 4 * sum(checkpoint._numel(s) for s in shapes.values()) + 65536 * (len(shapes) + 16)
    if size > allowed:
        raise StoreError(
            f"{zip_path}: {WEIGHTS_FILE} unpacks to {size:,} bytes, more than its model config allows "
            f"({allowed:,}); refused"
        )
