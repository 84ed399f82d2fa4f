"""SIGTERM or Ctrl+C during ``translator-app train``: the run stops after its step and writes its checkpoint.

A run started with ``nohup … &`` has SIGINT ignored by the shell, so ``kill`` (SIGTERM) is how it is
stopped; before, SIGTERM ended it at once and lost the steps since the last periodic checkpoint.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from tests.conftest import take_slice
from translator_app.core.model.checkpoint import load_train_state


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_after_the_step_with_the_checkpoint_written(tmp_path, signum):
    corpus = take_slice(400, tmp_path / "slice.en-es.tsv", step=90)
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "translator_app", "train", str(corpus), "--out", str(out), "--preset", "tiny"]
    cmd += ["--vocab-size", "300", "--threads", "1", "--minutes", "10", "--valid-every", "100000", "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    records = []
    try:
        for line in proc.stdout:
            records.append(json.loads(line))
            if records[-1]["event"] == "Progress" and records[-1]["step"] >= 3:
                proc.send_signal(signum)
                break
        records += [json.loads(line) for line in proc.stdout]
        assert proc.wait(timeout=300) == 130, proc.stderr.read()
    finally:
        proc.kill()
    finished = records[-1]
    assert finished["event"] == "Finished" and finished["reason"] == "stopped"
    assert finished["step"] >= 3
    assert load_train_state(out / "checkpoint.pt")["step"] == finished["step"]  # no step lost
    assert "stopping after this step" in proc.stderr.read()
