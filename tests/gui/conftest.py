"""GUI test fixtures: offscreen Qt, isolated QSettings and user data, a tiny bundled model.

Uses the session fixtures of ``tests/conftest.py`` (``tiny_model_dir``, ``tiny_corpus``)
when they exist, and trains its own tiny model otherwise.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[2]
TATOEBA = REPO.parent / "shared" / "corpora" / "tatoeba.en-es.tsv"
BUNDLE_FILES = ("config.json", "weights.pt", "tokenizer.model", "source.model", "target.model")


def _own_corpus(dest: Path, n: int = 300) -> Path:
    if not TATOEBA.exists():
        pytest.skip(f"shared corpus not found at {TATOEBA}")
    lines = TATOEBA.read_text(encoding="utf-8").splitlines()
    dest.write_text("\n".join(lines[:: max(1, len(lines) // n)][:n]) + "\n", encoding="utf-8")
    return dest


@pytest.fixture(scope="session")
def gui_corpus(request, tmp_path_factory) -> Path:
    try:
        return Path(request.getfixturevalue("tiny_corpus"))
    except pytest.FixtureLookupError:
        return _own_corpus(tmp_path_factory.mktemp("gui-corpus") / "tiny.en-es.tsv")


@pytest.fixture(scope="session")
def gui_model_dir(request, tmp_path_factory, gui_corpus) -> Path:
    """A trained tiny en->es bundle (trained on one torch thread: the machine is shared, and
    oversubscribed OpenMP threads slow training down many times over)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return Path(request.getfixturevalue("tiny_model_dir"))
    except pytest.FixtureLookupError:
        pass
    finally:
        torch.set_num_threads(before)
    from translator_app.core.base.config import PRESETS, TokenizerConfig
    from translator_app.core.base.events import Finished
    from translator_app.core.train.training import CorpusSpec, TrainRequest, train

    out = tmp_path_factory.mktemp("gui-model") / "tiny-en-es"
    events = list(
        train(
            TrainRequest(
                CorpusSpec(str(gui_corpus)),
                out,
                model_cfg=PRESETS["tiny"][0],
                train_cfg=replace(PRESETS["tiny"][1], max_steps=30, valid_every=15, num_threads=1),
                tok_cfg=TokenizerConfig(vocab_size=300),
            ),
        )
    )
    assert isinstance(events[-1], Finished)
    return out


@pytest.fixture(scope="session")
def bundled_dir(tmp_path_factory, gui_model_dir) -> Path:
    """A stand-in for the repo's models/ folder holding the tiny model as the default en-es."""
    root = tmp_path_factory.mktemp("bundled")
    (root / "en-es").mkdir()
    for name in BUNDLE_FILES:
        if (gui_model_dir / name).exists():
            shutil.copy(gui_model_dir / name, root / "en-es" / name)
    return root


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch, bundled_dir):
    """Own user-data folder, own bundled models folder, own QSettings (INI in tmp_path)."""
    from PySide6.QtCore import QSettings

    monkeypatch.setenv("TRANSLATOR_APP_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TRANSLATOR_APP_MODELS", str(bundled_dir))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield tmp_path


@pytest.fixture(autouse=True)
def app_names(qapp):
    qapp.setOrganizationName("translator-app-tests")
    qapp.setApplicationName("Translator")
    return qapp


@pytest.fixture(autouse=True)
def no_thread_left_running(qapp):
    """After every test, no worker thread may still run (a running, collected QThread aborts)."""
    yield
    from translator_app import workers

    deadline = time.monotonic() + 5
    while workers.running_threads() and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    left = [t.objectName() for t in workers.running_threads()]
    assert not left, f"threads still running after the test: {left}"


@pytest.fixture(scope="package", autouse=True)
def _torch_ready():
    """What app.main does at startup: import torch and construct Adam once, on the main thread."""
    import torch

    from translator_app.core.train import training

    before = torch.get_num_threads()
    torch.set_num_threads(1)  # long trainings share this machine
    training.preload()
    yield
    torch.set_num_threads(before)


def close_window(qtbot, window, timeout: int = 60_000) -> None:
    """Close like a user (stopping a training first) and wait until every thread is done."""
    window.close()
    qtbot.waitUntil(lambda: window._shut_down, timeout=timeout)


@pytest.fixture()
def window(qtbot):
    """The main window with the bundled tiny model loaded."""
    from translator_app.gui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    # wait on GUI-thread signals only: pytest-qt's waitSignal on a worker's signal would run its
    # callback in the worker thread
    with qtbot.waitSignal(win.model_changed, timeout=30_000):
        win.start()  # lists the models in the task thread, then loads the default one
    assert win.model_path.endswith("en-es")
    yield win
    close_window(qtbot, win)


class GapMonitor:
    """Measures how long the GUI event loop goes without running a 10 ms QTimer."""

    def __init__(self, interval_ms: int = 10):
        from PySide6.QtCore import QTimer

        self.times: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(lambda: self.times.append(time.perf_counter()))

    def __enter__(self):
        self.times = [time.perf_counter()]
        self.timer.start()
        return self

    def __exit__(self, *exc):
        self.timer.stop()
        self.times.append(time.perf_counter())

    def gaps_ms(self) -> list[float]:
        return [(b - a) * 1000 for a, b in zip(self.times, self.times[1:])]

    def report(self) -> dict[str, float]:
        gaps = sorted(self.gaps_ms()) or [0.0]
        return {
            "ticks": len(gaps),
            "max_ms": round(gaps[-1], 1),
            "p99_ms": round(gaps[int(0.99 * (len(gaps) - 1))], 1),
            "p50_ms": round(gaps[len(gaps) // 2], 1),
            "over_100ms": sum(g > 100 for g in gaps),
        }
