"""A run's history (``history.jsonl`` in the run folder): one JSON object per line.

Three kinds of rows, told apart by their keys:

    {"step": 500, "valid_loss": 4.19, "bleu": 1.3, "chrf": 12.0, "elapsed_s": 180.2}   a validation
    {"step": 520, "train_loss": 3.87}                                                 a training-loss point
    {"step": 500, "saved": true}                                                      that validation saved the model
    {"finished": "budget", "step": 540, "elapsed_s": 181.0}                           how a process ended

Validations are written by the training loop; :func:`record` adds the training-loss points, which
validations saved the model (the best validation BLEU) and the finishes as the events of ``training.train`` pass by (the app's worker and ``translator-app train``
wrap the event stream with it), so that a resumed run redraws its whole training-loss curve and the
app knows that a run ended on its time budget. A new run starts a new file (``run_setup``).

Torch-free: the GUI reads the file with :func:`read_history`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from translator_app.core.base.events import Finished, Progress, Validation
from translator_app.core.folders.filenames import HISTORY_FILE


def append_row(out: Path, row: dict[str, Any]) -> None:
    """One JSON line at the end of the run folder's history (the trainer's validations use it too)."""
    with open(out / HISTORY_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(row) + "\n")


def record(events: Iterable[Any], out: str | Path) -> Iterator[Any]:
    """Pass ``events`` on, appending each ``Progress`` (step, training loss) and the ``Finished``
    (reason, step, time trained) to ``out/history.jsonl``. Wrap the stream of one process only
    (rank 0 under torchrun). A history that cannot be written never stops a training."""
    out = Path(out)
    for ev in events:
        try:
            if isinstance(ev, Progress):
                append_row(out, {"step": ev.step, "train_loss": float(ev.loss)})
            elif isinstance(ev, Validation) and ev.best:
                append_row(out, {"step": ev.step, "saved": True})
            elif isinstance(ev, Finished):
                append_row(out, {"finished": ev.reason, "step": ev.step, "elapsed_s": round(ev.elapsed_s, 1)})
        except OSError:
            pass
        yield ev


def read_history(out: str | Path) -> list[dict[str, Any]]:
    """The rows of ``out/history.jsonl`` ([] when there is none); unreadable lines are skipped."""
    try:
        text = (Path(out) / HISTORY_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    rows = []
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and isinstance(row.get("step"), int):
            rows.append(row)
    return rows


def _monotonic(points: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Points by step; where a resumed process went back to an earlier step (its checkpoint), the
    points the earlier process logged after that step are dropped."""
    kept: list[tuple[int, float]] = []
    for step, value in points:
        while kept and kept[-1][0] >= step:
            kept.pop()
        kept.append((step, value))
    return kept


def train_losses(rows: Iterable[dict[str, Any]]) -> list[tuple[int, float]]:
    """The training-loss points (step, loss) of every process that ran the run."""
    return _monotonic([(r["step"], float(r["train_loss"])) for r in rows if "train_loss" in r])


def validations(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The validation rows."""
    return [r for r in rows if "valid_loss" in r and "bleu" in r and "chrf" in r]


def saved_steps(rows: Iterable[dict[str, Any]]) -> set[int]:
    """The steps whose validation saved the model."""
    return {r["step"] for r in rows if r.get("saved") is True}


def last_finish(rows: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The row of the latest end of the run (``{"finished": reason, "step", "elapsed_s"}``), or None
    when the run never ended (a crash) or trained again after it."""
    last = None
    for row in rows:
        if "finished" in row:
            last = row
        elif last is not None and row["step"] > last["step"]:
            last = None
    return last


def spent_budget(out: str | Path, minutes: float) -> dict[str, Any] | None:
    """The row of the run's end when it ended on its time budget and ``minutes`` (the whole run's
    budget a resume asks for) leaves it no time to train; else None."""
    finish = last_finish(read_history(out))
    if finish is None or finish.get("finished") != "budget" or minutes <= 0:
        return None
    return finish if minutes * 60 <= float(finish.get("elapsed_s", 0.0)) + 1.0 else None
