"""Resuming a run (issue #30, items 2 and 3): a run that used its time budget offers more minutes,
and the training-loss curve keeps its whole history over every Resume."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from tests.gui.test_gui_training import configure
from translator_app.core.folders import run_history


def answer_extension(minutes: float | None) -> list:
    """When the "Extend the time budget?" dialog shows: extend by ``minutes`` (None: Cancel)."""
    from translator_app.gui.budget_dialog import ExtendBudgetDialog

    seen: list = []

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ExtendBudgetDialog):
            QTimer.singleShot(20, act)
            return
        seen.append(dialog.findChild(type(dialog.minutes)).value())
        if minutes is None:
            dialog.reject()
        else:
            dialog.minutes.setValue(minutes)
            dialog.accept()

    QTimer.singleShot(0, act)
    return seen


def run_to_end(qtbot, tab) -> object:
    qtbot.waitUntil(lambda: tab.last_finished is not None and not tab.is_training, timeout=240_000)
    assert tab.last_error is None, tab.banner.text()
    return tab.last_finished


def test_resume_after_the_budget_offers_more_minutes_and_keeps_the_training_loss_curve(qtbot, window, gui_corpus):
    tab = window.training_tab
    configure(tab, gui_corpus, "budget", minutes=0.1, max_steps=0, valid_every=10_000, log_every=2)
    tab.start_button.click()
    first = run_to_end(qtbot, tab)
    assert first.reason == "budget"
    first_points = tab.charts.loss.points("training loss")
    assert len(first_points) >= 2

    seen = answer_extension(0.1)
    tab.resume_button.click()  # the same 0.1-minute budget: the dialog offers more
    second = run_to_end(qtbot, tab)
    assert seen, "no dialog offered to extend the budget"
    assert second.reason == "budget" and second.step > first.step
    assert second.elapsed_s >= first.elapsed_s + 0.1 * 60 - 1
    points = tab.charts.loss.points("training loss")
    assert points[: len(first_points)] == first_points  # the history before the resume is drawn
    assert points[-1][0] > first.step

    seen = answer_extension(0.1)
    tab.resume_button.click()  # a second Resume: the whole line again
    third = run_to_end(qtbot, tab)
    assert seen and third.step > second.step
    steps = [x for x, _ in tab.charts.loss.points("training loss")]
    assert steps[: len(points)] == [x for x, _ in points] and steps == sorted(set(steps))
    assert steps[-1] > second.step

    seen = answer_extension(None)  # Cancel: nothing starts
    tab.resume_button.click()
    assert seen and not tab.is_training and tab.last_finished is third


def test_resume_with_a_budget_that_leaves_time_asks_nothing(qtbot, window, gui_corpus):
    tab = window.training_tab
    configure(tab, gui_corpus, "budget-more", minutes=0.1, max_steps=0, valid_every=10_000, log_every=2)
    tab.start_button.click()
    first = run_to_end(qtbot, tab)
    rows = run_history.read_history(first.out_dir)
    assert run_history.last_finish(rows)["finished"] == "budget"
    tab.form.set_values(minutes=0.2)  # the total, earlier minutes included: room for about 6 s more
    tab.resume_button.click()
    assert tab.is_training  # no dialog
    second = run_to_end(qtbot, tab)
    assert second.reason == "budget" and second.step > first.step
