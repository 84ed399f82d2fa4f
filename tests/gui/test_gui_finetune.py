"""Training tab, fine-tuning: the Start-from combo, the read-only form, the corpus check, a tiny run."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from translator_app.core.train.finetune import DEFAULT_REPLAY_SHARE, FINETUNE_PRESET, TRAIN_PRESETS
from translator_app.core.train.forgetting import BEST_IN_DOMAIN_DIR, DEFAULT_MAX_GENERAL_DROP
from translator_app.gui.widgets import Level

GREEK = [
    "Καλημέρα, πώς είσαι σήμερα;",
    "Η βιβλιοθήκη κλείνει στις οκτώ το βράδυ.",
    "Θέλω ένα φλιτζάνι τσάι χωρίς ζάχαρη.",
    "Το τρένο φεύγει σε δέκα λεπτά.",
]


def bundled_en_es() -> str:
    return str(Path(os.environ["TRANSLATOR_APP_MODELS"]) / "en-es")


def show_training_tab(window):
    window.tabs.setCurrentWidget(window.training_tab)  # showing the tab rescans the models
    return window.training_tab


def test_start_from_lists_the_models_and_makes_the_architecture_read_only(qtbot, window):
    tab = show_training_tab(window)
    form = tab.form
    assert form.start_from.itemText(0) == "New model" and form.base_path() == ""
    assert bundled_en_es() in form.base_models()
    assert [str(e.path) for e in window.picker.entries()] == form.base_models()  # the picker's models
    tiny_lr = form.value("lr")

    assert form.select_base(bundled_en_es())
    base = json.loads((Path(bundled_en_es()) / "config.json").read_text(encoding="utf-8"))["model"]
    assert form.base_path() == bundled_en_es()
    for name in ("vocab_size", "emb_dim", "enc_hidden", "enc_layers", "dec_hidden"):
        assert form.fields[name].isReadOnly(), name
    assert not form.preset.isEnabled() and not form.attention.isEnabled() and form.replay.isEnabled()
    assert not form.fields["dropout"].isReadOnly() and not form.fields["lr"].isReadOnly()
    assert form.value("emb_dim") == base["emb_dim"] and form.value("vocab_size") == base["src_vocab_size"]
    assert form.value("lr") == pytest.approx(TRAIN_PRESETS[FINETUNE_PRESET].lr)  # the finetune preset
    model, train, _ = form.configs()
    assert (model.emb_dim, model.dec_hidden, model.src_vocab_size) == (
        base["emb_dim"],
        base["dec_hidden"],
        base["src_vocab_size"],
    )
    assert train.schedule == "linear" and train.lr == pytest.approx(TRAIN_PRESETS[FINETUNE_PRESET].lr)
    assert form.resolved().data.test_size == 0 and form.max_drop.isEnabled()
    spec = form.finetune_spec()
    assert (spec.base, spec.replay_share, spec.max_general_drop) == (
        bundled_en_es(),
        DEFAULT_REPLAY_SHARE,  # the form shows the core default
        DEFAULT_MAX_GENERAL_DROP,
    )
    assert spec.dropout == pytest.approx(base["dropout"])
    assert "Fine-tune" in tab.start_button.toolTip()

    form.select_base("")  # back to a new model: everything editable, the preset's values again
    assert form.base_path() == "" and form.finetune_spec() is None
    assert not form.fields["emb_dim"].isReadOnly() and form.preset.isEnabled() and not form.replay.isEnabled()
    assert form.value("lr") == pytest.approx(tiny_lr)


def test_a_corpus_the_base_model_does_not_suit_gets_a_warning(qtbot, window, gui_corpus, tmp_path):
    tab = show_training_tab(window)
    tab.form.select_base(bundled_en_es())
    english = [line.split("\t")[0] for line in gui_corpus.read_text(encoding="utf-8").splitlines()][:40]
    greek = tmp_path / "greek.en-es.tsv"
    greek.write_text("".join(f"{e}\t{GREEK[i % 4]} {i}\n" for i, e in enumerate(english)), encoding="utf-8")
    with qtbot.waitSignal(tab.fit_checked, timeout=30_000):
        tab.corpus.set_paths(str(greek))
    assert tab.fit is not None and tab.fit.poor
    assert "covers this corpus poorly" in tab.fit_banner.text() and tab.fit_banner.level is Level.WARNING

    french = tmp_path / "notes.en-fr.tsv"
    french.write_text("".join(f"{e}\tPhrase {i}.\n" for i, e in enumerate(english)), encoding="utf-8")
    with qtbot.waitSignal(tab.fit_checked, timeout=30_000):
        tab.corpus.set_paths(str(french))
    assert "own language pair" in tab.fit_banner.text()

    with qtbot.waitSignal(tab.fit_checked, timeout=30_000):
        tab.corpus.set_paths(str(gui_corpus))
    assert tab.fit_banner.text() == "" and not tab.fit.poor
    tab.form.select_base("")  # a new model: nothing to check
    assert tab.fit is None and tab.fit_banner.text() == ""


def test_fine_tuning_from_the_tab_shows_both_scores_and_records_the_parent(qtbot, window, gui_corpus):
    tab = show_training_tab(window)
    tab.corpus.set_paths(str(gui_corpus))
    tab.name.setText("ft-from-gui")
    tab.form.select_base(bundled_en_es())
    tab.form.set_values(max_steps=10, valid_every=5, log_every=5, minutes=0.0, max_epochs=0, num_threads=1)
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.last_finished is not None and not tab.is_training, timeout=240_000)
    assert tab.last_error is None, tab.banner.text()
    assert (tab.last_finished.reason, tab.last_finished.step) == ("max_steps", 10)
    assert tab.validations == 3  # the base model at step 0, then steps 5 and 10 (the form's minimum is 5)
    assert [x for x, _ in tab.charts.scores.points("BLEU")] == [0, 5, 10]
    assert [x for x, _ in tab.charts.scores.points("general BLEU")] == [0, 5, 10]
    assert tab.charts.scores.is_shown("general BLEU")
    assert "general BLEU" in tab.score_label.text() and "base" in tab.score_label.text()
    assert "vs the base model" in tab.samples.title()
    meta = json.loads((Path(tab.last_finished.out_dir) / "config.json").read_text(encoding="utf-8"))["meta"]
    assert meta["parent"]["path"] == str(Path(bundled_en_es()).resolve())
    assert "ft-from-gui" in [e.name for e in window.picker.entries()]
    assert str(Path(tab.last_finished.out_dir)) in tab.form.base_models()  # can be fine-tuned in turn
    tab.charts.clear()  # a new model's chart has no general line
    assert not tab.charts.scores.is_shown("general BLEU")


@pytest.fixture()
def bundled_with_replay(bundled_dir, tmp_path, monkeypatch):
    """A copy of the bundled models folder whose en-es model carries a replay set, as the shipped
    bundles do (scripts/add_replay_set.py); set up before ``window`` so the window lists it."""
    import shutil

    from scripts.add_replay_set import add_replay_set
    from tests.conftest import take_slice

    root = tmp_path / "bundled-with-replay"
    shutil.copytree(bundled_dir, root)
    shutil.rmtree(root / "en-es" / "data", ignore_errors=True)  # no run data: the replay set is all there is
    general = take_slice(1200, tmp_path / "general.en-es.tsv", step=53)  # other pairs than the fine-tune's
    add_replay_set(root / "en-es", general, pairs=1200, seed=5)
    monkeypatch.setenv("TRANSLATOR_APP_MODELS", str(root))
    return root / "en-es"


def test_a_fine_tune_from_the_tab_replays_the_bundles_own_set(qtbot, bundled_with_replay, window, gui_corpus):
    """Issue #33: with no corpus built (an installed app), the Training tab's fine-tune of a bundled
    model reads the bundle's replay.tsv.gz and says so."""
    tab = show_training_tab(window)
    tab.corpus.set_paths(str(gui_corpus))
    tab.name.setText("ft-replay")
    assert tab.form.select_base(str(bundled_with_replay))
    tab.form.set_values(max_steps=5, valid_every=5, log_every=5, minutes=0.0, max_epochs=0, num_threads=1)
    tab.start_button.click()
    qtbot.waitUntil(lambda: tab.last_finished is not None and not tab.is_training, timeout=240_000)
    assert tab.last_error is None, tab.banner.text()
    log = tab.monitor.log.toPlainText()
    assert f"Reading general data from {bundled_with_replay / 'replay.tsv.gz'}" in log, log[-2000:]
    assert "No general data found to replay" not in log
    meta = json.loads((Path(tab.last_finished.out_dir) / "run.json").read_text(encoding="utf-8"))["meta"]
    assert meta["finetune"]["replay_pairs"] > 0


