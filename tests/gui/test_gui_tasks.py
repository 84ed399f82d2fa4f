"""Background tasks carry their own completion callbacks; training events are routed by class;
the store is listed off the GUI thread."""

from __future__ import annotations

import threading

from translator_app.core.base import events
from translator_app.core.library.model_list import list_models
from translator_app.core.train.request import CorpusSpec, TrainRequest
from translator_app.workers import (
    EVENT_SIGNALS,
    Task,
    TaskKind,
    TaskRunner,
    TaskWorker,
    TrainingWorker,
    running_threads,
)


def test_a_task_runs_in_the_task_thread_and_its_own_success_callback_in_the_gui_thread(qtbot):
    runner = TaskRunner("test-tasks")
    try:
        ran_in, results = [], []

        def work():
            ran_in.append(threading.current_thread())
            return 42

        task = Task(TaskKind.EXPORT, work).success(lambda result: results.append((result, threading.current_thread())))
        with qtbot.waitSignal(runner.finished, timeout=10_000) as done:
            assert runner.run(task) is task
        assert done.args == [task, True]
        assert results == [(42, threading.main_thread())]  # the callback ran before finished, in this thread
        assert ran_in and ran_in[0] is not threading.main_thread()
    finally:
        assert runner.stop(10_000)
    assert running_threads() == []


def test_a_failing_task_hands_the_exception_to_its_failure_callback_only(qtbot):
    runner = TaskRunner("test-tasks")
    try:
        successes, failures = [], []

        def boom():
            raise ZeroDivisionError("division by zero")

        task = Task(TaskKind.IMPORT, boom).success(successes.append).failure(failures.append)
        with qtbot.waitSignal(runner.finished, timeout=10_000) as done:
            runner.run(task)
        assert done.args == [task, False]
        assert successes == [] and len(failures) == 1 and isinstance(failures[0], ZeroDivisionError)
        # each task brings its own callbacks: two tasks of one kind never mix up their outcomes
        first, second = [], []
        runner.run(Task(TaskKind.SCAN, lambda: "a").success(first.append))
        last = Task(TaskKind.SCAN, lambda: "b").success(second.append)
        with qtbot.waitSignal(runner.finished, timeout=10_000, check_params_cb=lambda task, _ok: task is last):
            runner.run(last)
        assert (first, second) == (["a"], ["b"])
        with qtbot.waitSignal(runner.finished, timeout=10_000):  # no callbacks at all: logged, no crash
            runner.run(Task(TaskKind.DELETE, boom))
    finally:
        runner.stop(10_000)
    late = []
    runner.run(Task(TaskKind.SCAN, lambda: 1).success(late.append))  # after stop(): not run
    qtbot.wait(50)
    assert late == [] and running_threads() == []


def test_the_task_worker_signals_the_task_with_its_result_or_exception():
    worker = TaskWorker()
    done, failed = [], []
    worker.returned.connect(lambda task, result: done.append((task.kind, result)))
    worker.errored.connect(lambda task, exc: failed.append((task.kind, type(exc))))
    worker.run(Task(TaskKind.SCAN, lambda: [1, 2]))
    worker.run(Task(TaskKind.EXPORT, lambda: {}["missing"]))
    assert done == [(TaskKind.SCAN, [1, 2])] and failed == [(TaskKind.EXPORT, KeyError)]
    assert TaskKind.FIT_CHECK.title == "Corpus check" and TaskKind.IMPORT.title == "Import"


def test_training_events_are_emitted_as_objects_on_the_signal_for_their_class(qtbot):
    status = events.Status("Reading the corpus")
    progress = events.Progress(1, 0, 2.5, 1e-3, 100.0, 1.0, 9.0, 0.1)
    finished = events.Finished("max_steps", 1, "/tmp/out", None, 1.0)

    def train(*_args, **_kwargs):
        yield status
        yield object()  # not an event: skipped, never a crash
        yield progress
        yield finished

    worker = TrainingWorker(train)
    seen = []
    for name in set(EVENT_SIGNALS.values()):
        getattr(worker, name).connect(lambda ev, name=name: seen.append((name, ev)))
    stopped = []
    worker.stopped_running.connect(lambda: stopped.append(True))
    worker.run(TrainRequest(CorpusSpec("corpus.tsv"), "/tmp/out"))  # in this thread: signals arrive at once
    assert seen == [("status", status), ("progress", progress), ("finished", finished)]
    assert stopped == [True]
    assert set(EVENT_SIGNALS) == {events.Status, events.DataReady, events.Progress, events.Validation, events.Finished}


def test_a_training_failure_is_emitted_as_the_exception(qtbot):
    from translator_app.core.text.corpus import CorpusError

    def train(*_args, **_kwargs):
        raise CorpusError("corpus.tsv", None, "empty")
        yield  # (a generator)

    worker = TrainingWorker(train)
    failures, stopped = [], []
    worker.failed.connect(failures.append)
    worker.stopped_running.connect(lambda: stopped.append(True))
    worker.run(TrainRequest(CorpusSpec("corpus.tsv"), "/tmp/out"))
    assert len(failures) == 1 and isinstance(failures[0], CorpusError) and stopped == [True]


