"""Issue 29 items 6-11: hostile model folders and archives never hang, never exhaust memory or
disk, never break the model list, and never reach the store or a translation.

Every read of a model folder goes through ``bundlemeta.open_regular`` (regular files within a
limit); ``load_bundle`` checks the config's limits before building anything, the weights
archive's declared sizes before inflating it, and the weights' keys, shapes and finiteness;
the store accepts only a bundle that loads and translates."""

from __future__ import annotations

import io
import json
import os
import shutil
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from reliability_helpers import copy_bundle, time_limit

from translator_app.core.base.config import PRESETS
from translator_app.core.library.store import ModelStore, StoreError
from translator_app.core.model.checkpoint import BundleError, load_bundle
from translator_app.core.train.train_loop import TrainingDiverged
from translator_app.core.train.training import CorpusSpec, TrainRequest, train
from translator_app.core.translation.translator import Translator


@pytest.fixture
def bundle(tiny_model_dir, tmp_path) -> Path:
    return copy_bundle(tiny_model_dir, tmp_path / "downloaded-model")


@pytest.fixture
def store(tmp_path) -> ModelStore:
    return ModelStore(tmp_path / "bundled", tmp_path / "user")


def _edit_weights(path: Path, change) -> None:
    state = torch.load(path / "weights.pt", weights_only=True)
    change(state)
    torch.save(state, path / "weights.pt")


def _zip(folder: Path, dest: Path, extra: dict[str, bytes] | None = None, compress=zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(dest, "w", compression=compress) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, f"m/{file.name}")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return dest


# ---- 6: special files -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["weights.pt", "config.json", "tokenizer.model"])
def test_a_fifo_in_a_model_folder_is_refused_not_waited_on(bundle, store, name):
    (bundle / name).unlink()
    os.mkfifo(bundle / name)
    with time_limit(20):
        with pytest.raises(BundleError, match="not a regular file"):
            load_bundle(bundle)
        store.scan()
        with pytest.raises(StoreError):
            store.import_bundle(bundle)


@pytest.mark.parametrize("name", ["config.json", "tokenizer.model", "weights.pt"])
def test_a_link_to_dev_zero_is_never_read(bundle, name):
    (bundle / name).unlink()
    os.symlink("/dev/zero", bundle / name)
    with time_limit(20), pytest.raises(BundleError, match="not a regular file"):
        load_bundle(bundle)


def test_the_model_list_survives_special_files(tiny_model_dir, store):
    copy_bundle(tiny_model_dir, store.user_dir / "good")
    (store.user_dir / "fifo").mkdir()
    os.mkfifo(store.user_dir / "fifo" / "config.json")
    with time_limit(20):
        entries, problems = store.scan()
    assert [e.name for e in entries] == ["good"]
    assert [p.path.name for p in problems] == ["fifo"]


# ---- 7: deeply nested config.json, and 17: a 5,000-digit integer -----------------------------


@pytest.mark.parametrize(
    "text, why",
    [("[" * 100_000 + "]" * 100_000, "nested too deeply"), ('{"format": ' + "9" * 5000 + "}", "digits")],
)
def test_a_hostile_config_is_one_problem_in_the_list(tiny_model_dir, store, text, why):
    copy_bundle(tiny_model_dir, store.user_dir / "good")
    (store.user_dir / "bad").mkdir()
    (store.user_dir / "bad" / "config.json").write_text(text)
    entries, problems = store.scan()
    assert [e.name for e in entries] == ["good"]
    assert len(problems) == 1 and why in problems[0].message
    assert problems[0].message.startswith(str(store.user_dir / "bad" / "config.json"))


# ---- 8: absurd config sizes -------------------------------------------------------------------


@pytest.mark.parametrize("field, value", [("enc_layers", 10_000), ("emb_dim", 10**7), ("src_vocab_size", 10**9)])
def test_absurd_config_sizes_are_refused_before_any_model_is_built(bundle, field, value):
    config = json.loads((bundle / "config.json").read_text())
    config["model"][field] = value
    if field == "src_vocab_size":
        config["model"]["tgt_vocab_size"] = value
    (bundle / "config.json").write_text(json.dumps(config))
    start = time.monotonic()
    with pytest.raises(BundleError, match="out of range|does not match"):
        load_bundle(bundle)
    assert time.monotonic() - start < 5


