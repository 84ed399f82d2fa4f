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

import hashlib
import io
import json
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from translator_app.core.base.config import ModelConfig, from_dict, to_dict
from translator_app.core.folders.bundlemeta import (  # the torch-free part, re-exported
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    CONFIG_FILE,
    MAX_CHECKPOINT_BYTES,
    MAX_TOKENIZER_BYTES,
    MAX_WEIGHTS_BYTES,
    BundleError,
    open_regular,
    read_config,
    read_limited,
)
from translator_app.core.folders.filenames import (  # noqa: F401  (re-exported; defined torch-free)
    BUNDLE_NAMES,
    JOINT_TOKENIZER,
    SOURCE_TOKENIZER,
    TARGET_TOKENIZER,
    TRAIN_STATE_FILE,
    WEIGHTS_FILE,
)
from translator_app.core.folders.runfolder import (  # noqa: F401  (atomic_write_*, bundle_files re-exported)
    atomic_write_bytes,
    atomic_write_text,
    bundle_files,
    fsync_dir,
    load_tokenizers,
    tokenizer_files,
)
from translator_app.core.text.tokenizer import TokenizerError, Tokenizers


@dataclass
class Bundle:
    path: Path
    model_config: ModelConfig
    tokenizers: Tokenizers
    state_dict: dict[str, torch.Tensor]
    meta: dict[str, Any] = field(default_factory=dict)  # name, src_lang, tgt_lang, metrics, ...


def atomic_torch_save(obj: Any, path: str | Path) -> None:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def safe_torch_load(path: str | Path, limit: int = MAX_CHECKPOINT_BYTES, max_data: int | None = None) -> Any:
    """``torch.load`` restricted to tensors and plain containers; a pickle payload is refused.

    The file must be a regular file of at most ``limit`` bytes whose zip members (torch's format)
    unpack to at most ``limit`` bytes, their tensor data to at most ``max_data`` bytes (what the
    model config allows): checked before anything is inflated."""
    try:
        handle = open_regular(path, limit)
    except FileNotFoundError:
        raise BundleError(f"{path}: missing") from None
    try:
        _check_archive(path, handle, limit, max_data)
        return torch.load(handle, map_location="cpu", weights_only=True)
    except BundleError:
        raise
    except pickle.UnpicklingError as exc:
        raise BundleError(
            f"{path}: refused to load: the file holds objects other than tensors ({exc})".split("\n")[0]
        ) from exc
    except Exception as exc:
        raise BundleError(f"{path}: not a readable weights file ({type(exc).__name__}: {exc})".split("\n")[0]) from exc
    finally:
        handle.close()


def _check_archive(path: str | Path, handle: Any, limit: int, max_data: int | None) -> None:
    import zipfile

    if not zipfile.is_zipfile(handle):
        handle.seek(0)
        return  # torch's legacy format: nothing compressed, the file size was checked
    handle.seek(0)
    with zipfile.ZipFile(handle) as archive:
        infos = archive.infolist()
    handle.seek(0)
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise BundleError(f"{path}: the archive holds the same member twice; refused")
    if sum(i.file_size for i in infos) > limit:
        raise BundleError(f"{path}: unpacks to more than {limit:,} bytes; refused")
    data = sum(i.file_size for i in infos if "/data/" in i.filename)
    if max_data is not None and data > max_data:
        raise BundleError(
            f"{path}: its tensors hold {data:,} bytes, more than the model config allows ({max_data:,}); refused"
        )


# what a bundle's model config may ask for: checked before any model is built or weights read
MODEL_LIMITS = {"vocab": 1_048_576, "dim": 16_384, "layers": 16, "parameters": 1_000_000_000}


