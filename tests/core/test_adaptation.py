"""Adaptation to the translation memory: a new version of the person's model, scored, and rollback."""

from __future__ import annotations

import pytest

from tests.conftest import TATOEBA
from translator_app.core.adapt import adaptation
from translator_app.core.adapt.memory import TranslationMemory
from translator_app.core.library.store import ModelStore


def test_split_holds_back_a_stable_tenth():
    pairs = [(f"Sentence number {i}.", f"Frase número {i}.") for i in range(300)]
    train, held = adaptation.split_memory(pairs)
    assert len(train) + len(held) == 300 and 10 <= len(held) <= 60
    assert adaptation.split_memory(pairs[::-1])[1] == held[::-1]  # by the sentence, not its place


def test_pending_and_due(tmp_path):
    memory = TranslationMemory.open(tmp_path, "en", "es")
    memory.add_many([(f"a{i}", f"b{i}") for i in range(3)], origin="edit")
    assert adaptation.pending(memory) == 3 and adaptation.due(memory, 3) and not adaptation.due(memory, 4)
    memory.set_meta("adapted_at", "9e12")  # after the entries
    assert adaptation.pending(memory) == 0


@pytest.mark.slow
def test_adapt_makes_a_new_version_and_rolls_back(tiny_model_dir, tmp_path):
    if not TATOEBA.exists():
        pytest.skip("no shared corpus")
    lines = TATOEBA.read_text(encoding="utf-8").splitlines()[5000:5060]
    memory = TranslationMemory.open(tmp_path / "memory", "en", "es")
    memory.add_many([tuple(line.split("\t")[:2]) for line in lines], origin="edit")
    store = ModelStore(tmp_path / "bundled", tmp_path / "user")
    settings = adaptation.AdaptSettings(
        minutes=1, threads=1, extra_args=("--max-steps", "3", "--valid-every", "3"), low_priority=True
    )
    events = list(
        adaptation.adapt(memory, root=tiny_model_dir, store=store, runs_dir=tmp_path / "runs", settings=settings)
    )
    done = events[-1]
    assert isinstance(done, adaptation.AdaptDone)
    v1 = done.version
    assert v1.number == 1 and v1.base == str(tiny_model_dir) and v1.held_back >= 1 and v1.general > 0
    assert v1.gain is not None and v1.general_drop is not None and "held-back memory chrF" in v1.summary()
    entry = store.entry(v1.path)
    assert entry is not None and not entry.bundled and entry.name.startswith("my-en-es-v1")
    assert (tiny_model_dir / "weights.pt").is_file()  # the root model is untouched
    assert adaptation.pending(memory) == 0
    # switch, adapt again (from the root again, never a chain: drift stays within one general limit), roll back
    assert adaptation.use_version(memory, 1) == entry.path
    v2 = list(
        adaptation.adapt(memory, root=tiny_model_dir, store=store, runs_dir=tmp_path / "runs", settings=settings)
    )[-1].version
    assert v2.number == 2 and v2.base == str(tiny_model_dir)
    assert [v.number for v in adaptation.versions(memory)] == [1, 2]
    assert adaptation.use_version(memory, 2) == store.entry(v2.path).path
    assert adaptation.current_version(memory) == 2
    assert adaptation.use_version(memory, 1) == entry.path  # rollback
    assert adaptation.current_version(memory) == 1
    assert adaptation.use_version(memory, 0) is None
    assert adaptation.current_version(memory) == 0
    with pytest.raises(ValueError, match="no version 7"):
        adaptation.use_version(memory, 7)


def test_a_cancelled_adaptation_raises_cancelled_and_stops_its_training_child(tmp_path, monkeypatch):
    import subprocess
    import sys

    from translator_app.core.base.cancel import Cancelled, CancelToken

    started = []

    def sleeper(*_args):  # a training child that talks, then would run for a minute
        return [sys.executable, "-c", "import time; print('{}', flush=True); time.sleep(60)"]

    real_popen = subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(adaptation, "train_command", sleeper)
    monkeypatch.setattr(adaptation, "find_replay", lambda *_: None)
    monkeypatch.setattr(adaptation.subprocess, "Popen", popen)
    memory = TranslationMemory.open(tmp_path / "memory", "en", "es")
    memory.add_many([(f"Sentence {i}.", f"Frase {i}.") for i in range(30)], origin="edit")
    token = CancelToken()
    token.cancel()
    run = adaptation.adapt(
        memory, root=tmp_path, store=None, runs_dir=tmp_path / "runs", base=tmp_path, should_stop=token
    )
    assert isinstance(next(run), adaptation.AdaptStatus)
    with pytest.raises(Cancelled, match="cancelled"):
        next(run)
    assert len(started) == 1 and started[0].poll() is not None  # the child was stopped, not left running


def test_the_regime_is_a_few_passes_in_small_batches_sized_to_the_memory(tmp_path):
    def flags(entries: int) -> dict[str, str]:
        settings = adaptation.AdaptSettings()
        cmd = adaptation.train_command(tmp_path / "m.tsv", tmp_path, tmp_path / "out", "v1", settings, None, entries)
        start = cmd.index("--replay")
        return dict(zip(cmd[start::2], cmd[start + 1 :: 2], strict=False))

    small, large = flags(45), flags(2000)
    assert small["--max-epochs"] == str(adaptation.ADAPT_EPOCHS) and small["--batch-tokens"] == "1500"
    assert small["--replay"] == "0.7"
    assert small["--valid-every"] == "5" and int(large["--valid-every"]) > 50  # about ten validations
    custom = adaptation.AdaptSettings(extra_args=("--max-epochs", "3"))  # given flags come last and win
    cmd = adaptation.train_command(tmp_path / "m.tsv", tmp_path, tmp_path / "o", "v1", custom, None, 45)
    assert cmd[-2:] == ["--max-epochs", "3"]
