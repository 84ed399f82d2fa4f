"""Desktop entry point: ``translator-app-gui`` or ``python -m translator_app.app``."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from translator_app import paths

ORGANIZATION = "translator-app"
APPLICATION = "Translator"


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with the names QSettings uses."""
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(list(sys.argv if argv is None else argv))
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    for name in ("translator-app.png", "translator-app.svg"):
        icon = paths.resources_dir() / name
        if icon.is_file():
            app.setWindowIcon(QIcon(str(icon)))
            break
    return app  # type: ignore[return-value]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    app = make_application(argv)

    # Construct Adam once on the main thread: its first use imports ~800 modules, which would
    # otherwise stall whichever thread trains first (and the GUI with it, through the GIL).
    from translator_app.core import training

    training.preload()

    from translator_app.gui.main_window import MainWindow

    window = MainWindow()
    window.show()
    app.processEvents()
    model = argv[1] if len(argv) > 1 and not argv[1].startswith("-") else None
    window.start(model)  # lists models, loads the chosen one in the translation worker
    try:
        return app.exec()
    finally:
        window.shutdown()


if __name__ == "__main__":
    raise SystemExit(main())
