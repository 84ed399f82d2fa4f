"""The Training tab: corpus, hyperparameters, start/stop/resume, live progress, curves, samples.

Like the Translate tab it only asks (``start_requested(TrainingJob)``, ``stop_requested``,
``preview_requested``); the main window forwards to the workers and feeds the events back
through the ``on_*`` slots.

Fine-tuning: the form's "Start from" lists the models of the store (:meth:`set_base_models`;
the tab also rescans the store itself when it is shown). With a model chosen, the job carries
``meta["finetune"]`` (see ``core.training.train``), and a check of the corpus against the base
model (language pair, tokenizer coverage) runs in a short-lived ``workers.TaskWorker`` thread; its
warning appears under the corpus preview. Validations then show the in-domain and the general
score against the base model's.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from translator_app.core.store import ModelStore, sanitize_name
from translator_app.gui.charts import TrainingCharts
from translator_app.gui.corpus_panel import CorpusPanel
from translator_app.gui.samples_view import SamplesView
from translator_app.gui.training_form import HyperparameterForm
from translator_app.gui.widgets import MessageBanner, format_duration
from translator_app.workers import TaskWorker, TrainingJob, model_dir_for, start_thread, stop_thread

_FIT_WORKERS: dict[str, tuple[Any, Any]] = {}  # tag -> (TaskWorker, QThread) of the checks in flight


def _corpus_fit(base: str, path: str, target: str) -> Any:
    """Runs in a worker thread: the core check of a corpus against a base model."""
    from translator_app.core.finetune import corpus_fit

    return corpus_fit(base, path, target or None)


def _wait_for_fit_checks() -> None:
    for _worker, thread in list(_FIT_WORKERS.values()):
        stop_thread(thread, 10_000)


class TrainingTab(QWidget):
    start_requested = Signal(object)  # TrainingJob
    stop_requested = Signal()
    preview_requested = Signal(int, str, str)  # request id, path, target path
    use_model_requested = Signal(str)  # model path
    fit_checked = Signal()  # a corpus/base-model check came back (tests wait on it)
    _run_fit = Signal(str, object)  # tag, callable: to the check's TaskWorker

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.running = False
        self.progress_events = 0
        self.validations = 0
        self.last_finished: Any = None
        self.out_dir = ""
        self._preview_id = 0
        self._name_touched = False
        self._fit_id = 0
        self.fit: Any = None  # the latest core.finetune.CorpusFit
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(_wait_for_fit_checks)

        self.corpus = CorpusPanel()
        self.corpus.corpus_changed.connect(self._corpus_changed)
        self.form = HyperparameterForm()
        self.form.base_changed.connect(self._base_changed)
        self.fit_banner = MessageBanner()  # the base model does not suit the corpus
        left = QWidget()
        left_column = QVBoxLayout(left)
        left_column.addWidget(self.corpus, 1)
        left_column.addWidget(self.fit_banner)
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
        self.resume_button.setToolTip("Continue the run with this name from its last checkpoint, "
                                      "with the budget set on the left")
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
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        self.bar.setTextVisible(True)
        self.bar.setFormat("")
        self.bar.setToolTip("Share of the budget (time, steps or epochs, whichever ends first)")
        self.progress_label = QLabel("Not training.")
        self.progress_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_label = QLabel("")
        self.data_label.setWordWrap(True)
        self.data_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.score_label = QLabel("")  # fine-tuning: in-domain and general scores against the base model
        self.score_label.setWordWrap(True)
        self.score_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.score_label.setToolTip("The trade-off of fine-tuning: the score on your corpus (which picks the saved "
                                    "model) and on the general dev set, each against the base model's")
        self.score_label.hide()

        self.charts = TrainingCharts()
        self.samples = SamplesView()
        self.samples.setMinimumHeight(90)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(500)
        self.log.setPlaceholderText("Training log")
        self.log.setToolTip("Messages from the training run")
        self.log.setMinimumHeight(40)

        lower = QSplitter(Qt.Orientation.Vertical)
        lower.addWidget(self.charts)
        lower.addWidget(self.samples)
        lower.addWidget(self.log)
        lower.setStretchFactor(0, 3)
        lower.setStretchFactor(1, 2)
        lower.setStretchFactor(2, 0)
        lower.setSizes([330, 260, 70])
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addLayout(controls)
        right_column.addWidget(self.banner)
        right_column.addWidget(self.bar)
        right_column.addWidget(self.progress_label)
        right_column.addWidget(self.data_label)
        right_column.addWidget(self.score_label)
        right_column.addWidget(lower, 1)

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

    def on_preview_failed(self, request_id: int, message: str) -> None:
        if request_id == self._preview_id:
            self.corpus.show_error(message)
            self._check_fit()

    # ---- fine-tuning: the base model ------------------------------------------------------------
    def set_base_models(self, entries: Sequence[Any]) -> None:
        """The models "Start from" offers (store entries, as the model picker lists them)."""
        self.form.set_base_models(entries)

    def refresh_base_models(self) -> None:
        try:
            entries, _ = ModelStore().scan()
        except (OSError, ValueError):
            return
        self.set_base_models(entries)

    def showEvent(self, event) -> None:  # noqa: N802
        if not self.running:
            self.refresh_base_models()
        super().showEvent(event)

    def _base_changed(self, _path: str) -> None:
        self.start_button.setToolTip("Fine-tune the chosen model on this corpus (Ctrl+R)" if self.form.base_path()
                                     else "Start training a new model (Ctrl+R)")
        self._check_fit()

    def _check_fit(self) -> None:
        """Check the corpus against the chosen base model in a worker thread (never on this one)."""
        self._fit_id += 1
        self.fit = None
        self.fit_banner.dismiss()
        base = self.form.base_path()
        path, target = self.corpus.paths()
        preview = self.corpus.preview
        if not base or not path or preview is None or str(preview.path) != path:
            return  # a check runs once the preview of this corpus is in
        tag = f"fit-{id(self)}-{self._fit_id}"
        worker = TaskWorker()
        thread = start_thread(worker, "corpus-fit")
        # the thread ends itself when the check is done, even if this tab is gone by then
        worker.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.failed.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.done.connect(self._fit_ready)
        worker.failed.connect(self._fit_failed)
        _FIT_WORKERS[tag] = (worker, thread)
        self._run_fit.connect(worker.run)
        self._run_fit.emit(tag, functools.partial(_corpus_fit, base, path, target))
        self._run_fit.disconnect(worker.run)

    @staticmethod
    def _fit_done(tag: str) -> None:
        _worker, thread = _FIT_WORKERS.pop(tag, (None, None))
        stop_thread(thread, 5_000)  # it has quit itself already: this only joins it

    def _fit_ready(self, tag: str, fit: Any) -> None:
        self._fit_done(tag)
        if tag != f"fit-{id(self)}-{self._fit_id}":
            return
        self.fit = fit
        warning = fit.warning()
        if warning:
            self.fit_banner.show_message(warning, "warning")
        self.fit_checked.emit()

    def _fit_failed(self, tag: str, message: str) -> None:
        self._fit_done(tag)
        if tag == f"fit-{id(self)}-{self._fit_id}":
            self.fit_banner.show_message(f"Cannot check the corpus against the base model: {message}", "warning")
            self.fit_checked.emit()

    def _name_edited(self, _text: str) -> None:
        self._name_touched = True

    # ---- commands ------------------------------------------------------------------------------
    def _job(self, resume: bool) -> TrainingJob | None:
        path, target = self.corpus.paths()
        name = self.name.text().strip()
        if not resume and not path:
            self.banner.show_message("Choose a corpus file first (Browse…, or drop a file on the Corpus box).",
                                     "warning")
            return None
        if not name:
            self.banner.show_message("Give the model a name first.", "warning")
            return None
        out = model_dir_for(name)
        if resume and not (out / "checkpoint.pt").exists():
            self.banner.show_message(f"There is no checkpoint to resume in {out}.", "warning")
            return None
        if resume and not path:
            try:
                path, target = json.loads((out / "run.json").read_text(encoding="utf-8"))["corpus"]
            except (OSError, ValueError, KeyError, TypeError):
                path, target = "", None
        finetune = self.form.finetune_spec()
        if finetune and not resume and out.resolve() == Path(finetune["base"]).resolve():
            self.banner.show_message("Give the fine-tuned model another name: it would replace its base model.",
                                     "warning")
            return None
        model, train, tok = self.form.configs()
        return TrainingJob(path, str(out), target or None, model, train, tok, resume=resume,
                           meta={"finetune": finetune} if finetune else {})

    def start(self) -> None:
        if self.running:
            return
        job = self._job(resume=False)
        if job is None:
            return
        out = Path(job.out_dir)
        if out.exists() and any(out.iterdir()):
            answer = QMessageBox.question(self, "Replace model?", f"A model or run named “{out.name}” exists. "
                                          f"Training anew replaces it.\n{out}\n\nReplace it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.charts.clear()
        self._begin(job)

    def resume(self) -> None:
        if self.running:
            return
        job = self._job(resume=True)
        if job is None:
            return
        self.charts.clear()
        self._load_history(Path(job.out_dir))
        self._begin(job)

    def _begin(self, job: TrainingJob) -> None:
        self.banner.dismiss()
        self.use_button.hide()
        self.out_dir = job.out_dir
        self.progress_events = self.validations = 0
        self.last_finished = None
        self.score_label.clear()
        self.score_label.hide()
        self.log.appendPlainText(f"{'Resuming' if job.resume else 'Starting'} {Path(job.out_dir).name}")
        self.bar.setValue(0)
        self.bar.setFormat("")
        self.progress_label.setText("Preparing…")
        self.set_running(True)
        self.start_requested.emit(job)

    def stop(self) -> None:
        if self.running:
            self.stop_button.setEnabled(False)
            self.stop_button.setText("Stopping…")
            self.progress_label.setText(self.progress_label.text() + " — stopping after this batch…")
            self.stop_requested.emit()

    def _load_history(self, out: Path) -> None:
        try:
            rows = [json.loads(line) for line in (out / "history.jsonl").read_text(encoding="utf-8").splitlines()
                    if line.strip()]
        except (OSError, ValueError):
            return
        for row in rows:
            self.charts.add_validation(row["step"], row["valid_loss"], row["bleu"], row["chrf"],
                                       row.get("general_bleu"), row.get("general_chrf"))

    # ---- state -----------------------------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        self.running = running
        self.corpus.setEnabled(not running)
        self.form.setEnabled(not running)
        self.name.setEnabled(not running)
        self.stop_button.setText("S&top")
        self._update_buttons()

    def _update_buttons(self) -> None:
        name = self.name.text().strip()
        resumable = bool(name) and (model_dir_for(name) / "checkpoint.pt").exists()
        self.start_button.setEnabled(not self.running)
        self.stop_button.setEnabled(self.running)
        self.resume_button.setEnabled(not self.running and resumable)

    # ---- events from the training worker -------------------------------------------------------
    def on_status(self, message: str) -> None:
        self.log.appendPlainText(message)
        if self.progress_events == 0:
            self.progress_label.setText(message)

    def on_data_ready(self, ev: Any) -> None:
        self.data_label.setText(f"{ev.train_pairs:,} training pairs, {ev.valid_pairs:,} validation, "
                                f"{ev.test_pairs:,} test · vocabulary {ev.vocab_size:,} · "
                                f"{ev.parameters:,} parameters · {ev.src_lang or '?'}→{ev.tgt_lang or '?'}")
        self.log.appendPlainText(f"Data: {ev.summary}")

    def on_progress(self, ev: Any) -> None:
        self.progress_events += 1
        if ev.fraction is None:
            self.bar.setRange(0, 0)  # busy indicator: no budget
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(ev.fraction * 1000))
            self.bar.setFormat(f"{ev.fraction:.0%}")
        self.progress_label.setText(
            f"Step {ev.step:,} · epoch {ev.epoch + 1} · loss {ev.loss:.3f} · lr {ev.lr:.2g} · "
            f"{ev.tokens_per_sec:,.0f} tokens/s · elapsed {format_duration(ev.elapsed_s)} · "
            f"ETA {format_duration(ev.eta_s)}")
        self.charts.add_progress(ev.step, ev.loss)

    def on_validated(self, ev: Any) -> None:
        self.validations += 1
        general_bleu, general_chrf = getattr(ev, "general_bleu", None), getattr(ev, "general_chrf", None)
        self.charts.add_validation(ev.step, ev.valid_loss, ev.bleu, ev.chrf, general_bleu, general_chrf)
        self.samples.set_samples(ev.samples, ev.step)
        mark = " (best so far, saved)" if ev.best else ""
        tradeoff = tradeoff_text(ev)
        if tradeoff:
            self.score_label.setText(tradeoff)
            self.score_label.show()
            drop = getattr(ev, "general_drop", None)
            if drop is not None and ev.step:
                self.samples.setTitle(f"{self.samples.title()} — general BLEU {-drop:+.1f} vs the base model")
        general = f", general BLEU {general_bleu:.1f}" if general_bleu is not None else ""
        self.log.appendPlainText(f"Step {ev.step}: validation loss {ev.valid_loss:.3f}, BLEU {ev.bleu:.1f}, "
                                 f"chrF {ev.chrf:.1f}{general}{mark}")

    def on_finished(self, ev: Any) -> None:
        self.last_finished = ev
        self.set_running(False)
        self.refresh_base_models()  # the new model can be fine-tuned next
        self.bar.setRange(0, 1000)
        reasons = {"budget": "time budget reached", "max_steps": "step limit reached",
                   "max_epochs": "epoch limit reached", "early_stop": "no more improvement",
                   "stopped": "stopped; resume continues from the checkpoint"}
        best = f", best validation BLEU {ev.best_bleu:.1f}" if ev.best_bleu is not None else ""
        text = (f"Finished at step {ev.step:,} after {format_duration(ev.elapsed_s)} "
                f"({reasons.get(ev.reason, ev.reason)}){best}.")
        if ev.reason != "stopped":
            self.bar.setValue(1000)
        self.progress_label.setText(text)
        self.log.appendPlainText(text)
        self.banner.show_message(f"{text} The model “{Path(ev.out_dir).name}” is in the model picker.", "info")
        self.use_button.show()

    def on_failed(self, message: str) -> None:
        self.set_running(False)
        self.bar.setRange(0, 1000)
        self.progress_label.setText("Training failed.")
        self.log.appendPlainText(f"Error: {message}")
        self.banner.show_message(message, "error")

    # ---- settings ------------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        path, target = self.corpus.paths()
        settings.setValue("training/corpus", path)
        settings.setValue("training/target", target)
        settings.setValue("training/name", self.name.text())
        settings.setValue("training/split", self.split.saveState())
        self.form.save_settings(settings)

    def restore_settings(self, settings: QSettings) -> None:
        self.refresh_base_models()  # before the form, which selects the saved "Start from" model
        self.form.restore_settings(settings)
        name = str(settings.value("training/name", "") or "")
        path, target = str(settings.value("training/corpus", "") or ""), str(settings.value("training/target", "") or "")
        if path and Path(path).is_file():
            self.corpus.set_paths(path, target if target and Path(target).is_file() else "")
        if name:
            self.name.setText(name)
            self._name_touched = True
        state = settings.value("training/split")
        if state is not None:
            self.split.restoreState(state)
        self._update_buttons()


def _signed(x: float) -> str:
    return f"{x:+.1f}".replace("-", "\u2212")


def tradeoff_text(ev: Any) -> str:
    """"In-domain BLEU 31.2 (base 18.4, +12.8) · general BLEU 39.0 (base 41.9, −2.9)"; "" for a new model."""
    base = getattr(ev, "base_bleu", None)
    general, base_general = getattr(ev, "general_bleu", None), getattr(ev, "base_general_bleu", None)
    if base is None and general is None:
        return ""
    if ev.step == 0:
        text = f"Base model: in-domain BLEU {ev.bleu:.1f}"
        return text + (f" · general BLEU {general:.1f}" if general is not None else "")
    text = f"In-domain BLEU {ev.bleu:.1f}"
    if base is not None:
        text += f" (base {base:.1f}, {_signed(ev.bleu - base)})"
    if general is not None:
        text += f" · general BLEU {general:.1f}" + (f" (base {base_general:.1f}, {_signed(general - base_general)})"
                                                    if base_general is not None else "")
    return text