def test_the_saved_start_from_model_is_chosen_once_the_models_are_listed(qtbot):
    from PySide6.QtCore import QSettings

    from tests.gui.conftest import close_window
    from translator_app.gui.main_window import MainWindow

    QSettings().setValue("training/start_from", bundled_en_es())
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.training_tab.form.base_path() == ""  # nothing listed yet: the store is read in a worker
    with qtbot.waitSignal(win.models_listed, timeout=20_000):
        win.start(defer_load=True)
    form = win.training_tab.form
    assert form.base_path() == bundled_en_es() and form.fields["emb_dim"].isReadOnly()
    close_window(qtbot, win)


def test_a_fine_tune_with_nothing_to_replay_asks_first(qtbot, window, gui_corpus, monkeypatch):
    from translator_app.gui import finetune_prompts

    asked = []
    monkeypatch.setattr(finetune_prompts, "ask", lambda *args: asked.append(args) or False)
    tab = show_training_tab(window)
    tab.corpus.set_paths(str(gui_corpus))
    tab.name.setText("ft-no-replay")
    tab.form.select_base(bundled_en_es())
    tab.form.replay.setValue(0.0)  # nothing replayed: the person is asked, and says no
    tab.start_button.click()
    assert len(asked) == 1 and "No general data will be replayed" in asked[0][2] and "forget" in asked[0][2]
    assert not tab.is_training
    tab.form.replay.setValue(DEFAULT_REPLAY_SHARE)  # the bundled model's run data is found: no question
    assert finetune_prompts.confirm_without_replay(tab, tab.form.finetune_spec()) and len(asked) == 1


