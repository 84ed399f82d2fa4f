"""A bundle's replay set (core/train/replay.py, scripts/add_replay_set.py): written, checked like any
untrusted input, carried by import/export, and replayed by default when fine-tuning from the bundle."""

from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from scripts.add_replay_set import add_replay_set
from translator_app.core.folders.filenames import REPLAY_FILE
from translator_app.core.model.checkpoint import load_bundle
from translator_app.core.text.corpus import CorpusError
from translator_app.core.train import replay
from translator_app.core.train.finetune import FINETUNE_PRESET, TRAIN_PRESETS, FinetuneSpec
from translator_app.core.train.forgetting import replay_warning
from translator_app.core.train.training import CorpusSpec, Finished, Status, TrainRequest, train

PAIRS = [("Hello.", "Hola."), ("Good night.", "Buenas noches."), ("Thanks!", "¡Gracias!")]


def bare_copy(model: Path, dest: Path) -> Path:
    """The bundle files alone, its run folder forgotten (as an installed or imported model)."""
    dest.mkdir(parents=True)
    for name in ("config.json", "weights.pt", "tokenizer.model"):
        shutil.copyfile(model / name, dest / name)
    config = json.loads((dest / "config.json").read_text(encoding="utf-8"))
    config["meta"].pop("run", None)
    (dest / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return dest


def test_a_replay_file_round_trips_and_its_record_is_checked(tmp_path):
    data = replay.encode_replay(PAIRS)
    assert data == replay.encode_replay(PAIRS)  # deterministic: no time stamp
    path = tmp_path / REPLAY_FILE
    path.write_bytes(data)
    record = replay.replay_record(data, len(PAIRS))
    assert record["pairs"] == 3 and record["bytes"] == len(data) and len(record["sha256"]) == 64
    assert replay.read_replay(path, record) == PAIRS
    with pytest.raises(CorpusError, match="SHA-256"):
        replay.read_replay(path, {**record, "sha256": "0" * 64})
    with pytest.raises(CorpusError, match="records 4"):
        replay.read_replay(path, {"pairs": 4})


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (b"not gzip at all", "not a gzip file"),
        (gzip.compress(b"one\ttwo\n")[:-6], "truncated"),
        (gzip.compress(b"a\tb\n") + gzip.compress(b"c\td\n"), "more than one gzip member"),
        (gzip.compress(b"a\tb\tc\n"), "line 1: replay set: expected one source<TAB>target"),
        (gzip.compress(b"a\t\n"), "expected one source<TAB>target"),
        (gzip.compress(b"\xff\xfe\tx\n"), "not UTF-8"),
        (gzip.compress(("x" * 1001 + "\ty\n").encode()), "over 1000 characters"),
        (gzip.compress(b""), "no pairs"),
    ],
)
def test_a_bad_replay_file_is_refused(tmp_path, payload, match):
    path = tmp_path / REPLAY_FILE
    path.write_bytes(payload)
    with pytest.raises(CorpusError, match=match):
        replay.read_replay(path)


def test_reads_are_bounded(tmp_path, monkeypatch):
    path = tmp_path / REPLAY_FILE
    path.write_bytes(gzip.compress(b"a\tb\n" * 200_000))  # 800 kB of text in a few kB: a small bomb
    monkeypatch.setattr(replay, "MAX_TEXT_BYTES", 100_000)
    with pytest.raises(CorpusError, match="inflates to more than"):
        replay.read_replay(path)
    monkeypatch.setattr(replay, "MAX_FILE_BYTES", 100)
    with pytest.raises(CorpusError, match="larger than"):
        replay.read_replay(path)
    monkeypatch.undo()
    monkeypatch.setattr(replay, "MAX_PAIRS", 1000)
    with pytest.raises(CorpusError, match="more than 1,000 pairs"):
        replay.read_replay(path)


def test_the_sample_keeps_repeats_leaves_out_test_sources_and_is_seeded():
    pairs = [(f"s{i}", f"t{i}") for i in range(1000)] + [("tatoeba", "repeated")] * 1000
    sample = replay.sample_pairs(pairs, 500, seed=1, exclude_sources={"s1", "s2"})
    assert len(sample) == 500 and sample == replay.sample_pairs(pairs, 500, seed=1, exclude_sources={"s1", "s2"})
    assert 180 < sum(p == ("tatoeba", "repeated") for p in sample) < 320  # half the lines: about half the sample
    assert not {"s1", "s2"} & {s for s, _ in sample}
    assert replay.sample_pairs([("a\tb", "c"), ("x", "y")], 5, seed=0) == [("x", "y")]