def expected_shapes(path: Path, cfg: ModelConfig) -> dict[str, tuple[int, ...]]:
    """The parameter shapes the config describes (built on the meta device: no memory), after
    checking its sizes against MODEL_LIMITS."""
    from translator_app.core.model.model import Seq2Seq

    bad = [
        f"{name} = {getattr(cfg, name)} (at most {MODEL_LIMITS[kind]:,})"
        for name, kind in (
            ("src_vocab_size", "vocab"),
            ("tgt_vocab_size", "vocab"),
            ("emb_dim", "dim"),
            ("enc_hidden", "dim"),
            ("dec_hidden", "dim"),
            ("enc_layers", "layers"),
            ("dec_layers", "layers"),
        )
        if not isinstance(getattr(cfg, name), int) or not 1 <= getattr(cfg, name) <= MODEL_LIMITS[kind]
    ]
    if bad:
        raise BundleError(f"{path / CONFIG_FILE}: model config out of range: {', '.join(bad)}")
    try:
        with torch.device("meta"):
            shapes = {k: tuple(v.shape) for k, v in Seq2Seq(cfg).state_dict().items()}
    except (AssertionError, ValueError, RuntimeError, IndexError, TypeError) as exc:
        raise BundleError(f"{path}: invalid model config ({type(exc).__name__}: {exc})") from exc
    count = sum(_numel(s) for s in shapes.values())
    if count > MODEL_LIMITS["parameters"]:
        raise BundleError(
            f"{path / CONFIG_FILE}: the model config describes {count:,} parameters "
            f"(at most {MODEL_LIMITS['parameters']:,}); refused"
        )
    return shapes


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def check_weights(path: Path, state: dict[str, torch.Tensor], expected: dict[str, tuple[int, ...]]) -> None:
    """The weights have the config's keys and shapes, and every value is finite."""
    found = {k: tuple(v.shape) for k, v in state.items()}
    if found != expected:
        bad = sorted(k for k in expected.keys() | found.keys() if expected.get(k) != found.get(k))[:3]
        detail = ", ".join(f"{k}: expected {expected.get(k)}, found {found.get(k)}" for k in bad)
        raise BundleError(f"{path}: weights do not match the model config ({detail})")
    bad = first_broken(state.items())
    if bad is not None:
        raise BundleError(
            f"{path / WEIGHTS_FILE}: {bad} holds NaN, infinite or exploded values (over {MAX_ABS_WEIGHT:g}); "
            "the model is broken (its training diverged); retrain it with a lower learning rate"
        )


MAX_ABS_WEIGHT = 1e4  # trained weights stay within a few units; past this a training has diverged


def first_broken(named: Any) -> str | None:
    """The name of the first floating tensor holding NaN, inf or a value over MAX_ABS_WEIGHT, else None."""
    for name, tensor in named:
        if tensor.is_floating_point() and tensor.numel():
            if not bool(torch.isfinite(tensor).all()) or float(tensor.detach().abs().max()) > MAX_ABS_WEIGHT:
                return name
    return None


