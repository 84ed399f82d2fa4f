"""Self-describing model bundles and resumable training checkpoints.

A bundle is a directory:
    config.json      format name, version, model/tokenizer/data configs, metadata (JSON only)
    tokenizer.model  SentencePiece model (joint); or source.model + target.model
    weights.pt       state dict, loaded with ``torch.load(weights_only=True)``; never unpickled freely
Extra files (training checkpoint, history, held-out splits) may sit beside them and are ignored.

Every write is atomic: files go to a temporary name in the same directory and are renamed
into place, so a crash leaves either the old or the new version, never a torn one.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from translator_app.core.bundlemeta import (  # the torch-free part, re-exported
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    CONFIG_FILE,
    BundleError,
    read_config,
)
from translator_app.core.config import ModelConfig, from_dict, to_dict
from translator_app.core.filenames import (  # noqa: F401  (re-exported; defined torch-free)
    BUNDLE_NAMES,
    JOINT_TOKENIZER,
    SOURCE_TOKENIZER,
    TARGET_TOKENIZER,
    TRAIN_STATE_FILE,
    WEIGHTS_FILE,
)
from translator_app.core.tokenizer import SubwordModel, TokenizerError, Tokenizers

_UMASK = os.umask(0)
os.umask(_UMASK)


@dataclass
class Bundle:
    path: Path
    model_config: ModelConfig
    tokenizers: Tokenizers
    state_dict: dict[str, torch.Tensor]
    meta: dict[str, Any] = field(default_factory=dict)  # name, src_lang, tgt_lang, metrics, ...


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the file the usual permissions
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None and exc.errno is not None:
            raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
        raise
    _fsync_dir(path.parent)


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_torch_save(obj: Any, path: str | Path) -> None:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def _fsync_dir(path: Path) -> None:
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


def safe_torch_load(path: str | Path) -> Any:
    """``torch.load`` restricted to tensors and plain containers; a pickle payload is refused."""
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        raise BundleError(
            f"{path}: refused to load: the file holds objects other than tensors ({exc})".split("\n")[0]
        ) from exc
    except Exception as exc:
        raise BundleError(f"{path}: not a readable weights file ({type(exc).__name__}: {exc})".split("\n")[0]) from exc


def save_bundle(
    path: str | Path,
    model_config: ModelConfig,
    tokenizers: Tokenizers,
    state_dict: dict[str, torch.Tensor],
    meta: dict[str, Any] | None = None,
    *,
    half: bool = False,
) -> None:
    """Write (or replace) the bundle files in ``path`` atomically, one file at a time;
    the weights go last so a bundle is never newer in config than in weights."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    converted: dict[int, torch.Tensor] = {}  # tied parameters share one tensor in the file too

    def convert(v: torch.Tensor) -> torch.Tensor:
        key = v.data_ptr()
        if key not in converted:
            converted[key] = (v.half() if half and v.is_floating_point() else v).detach().cpu().contiguous()
        return converted[key]

    weights = {k: convert(v) for k, v in state_dict.items()}
    config = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "model": to_dict(model_config),
        "tokenizer": {"joint": tokenizers.joint},
        "meta": meta or {},
    }
    files: list[tuple[str, bytes]] = []
    if tokenizers.joint:
        files.append((JOINT_TOKENIZER, tokenizers.source.model_bytes))
    else:
        files += [(SOURCE_TOKENIZER, tokenizers.source.model_bytes), (TARGET_TOKENIZER, tokenizers.target.model_bytes)]
    buffer = io.BytesIO()
    torch.save(weights, buffer)
    files += [
        (WEIGHTS_FILE, buffer.getvalue()),
        (CONFIG_FILE, json.dumps(config, indent=2, ensure_ascii=False).encode("utf-8")),
    ]
    # stage every file first (the writes that can fail on a full disk), then rename them into place
    staged: list[tuple[Path, Path]] = []
    try:
        for name, data in files:
            stage = path / f".{name}.staged.tmp"
            atomic_write_bytes(stage, data)
            staged.append((stage, path / name))
        for stage, final in staged:
            os.replace(stage, final)
    except BaseException:
        for stage, _ in staged:
            stage.unlink(missing_ok=True)
        raise
    _fsync_dir(path)


def load_bundle(path: str | Path) -> Bundle:
    path = Path(path)
    config = read_config(path)
    try:
        model_config = from_dict(ModelConfig, config.get("model", {}))
    except (TypeError, ValueError) as exc:
        raise BundleError(f"{path / CONFIG_FILE}: invalid model config ({exc})") from exc
    section = config.get("tokenizer", {})
    if not isinstance(section, dict):
        raise BundleError(f"{path / CONFIG_FILE}: 'tokenizer' must be a JSON object")
    joint = bool(section.get("joint", True))
    try:
        if joint:
            source = target = SubwordModel(_read(path / JOINT_TOKENIZER))
        else:
            source, target = SubwordModel(_read(path / SOURCE_TOKENIZER)), SubwordModel(_read(path / TARGET_TOKENIZER))
    except TokenizerError as exc:
        raise BundleError(f"{path}: {exc}") from exc
    if len(source) != model_config.src_vocab_size or len(target) != model_config.tgt_vocab_size:
        raise BundleError(
            f"{path}: tokenizer vocabulary ({len(source)}/{len(target)}) does not match the model config "
            f"({model_config.src_vocab_size}/{model_config.tgt_vocab_size})"
        )
    state = safe_torch_load(path / WEIGHTS_FILE)
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise BundleError(f"{path / WEIGHTS_FILE}: expected a dictionary of tensors")
    meta = config.get("meta") if isinstance(config.get("meta"), dict) else {}
    return Bundle(path, model_config, Tokenizers(source, target), state, meta)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BundleError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def bundle_files(path: str | Path) -> list[Path]:
    """The files that make up the bundle in ``path`` (what export and copy take)."""
    path = Path(path)
    return [path / name for name in BUNDLE_NAMES if (path / name).is_file()]


def save_train_state(path: str | Path, state: dict[str, Any]) -> None:
    atomic_torch_save(state, path)


def load_train_state(path: str | Path) -> dict[str, Any]:
    state = safe_torch_load(path)
    if not isinstance(state, dict) or "model" not in state or "step" not in state:
        raise BundleError(f"{path}: not a training checkpoint")
    return state
