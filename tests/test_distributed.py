"""torchrun with 2 CPU processes (gloo on loopback): ranks stay in sync and the bundle loads."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from tests.conftest import take_slice


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_two_process_ddp_training(tmp_path):
    corpus = take_slice(800, tmp_path / "slice.en-es.tsv", step=150)
    out = tmp_path / "ddp-model"
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        "--master_addr=127.0.0.1",
        f"--master_port={free_port()}",
        "-m",
        "translator_app",
        "train",
        str(corpus),
        "--out",
        str(out),
        "--preset",
        "tiny",
        "--max-steps",
        "10",
        "--vocab-size",
        "200",
        "--valid-every",
        "5",
        "--threads",
        "1",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    assert proc.stdout.count("Finished (max_steps) at step 10") == 1  # only rank 0 reports
    check = json.loads((out / "ddp_check.json").read_text())
    assert check["world_size"] == 2 and check["step"] == 10
    assert len(check["digests"]) == 2 and check["digests"][0] == check["digests"][1]

    from translator_app.core.translation.translator import Translator

    result = Translator.load(out).translate("Go.")
    assert result.sentences and result.sentences[0].attention.shape[1] == len(result.sentences[0].source_tokens)
