from __future__ import annotations

from dataclasses import replace

import pytest

from translator_app.core.base.config import PRESETS, TokenizerConfig, TrainConfig
from translator_app.core.text.corpus import CorpusError
from translator_app.core.train.training import (
    CorpusSpec,
    DataReady,
    Finished,
    Progress,
    TrainRequest,
    Validation,
    budget_spent,
    lr_factor,
    train,
)

MODEL, TRAIN, _ = PRESETS["tiny"]
TOK = TokenizerConfig(vocab_size=300)


def run(corpus, out, **train_over):
    return list(
        train(
            TrainRequest(
                CorpusSpec(str(corpus)),
                out,
                model_cfg=MODEL,
                tok_cfg=TOK,
                train_cfg=replace(TRAIN, valid_max_sentences=30, log_every=5, **train_over),
            ),
        )
    )


def test_events_loss_goes_down_and_bundle_is_written(tiny_corpus, tmp_path):
    events = run(tiny_corpus, tmp_path / "m", max_steps=30, valid_every=15, checkpoint_every=10)
    ready = [e for e in events if isinstance(e, DataReady)]
    progress = [e for e in events if isinstance(e, Progress)]
    valids = [e for e in events if isinstance(e, Validation)]
    assert len(ready) == 1 and ready[0].train_pairs > ready[0].valid_pairs > 0
    assert [p.step for p in progress] == [5, 10, 15, 20, 25, 30]
    assert progress[-1].loss < progress[0].loss
    assert progress[-1].fraction == 1.0 and progress[0].eta_s > 0
    assert [v.step for v in valids] == [15, 30] and valids[0].best
    sample = valids[-1].samples[0]
    assert sample.attention.shape == (len(sample.target_tokens), len(sample.source_tokens))
    assert isinstance(events[-1], Finished) and events[-1].reason == "max_steps" and events[-1].step == 30
    out = tmp_path / "m"
    for name in ("config.json", "weights.pt", "tokenizer.model", "checkpoint.pt", "data/test.tsv", "run.json"):
        assert (out / name).exists(), name


def test_stop_flag_and_resume_continue_from_checkpoint(tiny_corpus, tmp_path):
    out = tmp_path / "m"
    flag = {"stop": False}
    events = []
    for event in train(
        TrainRequest(
            CorpusSpec(str(tiny_corpus)),
            out,
            model_cfg=MODEL,
            tok_cfg=TOK,
            train_cfg=replace(TRAIN, max_steps=25, valid_every=100, checkpoint_every=5, log_every=5),
        ),
        should_stop=lambda: flag["stop"],
    ):
        events.append(event)
        if isinstance(event, Progress) and event.step == 10:
            flag["stop"] = True  # as the GUI's Stop button does, from outside the loop
    # the flag is read at the end of the step in flight (step 11), so the loop stops there
    assert events[-1].reason == "stopped" and events[-1].step == 11
    assert (out / "weights.pt").exists()  # a usable model even without validation
    resumed = list(
        train(
            TrainRequest(
                CorpusSpec(str(tiny_corpus)),
                out,
                model_cfg=MODEL,
                tok_cfg=TOK,
                resume=True,
                train_cfg=replace(TRAIN, max_steps=25, valid_every=100, log_every=1, valid_max_sentences=20),
            ),
        )
    )
    from translator_app.core.model.checkpoint import load_train_state

    steps = [e.step for e in resumed if isinstance(e, Progress)]
    assert steps == [15, 20, 25]  # continues after step 11 (progress every 5 steps, as saved in run.json)
    assert resumed[-1].step == 25 and resumed[-1].reason == "max_steps"
    assert load_train_state(out / "checkpoint.pt")["step"] == 25


def test_bad_corpus_raises_before_training(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"only\nlines\nwithout tabs\n")
    with pytest.raises(CorpusError, match="bad.tsv"):
        run(bad, tmp_path / "m", max_steps=5)


def test_lr_schedule_warms_up_then_decays():
    cfg = TrainConfig(lr=1e-3, warmup_steps=100)
    assert lr_factor(50, cfg) == pytest.approx(0.5)
    assert lr_factor(100, cfg) == pytest.approx(1.0)
    assert lr_factor(400, cfg) == pytest.approx(0.5)


def test_linear_schedule_decays_over_the_budget():
    cfg = TrainConfig(lr=1e-3, warmup_steps=100, schedule="linear", min_lr=1e-5, minutes=10)
    assert lr_factor(50, cfg, 0.01) == pytest.approx(0.5)  # warm-up first
    assert lr_factor(200, cfg, 0.0) == pytest.approx(1.0)
    assert lr_factor(200, cfg, 0.5) == pytest.approx(0.505)  # halfway from 1 to min_lr / lr
    assert lr_factor(200, cfg, 1.0) == pytest.approx(0.01)
    assert lr_factor(200, cfg, 3.0) == pytest.approx(0.01)  # past the budget (a resumed run): the floor
    assert lr_factor(200, cfg, None) == pytest.approx(1.0)  # no budget: flat after the warm-up
    const = replace(cfg, schedule="constant")
    assert lr_factor(200, const, 0.9) == pytest.approx(1.0)
    assert budget_spent(cfg, 10, 300.0) == pytest.approx(0.5)
    assert budget_spent(replace(cfg, max_steps=20), 15, 300.0) == pytest.approx(0.75)  # the nearer end
    assert budget_spent(replace(cfg, minutes=0), 15, 300.0) is None


def test_stop_during_preparation_ends_before_training(tiny_corpus, tmp_path):
    events = list(
        train(
            TrainRequest(
                CorpusSpec(str(tiny_corpus)),
                tmp_path / "m",
                model_cfg=MODEL,
                tok_cfg=TOK,
                train_cfg=replace(TRAIN, max_steps=5),
            ),
            should_stop=lambda: True,
        )
    )
    assert isinstance(events[-1], Finished) and events[-1].reason == "stopped" and events[-1].step == 0
    assert not any(isinstance(e, Progress) for e in events)
