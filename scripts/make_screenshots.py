#!/usr/bin/env python
"""Regenerate the README's Translate-tab screenshots (offscreen Qt, the bundled model):
translate.png (typed text, translation, heat map), interactive.png (a person retyped part of a
sentence's translation; the grey rest is the model's completion) and alternatives.png (Ctrl+click
on the completion's verb: its five alternatives).

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TRANSLATOR_APP_HOME", tempfile.mkdtemp(prefix="shots-"))
REPO = Path(__file__).resolve().parents[1]
TEXT = (
    "My name is Anna and I live in Berlin. Please send the report to anna.weber@example.com. "
    "Call me at 555-0123 tomorrow."
)
RETYPED = "Me llamo "  # what the person types over the first three words of the first sentence


def main() -> int:
    from PySide6.QtCore import QTimer

    from translator_app import app as app_module
    from translator_app import startup
    from translator_app.gui.main_window import MainWindow

    qapp = app_module.make_application(["shots"])
    window = MainWindow(loader=startup.load_translator)
    window.resize(1180, 820)
    window.start(str(REPO / "models" / "en-es"))
    window.show()
    tab = window.translate_tab
    state = {"typed": False}

    def poll() -> None:
        if window.model_info is not None and not state["typed"]:
            state["typed"] = True
            tab.source.setPlainText(TEXT)
            tab.translate_now()
        QTimer.singleShot(100, poll)

    shots = REPO / "resources" / "screenshots"
    editor = tab.target

    def save(name: str, popup=None) -> None:
        from PySide6.QtGui import QPainter

        pixmap = window.grab()
        if popup is not None:  # a popup is a window of its own: paint it where it opened
            painter = QPainter(pixmap)
            painter.drawPixmap(popup.pos() - window.mapToGlobal(window.rect().topLeft()), popup.grab())
            painter.end()
        pixmap.save(str(shots / name))
        print(f"wrote {shots / name}")

    def finish() -> None:
        window.close()
        qapp.quit()

    def wait(condition, then, tries: int = 100) -> None:
        if condition():
            QTimer.singleShot(300, then)
        elif tries > 0:
            QTimer.singleShot(100, lambda: wait(condition, then, tries - 1))
        else:
            print("gave up waiting", file=sys.stderr)
            finish()

    def retype() -> None:  # replace the first three words of the first sentence's translation
        from PySide6.QtGui import QTextCursor
        from PySide6.QtTest import QTest

        text = editor.segment_text(0)
        words = [m for m in __import__("re").finditer(r"\w+", text)]
        start, end = editor.segments[0].start, editor.segments[0].start + words[2].end()
        cursor = editor.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        editor.setTextCursor(cursor)
        editor.setFocus()
        QTest.keyClicks(editor, RETYPED)
        wait(lambda: editor.suggestion is not None, interactive_shot)

    def interactive_shot() -> None:
        save("interactive.png")
        editor.accept_suggestion()
        text = editor.segment_text(0)
        words = [m for m in __import__("re").finditer(r"\w+", text)]
        verb = words[min(4, len(words) - 1)]  # "Me llamo Anna y VIVO en Berlin": the word the completion may get wrong
        editor.request_alternatives(editor.segments[0].start + verb.start() + 1)
        wait(lambda: editor.popup.isVisible(), lambda: (save("alternatives.png", editor.popup), finish()))

    def shot(_translation) -> None:
        if state.get("shot"):
            return
        state["shot"] = True

        def grab() -> None:
            save("translate.png")
            retype()

        QTimer.singleShot(500, grab)

    tab.translated.connect(shot)
    QTimer.singleShot(100, poll)
    QTimer.singleShot(60_000, qapp.quit)
    qapp.exec()
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
