"""gui.errors.user_message: the one mapping from exceptions to messages, and the widgets that use it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from translator_app.core.documents import Cancelled, DocumentError
from translator_app.core.folders.bundlemeta import BundleError
from translator_app.core.library.store import StoreError
from translator_app.core.text.corpus import CorpusError
from translator_app.gui.errors import OUT_OF_MEMORY, ErrorRelay, user_message
from translator_app.gui.widgets import Level
from translator_app.workers import NoModelLoaded


@pytest.mark.parametrize(
    "exc, message",
    [
        (CorpusError("a.tsv", 3, "a NUL byte"), "a.tsv, line 3: a NUL byte"),
        (
            BundleError("/m/x: no config.json; this is not a model bundle"),
            "/m/x: no config.json; this is not a model bundle",
        ),
        (StoreError("bad.zip: cannot read the archive"), "bad.zip: cannot read the archive"),
        (DocumentError("page.xyz", "unknown extension"), "page.xyz: unknown extension"),
        (NoModelLoaded(), "No model is loaded yet."),
        (
            Cancelled("Cancelled after 64 of 900 lines; out.txt was not written."),
            "Cancelled after 64 of 900 lines; out.txt was not written.",
        ),
        (Cancelled("cancelled after 3 of 9 segments"), "Cancelled after 3 of 9 segments"),
        (Cancelled(), "Cancelled."),
        (ValueError("dropout must be in [0, 1)"), "dropout must be in [0, 1)"),  # the core's checks of settings
        (MemoryError(), OUT_OF_MEMORY),
        (FileNotFoundError(2, "No such file or directory", "/data/c.tsv"), "/data/c.tsv: No such file or directory"),
        (ZeroDivisionError("division by zero"), "Unexpected error: ZeroDivisionError: division by zero"),
        (RuntimeError(), "Unexpected error: RuntimeError"),
        (KeyError("src"), "Unexpected error: KeyError: 'src'"),
    ],
)
def test_user_message_shows_explained_errors_as_they_are_and_names_unexpected_ones(exc, message):
    assert user_message(exc) == message


def test_the_translators_input_too_long_is_shown_as_it_is():
    from translator_app.core.translation.translator import InputTooLong  # (torch: the GUI itself never imports it)

    assert (
        user_message(InputTooLong("The text has 30,000 characters; at most 20,000"))
        == "The text has 30,000 characters; at most 20,000"
    )


def test_the_relay_names_what_failed(qapp):
    relay = ErrorRelay()
    assert (
        relay.message(StoreError("x.zip: not a model bundle"), "Import failed")
        == "Import failed: x.zip: not a model bundle"
    )
    assert (
        relay.message(OSError(28, "No space left on device"), "Export failed")
        == "Export failed: No space left on device"
    )


def test_the_training_tab_shows_a_failure_through_user_message(qtbot):
    from translator_app.gui.training_tab import TrainingTab

    tab = TrainingTab()
    qtbot.addWidget(tab)
    error = MemoryError()
    tab.on_failed(error)
    assert tab.last_error is error and tab.banner.level is Level.ERROR and tab.banner.text() == OUT_OF_MEMORY
    assert "Training failed." == tab.progress_label.text()


def test_the_translate_tab_has_a_no_model_state_apart_from_its_error_messages(qtbot):
    from translator_app.gui.translate_tab import ModelState, Notice, TranslateTab

    tab = TranslateTab()
    qtbot.addWidget(tab)
    info = SimpleNamespace(src_lang="en", tgt_lang="es")
    tab.set_model_missing("No translation model is available.")
    assert tab.model_state is ModelState.NONE and tab.notice is Notice.NO_MODEL
    assert tab.banner.level is Level.ERROR and not tab.model_ready
    tab.set_model(info)  # a model arrives: the no-model message goes
    assert tab.model_state is ModelState.READY and tab.banner.text() == "" and tab.notice is None

    tab.show_message("Import failed: x.zip: not a model bundle", Level.ERROR)  # an error, but not "no model"
    tab.set_model(info)
    assert tab.banner.text() == "Import failed: x.zip: not a model bundle"

    tab.latest_id = 7
    tab.on_translation_failed(7, NoModelLoaded())  # a failed translation: a warning until one works
    assert tab.banner.text() == "No model is loaded yet." and tab.banner.level is Level.WARNING
    assert tab.notice is Notice.TRANSLATION and tab.model_state is ModelState.READY
    tab.on_translation_failed(6, ZeroDivisionError())  # stale: ignored
    assert tab.stale_results == 1 and tab.banner.text() == "No model is loaded yet."
