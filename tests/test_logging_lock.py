"""Issue 17: the run-folder lock (one writer per model folder) and the log file.

* a second ``RunLock`` on a folder, in another process or in this one, raises ``FolderBusy``
  naming the holder's pid; a holder killed with SIGKILL does not block the next one, and its
  leftover note does not mislead;
* the model store refuses to delete (or import) a folder that is being trained into;
* a worker's exception reaches the rotating log file with its traceback; ``--verbose``.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from translator_app.core.folders.runlock import LOCK_FILE, FolderBusy, Holder, RunLock, holder

REPO = Path(__file__).resolve().parents[1]
HOLD = (
    "import sys, time\n"
    "from translator_app.core.folders.runlock import RunLock\n"
    "lock = RunLock(sys.argv[1], note=sys.argv[2] == 'note').acquire()\n"
    "print('locked', flush=True)\n"
    "time.sleep(120)\n"
)

posix_only = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and flock semantics")


def _hold_in_child(folder: Path, note: bool = True) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), "note" if note else "-"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline().strip()
    if line != "locked":
        proc.kill()
        raise AssertionError(f"the child did not take the lock: {line!r} {proc.stderr.read()}")
    return proc


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    for stream in (proc.stdout, proc.stderr):
        stream.close()


@pytest.fixture()
def child_holder(tmp_path):
    folder = tmp_path / "run"
    proc = _hold_in_child(folder)
    yield folder, proc
    _kill(proc)


# ---- RunLock ---------------------------------------------------------------------------------


def test_a_second_lock_in_another_process_is_refused_naming_the_holder(child_holder):
    folder, proc = child_holder
    with pytest.raises(FolderBusy) as info:
        RunLock(folder).acquire()
    exc = info.value
    assert exc.holder.pid == proc.pid
    assert exc.folder == folder
    message = str(exc)
    assert str(folder) in message and f"process {proc.pid}" in message and "since" in message
    assert "training" in message
    assert isinstance(exc, OSError)  # the CLI prints OSErrors as "translator-app: error: ..."
    assert holder(folder) == exc.holder
    note = json.loads((folder / LOCK_FILE).read_text())  # the refused attempt left the note alone
    assert note["pid"] == proc.pid and note["host"] and note["started"]


@posix_only
def test_a_holder_killed_with_sigkill_does_not_block_and_its_note_is_replaced(child_holder):
    folder, proc = child_holder
    _kill(proc)  # SIGKILL: no cleanup ran, the stale note is still in the file
    assert json.loads((folder / LOCK_FILE).read_text())["pid"] == proc.pid
    assert holder(folder) is None  # the OS dropped the lock with the process
    with RunLock(folder) as lock:
        assert lock.locked
        assert json.loads((folder / LOCK_FILE).read_text())["pid"] == os.getpid()
    assert (folder / LOCK_FILE).read_text() == ""  # emptied on release: nobody is blamed later


@posix_only
def test_a_stale_note_of_a_dead_process_is_not_believed(tmp_path):
    """A holder that has not written its note yet, behind the note of a killed earlier holder:
    the message must not name the dead process."""
    folder = tmp_path / "run"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    proc = _hold_in_child(folder, note=False)
    try:
        (folder / LOCK_FILE).write_text(
            json.dumps({"pid": dead.pid, "host": os.uname().nodename, "started": "2026-01-01T00:00:00+00:00"})
        )
        with pytest.raises(FolderBusy) as info:
            RunLock(folder).acquire()
        assert info.value.holder == Holder()
        assert str(dead.pid) not in str(info.value)
        assert "another process" in str(info.value)
    finally:
        _kill(proc)


def test_a_second_lock_in_the_same_process_is_refused_too(tmp_path):
    folder = tmp_path / "run"
    with RunLock(folder):
        with pytest.raises(FolderBusy, match=f"process {os.getpid()}"):
            RunLock(folder).acquire()
    with RunLock(folder):  # released: free again
        pass


def test_the_lock_creates_the_folder_and_waits_when_asked(tmp_path, child_holder):
    folder, proc = child_holder
    start = time.monotonic()
    with pytest.raises(FolderBusy):
        RunLock(folder, timeout=0.3).acquire()
    assert time.monotonic() - start >= 0.25
    fresh = tmp_path / "new" / "deeper"
    with RunLock(fresh):
        assert (fresh / LOCK_FILE).is_file()


def test_only_rank_zero_locks_under_torchrun(tmp_path, monkeypatch):
    folder = tmp_path / "run"
    with RunLock(folder):
        monkeypatch.setenv("RANK", "1")
        with RunLock(folder) as other:  # rank 1 writes nothing into the folder: no lock, no error
            assert not other.locked
        monkeypatch.setenv("RANK", "0")
        with pytest.raises(FolderBusy):
            RunLock(folder).acquire()


def test_holder_of_a_folder_that_was_never_locked_creates_nothing(tmp_path):
    assert holder(tmp_path) is None
    assert not (tmp_path / LOCK_FILE).exists()


# ---- the model store -------------------------------------------------------------------------


def _fake_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"format": "translator-app-bundle", "version": 1}))
    return folder


def test_store_refuses_to_delete_a_model_that_is_being_trained(tmp_path):
    from translator_app.core.library.store import ModelStore, StoreError

    store = ModelStore(bundled_dir=tmp_path / "bundled", user_dir=tmp_path / "user")
    model = _fake_model(tmp_path / "user" / "en-es-run")
    proc = _hold_in_child(model)
    try:
        with pytest.raises(StoreError) as info:
            store.delete(model)
        assert f"process {proc.pid}" in str(info.value) and "en-es-run" in str(info.value)
        assert model.is_dir()
    finally:
        _kill(proc)
    store.delete(model)  # the training is gone: deleting works
    assert not model.exists()


def test_store_refuses_to_import_a_folder_that_is_being_trained(tmp_path):
    from translator_app.core.library.store import ModelStore, StoreError

    store = ModelStore(bundled_dir=tmp_path / "bundled", user_dir=tmp_path / "user")
    run = _fake_model(tmp_path / "elsewhere" / "run")
    with RunLock(run):
        with pytest.raises(StoreError, match=f"process {os.getpid()}"):
            store.import_bundle(run)
    assert not any((tmp_path / "user").iterdir())


def test_listing_models_does_not_import_torch(tmp_path):
    code = (
        "import sys\n"
        "from translator_app.core.library.store import ModelStore\n"
        f"store = ModelStore(bundled_dir={str(REPO / 'models')!r}, user_dir={str(tmp_path)!r})\n"
        "entries, problems = store.scan()\n"
        "assert entries, problems\n"
        "assert store.entry(entries[0].path) is not None\n"
        "assert 'torch' not in sys.modules, 'listing imported torch'\n"
    )
    if not (REPO / "models" / "en-es" / "config.json").is_file():
        pytest.skip("no bundled model in this checkout")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=120)


# ---- logging ---------------------------------------------------------------------------------


@pytest.fixture()
def log_file(tmp_path):
    from translator_app import logs

    path = logs.setup_logging(log_dir=tmp_path / "logs")
    yield path
    _remove_our_handlers()


def _remove_our_handlers() -> None:
    root = logging.getLogger()
    for handler in root.handlers[:]:
        if getattr(handler, "_translator_app_handler", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.WARNING)


def _flush() -> None:
    for handler in logging.getLogger().handlers:
        handler.flush()


def test_a_worker_exception_is_logged_with_its_traceback(qapp, log_file):
    from translator_app.workers import Task, TaskKind, TaskWorker, TranslationWorker

    def explode_in_a_task():
        return 1 / 0

    failures = []
    worker = TaskWorker()
    worker.errored.connect(lambda task, exc: failures.append((task.kind, exc)))
    worker.run(Task(TaskKind.EXPORT, explode_in_a_task))
    assert failures and failures[0][0] is TaskKind.EXPORT and isinstance(failures[0][1], ZeroDivisionError)

    def broken_loader(path):
        raise RuntimeError(f"weights of {path} are gibberish")

    translation = TranslationWorker(broken_loader)
    translation.load_model("/models/broken")
    _flush()
    text = log_file.read_text(encoding="utf-8")
    assert "Task export failed" in text
    assert "Traceback (most recent call last)" in text
    assert "explode_in_a_task" in text and "ZeroDivisionError" in text
    assert "Cannot load the model in /models/broken" in text
    assert "broken_loader" in text and "RuntimeError: weights of /models/broken are gibberish" in text


def test_log_file_rotates_at_one_megabyte_keeping_three(log_file):
    handler = next(h for h in logging.getLogger().handlers if getattr(h, "baseFilename", None) == str(log_file))
    assert handler.maxBytes == 1_000_000 and handler.backupCount == 3
    big = "x" * 2000
    for _ in range(1600):  # ~3.3 MB
        logging.getLogger("translator_app.test").info(big)
    _flush()
    names = sorted(p.name for p in log_file.parent.iterdir())
    assert names == ["translator-app.log", "translator-app.log.1", "translator-app.log.2", "translator-app.log.3"]
    assert all(p.stat().st_size <= 1_000_000 + 3000 for p in log_file.parent.iterdir())


def test_warnings_reach_stderr_on_one_line_and_verbose_shows_debug(tmp_path, capsys):
    from translator_app import logs

    try:
        logs.setup_logging(log_dir=tmp_path)
        log = logging.getLogger("translator_app.test")
        log.debug("quiet detail")
        try:
            raise ValueError("bad thing")
        except ValueError:
            log.exception("it failed")
        err = capsys.readouterr().err
        assert "translator-app: ERROR: it failed" in err
        assert "Traceback" not in err and "quiet detail" not in err  # the file has the traceback
        logs.setup_logging(verbose=True, log_dir=tmp_path)
        log.debug("loud detail")
        assert "loud detail" in capsys.readouterr().err
        _flush()
        text = (tmp_path / "translator-app.log").read_text(encoding="utf-8")
        assert "ValueError: bad thing" in text and "loud detail" in text and "quiet detail" not in text
    finally:
        _remove_our_handlers()


def test_cli_has_verbose_and_logs_to_the_log_folder(tmp_path):
    from translator_app.cli import build_parser

    assert build_parser().parse_args(["--verbose", "translate", "Hello"]).verbose is True
    assert build_parser().parse_args(["translate", "Hello"]).verbose is False
    env = {**os.environ, "TRANSLATOR_APP_HOME": str(tmp_path)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "translator_app",
            "--verbose",
            "translate",
            "--model",
            str(tmp_path / "missing"),
            "Hello",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    assert "translator-app: error:" in proc.stderr
    assert "DEBUG" in proc.stderr  # --verbose: debug records on stderr, the failure's traceback among them
    log = (tmp_path / "logs" / "translator-app.log").read_text(encoding="utf-8")
    assert "translate failed" in log and "Traceback" in log


def test_logs_and_cache_folders_follow_translator_app_home(tmp_path, monkeypatch):
    from translator_app import paths

    monkeypatch.setenv("TRANSLATOR_APP_HOME", str(tmp_path))
    assert paths.logs_dir() == tmp_path / "logs" and paths.logs_dir().is_dir()
    assert paths.user_cache_dir() == tmp_path / "cache" and paths.user_cache_dir().is_dir()


def test_a_second_trainer_into_a_busy_run_folder_is_refused_naming_the_holder(child_holder, tmp_path, capsys):
    """train() (the app's worker and the CLI) takes the run folder's lock before touching it."""
    from translator_app import cli
    from translator_app.core.train import training

    folder, proc = child_holder
    corpus = tmp_path / "pairs.tsv"
    corpus.write_text("".join(f"hello {i}\thola {i}\n" for i in range(50)), encoding="utf-8")
    before = sorted(p.name for p in folder.iterdir())
    events = training.train(training.TrainRequest(training.CorpusSpec(str(corpus)), folder))
    with pytest.raises(FolderBusy) as info:
        next(events)
    assert f"process {proc.pid}" in str(info.value) and str(folder) in str(info.value)
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written into the busy folder
    assert cli.main(["train", str(corpus), "--out", str(folder), "--preset", "tiny", "--minutes", "0.1"]) != 0
    err = capsys.readouterr().err
    assert str(folder) in err and f"process {proc.pid}" in err
