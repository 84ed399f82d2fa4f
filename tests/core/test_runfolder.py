"""core/folders/runfolder.py: the one atomic writer, run.json (the corpus stored once), data/, tokenizers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from translator_app.core.folders.runfolder import (
    RUN_FILE,
    RunFolder,
    atomic_file,
    atomic_write_json,
    atomic_write_text,
    load_tokenizers,
)


def test_the_atomic_writer_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "sub" / "file.txt"
    atomic_write_text(path, "one")
    atomic_write_text(path, "two")
    assert path.read_text(encoding="utf-8") == "two"
    assert sorted(p.name for p in path.parent.iterdir()) == ["file.txt"]


def test_a_write_that_fails_midway_keeps_the_old_file(tmp_path):
    path = tmp_path / "file.txt"
    atomic_write_text(path, "old")
    with pytest.raises(RuntimeError), atomic_file(path) as handle:
        handle.write(b"half of the new")
        raise RuntimeError("killed")
    assert path.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


def test_run_json_stores_the_corpus_once_and_gives_it_back_in_the_metadata(tmp_path):
    folder = RunFolder.at(tmp_path)
    configs = {"model": {"emb_dim": 8}, "train": {}, "tokenizer": {}, "data": {}}
    folder.write_run(configs, {"name": "m", "corpus": "pairs.tsv"}, ("pairs.tsv", None))
    stored = json.loads((tmp_path / RUN_FILE).read_text(encoding="utf-8"))
    assert stored["corpus"] == ["pairs.tsv", None] and "corpus" not in stored["meta"]
    assert folder.read_run()["meta"] == {"name": "m", "corpus": "pairs.tsv"}  # as the bundles carry it
    assert folder.corpus() == ("pairs.tsv", None)
    folder.update_meta({"name": "m", "corpus": "pairs.tsv", "finetune": {"base_valid": 1.0}})
    stored = json.loads((tmp_path / RUN_FILE).read_text(encoding="utf-8"))
    assert stored["meta"] == {"name": "m", "finetune": {"base_valid": 1.0}} and stored["corpus"] == ["pairs.tsv", None]


def test_old_run_json_files_are_read(tmp_path):
    folder = RunFolder.at(tmp_path)
    old = {"model": {}, "meta": {"name": "m", "corpus": "a.tsv"}, "corpus": ["a.tsv", "b.txt"]}  # stored twice
    (tmp_path / RUN_FILE).write_text(json.dumps(old), encoding="utf-8")
    assert folder.corpus() == ("a.tsv", "b.txt") and folder.read_run()["meta"]["corpus"] == "a.tsv"
    (tmp_path / RUN_FILE).write_text(json.dumps({"meta": {"corpus": "c.tsv"}}), encoding="utf-8")  # meta only
    assert folder.corpus() == ("c.tsv", None)
    assert RunFolder.at(tmp_path / "none").corpus() == ("", None)


def test_the_splits_written_are_read_back(tmp_path):
    folder = RunFolder.at(tmp_path)
    parts = {"train": [("Hello.", "Hola."), ("Thanks.", "Gracias.")], "valid": [("Go.", "Ve.")], "test": []}
    folder.write_split(parts)
    assert folder.read_splits() == parts
    assert folder.read_pairs("general") == []  # absent: no pairs
    assert not list(folder.data_dir.glob(".*.tmp"))


def test_one_tokenizer_loader_for_bundles_and_runs(tiny_model_dir, tmp_path):
    from translator_app.core.model.checkpoint import load_bundle

    bundle = load_bundle(tiny_model_dir)
    loaded = load_tokenizers(tiny_model_dir)
    assert loaded.joint and loaded.source.model_bytes == bundle.tokenizers.source.model_bytes
    folder = RunFolder.at(tmp_path)
    folder.save_tokenizers(loaded)
    assert (folder.data_dir / "tokenizer.model").read_bytes() == loaded.source.model_bytes
    assert folder.load_tokenizers().source.model_bytes == loaded.source.model_bytes


def test_the_run_folder_request_and_data_modules_load_without_torch():
    code = (
        "import sys\n"
        "import translator_app.core.folders.runfolder, translator_app.core.train.request, translator_app.core.train.train_data\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_finetune_and_run_setup_form_no_cycle():
    """run_setup uses finetune; finetune (and the modules below it) never import run_setup or training."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("translator_app")
    assert (
        graph.find_shortest_chain(
            importer="translator_app.core.train.finetune", imported="translator_app.core.train.run_setup"
        )
        is None
    )
    assert graph.find_shortest_chain(
        importer="translator_app.core.train.run_setup", imported="translator_app.core.train.finetune"
    )
    for low in ("folders.runfolder", "train.request", "train.train_data", "train.forgetting"):
        for high in ("train.finetune", "train.run_setup", "train.training"):
            chain = graph.find_shortest_chain(
                importer=f"translator_app.core.{low}", imported=f"translator_app.core.{high}"
            )
            assert chain is None, chain


def test_atomic_json(tmp_path):
    atomic_write_json(tmp_path / "x.json", {"é": 1})
    assert json.loads((tmp_path / "x.json").read_text(encoding="utf-8")) == {"é": 1}
