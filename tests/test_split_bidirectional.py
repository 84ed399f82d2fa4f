"""scripts/split_bidirectional.py: a bidirectional run as two bundles that load, each reading its own tag."""

from __future__ import annotations

import json

import pytest
import torch

from scripts.split_bidirectional import main
from translator_app.core.model.checkpoint import load_bundle
from translator_app.core.text.tags import DEFAULT_TAGS, tag_ids
from translator_app.core.translation import pipeline
from translator_app.core.translation.translator import InteractiveUnsupported, Translator

ES, EN = DEFAULT_TAGS


@pytest.fixture(scope="module")
def split(tiny_bidi_run, tmp_path_factory):
    out = tmp_path_factory.mktemp("split")
    en_es, es_en = out / "bi-en-es", out / "bi-es-en"
    assert main([str(tiny_bidi_run), "--en-es", str(en_es), "--es-en", str(es_en)]) == 0
    return en_es, es_en


def _config(path):
    return json.loads((path / "config.json").read_text(encoding="utf-8"))


def test_the_two_bundles_differ_from_the_run_only_in_their_direction(tiny_bidi_run, split):
    run = _config(tiny_bidi_run)
    for path, tag, src, tgt in ((split[0], ES, "en", "es"), (split[1], EN, "es", "en")):
        config = _config(path)
        assert {k: v for k, v in config.items() if k != "meta"} == {k: v for k, v in run.items() if k != "meta"}
        meta, run_meta = config["meta"], run["meta"]
        changed = {k for k in meta.keys() | run_meta.keys() if meta.get(k) != run_meta.get(k)}
        languages = {"src_lang", "tgt_lang"} if src != run_meta["src_lang"] else set()  # (the run's: en, es)
        assert changed == {"name", "source_tag", "bidirectional", "run", "metrics"} | languages
        assert (meta["source_tag"], meta["src_lang"], meta["tgt_lang"]) == (tag, src, tgt)
        assert meta["name"].endswith(f"({src}\u2192{tgt})")
        assert meta["bidirectional"]["run_metrics"] == run_meta["metrics"]
        assert (path / "tokenizer.model").read_bytes() == (tiny_bidi_run / "tokenizer.model").read_bytes()
        weights, original = load_bundle(path).state_dict, load_bundle(tiny_bidi_run).state_dict
        assert weights.keys() == original.keys() and all(torch.equal(weights[k], original[k]) for k in weights)


def test_the_test_split_goes_by_tag(tiny_bidi_run, split):
    rows = (tiny_bidi_run / "data" / "test.tsv").read_text(encoding="utf-8").splitlines()
    for path, tag in ((split[0], ES), (split[1], EN)):
        mine = (path / "test.tsv").read_text(encoding="utf-8").splitlines()
        assert mine and mine == [r[len(tag) + 1 :] for r in rows if r.startswith(tag + " ")]
    assert sum(len((p / "test.tsv").read_text(encoding="utf-8").splitlines()) for p in split) == len(rows)


def test_each_bundle_loads_and_puts_its_tag_before_the_source(tiny_bidi_run, split, monkeypatch):
    calls: list[list[int]] = []
    real = pipeline.search_mod.search

    def recording(model, sources, *args, **kwargs):
        calls.extend(list(s) for s in sources)
        return real(model, sources, *args, **kwargs)

    monkeypatch.setattr(pipeline.search_mod, "search", recording)
    text = "Tom has 3 cats. Where is he?"
    Translator.load(tiny_bidi_run).translate(text)  # the run's own bundle: no tag
    plain, calls[:] = list(calls), []
    for path, tag in ((split[0], ES), (split[1], EN)):
        translator = Translator.load(path)
        assert translator.source_tag == tag and translator.info.src_lang == path.name[3:5]
        result = translator.translate(text)
        ids = list(tag_ids(translator.tok.source, tag))
        assert len(calls) == len(plain) == 2 and all(c == ids + p for c, p in zip(calls, plain))
        for sentence in result.sentences:
            assert tag not in sentence.source_tokens
            assert sentence.attention.shape == (len(sentence.target_tokens), len(sentence.source_tokens))
        with pytest.raises(InteractiveUnsupported, match="source tag"):
            translator.complete("Tom has 3 cats.", "Tom")
        calls[:] = []


def test_the_cli_translates_with_a_split_bundle(split, capsys):
    from translator_app.cli import main as cli

    assert cli(["translate", "--model", str(split[1]), "--show-attention", "Hola, Tom."]) == 0
    out = capsys.readouterr().out
    assert out.strip() and EN not in out  # (the alignment shows the source's pieces, not the tag)


def test_refusals(tiny_bidi_run, tiny_model_dir, split, tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main([str(split[0]), "--en-es", str(a), "--es-en", str(b)]) == 1  # already one direction
    assert main([str(tiny_model_dir), "--en-es", str(a), "--es-en", str(b)]) == 1  # no tags in its vocabulary
    assert "not one piece" in capsys.readouterr().err and not a.exists() and not b.exists()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SystemExit, match="not a model bundle"):
        main([str(tiny_bidi_run), "--en-es", str(tmp_path / "notes"), "--es-en", str(b)])
    assert (tmp_path / "notes" / "keep.txt").is_file()
    with pytest.raises(SystemExit):
        main([str(tiny_bidi_run), "--en-es", str(a), "--es-en", str(a)])


def test_fine_tuning_a_direction_is_refused(tiny_bidi_run, split, tmp_path):
    from translator_app.core.base.config import TrainConfig
    from translator_app.core.train.request import FinetuneSpec
    from translator_app.core.train.training import CorpusSpec, TrainRequest, train

    corpus = tmp_path / "more.en-es.tsv"
    corpus.write_text("Hello.\tHola.\n" * 3, encoding="utf-8")
    budget = TrainConfig(max_steps=1, num_threads=1)  # (were it not refused)
    request = TrainRequest(
        CorpusSpec(str(corpus)), tmp_path / "ft", train_cfg=budget, finetune=FinetuneSpec(str(split[0]))
    )
    with pytest.raises(ValueError, match="one direction of a bidirectional model"):
        list(train(request))


def test_the_quality_benchmark_scores_each_direction_with_its_tag(split, monkeypatch, capsys):
    from benchmarks.quality import model_system

    seen: list[str] = []
    real = pipeline.translate_texts

    def recording(*args, **kwargs):
        seen.append(kwargs["source_tag"])
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "translate_texts", recording)
    for path, direction, tag in ((split[0], "en-es", ES), (split[1], "es-en", EN)):
        seen[:] = []
        system = model_system(str(path), 1, direction)
        assert len(system.translate(["Tom has 3 cats.", "Hola."])) == 2 and seen == [tag]
        assert system.meta["languages"] == direction and "warning" not in capsys.readouterr().err
