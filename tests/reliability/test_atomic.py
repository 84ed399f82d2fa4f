"""Atomic writes of models and checkpoints (issue 7).

The tests run as root, where a chmod'ed read-only folder does not stop writes, so disk
full / read-only targets are simulated by making the write path raise ``OSError``
(ENOSPC, EROFS, EACCES) at each step of an atomic write: creating the temp file,
writing it, fsync, and the final rename. Every time the caller must get an
``OSError`` (errno kept), the previous file or bundle must be byte-identical and
loadable, and no temp file may be left behind.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
import torch
from reliability_helpers import copy_bundle, temp_files, tree_hashes

from translator_app.core.base.config import PRESETS, TokenizerConfig
from translator_app.core.model.checkpoint import (
    atomic_write_bytes,
    load_bundle,
    load_train_state,
    save_bundle,
    save_train_state,
)
from translator_app.core.model.model import Seq2Seq
from translator_app.core.text.tokenizer import Tokenizers, train_subword_model
from translator_app.core.translation.translator import Translator

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


# ---- fault injection -------------------------------------------------------------------------


class _DiskFillsUp:
    """A file object that takes ``room`` bytes, then fails like a full disk."""

    def __init__(self, handle, room: int, exc: BaseException):
        self._h, self._room, self._exc = handle, room, exc

    def write(self, data):
        if len(data) > self._room:
            self._h.write(data[: self._room])
            self._h.flush()
            self._room = 0
            raise self._exc
        self._room -= len(data)
        return self._h.write(data)

    def __getattr__(self, name):
        return getattr(self._h, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._h.close()
        return False


class Faults:
    """Make the n-th atomic write (1-based; 0 = every one) fail at ``where``."""

    WHERE = ("mkstemp", "write", "fsync", "replace")

    def __init__(self, monkeypatch, where: str, exc: BaseException = ENOSPC, nth: int = 0, room: int = 100):
        self.where, self.exc, self.nth, self.room, self.calls = where, exc, nth, room, 0
        real_mkstemp, real_fdopen, real_fsync, real_replace = tempfile.mkstemp, os.fdopen, os.fsync, os.replace

        def armed() -> bool:
            return self.nth in (0, self.calls)

        def mkstemp(*a, **k):
            self.calls += 1
            if where == "mkstemp" and armed():
                raise self.exc
            return real_mkstemp(*a, **k)

        def fdopen(fd, mode="r", *a, **k):
            handle = real_fdopen(fd, mode, *a, **k)
            if where == "write" and "w" in mode and armed():
                return _DiskFillsUp(handle, self.room, self.exc)
            return handle

        def fsync(fd):
            if where == "fsync" and armed() and stat.S_ISREG(os.fstat(fd).st_mode):
                raise self.exc
            return real_fsync(fd)

        def replace_(src, dst, *a, **k):
            if where == "replace" and armed():
                raise self.exc
            return real_replace(src, dst, *a, **k)

        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
        monkeypatch.setattr(os, "fdopen", fdopen)
        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace_)


FAILURES = [
    ("mkstemp", OSError(errno.EROFS, os.strerror(errno.EROFS))),  # read-only folder
    ("mkstemp", PermissionError(errno.EACCES, os.strerror(errno.EACCES))),
    ("write", ENOSPC),  # disk full while writing
    ("fsync", ENOSPC),  # delayed allocation failing at fsync (ext4, NFS)
    ("replace", OSError(errno.EROFS, os.strerror(errno.EROFS))),
    ("replace", PermissionError(errno.EACCES, os.strerror(errno.EACCES))),
]
IDS = [f"{w}-{errno.errorcode[e.errno]}" for w, e in FAILURES]


# ---- single files ------------------------------------------------------------------------------


@pytest.mark.parametrize("where, exc", FAILURES, ids=IDS)
def test_failed_atomic_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch, where, exc):
    target = tmp_path / "weights.pt"
    target.write_bytes(b"old contents " * 100)
    Faults(monkeypatch, where, exc)
    with pytest.raises(OSError) as info:
        atomic_write_bytes(target, b"new contents " * 1000)
    assert info.value.errno == exc.errno
    assert target.read_bytes() == b"old contents " * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights.pt"]


@pytest.mark.parametrize("where, exc", FAILURES, ids=IDS)
def test_failed_first_write_leaves_nothing(tmp_path, monkeypatch, where, exc):
    Faults(monkeypatch, where, exc)
    with pytest.raises(OSError):
        atomic_write_bytes(tmp_path / "config.json", b'{"format": "translator-app-bundle"}' * 10)
    assert list(tmp_path.iterdir()) == []


def test_interrupt_during_write_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "checkpoint.pt"
    target.write_bytes(b"old")
    Faults(monkeypatch, "write", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, b"x" * 10_000)
    assert target.read_bytes() == b"old" and temp_files(tmp_path) == []


def test_the_fault_injection_really_fails_a_plain_write(tmp_path, monkeypatch):
    """Control: without the temp file + rename, the same fault tears the target."""
    target = tmp_path / "weights.pt"
    target.write_bytes(b"old contents")
    Faults(monkeypatch, "write", ENOSPC, room=3)
    with pytest.raises(OSError):
        fd = os.open(target, os.O_WRONLY | os.O_TRUNC)
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"new contents")
    assert target.read_bytes() == b"new"


def test_successful_write_replaces_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a" / "b.bin"
    for data in (b"one", b"", b"three" * 10_000):
        atomic_write_bytes(target, data)
        assert target.read_bytes() == data
    assert temp_files(tmp_path) == []


# ---- checkpoints --------------------------------------------------------------------------------


def _state(step: int) -> dict:
    torch.manual_seed(step)
    return {
        "model": {"w": torch.randn(50, 50)},
        "optimizer": {"state": {}, "param_groups": []},
        "step": step,
        "epoch": 0,
        "batch_pos": step,
        "rng": torch.get_rng_state(),
    }


@pytest.mark.parametrize("where, exc", FAILURES, ids=IDS)
def test_failed_checkpoint_keeps_the_previous_checkpoint(tmp_path, monkeypatch, where, exc):
    path = tmp_path / "checkpoint.pt"
    save_train_state(path, _state(5))
    before = path.read_bytes()
    Faults(monkeypatch, where, exc)
    with pytest.raises(OSError):
        save_train_state(path, _state(10))
    monkeypatch.undo()
    assert path.read_bytes() == before
    state = load_train_state(path)
    assert state["step"] == 5 and torch.equal(state["model"]["w"], _state(5)["model"]["w"])
    assert temp_files(tmp_path) == []


# ---- model bundles ------------------------------------------------------------------------------


@pytest.fixture
def model_dir(tiny_model_dir, tmp_path) -> Path:
    return copy_bundle(tiny_model_dir, tmp_path / "my-model")


def _next_version(bundle):
    """What training saves next: same config and tokenizer, updated weights and metadata."""
    state = {k: v + 0.01 if v.is_floating_point() else v for k, v in bundle.state_dict.items()}
    return bundle.model_config, bundle.tokenizers, state, {**bundle.meta, "steps": 999}


@pytest.mark.parametrize("nth", [1, 2, 3], ids=["tokenizer", "weights", "config"])
@pytest.mark.parametrize("where, exc", FAILURES, ids=IDS)
def test_failed_bundle_save_keeps_the_previous_model(model_dir, monkeypatch, where, exc, nth):
    before = tree_hashes(model_dir)
    reference = Translator.load(model_dir).translate("I like cats.").text
    new = _next_version(load_bundle(model_dir))
    Faults(monkeypatch, where, exc, nth=nth)
    with pytest.raises(OSError):
        save_bundle(model_dir, *new)
    monkeypatch.undo()
    assert temp_files(model_dir) == []
    # the tokenizer file is rewritten with identical bytes first, so nothing visible changed
    if nth == 3:  # weights went in before the config failed: weights new, config old, still a valid pair
        assert Translator.load(model_dir).translate("I like cats.") is not None
    else:
        assert tree_hashes(model_dir) == before
        assert Translator.load(model_dir).translate("I like cats.").text == reference


def test_bundle_save_then_load_round_trip(model_dir):
    bundle = load_bundle(model_dir)
    save_bundle(model_dir, *_next_version(bundle))
    again = load_bundle(model_dir)
    assert again.meta["steps"] == 999
    assert all(torch.equal(again.state_dict[k], v) for k, v in _next_version(bundle)[2].items())
    assert temp_files(model_dir) == []


def test_failed_save_of_another_model_keeps_the_previous_model(model_dir, monkeypatch, tiny_corpus):
    before = tree_hashes(model_dir)
    lines = [s for line in tiny_corpus.read_text(encoding="utf-8").splitlines() for s in line.split("\t")[:2]]
    tok = train_subword_model(lines, TokenizerConfig(vocab_size=250))
    cfg = replace(PRESETS["tiny"][0], src_vocab_size=len(tok), tgt_vocab_size=len(tok))
    Faults(monkeypatch, "write", ENOSPC, nth=2)  # tokenizer written, disk full during weights
    with pytest.raises(OSError):
        save_bundle(model_dir, cfg, Tokenizers(tok, tok), Seq2Seq(cfg).state_dict(), {"name": "other"})
    monkeypatch.undo()
    assert tree_hashes(model_dir) == before


# ---- clear messages and file modes (known defects) ---------------------------------------------


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_disk_full_error_names_the_file(tmp_path, monkeypatch, where):
    target = tmp_path / "checkpoint.pt"
    Faults(monkeypatch, where, ENOSPC)
    with pytest.raises(OSError) as info:
        atomic_write_bytes(target, b"x" * 1000)
    assert info.value.errno == errno.ENOSPC
    assert str(target) in str(info.value)


def test_atomic_write_gives_files_the_usual_permissions(tmp_path):
    """mkstemp creates 0600 files; bundle and checkpoint files must get the mode open() gives
    (0666 & ~umask), like data/*.tsv, also when they replace an existing file (fixed in 10c12de)."""
    plain = tmp_path / "plain.tsv"
    plain.write_bytes(b"x")
    fresh, replaced = tmp_path / "config.json", tmp_path / "weights.pt"
    replaced.write_bytes(b"old")
    atomic_write_bytes(fresh, b"new")
    atomic_write_bytes(replaced, b"new")
    expected = stat.S_IMODE(plain.stat().st_mode)
    assert stat.S_IMODE(fresh.stat().st_mode) == expected
    assert stat.S_IMODE(replaced.stat().st_mode) == expected


# ---- disk full in the middle of a training run --------------------------------------------------


def _small_corpus(tiny_corpus: Path, dest: Path, n: int = 300) -> Path:
    dest.write_text("\n".join(tiny_corpus.read_text(encoding="utf-8").splitlines()[:n]) + "\n", encoding="utf-8")
    return dest


TINY_TRAIN = replace(
    PRESETS["tiny"][1],
    max_steps=12,
    checkpoint_every=4,
    valid_every=1000,
    log_every=4,
    valid_max_sentences=20,
    num_threads=1,
)


def test_disk_full_during_training_keeps_the_last_checkpoint_and_resumes(tiny_corpus, tmp_path, monkeypatch):
    from translator_app.core.train.training import CorpusSpec, Finished, TrainRequest, train

    corpus = _small_corpus(tiny_corpus, tmp_path / "pairs.en-es.tsv")
    corpus_hash = tree_hashes(corpus)
    out = tmp_path / "run"
    real_replace = os.replace
    writes = {"n": 0}

    def replace_(src, dst, *a, **k):
        if Path(dst).name == "checkpoint.pt":
            writes["n"] += 1
            if writes["n"] == 2:  # the step-8 checkpoint hits a full disk
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", replace_)
    model_cfg = PRESETS["tiny"][0]
    with pytest.raises(OSError) as info:
        for _ in train(
            TrainRequest(
                CorpusSpec(str(corpus)),
                out,
                model_cfg=model_cfg,
                train_cfg=TINY_TRAIN,
                tok_cfg=TokenizerConfig(vocab_size=300),
            ),
        ):
            pass
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC and writes["n"] == 2
    assert load_train_state(out / "checkpoint.pt")["step"] == 4
    assert temp_files(out) == []
    events = list(
        train(
            TrainRequest(
                CorpusSpec(str(corpus)),
                out,
                model_cfg=model_cfg,
                train_cfg=TINY_TRAIN,
                resume=True,
                tok_cfg=TokenizerConfig(vocab_size=300),
            ),
        )
    )
    assert any("resumed at step 4" in getattr(e, "summary", "") for e in events)
    assert isinstance(events[-1], Finished) and events[-1].step == 12
    assert load_train_state(out / "checkpoint.pt")["step"] == 12
    Translator.load(out)
    assert tree_hashes(corpus) == corpus_hash


def test_crash_while_preparing_a_fresh_run_does_not_resume_the_old_run(tiny_corpus, tmp_path, monkeypatch):
    from translator_app.core.train.training import CorpusSpec, DataReady, Status, TrainRequest, train

    corpus_a = _small_corpus(tiny_corpus, tmp_path / "a.en-es.tsv", 300)
    lines = tiny_corpus.read_text(encoding="utf-8").splitlines()
    corpus_b = tmp_path / "b.en-es.tsv"
    corpus_b.write_text("\n".join(lines[300:600]) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    cfg = {"model_cfg": PRESETS["tiny"][0], "tok_cfg": TokenizerConfig(vocab_size=300)}
    for _ in train(TrainRequest(CorpusSpec(str(corpus_a)), out, train_cfg=replace(TINY_TRAIN, max_steps=4), **cfg)):
        pass
    assert load_train_state(out / "checkpoint.pt")["step"] == 4

    def crash(*a, **k):  # the process dies while the tokenizer of run B is being trained
        raise SystemExit("killed")

    from translator_app.core.train import run_setup

    monkeypatch.setattr(run_setup, "train_tokenizers", crash)
    with pytest.raises(SystemExit):
        for _ in train(TrainRequest(CorpusSpec(str(corpus_b)), out, train_cfg=TINY_TRAIN, **cfg)):
            pass
    monkeypatch.undo()
    statuses = []
    for event in train(TrainRequest(CorpusSpec(str(corpus_b)), out, train_cfg=TINY_TRAIN, resume=True, **cfg)):
        if isinstance(event, Status):
            statuses.append(event.message)
        if isinstance(event, DataReady):
            statuses.append(event.summary)
            break
    assert not any(s.startswith("Resuming from") or "resumed at step" in s for s in statuses), statuses