def save_bundle(
    path: str | Path,
    model_config: ModelConfig,
    tokenizers: Tokenizers,
    state_dict: dict[str, torch.Tensor],
    meta: dict[str, Any] | None = None,
    *,
    half: bool = False,
) -> None:
    """Write (or replace) the bundle files in ``path``: every file is staged first, then renamed
    into place (tokenizer, weights, config). ``config.json`` records the tokenizer's SHA-256, and
    when the tokenizer changes (a new training over an existing model) the old ``config.json``
    is removed before the first rename: a crash in between leaves a folder that is plainly not
    a bundle, never an old model beside a new tokenizer."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    converted: dict[int, torch.Tensor] = {}  # tied parameters share one tensor in the file too

    def convert(v: torch.Tensor) -> torch.Tensor:
        key = v.data_ptr()
        if key not in converted:
            converted[key] = (v.half() if half and v.is_floating_point() else v).detach().cpu().contiguous()
        return converted[key]

    weights = {k: convert(v) for k, v in state_dict.items()}
    files = tokenizer_files(tokenizers)
    config = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "model": to_dict(model_config),
        "tokenizer": {"joint": tokenizers.joint, "sha256": {name: _sha256(data) for name, data in files}},
        "meta": meta or {},
    }
    new_tokenizer = any(not _same_bytes(path / name, data) for name, data in files)
    buffer = io.BytesIO()
    torch.save(weights, buffer)
    files += [
        (WEIGHTS_FILE, buffer.getvalue()),
        (CONFIG_FILE, json.dumps(config, indent=2, ensure_ascii=False).encode("utf-8")),
    ]
    # stage every file first (the writes that can fail on a full disk), then rename them into place
    staged: list[tuple[Path, Path]] = []
    old_config, renamed = None, 0
    try:
        for name, data in files:
            stage = path / f".{name}.staged.tmp"
            atomic_write_bytes(stage, data)
            staged.append((stage, path / name))
        if new_tokenizer and (path / CONFIG_FILE).exists():
            old_config = (path / CONFIG_FILE).read_bytes()
            (path / CONFIG_FILE).unlink()
            fsync_dir(path)
        for stage, final in staged:
            os.replace(stage, final)
            renamed += 1
    except BaseException:
        for stage, _ in staged:
            stage.unlink(missing_ok=True)
        if old_config is not None and not renamed:  # nothing replaced yet: the old bundle stays whole
            try:
                atomic_write_bytes(path / CONFIG_FILE, old_config)
            except OSError:
                pass
        raise
    fsync_dir(path)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


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
        tokenizers = load_tokenizers(path, joint, _read)
    except TokenizerError as exc:
        raise BundleError(f"{path}: {exc}") from exc
    source, target = tokenizers.source, tokenizers.target
    _check_tokenizer_digests(path, section, [source] if joint else [source, target], joint)
    if len(source) != model_config.src_vocab_size or len(target) != model_config.tgt_vocab_size:
        raise BundleError(
            f"{path}: tokenizer vocabulary ({len(source)}/{len(target)}) does not match the model config "
            f"({model_config.src_vocab_size}/{model_config.tgt_vocab_size})"
        )
    expected = expected_shapes(path, model_config)
    max_data = 4 * sum(_numel(s) for s in expected.values()) + 4096 * len(expected)  # fp32 at most
    state = safe_torch_load(path / WEIGHTS_FILE, MAX_WEIGHTS_BYTES, max_data)
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise BundleError(f"{path / WEIGHTS_FILE}: expected a dictionary of tensors")
    check_weights(path, state, expected)
    meta = config.get("meta") if isinstance(config.get("meta"), dict) else {}
    return Bundle(path, model_config, tokenizers, state, meta)


def _check_tokenizer_digests(path: Path, section: dict, models: list, joint: bool) -> None:
    """A bundle saved with digests must hold the tokenizer it was trained with (not one a newer
    training or a copy put beside its weights)."""
    digests = section.get("sha256")
    if not isinstance(digests, dict):
        return  # bundles from before digests were recorded
    names = [JOINT_TOKENIZER] if joint else [SOURCE_TOKENIZER, TARGET_TOKENIZER]
    for name, model in zip(names, models):
        if name in digests and digests[name] != _sha256(model.model_bytes):
            raise BundleError(
                f"{path / name}: this tokenizer and {CONFIG_FILE} do not match ({CONFIG_FILE} was saved "
                "with another tokenizer; written by another training?); the folder does not hold a consistent model"
            )


def _read(path: Path) -> bytes:
    try:
        return read_limited(path, MAX_TOKENIZER_BYTES)
    except OSError as exc:
        raise BundleError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def save_train_state(path: str | Path, state: dict[str, Any]) -> None:
    atomic_torch_save(state, path)


def load_train_state(path: str | Path) -> dict[str, Any]:
    state = safe_torch_load(path)
    if not isinstance(state, dict) or "model" not in state or "step" not in state:
        raise BundleError(f"{path}: not a training checkpoint")
    return state
