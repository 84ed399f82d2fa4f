"""Desktop entry point: ``translator-app-gui`` or ``python -m translator_app.app``.

Start-up order (the window first, the model after):

1. logging (:mod:`translator_app.logs`) and the system-library check for Qt's platform plugin
   (:mod:`translator_app.qtcheck`: a clear "apt-get install …" message and exit 1 instead of
   Qt's abort);
2. Qt and the main window, in a "Loading model…" state; the model store is listed in a worker
   thread (config.json files only, no torch) and fills the model picker; torch is never
   imported on the GUI thread;
3. meanwhile a daemon thread ``dlopen``s ``libtorch_cpu.so`` with the GIL released
   (:func:`translator_app.startup.preload_torch_libraries`);
4. once the window has been painted, the translation worker thread imports torch and loads the
   model (:func:`translator_app.startup.load_translator`); text typed meanwhile is translated
   as soon as the model is ready;
5. a second after the model is ready, a background thread constructs Adam once (its first use
   imports ~800 modules) so that the first training starts promptly.

The garbage collector is paused during the big imports and their heap then frozen
(:func:`translator_app.startup.gc_paused`): full collections over torch's objects were the
100 ms freezes of the window.

Qt is imported inside the functions, after the library check, so that a missing system library
gives that message rather than an ImportError.  ``TRANSLATOR_APP_STARTUP_LOG=path.json``
records the time stamps of the start (see :mod:`translator_app.startup`,
``benchmarks/bench_startup.py``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from translator_app import paths, startup

ORGANIZATION = "translator-app"
APPLICATION = "Translator"
FIRST_PAINT_FALLBACK_MS = 2000  # load the model anyway if no paint event ever comes (minimised window)
PREPARE_TRAINING_DELAY_MS = 1000  # after the model is ready: construct Adam once, in the background
SETTLE_MS = 3000  # with TRANSLATOR_APP_STARTUP_EXIT=1: keep watching the event loop this long (it covers
#                   the Adam warm-up that starts 1 s after the model is ready), then quit

logger = logging.getLogger(__name__)


def configure_settings() -> str:
    """Point ``QSettings()`` at the app's own configuration folder, honouring
    ``TRANSLATOR_APP_HOME`` and ``XDG_CONFIG_HOME`` (:func:`paths.settings_dir`); INI everywhere, so
    the override works on every platform.  Returns the settings file's path."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(paths.settings_dir()))
    return QSettings().fileName()


def make_application(argv: list[str] | None = None):
    """The QApplication (created once), with the names and the folder QSettings uses."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication, QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(list(sys.argv if argv is None else argv))
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    configure_settings()
    for name in ("translator-app.png", "translator-app.svg"):
        icon = paths.resources_dir() / name
        if icon.is_file():
            app.setWindowIcon(QIcon(str(icon)))
            break
    return app


def _load_in_worker(path: str) -> Any:
    """The translation worker's loader (runs in its thread): see :func:`startup.load_translator`."""
    return startup.load_translator(path)


