"""The names of the files in a model bundle and a training run folder (one source of truth).

Imports nothing. Reading and writing these files is :mod:`translator_app.core.folders.runfolder`'s job;
the names stay here so that the lowest modules (bundlemeta, runlock) can use them too.
"""

from __future__ import annotations

# a bundle (see core/model/checkpoint.py)
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.pt"
JOINT_TOKENIZER = "tokenizer.model"
SOURCE_TOKENIZER, TARGET_TOKENIZER = "source.model", "target.model"
REPLAY_FILE = (
    "replay.tsv.gz"  # optional: a sample of the training pairs, replayed when fine-tuning (core/train/replay.py)
)
SHIPPED_TEST_FILE = "test.tsv"  # optional: a bundled model's held-out test set (the general dev set when fine-tuning)
BUNDLE_NAMES = (CONFIG_FILE, WEIGHTS_FILE, JOINT_TOKENIZER, SOURCE_TOKENIZER, TARGET_TOKENIZER, REPLAY_FILE)

# a training run folder, beside the bundle (see core/train/run_setup.py and core/train/train_state.py)
TRAIN_STATE_FILE = "checkpoint.pt"
RUN_FILE = "run.json"
HISTORY_FILE = "history.jsonl"  # validations, training-loss points and finishes (core/folders/run_history.py)
LOCK_FILE = ".lock"  # one writer per folder (core/folders/runlock.py)
DDP_CHECK_FILE = "ddp_check.json"  # under torchrun: each rank's parameter digest at the end
DATA_DIR = "data"  # the run's splits (train/valid/test.tsv, general.tsv) and its own tokenizer
SPLIT_NAMES = ("train", "valid", "test")
GENERAL_SPLIT = "general"  # fine-tuning: data/general.tsv, the general dev set scored beside the in-domain one
GENERAL_FILE = f"{GENERAL_SPLIT}.tsv"
TRAIN_SOURCES_FILE = "train.sources"  # the source of each pair of data/train.tsv, when sampled by source
