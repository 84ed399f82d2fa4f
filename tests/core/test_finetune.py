"""Fine-tuning a trained model on another corpus (core/train/finetune.py through core/train/training.train)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import take_slice
from translator_app.core.model.checkpoint import load_bundle, load_train_state
from translator_app.core.text.corpus import CorpusError
from translator_app.core.train.finetune import (
    FINETUNE_PRESET,
    POOR_COVERAGE,
    TRAIN_PRESETS,
    FinetuneSpec,
    corpus_fit,
    load_base_tokenizers,
    resolve_model,
    tokenizer_coverage,
)
from translator_app.core.train.training import CorpusSpec, Finished, Progress, Status, TrainRequest, Validation, train

FT = replace(TRAIN_PRESETS[FINETUNE_PRESET], valid_max_sentences=20, log_every=2, checkpoint_every=2, num_threads=1)
GREEK = [
    "Το γρήγορο καφέ αλεπού πηδά πάνω από το τεμπέλικο σκυλί.",
    "Καλημέρα, πώς είσαι σήμερα;",
    "Η βιβλιοθήκη κλείνει στις οκτώ το βράδυ.",
    "Θέλω ένα φλιτζάνι τσάι χωρίς ζάχαρη.",
]


@pytest.fixture(scope="module")
def domain_corpus(tmp_path_factory) -> Path:
    """Another en-es slice (the "domain"), not the tiny model's own lines."""
    return take_slice(300, tmp_path_factory.mktemp("domain") / "domain.en-es.tsv", step=61)


def finetune(corpus, out, base, stop_at=None, resume=False, **train_over):
    flag = {"stop": False}
    events = []
    for ev in train(
        TrainRequest(
            CorpusSpec(str(corpus)),
            out,
            train_cfg=replace(FT, **train_over),
            resume=resume,
            finetune=FinetuneSpec(str(base), general_max=20),
        ),
        should_stop=lambda: flag["stop"],
    ):
        events.append(ev)
        if stop_at is not None and isinstance(ev, Progress) and ev.step >= stop_at:
            flag["stop"] = True
    return events


def test_finetuning_keeps_the_tokenizer_and_shapes_records_the_parent_and_resumes(
    tiny_model_dir, domain_corpus, tmp_path
):
    out = tmp_path / "ft"
    events = finetune(domain_corpus, out, tiny_model_dir, stop_at=4, max_steps=8, valid_every=4)
    valids = [e for e in events if isinstance(e, Validation)]
    # step 0 scores the base model itself, on the in-domain and the general dev set
    assert valids[0].step == 0 and valids[0].best and valids[0].base_bleu == valids[0].bleu
    assert valids[0].general_bleu is not None and valids[0].base_general_bleu == valids[0].general_bleu
    assert [v.step for v in valids] == [0, 4]
    assert valids[1].general_drop == pytest.approx(valids[0].general_bleu - valids[1].general_bleu)
    assert isinstance(events[-1], Finished) and events[-1].reason == "stopped"
    stopped_at = events[-1].step

    base = load_bundle(tiny_model_dir)
    tuned = load_bundle(out)
    assert (out / "tokenizer.model").read_bytes() == (tiny_model_dir / "tokenizer.model").read_bytes()
    assert tuned.model_config == base.model_config
    assert {k: v.shape for k, v in tuned.state_dict.items()} == {k: v.shape for k, v in base.state_dict.items()}
    parent = tuned.meta["parent"]
    assert parent["path"] == str(tiny_model_dir.resolve()) and parent["name"] == base.meta["name"]
    assert parent["sha256"] == hashlib.sha256((tiny_model_dir / "weights.pt").read_bytes()).hexdigest()
    assert tuned.meta["corpus"] == str(domain_corpus) and tuned.meta["src_lang"] == "en"
    info = tuned.meta["finetune"]
    # the tiny model's run folder is its bundle folder: its training data is replayed, its valid split scored
    assert info["replay_pairs"] > 0 and info["replay_source"].endswith("data/train.tsv")
    # the replay rotates: each epoch a new slice of general pairs beside every in-domain pair
    rounds, n_domain = info["replay_rounds"], info["in_domain_pairs"]
    assert rounds > 1 and info["replay_pairs"] >= rounds
    written = (out / "data" / "train.tsv").read_text(encoding="utf-8").splitlines()
    assert len(written) == n_domain + info["replay_pairs"]
    assert 0.5 * 0.8 < info["replay_share"] < 0.5 * 1.2  # the share per epoch, as asked (default 0.5)
    assert info["general_dev"].endswith("data/valid.tsv") and info["base_general"]["bleu"] == valids[0].general_bleu
    assert (out / "data" / "general.tsv").exists()
    trained = load_train_state(out / "checkpoint.pt")["model"]
    assert any(not trained[k].equal(v.float()) for k, v in base.state_dict.items())  # it did train

    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["train"]["lr"] == pytest.approx(FT.lr) and run["train"]["schedule"] == FT.schedule == "linear"
    assert run["meta"]["finetune"]["base_valid"]["bleu"] == valids[0].bleu

    resumed = finetune(domain_corpus, out, tiny_model_dir, resume=True, max_steps=stopped_at + 4, valid_every=4)
    steps = [e.step for e in resumed if isinstance(e, Progress)]
    assert steps and min(steps) > stopped_at
    more = [e for e in resumed if isinstance(e, Validation)]
    assert more and all(v.step > 0 for v in more)  # the base model is not scored again
    assert more[-1].base_general_bleu == valids[0].general_bleu and more[-1].general_bleu is not None
    assert resumed[-1].reason == "max_steps" and load_train_state(out / "checkpoint.pt")["step"] == stopped_at + 4
    assert load_bundle(out).meta["parent"] == parent
    history = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    assert history[0]["step"] == 0 and "general_bleu" in history[-1]