# ---- 9: compressed oversized tensors, zip import sizes ------------------------------------


def _inflated_weights(path: Path, megabytes: int) -> None:
    """weights.pt with one tensor's data member replaced by ``megabytes`` MB of zeros, deflated."""
    src = zipfile.ZipFile(io.BytesIO((path / "weights.pt").read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("/data/0"):
                out.writestr(info.filename, b"\0" * (megabytes << 20), compress_type=zipfile.ZIP_DEFLATED)
            else:
                out.writestr(info, data)
    (path / "weights.pt").write_bytes(buf.getvalue())


def test_oversized_compressed_tensors_are_refused_before_inflating(bundle):
    _inflated_weights(bundle, 64)
    assert (bundle / "weights.pt").stat().st_size < 2 << 20
    with pytest.raises(BundleError, match="more than the model config allows"):
        load_bundle(bundle)


def test_zip_import_refuses_oversized_weights_before_writing_them(bundle, store, tmp_path, monkeypatch):
    (bundle / "weights.pt").write_bytes(b"\0" * (64 << 20))  # deflates to almost nothing
    archive = _zip(bundle, tmp_path / "m.zip", compress=zipfile.ZIP_DEFLATED)
    written = []
    real = shutil.copyfileobj
    monkeypatch.setattr(shutil, "copyfileobj", lambda s, d, n=0: written.append(Path(d.name).name) or real(s, d, n))
    with pytest.raises(StoreError, match="more than its model config allows"):
        store.import_bundle(archive)
    assert (tmp_path / "m.zip").stat().st_size < 2 << 20
    assert "weights.pt" not in written
    assert [p.name for p in store.user_dir.iterdir()] == []


# ---- 10: the store accepts only bundles that load and translate ---------------------------


def test_import_refuses_nan_weights(bundle, store):
    _edit_weights(bundle, lambda s: s["decoder.out.bias"].fill_(float("nan")))
    with pytest.raises(StoreError, match="NaN"):
        store.import_bundle(bundle)
    assert store.entries() == []


def test_import_refuses_a_zip_with_config_json_twice(bundle, store, tmp_path):
    archive = _zip(bundle, tmp_path / "m.zip", {"m/config.json": b"{}"})
    with pytest.raises(StoreError, match="more than once"):
        store.import_bundle(archive)


def test_import_of_an_encrypted_member_is_a_store_error(bundle, store, tmp_path):
    data = bytearray(_zip(bundle, tmp_path / "m.zip").read_bytes())
    at = data.find(b"PK\x01\x02")  # the first central directory entry: set "encrypted" in its flags
    data[at + 8] |= 1
    (tmp_path / "m.zip").write_bytes(bytes(data))
    with pytest.raises(StoreError):
        store.import_bundle(tmp_path / "m.zip")


def test_import_of_a_corrupt_deflate_stream_is_a_store_error(bundle, store, tmp_path):
    archive = _zip(bundle, tmp_path / "m.zip", compress=zipfile.ZIP_DEFLATED)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo("m/weights.pt")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 10, start + 400):
        data[k] ^= 0x5A
    archive.write_bytes(bytes(data))
    with pytest.raises(StoreError):
        store.import_bundle(archive)


# ---- 11: NaN / exploded weights and a diverging training ----------------------------------


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e30])
def test_broken_weights_are_refused_with_a_clear_error(bundle, value):
    _edit_weights(bundle, lambda s: s["encoder.embedding.weight"][3].fill_(value))
    with pytest.raises(BundleError, match="encoder.embedding.weight holds NaN, infinite or exploded values"):
        Translator.load(bundle)


def test_a_diverging_training_stops_with_a_clear_message(tiny_corpus, tmp_path):
    model_cfg, train_cfg, _ = PRESETS["tiny"]
    out = tmp_path / "run"
    with pytest.raises(TrainingDiverged, match="diverged at step .*learning rate"):
        for _ in train(
            TrainRequest(
                CorpusSpec(str(tiny_corpus)),
                out,
                model_cfg=model_cfg,
                train_cfg=replace(
                    train_cfg, lr=1e30, max_steps=30, valid_every=10, valid_max_sentences=20, num_threads=1
                ),
            ),
        ):
            pass
    if (out / "config.json").exists():  # a bundle saved before the divergence is a sound one
        Translator.load(out)
