"""Helpers shared by the reliability tests (imported as ``reliability_helpers``)."""

from __future__ import annotations

import shutil
import signal
from contextlib import contextmanager
from pathlib import Path

from scripts.kill_during_training import sha_tree
from translator_app.core.folders.filenames import CONFIG_FILE, JOINT_TOKENIZER, WEIGHTS_FILE

REPO = Path(__file__).resolve().parents[2]


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (or of ``root`` itself when it is a file)."""
    return sha_tree(root)


BUNDLE_FILES = (CONFIG_FILE, WEIGHTS_FILE, JOINT_TOKENIZER)  # a joint-vocabulary bundle


def copy_bundle(source: Path, dest: Path) -> Path:
    """A private copy of a model bundle (its three files only) at ``dest``."""
    dest.mkdir()
    for name in BUNDLE_FILES:
        shutil.copy2(source / name, dest / name)
    return dest


def temp_files(root: Path) -> list[Path]:
    """Leftovers of an interrupted atomic write (``.<name>.<random>.tmp``)."""
    return sorted(p for p in Path(root).rglob("*.tmp"))


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: float):
    """Fail instead of hanging: SIGALRM after ``seconds`` (main thread only)."""

    def on_alarm(signum, frame):
        raise Hang(f"no result after {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
