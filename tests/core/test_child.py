"""The child-process command (core/base/child.py): ``python -m translator_app`` from a checkout, the app
binary itself (or its console sibling) in the frozen app, where ``-m`` does not exist."""

from __future__ import annotations

import sys
from pathlib import Path

from translator_app.core.adapt import adaptation
from translator_app.core.base.child import child_command


def test_from_a_checkout_python_runs_the_package(monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/venv/bin/python")
    assert child_command(["memory", "adapt", "--json"]) == [
        "/opt/venv/bin/python",
        "-m",
        "translator_app",
        "memory",
        "adapt",
        "--json",
    ]
    assert child_command(("train",), "/other/python") == ["/other/python", "-m", "translator_app", "train"]


def test_frozen_the_app_binary_runs_the_command(monkeypatch, tmp_path):
    exe = tmp_path / "translator-app"  # Linux: one binary serves the GUI and the CLI
    exe.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert child_command(["memory", "adapt", "--json"]) == [str(exe), "memory", "adapt", "--json"]


def test_frozen_prefers_the_console_sibling(monkeypatch, tmp_path):
    """Windows/macOS: translator-app is windowed (no stdout to read), translator-app-cli is not."""
    exe, cli = tmp_path / "translator-app.exe", tmp_path / "translator-app-cli.exe"
    exe.write_bytes(b"")
    cli.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert child_command(["train", "x.tsv"]) == [str(cli), "train", "x.tsv"]
    assert child_command(["train"], str(cli)) == [str(cli), "train"]  # the console binary starting itself


def test_adaptation_trains_through_the_child_command(monkeypatch, tmp_path):
    settings = adaptation.AdaptSettings(minutes=1, threads=1, extra_args=("--max-steps", "3"))
    args = (Path("memory.tsv"), Path("base"), Path("out"), "my-en-es-v1", settings, None)
    monkeypatch.delattr(sys, "frozen", raising=False)
    cmd = adaptation.train_command(*args)
    assert cmd[:5] == [sys.executable, "-m", "translator_app", "train", "memory.tsv"] and cmd[-2:] == [
        "--max-steps",
        "3",
    ]
    exe = tmp_path / "translator-app"
    exe.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    cmd = adaptation.train_command(*args)
    assert cmd[:3] == [str(exe), "train", "memory.tsv"] and "-m" not in cmd and "--json" in cmd
