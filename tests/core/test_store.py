"""The model store: listing, import (folder / zip), export, delete, reverse lookup."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from translator_app.core.library.store import ModelStore, StoreError, sanitize_name

PAIRS = [
    ("the cat sleeps", "el gato duerme"),
    ("the dog eats", "el perro come"),
    ("I see a house", "veo una casa"),
    ("good morning", "buenos días"),
] * 5


def make_bundle(path: Path, src: str = "en", tgt: str = "es", name: str | None = None, bleu: float = 1.0) -> Path:
    """A tiny, untrained but complete bundle (fast: no training)."""
    from translator_app.core.base.config import ModelConfig, TokenizerConfig
    from translator_app.core.model.checkpoint import save_bundle
    from translator_app.core.model.model import Seq2Seq
    from translator_app.core.text.tokenizer import train_tokenizers

    tok = train_tokenizers(PAIRS, TokenizerConfig(vocab_size=40))
    cfg = ModelConfig(
        src_vocab_size=len(tok.source),
        tgt_vocab_size=len(tok.target),
        emb_dim=8,
        enc_hidden=8,
        dec_hidden=16,
        dropout=0.0,
    )
    meta = {"name": name or path.name, "src_lang": src, "tgt_lang": tgt, "metrics": {"valid_bleu": bleu}}
    save_bundle(path, cfg, tok, Seq2Seq(cfg).state_dict(), meta)
    return path


@pytest.fixture()
def store(tmp_path) -> ModelStore:
    return ModelStore(bundled_dir=tmp_path / "bundled", user_dir=tmp_path / "user")


def test_lists_bundled_then_user_models_with_languages_and_metrics(store, tmp_path):
    make_bundle(tmp_path / "bundled" / "en-es", bleu=12.5)
    make_bundle(tmp_path / "user" / "mine", "es", "en")
    (tmp_path / "user" / "run-without-model").mkdir()  # a training run that has no model yet
    (tmp_path / "user" / ".import-123").mkdir()  # an interrupted import is never listed
    entries, problems = store.scan()
    assert [(e.name, e.bundled, e.src_lang, e.tgt_lang) for e in entries] == [
        ("en-es", True, "en", "es"),
        ("mine", False, "es", "en"),
    ]
    assert entries[0].metrics["valid_bleu"] == 12.5
    assert "BLEU 12.5" in entries[0].describe()
    assert entries[0].label == "en-es  (en→es, bundled)"
    titled = store.entry(make_bundle(tmp_path / "user" / "titled", name="English → Spanish"))
    assert titled.title == "English → Spanish" and titled.label == "English → Spanish — titled (en→es, yours)"
    assert problems == []
    assert [e.name for e in store.entries()] == ["en-es", "mine", "titled"]


def test_missing_bundled_folder_gives_no_entries_and_corrupt_config_is_a_problem(store, tmp_path):
    bad = tmp_path / "user" / "broken"
    bad.mkdir(parents=True)
    (bad / "config.json").write_text("{not json", encoding="utf-8")
    entries, problems = store.scan()
    assert entries == []
    assert len(problems) == 1 and problems[0].path == bad and "config" in problems[0].message


def test_reverse_model_is_found_for_the_swap_button(store, tmp_path):
    fwd = make_bundle(tmp_path / "bundled" / "en-es")
    make_bundle(tmp_path / "user" / "es-en-weak", "es", "en", bleu=1.0)
    make_bundle(tmp_path / "user" / "es-en-good", "es", "en", bleu=9.0)
    make_bundle(tmp_path / "user" / "fr-en", "fr", "en")
    entry = store.entry(fwd)
    assert entry is not None and entry.bundled
    assert store.find_reverse(entry).name == "es-en-good"
    fr = store.entry(tmp_path / "user" / "fr-en")
    assert store.find_reverse(fr) is None


def test_import_folder_copies_only_bundle_files_and_keeps_names_unique(store, tmp_path):
    src = make_bundle(tmp_path / "elsewhere" / "model", name="nice model")
    (src / "checkpoint.pt").write_bytes(b"big training state")
    (src / "notes.txt").write_text("not part of the bundle")
    first = store.import_bundle(src)
    second = store.import_bundle(src)
    assert first.path.name == "nice-model" and second.path.name == "nice-model-2"
    assert sorted(p.name for p in first.path.iterdir()) == ["config.json", "tokenizer.model", "weights.pt"]
    assert [e.name for e in store.entries()] == ["nice-model", "nice-model-2"]
    with pytest.raises(StoreError, match="already in your models"):
        store.import_bundle(first.path)


def test_export_then_import_zip_round_trip(store, tmp_path):
    src = make_bundle(tmp_path / "user" / "mine")
    (src / "checkpoint.pt").write_bytes(b"training state")
    zip_path = store.export_zip(src, tmp_path / "out" / "mine.zip")
    with zipfile.ZipFile(zip_path) as archive:
        assert sorted(archive.namelist()) == ["mine/config.json", "mine/tokenizer.model", "mine/weights.pt"]
    entry = store.import_bundle(zip_path, name="again")
    assert entry.path == tmp_path / "user" / "again" and entry.src_lang == "en"
    from translator_app.core.model.checkpoint import load_bundle

    assert load_bundle(entry.path).meta["src_lang"] == "en"


def test_import_refuses_a_corrupt_bundle_and_leaves_nothing_behind(store, tmp_path):
    src = make_bundle(tmp_path / "src" / "model")
    (src / "weights.pt").write_bytes(b"garbage, not a torch file")
    with pytest.raises(StoreError, match="weights"):
        store.import_bundle(src)
    bad_zip = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad_zip, "w") as archive:
        for f in src.iterdir():
            archive.write(f, f.name)
    with pytest.raises(StoreError) as info:
        store.import_bundle(bad_zip)
    assert str(bad_zip) in str(info.value)  # names the archive, not a temporary folder
    assert list((tmp_path / "user").iterdir()) == []


def test_import_rejects_non_bundles(store, tmp_path):
    not_zip = tmp_path / "x.txt"
    not_zip.write_text("hello")
    with pytest.raises(StoreError, match="not a model folder or a .zip"):
        store.import_bundle(not_zip)
    empty_zip = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    with pytest.raises(StoreError, match="no config.json"):
        store.import_bundle(empty_zip)
    with pytest.raises(StoreError, match="no such file"):
        store.import_bundle(tmp_path / "missing")


def test_zip_with_path_traversal_names_extracts_only_plain_bundle_files(store, tmp_path):
    src = make_bundle(tmp_path / "src" / "m")
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        for f in src.iterdir():
            archive.write(f, f"m/{f.name}")
        archive.writestr("m/../../escaped.txt", "boom")
    entry = store.import_bundle(evil)
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "user" / "escaped.txt").exists()
    assert sorted(p.name for p in entry.path.iterdir()) == ["config.json", "tokenizer.model", "weights.pt"]


def test_delete_user_models_only(store, tmp_path):
    bundled = make_bundle(tmp_path / "bundled" / "en-es")
    mine = make_bundle(tmp_path / "user" / "mine")
    with pytest.raises(StoreError, match="only your own"):
        store.delete(bundled)
    with pytest.raises(StoreError):
        store.delete(tmp_path / "user")  # never the models folder itself
    store.delete(mine)
    assert not mine.exists() and [e.name for e in store.entries()] == ["en-es"]


def test_resumable_flag_and_sanitized_names(store, tmp_path):
    mine = make_bundle(tmp_path / "user" / "mine")
    assert not store.entry(mine).resumable
    (mine / "checkpoint.pt").write_bytes(b"x")
    assert store.entry(mine).resumable
    assert sanitize_name(" my model/v1 ") == "my-model-v1"
    assert sanitize_name("../..") == "model"


def test_the_folders_are_explicit(tmp_path):
    make_bundle(tmp_path / "shipped" / "en-es")
    store = ModelStore(tmp_path / "shipped", tmp_path / "home" / "models")
    assert store.user_dir == tmp_path / "home" / "models" and store.user_dir.is_dir()  # made when first used
    assert [(e.name, e.bundled) for e in store.entries()] == [("en-es", True)]
    with pytest.raises(TypeError):
        ModelStore()  # no defaults: only the entry points know translator_app.paths


def test_importing_the_store_imports_neither_torch_nor_paths():
    code = "import sys, translator_app.core.library.store; print('torch' in sys.modules, 'translator_app.paths' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
