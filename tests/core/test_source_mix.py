"""Sampling the training pairs by source: the .sources sidecar, the shares, the epochs, the record."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from translator_app.core.base.config import PRESETS, DataConfig, TokenizerConfig, parse_source_weights
from translator_app.core.text.corpus import CorpusError
from translator_app.core.text.corpus_sources import read_labelled_corpus, sources_path
from translator_app.core.train.request import CorpusSpec
from translator_app.core.train.source_mix import SourceMix, source_shares
from translator_app.core.train.train_data import read_and_split

ANIMALS = ["cat", "dog", "horse", "bird", "fish", "cow", "goat", "duck"]
ANIMALES = ["gato", "perro", "caballo", "pájaro", "pez", "vaca", "cabra", "pato"]


def write_corpus(folder, rows: list[tuple[str, str, str]], name: str = "c.en-es.tsv"):
    """rows: (source, english, spanish); the TSV and its sidecar, as make corpus writes them."""
    path = folder / name
    path.write_text("".join(f"{en}\t{es}\n" for _, en, es in rows), encoding="utf-8")
    sources_path(path).write_text("".join(f"{src}\n" for src, _, _ in rows), encoding="utf-8")
    return path


def two_sources(n_big: int, n_small: int) -> list[tuple[str, str, str]]:
    """ "ui" strings (many) and "everyday" sentences (few), interleaved; the text names its source."""
    big = [("ui", f"Open file {i} now", f"Abrir el archivo {i} ahora") for i in range(n_big)]
    small = [
        ("everyday", f"The {ANIMALS[i % 8]} number {i} sleeps", f"El {ANIMALES[i % 8]} número {i} duerme")
        for i in range(n_small)
    ]
    rows = big + small
    np.random.default_rng(0).shuffle(rows)
    return rows


def test_labels_follow_the_pairs_through_skips_and_dedupe(tmp_path):
    rows = [
        ("a", "one cat", "un gato"),
        ("b", "no tab here", ""),  # a line without a tab: skipped
        ("b", "two cats", "dos gatos"),
        ("c", "one cat", "un gato"),  # a duplicate pair: read once, with its first line's source
        ("c", "three cats", "tres gatos"),
    ]
    path = tmp_path / "c.tsv"
    path.write_text("".join(f"{en}\t{es}\n" if es else f"{en}\n" for _, en, es in rows), encoding="utf-8")
    sources_path(path).write_text("".join(f"{s}\n" for s, _, _ in rows), encoding="utf-8")
    pairs, labels, report = read_labelled_corpus(path)
    assert list(zip(pairs, labels)) == [
        (("one cat", "un gato"), "a"),
        (("two cats", "dos gatos"), "b"),
        (("three cats", "tres gatos"), "c"),
    ]
    assert report.pairs == 3
    kept, kept_labels, _ = read_labelled_corpus(path, dedupe=False)
    assert kept_labels == ["a", "b", "c", "c"] and kept[2] == ("one cat", "un gato")

    sources_path(path).write_text("a\nb\n", encoding="utf-8")  # another build's sidecar
    with pytest.raises(CorpusError, match="2 source labels for the 5 lines"):
        read_labelled_corpus(path)
    sources_path(path).unlink()
    with pytest.raises(CorpusError, match="c.sources"):
        read_labelled_corpus(path)


def test_the_split_keeps_each_label_with_its_pair_and_splits_by_source_sentence(tmp_path):
    rows = two_sources(120, 40)
    rows += [("ui", "Open file 3 now", "Abre el archivo 3 ahora")]  # a second translation of one source
    path = write_corpus(tmp_path, rows)
    cfg = DataConfig(valid_size=10, test_size=10, source_temperature=1.0)
    split, _, labels = read_and_split(CorpusSpec(str(path)), cfg)
    assert labels is not None and len(labels) == len(split.train)
    for (en, _), label in zip(split.train, labels):
        assert label == ("ui" if en.startswith("Open") else "everyday")
    held_out = {s for s, _ in split.valid + split.test}
    assert held_out and not held_out & {s for s, _ in split.train}
    # without sampling by source: the same split, no labels (the sidecar is not even read)
    plain, _, none = read_and_split(CorpusSpec(str(path)), replace(cfg, source_temperature=0.0))
    assert none is None and plain == split
    with pytest.raises(ValueError, match="not a source of the corpus"):
        read_and_split(CorpusSpec(str(path)), replace(cfg, source_weights="tatoeba=0.5"))


def test_weights_are_parsed_and_checked():
    assert parse_source_weights(" tatoeba=0.4, manpages = 0.1 ") == {"tatoeba": 0.4, "manpages": 0.1}
    assert parse_source_weights("") == {}
    for bad in ("tatoeba", "=0.3", "a=x", "a=-1", "a=0.2,a=0.3", "a=0,b=0", "a=inf"):
        with pytest.raises(ValueError):
            DataConfig(source_weights=bad)
    with pytest.raises(ValueError):
        DataConfig(source_temperature=-1.0)
    assert not DataConfig().by_source and DataConfig(source_temperature=2.0).by_source
    assert DataConfig(source_weights="a=1").by_source


def test_shares_for_temperature_and_for_weights():
    counts = {"big": 900, "small": 100}
    assert source_shares(counts, {}, 1.0) == pytest.approx({"big": 0.9, "small": 0.1})  # proportional
    assert source_shares(counts, {}, 2.0) == pytest.approx({"big": 0.75, "small": 0.25})  # 30 : 10
    assert source_shares(counts, {"big": 1, "small": 3}, 0.0) == pytest.approx({"big": 0.25, "small": 0.75})
    three = {"a": 600, "b": 300, "c": 100}
    # the named source's share is fixed, the others share the rest in proportion (or by temperature)
    assert source_shares(three, {"c": 0.5}, 0.0) == pytest.approx({"a": 1 / 3, "b": 1 / 6, "c": 0.5})
    assert source_shares(three, {"c": 0.5}, 1.0) == pytest.approx({"a": 1 / 3, "b": 1 / 6, "c": 0.5})
    with pytest.raises(ValueError, match="leaving nothing to b"):
        source_shares(three, {"a": 0.6, "c": 0.4}, 0.0)
    with pytest.raises(ValueError, match="not a source"):
        source_shares(three, {"d": 0.1}, 0.0)


def test_a_down_weighted_source_rotates_and_an_up_weighted_one_repeats():
    labels = ["big"] * 200 + ["small"] * 20
    mix = SourceMix(labels, DataConfig(source_weights="big=0.1,small=0.9", seed=7))
    table = {s.name: s for s in mix.table}
    assert (table["big"].per_epoch, table["small"].per_epoch) == (22, 198)
    seen = Counter()
    for epoch in range(10):  # ceil(200 / 22) epochs see every pair of "big"
        rows = mix.rows(epoch)
        counts = Counter(labels[r] for r in rows)
        assert counts == {"big": 22, "small": 198}
        small = Counter(int(r) for r in rows if r >= 200)
        assert set(small) == set(range(200, 220)) and set(small.values()) == {9, 10}  # 198 / 20 each
        seen.update(int(r) for r in rows if r < 200)
    assert set(seen) == set(range(200))  # every pair of the down-weighted source, over the epochs
    assert Counter(seen.values()) == {1: 180, 2: 20}  # ... none twice before every other once (220 draws)
    assert not np.array_equal(mix.rows(0)[:22], mix.rows(1)[:22])


def test_the_epochs_depend_only_on_seed_and_epoch_so_a_resumed_run_draws_the_same():
    labels = ["a"] * 50 + ["b"] * 7 + ["c"] * 300
    cfg = DataConfig(source_temperature=3.0, seed=11)
    first, again = SourceMix(labels, cfg), SourceMix(list(labels), cfg)
    for epoch in (0, 1, 5, 17):
        assert np.array_equal(first.rows(epoch), again.rows(epoch))
    assert not np.array_equal(first.rows(0), SourceMix(labels, replace(cfg, seed=12)).rows(0))
    meta = first.to_meta()
    assert meta["temperature"] == 3.0 and set(meta["sources"]) == {"a", "b", "c"}
    assert meta["sources"]["b"]["pairs"] == 7 and meta["epoch_pairs"] == sum(
        s["per_epoch"] for s in meta["sources"].values()
    )
    assert abs(meta["epoch_pairs"] - len(labels)) <= 3
    assert sum(s["share"] for s in meta["sources"].values()) == pytest.approx(1.0, abs=1e-5)
    assert "Sampling by source (temperature 3)" in first.summary()


def _train(corpus, out, data_cfg, resume=False, finetune=None, **train_over):
    from translator_app.core.train.training import TrainRequest, train

    model_cfg, train_cfg, _ = PRESETS["tiny"]
    return list(
        train(
            TrainRequest(
                CorpusSpec(str(corpus)),
                out,
                model_cfg=model_cfg,
                tok_cfg=TokenizerConfig(vocab_size=200),
                data_cfg=data_cfg,
                resume=resume,
                train_cfg=replace(train_cfg, valid_max_sentences=5, num_threads=1, **train_over),
                finetune=finetune,
            )
        )
    )


def test_a_run_records_the_shares_and_resumes_with_the_same_epochs(tmp_path):
    from translator_app.core.base.events import Finished, Status
    from translator_app.core.train.run_setup import _load_run

    corpus = write_corpus(tmp_path, two_sources(240, 30))
    out = tmp_path / "run"
    cfg = DataConfig(valid_size=5, test_size=5, source_weights="everyday=0.5")
    events = _train(corpus, out, cfg, max_steps=2, valid_every=2, checkpoint_every=1)
    assert isinstance(events[-1], Finished)
    status = [e.message for e in events if isinstance(e, Status) and e.message.startswith("Sampling by source")]
    assert len(status) == 1 and "everyday 50.0 %" in status[0]
    bundle_meta = json.loads((out / "config.json").read_text(encoding="utf-8"))["meta"]["source_mix"]
    run_meta = json.loads((out / "run.json").read_text(encoding="utf-8"))["meta"]["source_mix"]
    assert bundle_meta == run_meta and bundle_meta["weights"] == "everyday=0.5"
    everyday, ui = bundle_meta["sources"]["everyday"], bundle_meta["sources"]["ui"]
    assert everyday["share"] == 0.5 and everyday["pairs"] <= 30 < everyday["per_epoch"]
    assert ui["pairs"] > ui["per_epoch"] == everyday["per_epoch"]
    labels = (out / "data" / "train.sources").read_text(encoding="utf-8").split()
    train_rows = (out / "data" / "train.tsv").read_text(encoding="utf-8").splitlines()
    assert len(labels) == len(train_rows)
    assert all((row.startswith("Open") == (label == "ui")) for row, label in zip(train_rows, labels))

    # a resumed run reads the labels back from data/ and draws the same epochs
    from translator_app.core.folders.runfolder import RunFolder

    setup = _load_run(RunFolder.at(out), {}, None, None)
    assert setup.sources == labels
    resumed = _train(corpus, out, cfg, resume=True, max_steps=3, valid_every=100)
    assert resumed[-1].step == 3
    again = json.loads((out / "run.json").read_text(encoding="utf-8"))["meta"]["source_mix"]
    assert again == run_meta


def test_without_sampling_by_source_nothing_changes(tmp_path):
    corpus = write_corpus(tmp_path, two_sources(120, 20))
    out = tmp_path / "plain"
    events = _train(corpus, out, DataConfig(valid_size=5, test_size=5), max_steps=1, valid_every=100)
    from translator_app.core.base.events import Status

    assert not any(isinstance(e, Status) and e.message.startswith("Sampling") for e in events)
    assert not (out / "data" / "train.sources").exists()
    assert "source_mix" not in json.loads((out / "run.json").read_text(encoding="utf-8"))["meta"]


def test_fine_tuning_with_replay_refuses_sampling_by_source(tmp_path):
    from translator_app.core.train.request import FinetuneSpec

    corpus = write_corpus(tmp_path, two_sources(60, 20))
    with pytest.raises(ValueError, match="sampling by source"):
        from translator_app.core.train.training import TrainRequest, train

        list(
            train(
                TrainRequest(
                    CorpusSpec(str(corpus)),
                    tmp_path / "ft",
                    data_cfg=DataConfig(source_temperature=2.0),
                    finetune=FinetuneSpec(str(tmp_path / "base")),  # refused before the base is read
                )
            )
        )


def test_a_run_from_a_model_without_replay_samples_by_source(tmp_path):
    """Training a bundle on further (--from, --replay 0) samples by source as a new run does."""
    from translator_app.core.base.events import Finished
    from translator_app.core.folders.runfolder import RunFolder
    from translator_app.core.train.request import FinetuneSpec
    from translator_app.core.train.run_setup import _load_run

    corpus = write_corpus(tmp_path, two_sources(240, 30))
    cfg = DataConfig(valid_size=5, test_size=5, source_weights="everyday=0.5")
    base = tmp_path / "base"
    assert isinstance(_train(corpus, base, DataConfig(valid_size=5, test_size=5), max_steps=1)[-1], Finished)
    out = tmp_path / "more"
    events = _train(corpus, out, cfg, finetune=FinetuneSpec(str(base), replay_share=0.0), max_steps=2, valid_every=100)
    assert isinstance(events[-1], Finished)
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))["meta"]
    assert meta["parent"]["path"] == str(base.resolve()) and meta["finetune"]["replay_pairs"] == 0
    assert meta["source_mix"]["weights"] == "everyday=0.5"
    assert meta["source_mix"]["sources"]["everyday"]["share"] == 0.5
    labels = (out / "data" / "train.sources").read_text(encoding="utf-8").split()
    train_rows = (out / "data" / "train.tsv").read_text(encoding="utf-8").splitlines()
    assert len(labels) == len(train_rows)
    assert all((row.startswith("Open") == (label == "ui")) for row, label in zip(train_rows, labels))
    assert _load_run(RunFolder.at(out), {}, None, None).sources == labels  # and a resume reads them back
