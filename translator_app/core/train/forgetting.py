"""What fine-tuning may cost the general domain, and who decides (no torch at import time).

* :func:`replay_warning`: before a fine-tuning starts, what is lost when no general data can be
  replayed (the GUI asks, the CLI warns).
* The general budget: a checkpoint counts as the best only while its general dev BLEU is at most
  ``max_general_drop`` below the base model's (measured at step 0); :func:`judge` decides, the
  training loop saves the run's bundle by it. An in-domain better checkpoint over the limit goes to
  ``OUT/best-in-domain/`` (:data:`BEST_IN_DOMAIN_DIR`), and when none after step 0 stayed within the
  limit the run ends with an :class:`~translator_app.core.base.events.OverLimit` report: the run's bundle
  is then the base model, and :func:`adopt_best_in_domain` takes the other one instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from translator_app.core.base.config import DEFAULT_MAX_GENERAL_DROP, DEFAULT_REPLAY_SHARE  # noqa: F401  (re-exported)
from translator_app.core.folders.bundlemeta import read_config
from translator_app.core.folders.filenames import BUNDLE_NAMES, CONFIG_FILE
from translator_app.core.folders.runfolder import atomic_file, fsync_dir
from translator_app.core.train.replay import find_replay

BEST_IN_DOMAIN_DIR = "best-in-domain"
# issue #33: 10 minutes on the GIMP help with no replay, from models/en-es (reported figures)
NO_REPLAY_EXAMPLE = "a 10-minute fine-tune on the GIMP help without it took Tatoeba BLEU from 36.5 to 12.6"


def replay_warning(base: str | Path, replay_share: float | None, replay_corpus: str | None = None) -> str | None:
    """What the person should know before fine-tuning ``base`` with no general data to replay
    (None: some will be replayed). Cheap: reads config.json and looks for files."""
    config = read_config(base)
    meta = config.get("meta") if isinstance(config.get("meta"), dict) else {}
    name = str(meta.get("name") or Path(base).name)
    share = DEFAULT_REPLAY_SHARE if replay_share is None else replay_share
    if replay_corpus or (share > 0 and find_replay(Path(base), meta, None) is not None):
        return None
    why = (
        "the general data share is 0"
        if share <= 0
        else f"“{name}” carries no replay set and its training data is not on this computer"
    )
    return (
        f"No general data will be replayed: {why}. Fine-tuning on your corpus alone makes the model forget "
        f"much of what it knew outside it (general vocabulary, everyday sentences): {NO_REPLAY_EXAMPLE}. "
        "Give general pairs in the same language pair to replay (CLI: --replay-corpus FILE), or go on knowing this."
    )


def judge(
    bleu: float, general_drop: float | None, best_bleu: float | None, limit: float | None
) -> tuple[bool, bool | None]:
    """(is it the new best, is it within the general limit — None when unknown): a checkpoint over
    the limit is never the best; one within it (or not measurable) is when its in-domain BLEU is higher."""
    within = None if general_drop is None or limit is None else general_drop <= limit + 1e-9
    return within is not False and (best_bleu is None or bleu > best_bleu), within


def over_limit_note(info: dict[str, Any], out: Path) -> tuple[str, bool] | None:
    """(message, whether the run's bundle is the base model) when a better in-domain checkpoint
    went over the limit; None otherwise. ``info``: the run's ``meta["finetune"]``."""
    over = info.get("best_in_domain")
    if not isinstance(over, dict) or not (out / BEST_IN_DOMAIN_DIR / CONFIG_FILE).is_file():
        return None
    blend = info.get("blend")
    kept_base = int(info.get("chosen_step") or 0) == 0 and not blend
    limit = info.get("max_general_drop")
    other = (
        f"the best in-domain checkpoint (step {over['step']}: in-domain BLEU {over['bleu']:.2f}, general BLEU "
        f"−{over['general_drop']:.2f}) is in {out / BEST_IN_DOMAIN_DIR}"
    )
    if kept_base:
        return (
            f"No checkpoint kept the general BLEU within {limit:g} of the base model's: the model in {out} is the "
            f"base model unchanged; {other}. Use that folder as the model to keep it anyway (it forgot more), "
            "or fine-tune again with more general data, a lower learning rate or --anchor.",
            True,
        )
    if isinstance(blend, dict):
        what = (
            "that checkpoint itself"
            if blend["alpha"] >= 1.0
            else f"a blend of {blend['alpha']:g} x that checkpoint and {1 - blend['alpha']:.1f} x the base model"
        )
        return (
            f"The model kept is {what}: judged as documents are translated (beam search, the whole general dev "
            f"set), in-domain BLEU {blend['bleu']:.2f}, general BLEU {-blend['general_drop']:+.2f}, within the limit "
            f"of {limit:g}; {other}.",
            False,
        )
    return (f"The model kept is the best within the general limit ({limit:g} BLEU); {other}.", False)


def adopt_best_in_domain(out: str | Path) -> Path:
    """Make the run's bundle the best in-domain checkpoint of ``OUT/best-in-domain`` (files staged,
    then renamed, config.json last); the folder is removed. Returns ``out``."""
    out = Path(out)
    source = out / BEST_IN_DOMAIN_DIR
    files = [name for name in BUNDLE_NAMES if (source / name).is_file()]
    if CONFIG_FILE not in files:
        raise FileNotFoundError(f"{source}: no best in-domain model to keep")
    files.sort(key=lambda name: name == CONFIG_FILE)
    staged = []
    try:
        for name in files:
            stage = out / f".{name}.adopt.tmp"
            with open(source / name, "rb") as src, atomic_file(stage) as dst:  # written and fsynced
                shutil.copyfileobj(src, dst)
            staged.append((stage, out / name))
        (out / CONFIG_FILE).unlink(missing_ok=True)  # never the old config beside the new weights
        for stage, final in staged:
            os.replace(stage, final)
        fsync_dir(out)
    except BaseException:
        for stage, _ in staged:
            stage.unlink(missing_ok=True)
        raise
    shutil.rmtree(source, ignore_errors=True)
    return out
