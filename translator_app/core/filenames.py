"""The names of the files in a model bundle and a training run folder (one source of truth).

Imports nothing: the GUI and the model store (which must not import torch) use these as well
as the checkpoint and run-setup modules (which do).
"""

from __future__ import annotations

# a bundle (see core/checkpoint.py)
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.pt"
JOINT_TOKENIZER = "tokenizer.model"
SOURCE_TOKENIZER, TARGET_TOKENIZER = "source.model", "target.model"
REPLAY_FILE = "replay.tsv.gz"  # optional: a sample of the training pairs, replayed when fine-tuning (core/replay.py)
BUNDLE_NAMES = (CONFIG_FILE, WEIGHTS_FILE, JOINT_TOKENIZER, SOURCE_TOKENIZER, TARGET_TOKENIZER, REPLAY_FILE)

# a training run folder, beside the bundle (see core/run_setup.py and core/train_state.py)
TRAIN_STATE_FILE = "checkpoint.pt"
RUN_FILE = "run.json"
HISTORY_FILE = "history.jsonl"  # validations, training-loss points and finishes (core/run_history.py)