def test_a_corpus_in_another_language_pair_is_refused(tiny_model_dir, tmp_path):
    french = tmp_path / "notes.en-fr.tsv"
    french.write_text("".join(f"Sentence number {i}.\tPhrase numéro {i}.\n" for i in range(60)), encoding="utf-8")
    with pytest.raises(
        CorpusError,
        match=r"notes\.en-fr\.tsv: the corpus is en→fr but the base model .* "
        r"translates en→es; a model can only be fine-tuned on its own language",
    ):
        finetune(french, tmp_path / "ft", tiny_model_dir, max_steps=2)
    assert not (tmp_path / "ft" / "checkpoint.pt").exists()
    reverse = tmp_path / "notes.es-en.tsv"
    reverse.write_text("".join(f"Frase {i}.\tSentence {i}.\n" for i in range(60)), encoding="utf-8")
    with pytest.raises(CorpusError, match="the corpus goes the other way"):
        finetune(reverse, tmp_path / "ft2", tiny_model_dir, max_steps=2)


def test_no_general_data_is_said_in_a_status_event(tiny_model_dir, domain_corpus, tmp_path):
    bare = tmp_path / "bare"  # a copy of the bundle alone: no run folder recorded, no data beside it
    bare.mkdir()
    for name in ("config.json", "weights.pt", "tokenizer.model"):
        if (tiny_model_dir / name).exists():
            (bare / name).write_bytes((tiny_model_dir / name).read_bytes())
    config = json.loads((bare / "config.json").read_text(encoding="utf-8"))
    config["meta"].pop("run", None)
    (bare / "config.json").write_text(json.dumps(config), encoding="utf-8")
    events = finetune(domain_corpus, tmp_path / "ft", bare, max_steps=2, valid_every=2)
    messages = [e.message for e in events if isinstance(e, Status)]
    assert any("No general data found to replay" in m and "--replay-corpus" in m for m in messages)
    valids = [e for e in events if isinstance(e, Validation)]
    assert valids and all(v.general_bleu is None for v in valids)
    assert load_bundle(tmp_path / "ft").meta["finetune"]["replay_pairs"] == 0


def test_tokenizer_coverage_flags_a_corpus_in_a_foreign_script(tiny_model_dir, tiny_corpus, tmp_path):
    tok = load_base_tokenizers(tiny_model_dir)
    english = [line.split("\t")[0] for line in tiny_corpus.read_text(encoding="utf-8").splitlines()]
    assert tokenizer_coverage(tok.source, english) >= POOR_COVERAGE
    assert tokenizer_coverage(tok.source, GREEK * 10) < 0.9
    assert tokenizer_coverage(tok.source, []) == 1.0
    greek = tmp_path / "greek.en-es.tsv"  # mislabelled: the "Spanish" side is Greek
    greek.write_text("".join(f"{e}\t{g}\n" for e, g in zip(english[:40], GREEK * 10)), encoding="utf-8")
    fit = corpus_fit(tiny_model_dir, str(greek))
    assert fit.poor and fit.source_coverage >= POOR_COVERAGE > fit.target_coverage and fit.mismatch is None
    assert "covers this corpus poorly" in fit.warning() and 30 < fit.sentences <= 40


