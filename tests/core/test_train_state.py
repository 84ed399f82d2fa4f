"""TrainingState: the counters of a run, the checkpoint file it writes and reads, and resuming with it."""

from __future__ import annotations

import shutil
import time
from dataclasses import replace

import pytest
import torch

from translator_app.core.base.config import PRESETS, TokenizerConfig
from translator_app.core.model.checkpoint import BundleError, load_train_state, save_train_state
from translator_app.core.train.train_state import TrainingState
from translator_app.core.train.training import CorpusSpec, Finished, Progress, TrainRequest, train

# the keys of checkpoint.pt as written before TrainingState existed: the format must not change
OLD_KEYS = {
    "model",
    "optimizer",
    "step",
    "epoch",
    "batch_pos",
    "best_bleu",
    "bad_validations",
    "elapsed_s",
    "plateau_scale",
    "rng",
}
COUNTERS = ("step", "epoch", "batch_pos", "best_bleu", "bad_validations", "plateau_scale")


def _net() -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model(torch.ones(4, 3)).sum().backward()  # (4, 2) -> (): one step, so Adam has moments to save
    optimizer.step()
    return model, optimizer


def test_state_dict_round_trip_restores_counters_and_rng():
    state = TrainingState(
        step=7, epoch=1, batch_pos=3, best_bleu=12.5, bad_validations=2, elapsed_s=30.0, plateau_scale=0.5
    )
    torch.manual_seed(1)
    saved = state.state_dict()
    expected = torch.rand(3)  # (3,) what the RNG gives right after the save
    assert set(saved) == OLD_KEYS - {"model", "optimizer"}
    assert saved["elapsed_s"] >= 30.0 and saved["rng"].dtype == torch.uint8

    torch.manual_seed(99)
    again = TrainingState()
    again.load_state_dict(saved)
    assert [getattr(again, k) for k in COUNTERS] == [getattr(state, k) for k in COUNTERS]
    assert again.elapsed_s == saved["elapsed_s"]
    assert torch.equal(torch.rand(3), expected)  # the RNG continues where it was saved


def test_elapsed_counts_earlier_processes_and_this_one():
    state = TrainingState(elapsed_s=100.0, started=time.monotonic() - 5.0)
    assert 105.0 <= state.elapsed() < 160.0
    assert state.state_dict()["elapsed_s"] >= 105.0  # what a resumed run starts from


def test_checkpoint_file_round_trip_through_the_weights_only_loader(tmp_path):
    model, optimizer = _net()
    state = TrainingState(step=5, epoch=2, batch_pos=1, best_bleu=None, bad_validations=1, plateau_scale=0.25)
    path = tmp_path / "checkpoint.pt"
    state.save(path, model, optimizer)
    saved = load_train_state(path)  # torch.load(weights_only=True)
    assert set(saved) == OLD_KEYS

    fresh = torch.nn.Linear(3, 2)
    fresh_opt = torch.optim.Adam(fresh.parameters(), lr=1e-3)
    restored = TrainingState()
    restored.restore(saved, fresh, fresh_opt, path)
    assert [getattr(restored, k) for k in COUNTERS] == [getattr(state, k) for k in COUNTERS]
    assert all(torch.equal(a, b) for a, b in zip(fresh.state_dict().values(), model.state_dict().values()))
    assert fresh_opt.state_dict()["state"][0]["step"] == optimizer.state_dict()["state"][0]["step"]


