"""kill -9 during training (issue 7): a small version of scripts/kill_during_training.py.

The full run (``--trials 20``) is documented in tests/reliability/README.md; here three
trials kill a tiny CLI training at a checkpoint, in the middle of an atomic write and at
a random moment, then check the checkpoint and bundle load, ``--resume`` continues from
the checkpoint's step (Adam state included), and the user's corpus and an earlier model
folder stay byte-identical.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from reliability_helpers import REPO, tree_hashes

from scripts import kill_during_training as kill


@pytest.mark.slow
def test_kill_9_during_training_three_trials(tiny_model_dir, tmp_path):
    earlier = tmp_path / "models" / "earlier-en-es"
    shutil.copytree(tiny_model_dir, earlier)
    before = tree_hashes(earlier)
    summary_path = tmp_path / "kill.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "kill_during_training.py"),
            "--trials",
            "3",
            "--modes",
            "checkpoint,targeted,targeted",
            "--max-steps",
            "60",
            "--resume-steps",
            "3",
            "--corpus-lines",
            "400",
            "--no-reference",
            "--earlier-model",
            str(earlier),
            "--workdir",
            str(tmp_path / "work"),
            "--json",
            str(summary_path),
            "--seed",
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    summary = json.loads(summary_path.read_text())
    assert summary["trials"] == 3 and summary["failures"] == 0
    assert summary["with_checkpoint"] >= 1  # at least one trial really resumed from a checkpoint
    assert "trials: 3, failures: 0" in proc.stdout
    assert tree_hashes(earlier) == before


def test_the_kill_checks_can_fail(tmp_path):
    """The on-disk checks flag a torn checkpoint and a broken bundle (they are not tautologies)."""
    out = tmp_path / "run"
    out.mkdir()
    (out / "checkpoint.pt").write_bytes(b"PK\x03\x04 torn")
    (out / "config.json").write_text("{", encoding="utf-8")
    problems: list[str] = []
    kill.check_bundle_and_checkpoint(out, 60, problems)
    assert any("checkpoint.pt does not load" in p for p in problems)
    assert any("bundle does not load" in p for p in problems)


def test_protected_tree_hash_sees_a_one_byte_change(tmp_path):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "weights.pt").write_bytes(b"abc")
    before = kill.sha_tree(tmp_path / "m")
    (tmp_path / "m" / "weights.pt").write_bytes(b"abd")
    assert kill.sha_tree(tmp_path / "m") != before


def test_resume_cleans_up_temp_files_of_a_killed_write(tiny_model_dir, tmp_path):
    from dataclasses import replace

    from translator_app.core.base.config import PRESETS
    from translator_app.core.model.checkpoint import load_train_state
    from translator_app.core.train.training import CorpusSpec, TrainRequest, train

    run = tmp_path / "run"
    shutil.copytree(tiny_model_dir, run)
    step = load_train_state(run / "checkpoint.pt")["step"]
    stale = [run / ".checkpoint.pt.k1ll3d.tmp", run / ".weights.pt.x9x9x9.tmp", run / "data" / ".train.tsv.tmp"]
    for path in stale:
        path.write_bytes(b"half a file")
    train_cfg = replace(PRESETS["tiny"][1], max_steps=step + 1, valid_max_sentences=10, num_threads=1)
    for _ in train(TrainRequest(CorpusSpec("unused.tsv"), run, train_cfg=train_cfg, resume=True)):
        pass
    assert load_train_state(run / "checkpoint.pt")["step"] == step + 1
    assert [p for p in stale if p.exists()] == []