def test_the_script_adds_a_set_that_fine_tuning_replays_by_default(tiny_model_dir, tiny_corpus, tmp_path):
    base = bare_copy(tiny_model_dir, tmp_path / "base")
    assert replay_warning(base, None) is not None  # nothing to replay yet: the person is warned
    record = add_replay_set(base, tiny_corpus, pairs=400, seed=3)
    config = json.loads((base / "config.json").read_text(encoding="utf-8"))
    assert config["meta"]["replay"] == record and record["pairs"] == 400
    assert record["bytes"] == (base / REPLAY_FILE).stat().st_size and record["source"]["swapped"] is False
    assert load_bundle(base).meta["replay"]["pairs"] == 400  # the bundle still loads
    assert replay_warning(base, None) is None and "share is 0" in replay_warning(base, 0.0)

    domain = tmp_path / "domain.en-es.tsv"
    lines = tiny_corpus.read_text(encoding="utf-8").splitlines()
    domain.write_text("\n".join(lines[1::7][:150]) + "\n", encoding="utf-8")
    cfg = replace(TRAIN_PRESETS[FINETUNE_PRESET], max_steps=2, valid_every=2, valid_max_sentences=10, num_threads=1)
    out = tmp_path / "ft"
    events = list(
        train(
            TrainRequest(CorpusSpec(str(domain)), out, train_cfg=cfg, finetune=FinetuneSpec(str(base), general_max=20))
        )
    )
    assert isinstance(events[-1], Finished)
    assert not any("No general data" in e.message for e in events if isinstance(e, Status))
    info = load_bundle(out).meta["finetune"]
    assert info["replay_source"] == str(base / REPLAY_FILE) and info["replay_pairs"] > 0
    # the fine-tuned model carries the set on, so it can be fine-tuned again without its base
    assert (out / REPLAY_FILE).read_bytes() == (base / REPLAY_FILE).read_bytes()
    assert load_bundle(out).meta["replay"] == record

    (base / REPLAY_FILE).write_bytes(replay.encode_replay(PAIRS))  # changed behind the config's back
    with pytest.raises(CorpusError, match="config.json records"):
        list(
            train(
                TrainRequest(CorpusSpec(str(domain)), tmp_path / "ft2", train_cfg=cfg, finetune=FinetuneSpec(str(base)))
            )
        )


def test_the_script_swaps_the_columns_for_the_reverse_model(tiny_model_dir, tiny_corpus, tmp_path):
    base = bare_copy(tiny_model_dir, tmp_path / "es-en")
    config = json.loads((base / "config.json").read_text(encoding="utf-8"))
    config["meta"].update(src_lang="es", tgt_lang="en")
    (base / "config.json").write_text(json.dumps(config), encoding="utf-8")
    record = add_replay_set(base, tiny_corpus, pairs=50, seed=3)
    first = replay.read_replay(base / REPLAY_FILE, record)[0]
    assert record["source"]["swapped"] and (first[1], first[0]) in {
        tuple(line.split("\t")[:2]) for line in tiny_corpus.read_text(encoding="utf-8").splitlines()
    }


def test_import_and_export_carry_the_set_and_refuse_a_bad_one(tiny_model_dir, tiny_corpus, tmp_path):
    from translator_app.core.library.store import ModelStore, StoreError

    base = bare_copy(tiny_model_dir, tmp_path / "with-set")
    add_replay_set(base, tiny_corpus, pairs=100)
    store = ModelStore(tmp_path / "bundled", tmp_path / "user")
    (tmp_path / "bundled").mkdir()
    (tmp_path / "user").mkdir()
    entry = store.import_bundle(base)
    assert (entry.path / REPLAY_FILE).read_bytes() == (base / REPLAY_FILE).read_bytes()
    zipped = store.export_zip(entry.path, tmp_path / "out.zip")
    again = store.import_bundle(zipped, name="again")
    assert (again.path / REPLAY_FILE).is_file()
    (base / REPLAY_FILE).write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(StoreError, match="replay set"):
        store.import_bundle(base, name="broken")


def test_another_bundles_set_given_as_replay_corpus_is_read_as_a_replay_set(tiny_model_dir, tiny_corpus, tmp_path):
    # background adaptation fine-tunes version N of the person's model (no set of its own) and replays the
    # bundled root's set by passing its path; it was once read as a plain TSV ("contains NUL bytes")
    root = bare_copy(tiny_model_dir, tmp_path / "root")
    add_replay_set(root, tiny_corpus, pairs=300, seed=5)
    version = bare_copy(tiny_model_dir, tmp_path / "version")
    domain = tmp_path / "domain.en-es.tsv"
    lines = tiny_corpus.read_text(encoding="utf-8").splitlines()
    domain.write_text("\n".join(lines[2::7][:120]) + "\n", encoding="utf-8")
    cfg = replace(TRAIN_PRESETS[FINETUNE_PRESET], max_steps=2, valid_every=2, valid_max_sentences=10, num_threads=1)

    def run(out: str):
        spec = FinetuneSpec(str(version), replay_corpus=str(root / REPLAY_FILE), general_max=20)
        return list(train(TrainRequest(CorpusSpec(str(domain)), tmp_path / out, train_cfg=cfg, finetune=spec)))

    events = run("ft")
    assert isinstance(events[-1], Finished)
    info = load_bundle(tmp_path / "ft").meta["finetune"]
    assert info["replay_source"] == str(root / REPLAY_FILE) and info["replay_pairs"] > 0
    (root / REPLAY_FILE).write_bytes(replay.encode_replay(PAIRS))  # checked against its own model's record
    with pytest.raises(CorpusError, match="config.json records"):
        run("ft2")
