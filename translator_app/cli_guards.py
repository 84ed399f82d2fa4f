"""What ``translator-app train`` checks and says before it starts, and cleans up after a failed start.

* :func:`check_corpus_paths`: the corpus (and its target side) exist and are files, before anything
  is printed, read or created;
* :func:`refuse_spent_budget`: ``--resume`` of a run that used its time budget, with a budget that
  gives it no more time, says how to extend it (``--extend-minutes``) instead of training one step;
* :func:`removed_if_failed`: a run folder this command created is removed again (with its lock
  file) when the run fails before its first checkpoint;
* :func:`expectation_text`: what a new model trained from scratch on this many pairs in this time
  can reach (measured runs), and fine-tuning an installed model of the same pair instead.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from translator_app.core.folders.filenames import TRAIN_STATE_FILE


def check_corpus_paths(corpus: str, target: str | None) -> None:
    """FileNotFoundError / IsADirectoryError naming a corpus file that cannot be read."""
    for path in (corpus, target):
        if path is None:
            continue
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"{path}: no such file (the corpus to train on)")
        if p.is_dir():
            raise IsADirectoryError(f"{path}: is a folder; give the corpus file")


def refuse_spent_budget(out: str, minutes: float) -> None:
    """ValueError when the run in ``out`` ended on its time budget and ``minutes`` gives it no more."""
    from translator_app.core.folders.run_history import spent_budget

    finish = spent_budget(out, minutes)
    if finish is not None:
        trained = finish["elapsed_s"] / 60
        raise ValueError(
            f"{out} already used its {minutes:g}-minute time budget (it trained {trained:.1f} min); add "
            f"--extend-minutes N to train N minutes more, or give --minutes more than {trained:.1f} "
            "(--minutes counts the whole run)"
        )


def removed_if_failed(events: Iterable[Any], out: str | Path) -> Iterator[Any]:
    """Pass the training ``events`` on; when the run fails, remove ``out`` if it did not exist before
    the run started and no checkpoint was written into it (a failed start leaves nothing behind: no
    folder, no ``.lock``). Ctrl+C is not a failure: what was written stays."""
    out = Path(out)
    existed = out.exists()  # (checked at the first event asked for: before train() creates anything)
    try:
        yield from events
    except Exception:
        if not existed and out.is_dir() and not (out / TRAIN_STATE_FILE).exists():
            shutil.rmtree(out, ignore_errors=True)
        raise


def expectation_text(ev: Any, preset: str, minutes: float) -> str:
    """The "what to expect" lines for a new run's ``DataReady`` event (see core.text.expectations)."""
    from translator_app import paths
    from translator_app.core.library.store import ModelStore
    from translator_app.core.text.expectations import expectation

    try:
        models = ModelStore(paths.bundled_models_dir(), paths.user_models_dir()).entries()
    except (OSError, ValueError):
        models = []
    return expectation(ev.train_pairs, minutes, preset, ev.src_lang, ev.tgt_lang, models)
