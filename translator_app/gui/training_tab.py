"""The Training tab: corpus, hyperparameters, start/stop/resume, live progress, curves, samples.

Like the Translate tab it only asks (``start_requested(TrainRequest)``, ``stop_requested``, ``preview_requested``,
``models_wanted``, ``task_requested(Task)``); the main window forwards to the workers and feeds the events back.

The tab is the one owner of "a training is running": :attr:`TrainingTab.is_training` is set when
it asks for a run and cleared by :meth:`on_stopped`, when the worker is idle again.

Fine-tuning: the form's "Start from" lists the models of the store (:meth:`set_base_models`, fed
by the main window with every listing; showing the tab asks for a fresh one). With a model chosen,
the request carries its ``FinetuneSpec`` (see ``core.train.request``), and a check of the corpus
against the base model (language pair, tokenizer coverage) runs as a background task; its warning
appears under the corpus preview. Validations then show the in-domain and the general score
against the base model's. The live view of a run is :class:`~translator_app.gui.run_monitor.RunMonitor`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from translator_app.core.folders.runfolder import RunFolder
from translator_app.core.library.store import sanitize_name
from translator_app.core.train.request import CorpusSpec, TrainRequest
from translator_app.gui.budget_dialog import extend_if_spent
from translator_app.gui.corpus_panel import CorpusPanel
from translator_app.gui.errors import user_message
from translator_app.gui.expectation_note import ExpectationNote
from translator_app.gui.finetune_prompts import confirm_without_replay, offer_over_limit
from translator_app.gui.run_monitor import RunMonitor
from translator_app.gui.training_form import HyperparameterForm
from translator_app.gui.widgets import Level, MessageBanner
from translator_app.workers import Task, TaskKind, model_dir_for


def _corpus_fit(base: str, path: str, target: str) -> Any:
    """Runs in a worker thread: the core check of a corpus against a base model."""
    from translator_app.core.train.finetune import corpus_fit

    return corpus_fit(base, path, target or None)


class TrainingTab(QWidget):
    start_requested = Signal(object)  # TrainRequest
    stop_requested = Signal()
    preview_requested = Signal(int, str, str)  # request id, path, target path
    use_model_requested = Signal(str)  # model path
    models_wanted = Signal()  # a fresh list of the store's models, please (answered by set_base_models)
    task_requested = Signal(object)  # a workers.Task to run in the background (the corpus check)
    fit_checked = Signal()  # a corpus/base-model check came back (tests wait on it)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._training = False
        self.last_finished: Any = None  # the latest core.base.events.Finished
        self.last_error: BaseException | None = None  # why the latest run failed
        self.out_dir = ""
        self._preview_id = 0
        self._name_touched = False
        self._fit_id = 0
        self.fit: Any = None  # the latest core.train.finetune.CorpusFit

        self.corpus = CorpusPanel()
        self.corpus.corpus_changed.connect(self._corpus_changed)
        self.form = HyperparameterForm()
        self.form.base_changed.connect(self._base_changed)
        self.fit_banner = MessageBanner()  # the base model does not suit the corpus
        self.expectation = ExpectationNote(self.corpus, self.form)  # what this corpus and budget can reach
        left = QWidget()
        left_column = QVBoxLayout(left)
        for widget, stretch in ((self.corpus, 1), (self.expectation, 0), (self.fit_banner, 0)):
            left_column.addWidget(widget, stretch)
        left_column.addWidget(self.form)
        left_scroll = QScrollArea()
        left_scroll.setWidgetResizable(True)
        left_scroll.setWidget(left)
        left_scroll.setMinimumWidth(320)

        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. my-en-es")
        self.name.setToolTip("Name of the new model; it is saved in your models folder under this name")
        self.name.textEdited.connect(self._name_edited)
        self.name.textChanged.connect(self._update_buttons)
        style = self.style()
        self.start_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "&Start")
        self.start_button.setToolTip("Start training a new model (Ctrl+R)")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaStop), "S&top")
        self.stop_button.setToolTip("Stop after the current batch; the checkpoint is kept for resuming (Esc)")
        self.stop_button.clicked.connect(self.stop)
        self.resume_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward), "Res&ume")
        self.resume_button.setToolTip(
            "Continue the run with this name from its last checkpoint, with the budget set on the left"
        )
        self.resume_button.clicked.connect(self.resume)
        self.use_button = QPushButton("Translate with it")
        self.use_button.setToolTip("Load the trained model in the Translate tab")
        self.use_button.clicked.connect(lambda: self.use_model_requested.emit(self.out_dir))
        self.use_button.hide()
        controls = QHBoxLayout()
        name_form = QFormLayout()
        name_form.addRow("Model &name:", self.name)
        controls.addLayout(name_form, 1)
        for button in (self.start_button, self.stop_button, self.resume_button, self.use_button):
            controls.addWidget(button)

        self.banner = MessageBanner()
        self.monitor = RunMonitor()  # progress, curves, samples, log (its widgets are the tab's, too)
        self.bar, self.progress_label = self.monitor.bar, self.monitor.progress_label
        self.score_label, self.charts, self.samples = (
            self.monitor.score_label,
            self.monitor.charts,
            self.monitor.samples,
        )

        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addLayout(controls)
        right_column.addWidget(self.banner)
        right_column.addWidget(self.monitor, 1)

        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(left_scroll)
        self.split.addWidget(right)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)
        self.split.setSizes([440, 840])
        layout = QVBoxLayout(self)
        layout.addWidget(self.split)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence("Ctrl+R"), self, self.start, context=context)
        QShortcut(QKeySequence("Escape"), self, self.stop, context=context)
        QShortcut(QKeySequence("Ctrl+O"), self, self.corpus.ask_corpus, context=context)
        self._update_buttons()

    # ---- corpus --------------------------------------------------------------------------------
    def _corpus_changed(self, path: str, target: str) -> None:
        self._preview_id += 1
        self.corpus.show_loading()
        self._check_fit()  # drops the verdict on the previous corpus
        self.preview_requested.emit(self._preview_id, path, target)
        if not self._name_touched or not self.name.text():
            self.name.setText(sanitize_name(Path(path).stem))

    def on_preview_ready(self, request_id: int, preview: Any) -> None:
        if request_id == self._preview_id:
            self.corpus.show_preview(preview)
            self._check_fit()

    def on_preview_failed(self, request_id: int, error: BaseException) -> None:
        if request_id == self._preview_id:
            self.corpus.show_error(user_message(error))
            self._check_fit()

    # ---- fine-tuning: the base model ------------------------------------------------------------
    def set_base_models(self, entries: Sequence[Any]) -> None:
        """The models "Start from" offers (store entries, as the model picker lists them)."""
        self.form.set_base_models(entries)

    def showEvent(self, event) -> None:  # noqa: N802 - a Qt override keeps its camelCase name
        if not self._training:
            self.models_wanted.emit()  # the store is listed in a worker; set_base_models follows
        super().showEvent(event)

    def _base_changed(self, _path: str) -> None:
        self.start_button.setToolTip(
            "Fine-tune the chosen model on this corpus (Ctrl+R)"
            if self.form.base_path()
            else "Start training a new model (Ctrl+R)"
        )
        self._check_fit()

    def _check_fit(self) -> None:
        """Check the corpus against the chosen base model in the background (never on this thread)."""
        self._fit_id += 1
        self.fit = None
        self.fit_banner.dismiss()
        base = self.form.base_path()
        path, target = self.corpus.paths()
        preview = self.corpus.preview
        if not base or not path or preview is None or str(preview.path) != path:
            return  # a check runs once the preview of this corpus is in
        check = self._fit_id
        self.task_requested.emit(
            Task(TaskKind.FIT_CHECK, functools.partial(_corpus_fit, base, path, target))
            .success(functools.partial(self._fit_ready, check))
            .failure(functools.partial(self._fit_failed, check))
        )

    def _fit_ready(self, check: int, fit: Any) -> None:
        if check != self._fit_id:
            return  # the corpus or the base model changed meanwhile
        self.fit = fit
        warning = fit.warning()
        if warning:
            self.fit_banner.show_message(warning, Level.WARNING)
        self.fit_checked.emit()

    def _fit_failed(self, check: int, error: BaseException) -> None:
        if check == self._fit_id:
            self.fit_banner.show_message(
                f"Cannot check the corpus against the base model: {user_message(error)}", Level.WARNING
            )
            self.fit_checked.emit()

    def _name_edited(self, _text: str) -> None:
        self._name_touched = True

    # ---- commands ------------------------------------------------------------------------------
    def _job(self, resume: bool) -> TrainRequest | None:
        path, target = self.corpus.paths()
        name = self.name.text().strip()
        if not resume and not path:
            self.banner.show_message(
                "Choose a corpus file first (Browse…, or drop a file on the Corpus box).", Level.WARNING
            )
            return None
        if not name:
            self.banner.show_message("Give the model a name first.", Level.WARNING)
            return None
        out = model_dir_for(name)
        if resume and not RunFolder.at(out).has_checkpoint():
            self.banner.show_message(f"There is no checkpoint to resume in {out}.", Level.WARNING)
            return None
        if resume and not path:
            path, target = RunFolder.at(out).corpus()
        finetune = self.form.finetune_spec()
        if finetune and not resume and out.resolve() == Path(finetune.base).resolve():
            self.banner.show_message(
                "Give the fine-tuned model another name: it would replace its base model.", Level.WARNING
            )
            return None
        model, train, tok, data = self.form.resolved()
        return TrainRequest(CorpusSpec(path, target or None), str(out), model, train, tok, data, resume, finetune)

    def start(self) -> None:
        if self._training:
            return
        job = self._job(resume=False)
        if job is None or not confirm_without_replay(self, job.finetune):
            return
        out = Path(job.out_dir)
        if out.exists() and any(out.iterdir()):
            answer = QMessageBox.question(
                self,
                "Replace model?",
                f"A model or run named “{out.name}” exists. Training anew replaces it.\n{out}\n\nReplace it?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._begin(job)

    def resume(self) -> None:
        if self._training:
            return
        job = self._job(resume=True)
        job = job and extend_if_spent(self, job)  # a run that used its time budget: offer more minutes
        if job is not None:
            self._begin(job)  # (its curves start with the run's history)

    def _begin(self, job: TrainRequest) -> None:
        self.banner.dismiss()
        self.use_button.hide()
        self.out_dir = job.out_dir
        self.last_finished = None
        self.last_error = None
        self.monitor.begin(job)
        self.set_running(True)
        self.start_requested.emit(job)

    def stop(self) -> None:
        """Ask the running training to stop after the current batch (its checkpoint is kept)."""
        if self._training:
            self.stop_button.setEnabled(False)
            self.stop_button.setText("Stopping…")
            self.monitor.show_stopping()
            self.stop_requested.emit()

    # ---- state -----------------------------------------------------------------------------------
    @property
    def progress_events(self) -> int:
        """Progress events of the current run."""
        return self.monitor.progress_events

    @property
    def validations(self) -> int:
        """Validations of the current run."""
        return self.monitor.validations

    @property
    def is_training(self) -> bool:
        """A run was asked for and the worker has not said it is idle again."""
        return self._training

    def is_training_into(self, path: str | Path) -> bool:
        """True while a run writes into the model folder ``path``."""
        return self._training and bool(self.out_dir) and Path(self.out_dir) == Path(path)

    def set_running(self, running: bool) -> None:
        self._training = running
        self.corpus.setEnabled(not running)
        self.form.setEnabled(not running)
        self.name.setEnabled(not running)
        self.stop_button.setText("S&top")
        self._update_buttons()

    def _update_buttons(self) -> None:
        name = self.name.text().strip()
        resumable = bool(name) and RunFolder.at(model_dir_for(name)).has_checkpoint()
        self.start_button.setEnabled(not self._training)
        self.stop_button.setEnabled(self._training)
        self.resume_button.setEnabled(not self._training and resumable)

    # ---- events from the training worker (core.base.events objects) ------------------------------------
    def on_stopped(self) -> None:
        """The training worker is idle again (after the run finished, stopped or failed)."""
        self.set_running(False)

    def on_status(self, ev: Any) -> None:
        self.monitor.on_status(ev)

    def on_data_ready(self, ev: Any) -> None:
        self.monitor.on_data_ready(ev)

    def on_progress(self, ev: Any) -> None:
        self.monitor.on_progress(ev)

    def on_validated(self, ev: Any) -> None:
        self.monitor.on_validated(ev)

    def on_finished(self, ev: Any) -> None:
        self.last_finished = ev
        text = self.monitor.show_finished(ev)
        self.banner.show_message(f"{text} The model “{Path(ev.out_dir).name}” is in the model picker.", Level.INFO)
        self.use_button.show()
        offer_over_limit(self, ev)  # fine-tuning: no checkpoint within the general limit, the person chooses

    def on_failed(self, error: BaseException) -> None:
        self.last_error = error
        message = user_message(error)
        self.monitor.show_failure(message)
        self.banner.show_message(message, Level.ERROR)

    # ---- settings ------------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        path, target = self.corpus.paths()
        settings.setValue("training/corpus", path)
        settings.setValue("training/target", target)
        settings.setValue("training/name", self.name.text())
        settings.setValue("training/split", self.split.saveState())
        self.form.save_settings(settings)

    def restore_settings(self, settings: QSettings) -> None:
        self.form.restore_settings(settings)  # the saved "Start from" model is chosen when the models are listed
        name = str(settings.value("training/name", "") or "")
        path, target = (
            str(settings.value("training/corpus", "") or ""),
            str(settings.value("training/target", "") or ""),
        )
        if path and Path(path).is_file():
            self.corpus.set_paths(path, target if target and Path(target).is_file() else "")
        if name:
            self.name.setText(name)
            self._name_touched = True
        state = settings.value("training/split")
        if state is not None:
            self.split.restoreState(state)
        self._update_buttons()