def after_first_paint(window, callback: Callable[[], None], fallback_ms: int = FIRST_PAINT_FALLBACK_MS):
    """Call ``callback()`` once, right after ``window`` (or one of its children) is first painted.

    An application-wide event filter sees the first paint event of the window; a zero timer
    posted from there runs when that repaint, flush included, is over.  Returns the filter."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication.instance()

    class _FirstPaint(QObject):
        fired = False
        posted = False

        def eventFilter(self, obj, event) -> bool:  # noqa: N802 - a Qt override keeps its camelCase name
            if (
                not self.posted
                and event.type() == QEvent.Type.Paint
                and isinstance(obj, QWidget)
                and obj.window() is window
            ):
                self.posted = True
                QTimer.singleShot(0, self.fire)
            return False

        def fire(self) -> None:
            if not self.fired:
                self.fired = True
                app.removeEventFilter(self)
                callback()

    watcher = _FirstPaint(window)
    app.installEventFilter(watcher)
    QTimer.singleShot(fallback_ms, watcher.fire)
    return watcher


class StallWatch:
    """The longest gaps between the 10 ms ticks of a timer on the GUI thread (the start-up log's
    measure of "the window never froze for more than 100 ms")."""

    def __init__(self, interval_ms: int = 10):
        from PySide6.QtCore import QTimer

        self.last = time.perf_counter()
        self.gaps: list[float] = []
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def stop(self) -> dict[str, float]:
        if self.timer.isActive():
            self.timer.stop()
            self._tick()
        gaps = sorted(self.gaps) or [0.0]
        return {
            "ticks": len(self.gaps),
            "max_ms": round(gaps[-1] * 1000, 1),
            "p99_ms": round(gaps[int(0.99 * (len(gaps) - 1))] * 1000, 1),
            "over_100ms": sum(g > 0.1 for g in gaps),
        }


def main(argv: list[str] | None = None, *, configure_logging: bool = True) -> int:
    log = startup.StartupLog.from_env()
    log.mark("main")
    argv = list(sys.argv if argv is None else argv)
    from translator_app import logs, qtcheck

    if configure_logging:  # (cli.main has done it already when it starts the GUI)
        logs.setup_logging()
        logs.install_excepthooks()
    if not qtcheck.report():
        return 1
    pause = contextlib.ExitStack()  # no GC pauses while Qt and the GUI modules load (see startup.gc_paused)
    pause.enter_context(startup.gc_paused())
    app = make_application(argv)
    log.mark("qapp")
    from PySide6.QtCore import QTimer

    from translator_app.core.library.store import ModelStore
    from translator_app.gui.main_window import MainWindow

    log.mark("gui_imported")
    startup.preload_torch_libraries()  # libtorch's dlopen, GIL released, while the window is built
    store = ModelStore(paths.bundled_models_dir(), paths.user_models_dir())
    window = MainWindow(store, loader=_load_in_worker)
    model = argv[1] if len(argv) > 1 and not argv[1].startswith("-") else None
    window.start(model, defer_load=True)  # lists the models (in a worker), then shows "Loading <model>…"
    log.mark("window_built")
    window.show()
    log.mark("shown")
    hooks = _StartupHooks(window, log) if log.enabled else None
    warm: list = []

    def painted() -> None:
        log.mark("first_paint")
        log.note(torch_imported_before_paint="torch" in sys.modules)
        pause.close()
        if hooks is not None:
            hooks.painted()
        window.load_deferred()  # the worker imports torch and loads the model now

    def model_ready(_info) -> None:  # a second later (after the first translation): Adam's imports
        if not warm:
            warm.append(None)
            QTimer.singleShot(PREPARE_TRAINING_DELAY_MS, lambda: warm.append(startup.prepare_training_in_background()))

    after_first_paint(window, painted)
    window.model_changed.connect(model_ready)
    logger.info("window shown")  # (the main window logs the model it chose once the models are listed)
    try:
        return app.exec()
    finally:
        pause.close()
        if hooks is not None:
            hooks.finish()
        window.shutdown()
        for thread in warm[1:]:
            thread.join(timeout=30)  # never let the interpreter end in the middle of those imports


class _StartupHooks:
    """Start-up log hooks: model ready, first translation, the stall watch; optionally types
    ``TRANSLATOR_APP_STARTUP_TEXT`` once the model is ready and quits after its translation."""

    def __init__(self, window, log: startup.StartupLog):
        self.window, self.log = window, log
        self.text = os.environ.get(startup.ENV_TEXT, "")
        self.leave = os.environ.get(startup.ENV_EXIT) == "1"
        self.watch: StallWatch | None = None
        self.closing = False
        window.model_changed.connect(self.model_ready)
        window.model_error.connect(self.model_error)
        window.translate_tab.translated.connect(self.translated)

    def painted(self) -> None:
        self.watch = StallWatch()
        self.log.write()

    def model_ready(self, _info) -> None:
        self.log.mark("model_ready")
        tab = self.window.translate_tab
        if self.text and not tab.source.toPlainText():
            tab.source.setPlainText(self.text)
            tab.translate_now()

    def translated(self, _translation) -> None:
        if "first_translation" in self.log.marks:
            return
        self.log.mark("first_translation")
        self.log.write()
        if self.leave:
            from PySide6.QtCore import QTimer

            QTimer.singleShot(SETTLE_MS, self.close)

    def model_error(self, message: str) -> None:
        self.log.note(model_error=message)
        self.log.write()
        if self.leave:
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self.close)

    def close(self) -> None:
        if not self.closing:
            self.closing = True
            self.finish()
            self.window.close()

    def finish(self) -> None:
        if self.watch is not None:
            self.log.note(stall_after_first_paint=self.watch.stop())
        self.log.note(modules_loaded=len(sys.modules))
        self.log.mark("exit")
        self.log.write()


if __name__ == "__main__":
    raise SystemExit(main())