def test_over_the_general_limit_the_person_keeps_the_best_in_domain_one(qtbot, window, tmp_path, monkeypatch):
    from translator_app.core.base.events import Finished, OverLimit
    from translator_app.gui import finetune_prompts

    out = tmp_path / "run"
    (out / BEST_IN_DOMAIN_DIR).mkdir(parents=True)
    for folder, weights in ((out, b"base"), (out / BEST_IN_DOMAIN_DIR, b"in-domain")):
        (folder / "config.json").write_text("{}", encoding="utf-8")
        (folder / "weights.pt").write_bytes(weights)
    asked = []
    monkeypatch.setattr(finetune_prompts, "ask", lambda *args: asked.append(args) or True)
    tab = show_training_tab(window)
    over = OverLimit(40, 31.5, 6.2, 2.0, 20.0, str(out / BEST_IN_DOMAIN_DIR), "…")
    tab.on_finished(Finished("budget", 60, str(out), 20.0, 60.0, over))
    assert "lost 6.2 general BLEU" in asked[0][2] and asked[0][3] == "Keep the best on my corpus"
    qtbot.waitUntil(lambda: "now the best checkpoint" in tab.banner.text(), timeout=10_000)
    assert (out / "weights.pt").read_bytes() == b"in-domain" and not (out / BEST_IN_DOMAIN_DIR).exists()
