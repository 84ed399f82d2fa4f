"""The best-model rule made visible (issue #30, item 4) and empty charts without made-up ticks
(item 5): each validation line says whether it saved the model and why, the charts ring the saved
points under a legend entry, and a resumed run's rings come back from its history."""

from __future__ import annotations

import json
from types import SimpleNamespace

from translator_app.core.base.events import Finished, Progress, Validation


def validation(step: int, loss: float, bleu: float, best: bool) -> Validation:
    return Validation(step, loss, bleu, bleu * 5, best, ())


def test_the_log_and_the_charts_say_the_model_is_chosen_by_bleu(qtbot):
    from translator_app.gui.run_monitor import RunMonitor

    monitor = RunMonitor()
    qtbot.addWidget(monitor)
    monitor.show()  # (legend entries are visible only in a shown chart)
    monitor.begin(SimpleNamespace(resume=False, out_dir="run"))
    charts = monitor.charts
    assert charts.SAVED not in charts.scores.legend_names()  # nothing saved yet: no legend entry
    monitor.on_validated(validation(250, 4.61, 2.0, True))
    monitor.on_validated(validation(500, 4.194, 1.3, False))  # the loss improved, BLEU did not
    lines = monitor.log.toPlainText().splitlines()
    assert "saved" in lines[-2] and "best BLEU" in lines[-2]
    assert lines[-1].startswith("Step 500: validation loss 4.194") and "not saved" in lines[-1]
    assert "(2.0)" in lines[-1] and "chosen by BLEU, not by loss" in lines[-1]
    assert charts.scores.points(charts.SAVED) == [(250, 2.0)]
    assert charts.loss.points(charts.SAVED) == [(250, 4.61)]
    assert charts.SAVED in charts.scores.legend_names() and charts.SAVED in charts.loss.legend_names()
    assert "best validation BLEU" in charts.loss.toolTip()


def test_a_fine_tune_checkpoint_over_the_general_limit_says_so(qtbot):
    from translator_app.gui.run_monitor import RunMonitor

    monitor = RunMonitor()
    qtbot.addWidget(monitor)
    monitor.begin(SimpleNamespace(resume=False, out_dir="run"))
    common = dict(general_chrf=50.0, base_general_bleu=40.0, max_general_drop=2.0)
    monitor.on_validated(Validation(200, 1.3, 45.0, 60.0, True, (), general_bleu=39.0, within_limit=True, **common))
    monitor.on_validated(Validation(400, 1.2, 47.0, 62.0, False, (), general_bleu=36.0, within_limit=False, **common))
    lines = monitor.log.toPlainText().splitlines()
    assert "saved" in lines[-2] and "not" not in lines[-2]
    assert lines[-1].endswith("(general BLEU more than 2 below the base model's: not kept)")


def test_a_resumed_run_rings_its_saved_validations_again(qtbot, tmp_path):
    from translator_app.core.folders import run_history
    from translator_app.gui.run_monitor import RunMonitor

    out = tmp_path / "run"
    out.mkdir()
    rows = [
        {"step": 250, "valid_loss": 4.61, "bleu": 2.0, "chrf": 10.0},
        {"step": 500, "valid_loss": 4.19, "bleu": 1.3, "chrf": 6.5},
    ]
    (out / "history.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:1]), encoding="utf-8")
    events = [
        Progress(240, 0, 5.0, 1e-3, 100.0, 10.0, None, None),
        validation(250, 4.61, 2.0, True),
        validation(500, 4.19, 1.3, False),
        Finished("stopped", 500, str(out), 2.0, 20.0),
    ]
    for ev in run_history.record(events, out):
        if isinstance(ev, Validation) and ev.step == 500:  # (the training loop writes its row first)
            with open(out / "history.jsonl", "a", encoding="utf-8") as handle:
                handle.write(json.dumps(rows[1]) + "\n")
    monitor = RunMonitor()
    qtbot.addWidget(monitor)
    monitor.begin(SimpleNamespace(resume=True, out_dir=str(out)))
    assert monitor.charts.scores.points(monitor.charts.SAVED) == [(250, 2.0)]
    monitor.on_validated(validation(750, 4.0, 1.9, False))
    assert "(2.0)" in monitor.log.toPlainText().splitlines()[-1]


def test_empty_charts_show_no_axis_numbers_and_steps_are_whole(qtbot):
    from translator_app.gui.charts import TrainingCharts, nice_step

    charts = TrainingCharts()
    qtbot.addWidget(charts)
    assert not charts.loss.axis_labels_shown() and not charts.scores.axis_labels_shown()
    charts.add_progress(5, 4.0)
    assert charts.loss.axis_labels_shown() and not charts.scores.axis_labels_shown()
    charts.clear()
    assert not charts.loss.axis_labels_shown()
    assert nice_step(10, integer=True) in (2, 5) and nice_step(3, integer=True) == 1
    assert nice_step(10) == 2.5  # (a loss or a score may have a fractional tick)


def test_a_finished_run_shows_a_full_bar_not_the_last_progress_figure(qtbot):
    from translator_app.gui.run_monitor import RunMonitor

    monitor = RunMonitor()
    qtbot.addWidget(monitor)
    monitor.begin(SimpleNamespace(resume=False, out_dir="run"))
    monitor.on_progress(
        Progress(
            step=150, epoch=0, loss=2.5, lr=1e-4, tokens_per_sec=9000.0, elapsed_s=226.0, eta_s=20.0, fraction=0.92
        )
    )
    assert monitor.bar.text() == "92%"
    monitor.show_finished(Finished("budget", 156, "run", 38.1, 245.6))
    assert monitor.bar.text() == "100%"


def test_a_fine_tune_that_kept_a_judged_blend_says_so_in_its_scores(qtbot):
    from translator_app.core.train.blend import kept_summary
    from translator_app.gui.run_monitor import RunMonitor

    monitor = RunMonitor()
    qtbot.addWidget(monitor)
    monitor.begin(SimpleNamespace(resume=False, out_dir="run"))
    monitor.score_label.setText("In-domain BLEU 46.1 (base 38.3, +7.8) · general BLEU 45.9 (base 49.8, −3.9)")
    kept = kept_summary({"blend": {"alpha": 0.7, "step": 400, "bleu": 47.94, "general_drop": 1.7}})
    assert kept == (
        "Kept blend 0.7 × step 400 + 0.3 × base: in-domain BLEU 47.9 · general BLEU −1.7 vs the base "
        "(beam search, the whole general dev set)"
    )
    monitor.show_finished(Finished("budget", 755, "run", 47.94, 727.0, None, kept))
    assert monitor.score_label.text() == kept
    monitor.show_finished(Finished("budget", 755, "run", 47.94, 727.0))  # nothing judged: the scores stay
    assert monitor.score_label.text() == kept
    assert kept_summary({"blend": {"alpha": 1.0, "step": 800, "bleu": 49.5, "general_drop": -0.2}}).startswith(
        "Kept step 800: in-domain BLEU 49.5 · general BLEU +0.2"
    )
    assert kept_summary({}) == kept_summary(None) == ""