def test_byte_fallback_pieces_count_as_poor_coverage(tiny_corpus):
    from translator_app.core.base.config import TokenizerConfig
    from translator_app.core.text.tokenizer import train_subword_model

    lines = [line.split("\t")[0] for line in tiny_corpus.read_text(encoding="utf-8").splitlines()]
    model = train_subword_model(lines, TokenizerConfig(vocab_size=600, placeholders=False, byte_fallback=True))
    assert model.byte_fallback
    assert tokenizer_coverage(model, lines) >= POOR_COVERAGE
    assert tokenizer_coverage(model, GREEK) < 0.5  # Greek letters become <0x..> byte pieces


def test_cli_from_refuses_architecture_flags_and_fine_tunes(tiny_model_dir, domain_corpus, tmp_path, capsys):
    from translator_app import cli

    out = tmp_path / "cli-ft"
    assert (
        cli.main(["train", str(domain_corpus), "--from", str(tiny_model_dir), "--out", str(out), "--emb-dim", "32"])
        == 2
    )
    assert "--emb-dim cannot be used with --from" in capsys.readouterr().err
    assert cli.main(["train", str(domain_corpus), "--out", str(out), "--replay", "0.2"]) == 2
    assert (
        cli.main(
            [
                "train",
                str(domain_corpus),
                "--from",
                str(tiny_model_dir),
                "--out",
                str(out),
                "--max-steps",
                "2",
                "--valid-every",
                "2",
                "--threads",
                "1",
                "--replay",
                "0.5",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "general BLEU" in printed
    meta = json.loads((out / "config.json").read_text(encoding="utf-8"))["meta"]
    assert meta["parent"]["path"] == str(tiny_model_dir.resolve()) and 0.4 < meta["finetune"]["replay_share"] <= 0.5


def test_resolve_model_looks_in_the_folders_it_is_given(tmp_path, monkeypatch):
    user, bundled = tmp_path / "user", tmp_path / "bundled"
    for folder in (user / "mine", bundled / "mine", bundled / "shipped"):
        folder.mkdir(parents=True)
        (folder / "config.json").write_text("{}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a bare name is not a folder here
    assert resolve_model("mine", user, bundled) == user / "mine"  # the user's model first
    assert resolve_model("shipped", user, bundled) == bundled / "shipped"
    assert resolve_model(bundled / "mine", user, bundled) == bundled / "mine"
    with pytest.raises(ValueError, match="not a model folder"):
        resolve_model("missing", user, bundled)


def test_rotating_rows_keep_the_fixed_rows_and_take_each_slice_once():
    from translator_app.core.train.batching import rotating_rows

    epochs = rotating_rows(total=25, fixed=5, rounds=4)
    assert len(epochs) == 4
    assert all(set(range(5)) <= set(rows.tolist()) for rows in epochs)
    rest = [sorted(set(rows.tolist()) - set(range(5))) for rows in epochs]
    assert sorted(i for part in rest for i in part) == list(range(5, 25))  # each general row in one epoch
    assert {len(part) for part in rest} == {5}
    assert [r.tolist() for r in rotating_rows(total=3, fixed=3, rounds=1)] == [[0, 1, 2]]


def test_bucket_batches_over_a_subset_uses_only_those_rows(tiny_model_dir):
    import numpy as np

    from translator_app.core.train.batching import EncodedCorpus, bucket_batches

    tok = load_bundle(tiny_model_dir).tokenizers
    pairs = [(f"sentence {i} " * (1 + i % 4), f"frase {i} " * (1 + i % 4)) for i in range(40)]
    corpus, _ = EncodedCorpus.from_pairs(pairs, tok, 80)
    rows = np.arange(0, 40, 3)
    batches = bucket_batches(corpus, 200, seed=1, rows=rows)
    assert sorted(i for b in batches for i in b) == rows.tolist()
    assert sorted(i for b in bucket_batches(corpus, 200, seed=1) for i in b) == list(range(40))
    assert corpus.kept.tolist() == list(range(40))
    # a pair too long to keep: the rows after it still name their pair
    longer, dropped = EncodedCorpus.from_pairs(pairs[:5] + [("word " * 200, "palabra")] + pairs[5:], tok, 80)
    assert dropped == 1 and longer.kept.tolist() == [*range(5), *range(6, 41)]