def test_a_checkpoint_written_by_the_earlier_code_loads(tmp_path):
    """The dict the loop built by hand before TrainingState, and an older one without the later keys."""
    model, optimizer = _net()
    path = tmp_path / "checkpoint.pt"
    save_train_state(
        path,
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "step": 40,
            "epoch": 3,
            "batch_pos": 9,
            "best_bleu": 17.25,
            "bad_validations": 2,
            "elapsed_s": 61.5,
            "plateau_scale": 0.5,
            "rng": torch.get_rng_state(),
        },
    )
    state = TrainingState()
    state.restore(load_train_state(path), *_net(), path)
    assert (
        state.step,
        state.epoch,
        state.batch_pos,
        state.best_bleu,
        state.bad_validations,
        state.elapsed_s,
        state.plateau_scale,
    ) == (40, 3, 9, 17.25, 2, 61.5, 0.5)

    oldest = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "step": 4,
        "epoch": 0,
        "batch_pos": 4,
        "rng": torch.get_rng_state(),
    }
    save_train_state(path, oldest)
    state = TrainingState()
    state.restore(load_train_state(path), *_net(), path)
    assert (state.step, state.best_bleu, state.bad_validations, state.elapsed_s, state.plateau_scale) == (
        4,
        None,
        0,
        0.0,
        1.0,
    )


def test_a_checkpoint_of_another_model_is_refused(tmp_path):
    model, optimizer = _net()
    path = tmp_path / "checkpoint.pt"
    TrainingState(step=1).save(path, model, optimizer)
    other = torch.nn.Linear(5, 2)
    with pytest.raises(BundleError, match="does not match the run's model"):
        TrainingState().restore(load_train_state(path), other, torch.optim.Adam(other.parameters()), path)


# ---- resuming a tiny run ---------------------------------------------------------------------------

MODEL, TRAIN, _ = PRESETS["tiny"]
TOK = TokenizerConfig(vocab_size=300)


def _train(corpus, out, max_steps, *, resume=False, stop_after=None):
    flag = {"stop": False}
    events = []
    cfg = replace(
        TRAIN,
        max_steps=max_steps,
        valid_every=100,
        checkpoint_every=100,
        log_every=1,
        valid_max_sentences=10,
        num_threads=1,
    )
    for event in train(
        TrainRequest(
            CorpusSpec(str(corpus)),
            out,
            model_cfg=MODEL,
            tok_cfg=TOK,
            train_cfg=cfg,
            resume=resume,
        ),
        should_stop=lambda: flag["stop"],
    ):
        events.append(event)
        if stop_after is not None and isinstance(event, Progress) and event.step == stop_after:
            flag["stop"] = True  # read at the end of the next step
    return events


def test_a_resumed_run_continues_with_the_same_steps_and_weights(tiny_corpus, tmp_path):
    start = tmp_path / "start"
    assert _train(tiny_corpus, start, 4)[-1].step == 4
    straight, interrupted = tmp_path / "straight", tmp_path / "interrupted"
    shutil.copytree(start, straight)  # same data and tokenizer: the two runs can be compared weight for weight
    shutil.copytree(start, interrupted)

    events = _train(tiny_corpus, straight, 12, resume=True)
    assert [e.step for e in events if isinstance(e, Progress)] == list(range(5, 13))

    stopped = _train(tiny_corpus, interrupted, 12, resume=True, stop_after=7)
    assert isinstance(stopped[-1], Finished) and stopped[-1].reason == "stopped" and stopped[-1].step == 8
    assert load_train_state(interrupted / "checkpoint.pt")["step"] == 8
    resumed = _train(tiny_corpus, interrupted, 12, resume=True)
    assert [e.step for e in resumed if isinstance(e, Progress)] == list(range(9, 13))
    assert resumed[-1].reason == "max_steps" and resumed[-1].step == 12

    a, b = load_train_state(straight / "checkpoint.pt"), load_train_state(interrupted / "checkpoint.pt")
    assert set(a) == set(b) == OLD_KEYS
    assert (a["step"], a["epoch"], a["batch_pos"]) == (b["step"], b["epoch"], b["batch_pos"])
    assert a["optimizer"]["state"][0]["step"] == b["optimizer"]["state"][0]["step"] == 12
    for name, weight in a["model"].items():
        assert torch.equal(weight, b["model"][name]), name