def test_list_models_chooses_the_first_usable_candidate_and_explains_a_damaged_default(tmp_path):
    from tests.core.test_store import make_bundle
    from translator_app.core.library.store import ModelStore

    bundled, user = tmp_path / "bundled", tmp_path / "user"
    (bundled / "en-es").mkdir(parents=True)
    (bundled / "en-es" / "config.json").write_text("not json", encoding="utf-8")
    mine = make_bundle(user / "mine", "en", "es")
    store = ModelStore(bundled, user)
    listing = list_models(store, (None, str(tmp_path / "gone"), str(bundled / "en-es")), bundled / "en-es")
    assert [e.name for e in listing.entries] == ["mine"] and listing.chosen == str(mine)
    assert len(listing.notes) == 1 and "damaged" in listing.notes[0] and "unreadable" in listing.notes[0]
    plain = list_models(store)
    assert plain.chosen == "" and plain.notes == () and [e.name for e in plain.entries] == ["mine"]


def test_the_main_window_lists_the_store_in_the_task_thread(qtbot, window, monkeypatch):
    scanned_in = []
    real_scan = type(window.store).scan

    def scan(store):
        scanned_in.append(threading.current_thread())
        return real_scan(store)

    monkeypatch.setattr(type(window.store), "scan", scan)
    then = []
    with qtbot.waitSignal(window.models_listed, timeout=10_000) as listed:
        window.refresh_models(then=then.append)
    assert scanned_in and threading.main_thread() not in scanned_in
    assert then == [listed.args[0]] and window.listing is listed.args[0]
    assert [str(e.path) for e in window.picker.entries()] == window.training_tab.form.base_models()
    with qtbot.waitSignal(window.models_listed, timeout=10_000):
        window.tabs.setCurrentWidget(window.training_tab)  # showing the tab asks for a fresh list
    assert len(scanned_in) == 2 and threading.main_thread() not in scanned_in


def test_the_generator_worker_emits_each_item_then_the_return_value_or_the_exception():
    from translator_app.workers import GeneratorWorker

    def count(n):
        yield from range(n)
        return "done"

    worker = GeneratorWorker(count, 3)
    seen = []
    worker.yielded.connect(lambda v: seen.append(("yielded", v)))
    worker.returned.connect(lambda v: seen.append(("returned", v)))
    worker.errored.connect(lambda exc: seen.append(("errored", exc)))
    worker.finished.connect(lambda: seen.append(("finished", None)))
    worker.run()  # in this thread: signals arrive at once
    assert seen == [("yielded", 0), ("yielded", 1), ("yielded", 2), ("returned", "done"), ("finished", None)]

    def broken():
        yield 1
        raise KeyError("missing")

    failing, failures, finished = GeneratorWorker(broken), [], []
    failing.errored.connect(failures.append)
    failing.finished.connect(lambda: finished.append(True))
    failing.run()
    assert len(failures) == 1 and isinstance(failures[0], KeyError) and finished == [True]


def test_quitting_a_generator_worker_stops_it_between_items_and_passes_its_token():
    from translator_app.core.base.cancel import CancelToken
    from translator_app.workers import GeneratorWorker

    tokens, closed = [], []

    def endless(should_stop):
        tokens.append(should_stop)
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed.append(True)

    worker = GeneratorWorker(endless, cancel_kwarg="should_stop")
    items, aborted, returned = [], [], []
    worker.yielded.connect(lambda v: (items.append(v), v == 4 and worker.quit()))
    worker.aborted.connect(lambda: aborted.append(True))
    worker.returned.connect(returned.append)
    worker.run()
    assert items == [0, 1, 2, 3, 4] and aborted == [True] and returned == [] and closed == [True]
    assert isinstance(tokens[0], CancelToken) and tokens[0].cancelled
    items.clear()
    worker.run()  # the token is reset at each start: it runs again, and stops again at 4
    assert items == [0, 1, 2, 3, 4] and aborted == [True, True]


def test_the_error_relay_turns_every_failure_into_one_message_in_its_place(qapp):
    from translator_app.core.text.corpus import CorpusError
    from translator_app.gui.errors import ErrorRelay

    shown, elsewhere, relayed = [], [], []
    relay = ErrorRelay(shown.append)
    relay.relayed.connect(lambda text, exc: relayed.append((text, type(exc))))
    assert relay.relay(CorpusError("a.tsv", 3, "a NUL byte"), "Cannot read the corpus") == (
        "Cannot read the corpus: a.tsv, line 3: a NUL byte"
    )
    relay.to(elsewhere.append)(ZeroDivisionError("division by zero"))
    assert shown == ["Cannot read the corpus: a.tsv, line 3: a NUL byte"]
    assert elsewhere == ["Unexpected error: ZeroDivisionError: division by zero"]
    assert relayed == [(shown[0], CorpusError), (elsewhere[0], ZeroDivisionError)]


def test_a_task_without_a_failure_callback_fails_on_the_runners_one_error_signal(qtbot):
    runner = TaskRunner("test-tasks")
    try:
        handled = Task(TaskKind.IMPORT, lambda: {}["x"]).failure(lambda exc: None)
        unhandled = Task(TaskKind.EXPORT, lambda: 1 / 0)
        errors = []
        runner.errored.connect(lambda task, exc: errors.append((task, type(exc))))
        runner.run(handled)
        with qtbot.waitSignal(runner.finished, timeout=10_000, check_params_cb=lambda task, _ok: task is unhandled):
            runner.run(unhandled)
        assert errors == [(unhandled, ZeroDivisionError)]  # the handled one never reaches the relay
    finally:
        assert runner.stop(10_000)
