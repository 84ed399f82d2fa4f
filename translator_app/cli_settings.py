"""The ``train`` settings flags, generated from the config dataclasses, and the configs they give.

The settings ``train`` takes are fields of the frozen config dataclasses (``core/base/config.py``): each
flag is generated from its field (type and choices from the annotation), and its parsed value is put
back into that field. A new field is a new flag (with a line in ``HELP``) unless ``NOT_FLAGS`` lists
it. Only ``core.base.config`` and the torch-free ``core.train.request`` are imported here, so
``translator-app --help`` stays fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import typing
from dataclasses import dataclass, replace
from typing import Any

from translator_app.core.base.config import (
    DEFAULT_ANCHOR,
    PRESETS,
    DataConfig,
    ModelConfig,
    TokenizerConfig,
    TrainConfig,
)
from translator_app.core.train.request import CONFIG_PARTS, FinetuneSpec, resolve

# fields that are not flags: set by the preset, the corpus or the tokenizer, or internal
NOT_FLAGS: dict[type, tuple[str, ...]] = {
    TokenizerConfig: ("model_type", "joint", "character_coverage", "max_sentences", "byte_fallback", "placeholders"),
    ModelConfig: (
        "src_vocab_size",
        "tgt_vocab_size",
        "tie_embeddings",
        "share_src_tgt_embeddings",
        "pad_id",
        "unk_id",
        "bos_id",
        "eos_id",
    ),
    DataConfig: ("max_len", "max_chars", "lowercase"),
    TrainConfig: ("min_lr", "clip_norm", "weight_decay", "valid_max_sentences", "checkpoint_every", "log_every"),
}
# flags named otherwise than their field (a field of two classes with one name, like seed, is one flag)
FLAG_NAMES: dict[tuple[type, str], str] = {
    (TrainConfig, "num_threads"): "threads",
    (DataConfig, "augment_share"): "augment",
    (TokenizerConfig, "symbols"): "tokenizer_symbols",
}
_METAVARS = {
    "augment": "SHARE",
    "source_weights": "SOURCE=SHARE,...",
    "source_temperature": "T",
    "tokenizer_symbols": "SYMBOL,...",
}
# help text per flag (by its dest); the preset's values are appended unless the text names a default
HELP = {
    "vocab_size": "subword vocabulary size (SentencePiece)",
    "tokenizer_symbols": "more atomic pieces of the vocabulary, like the placeholders: the target-language tags "
    "of a bidirectional corpus (scripts/bidirectional_corpus.py), e.g. ⇨es,⇨en; default: none",
    "emb_dim": "embedding size",
    "enc_hidden": "encoder LSTM units per direction",
    "enc_layers": "encoder layers",
    "dec_hidden": "decoder LSTM units",
    "dec_layers": "decoder layers",
    "attention": "attention type",
    "input_feeding": "feed the previous attentional vector back into the decoder",
    "dropout": "dropout probability",
    "copy_attention": "pointer-generator copying from the source",
    "seed": "random seed (data split, shuffling, initialisation)",
    "protect_spans": "mask numbers, URLs, codes, ... with placeholders in the training pairs",
    "augment": "share of training pairs whose names, numbers, ... are replaced by Faker values",
    "keep_duplicates": "keep repeated pairs (a corpus that weights some sources by repeating them); "
    "by default a pair that occurs twice is read once",
    "source_weights": "sample the training pairs by source (a corpus from make corpus, with its .sources file): "
    "these sources' shares of every epoch, e.g. tatoeba=0.4,manpages=0.05; the other sources share the rest "
    "(by --source-temperature, else in proportion to their pairs); default: off",
    "source_temperature": "sample the training pairs by source (a corpus from make corpus, with its .sources "
    "file), each source's share in proportion to its pairs^(1/T): 1 as many as it has, 2 or more evens the "
    "sources out; default 0: off",
    "batch_tokens": "target tokens per batch",
    "lr": "peak learning rate",
    "warmup_steps": "learning-rate warm-up steps",
    "schedule": "learning-rate schedule after the warm-up (linear: down to the floor as the budget runs out)",
    "valid_size": "source sentences held out for validation (at most 10 %% of the corpus) (default 1000)",
    "test_size": "source sentences held out for the test split (at most 10 %% of the corpus; default 2000, "
    "0 when fine-tuning: every pair of a small corpus counts)",
    "label_smoothing": "label smoothing of the training loss",
    "max_steps": "stop after N steps (default 0: no limit)",
    "max_epochs": "stop after N epochs (default 10 when no --minutes, --max-steps or --max-epochs is given, "
    "else 0: no limit)",
    "minutes": "wall-clock budget in minutes (default 0: no limit); with --resume it counts the whole run, "
    "the minutes already trained included",
    "extend_minutes": "with --resume: train N minutes more than the run has trained so far (the way to continue "
    "a run whose --minutes budget is used up); default 0: --minutes is the total",
    "valid_every": "validate (and keep the best bundle) every N steps",
    "patience": "stop after N validations without improvement (default 0: off)",
    "threads": "torch threads (default 0: all cores or 1, whichever trains faster on the machine as it is; "
    "re-measured every 500 steps)",
    "device": "train on the CPU (default) or a CUDA GPU",
    "amp": "mixed precision: bf16 on CUDA or a CPU with bf16 units, fp16 on CUDA (default: none)",
}
DEFAULT_PRESET = "small"
DEFAULT_MAX_EPOCHS = 10  # when no budget (minutes, steps, epochs) is given
_PRESET_CLASSES = (ModelConfig, TrainConfig, TokenizerConfig)  # the order of a PRESETS value
_PARTS = (ModelConfig, TrainConfig, TokenizerConfig, DataConfig)  # the order of request.CONFIG_PARTS


@dataclass(frozen=True)
class TrainFlag:
    """One generated ``train`` flag and the config fields it sets."""

    dest: str
    annotation: Any
    targets: tuple[tuple[type, str], ...]  # (config class, field name)

    @property
    def option(self) -> str:
        return "--" + self.dest.replace("_", "-")


@functools.cache
def train_flags() -> tuple[TrainFlag, ...]:
    """The ``train`` flags, one per config field not in ``NOT_FLAGS``."""
    flags: dict[str, TrainFlag] = {}
    for cls in (TokenizerConfig, ModelConfig, DataConfig, TrainConfig):
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if f.name in NOT_FLAGS[cls]:
                continue
            dest = FLAG_NAMES.get((cls, f.name), f.name)
            known = flags.get(dest)
            if known is not None and known.annotation != hints[f.name]:
                raise TypeError(f"{known.option}: {cls.__name__}.{f.name} has another type than {known.targets}")
            targets = (known.targets if known else ()) + ((cls, f.name),)
            flags[dest] = TrainFlag(dest, hints[f.name], targets)
    return tuple(flags.values())


def _preset_note(flag: TrainFlag) -> str:
    """``(tiny 64, small 256, base 384)`` or ``(default 0.1)``: where the flag's value comes from."""

    def show(value: Any) -> str:
        if isinstance(value, bool):
            return "on" if value else "off"
        return f"{value:g}" if isinstance(value, float) else str(value)

    cls, name = flag.targets[0]
    if cls in _PRESET_CLASSES:
        values = {preset: getattr(cfgs[_PRESET_CLASSES.index(cls)], name) for preset, cfgs in PRESETS.items()}
        if len(set(values.values())) > 1:
            return "(" + ", ".join(f"{preset} {show(v)}" for preset, v in values.items()) + ")"
        return f"(default {show(next(iter(values.values())))})"
    return f"(default {show(getattr(cls(), name))})"


def add_flag(group, flag: TrainFlag) -> None:
    """Add ``flag`` to an argparse parser or group; a field type with no command-line form is a TypeError."""
    kind = flag.annotation
    text = HELP[flag.dest]
    if "default" not in text:
        text = f"{text} {_preset_note(flag)}"
    kwargs: dict[str, Any] = {"dest": flag.dest, "default": None, "help": text}  # None: the preset decides
    if kind is bool:
        kwargs["action"] = argparse.BooleanOptionalAction
    elif typing.get_origin(kind) is typing.Literal:
        kwargs["choices"] = typing.get_args(kind)
    elif kind in (int, float, str):
        kwargs["type"] = kind
        kwargs["metavar"] = _METAVARS.get(flag.dest, flag.dest.upper())
    else:
        raise TypeError(f"{flag.option}: no command-line form for a field of type {kind!r}")
    group.add_argument(flag.option, **kwargs)


def add_finetune_flags(parser: argparse.ArgumentParser) -> None:
    """The fine-tuning flags (with ``--from``): what is replayed and how far the model may drift."""
    from translator_app.core.train.forgetting import DEFAULT_MAX_GENERAL_DROP

    parser.add_argument(
        "--replay",
        type=float,
        metavar="SHARE",
        help="with --from: share of general pairs mixed into training (default 0.5 when general data "
        "is found; 0 = off)",
    )
    parser.add_argument(
        "--replay-corpus",
        metavar="FILE",
        help="with --from: the general data to replay (default: the base model's replay set, else its own "
        "training data when its run folder is known)",
    )
    parser.add_argument(
        "--anchor",
        type=float,
        metavar="STRENGTH",
        help="with --from: L2-SP pull toward the base weights; each step moves every weight lr x STRENGTH "
        f"of the way back (default {DEFAULT_ANCHOR:g}; 0: off)",
    )
    parser.add_argument(
        "--freeze",
        choices=("none", "embeddings", "encoder"),
        help="with --from: parts of the model that do not train (default none)",
    )
    parser.add_argument(
        "--max-general-drop",
        type=float,
        metavar="BLEU",
        help="with --from: the kept checkpoint is the best in-domain one whose general dev BLEU is at most "
        f"this far below the base model's (default {DEFAULT_MAX_GENERAL_DROP:g})",
    )


FINETUNE_FLAGS = ("replay", "replay_corpus", "anchor", "freeze", "max_general_drop")


def finetune_spec(args, base) -> FinetuneSpec:
    """The :class:`~translator_app.core.train.request.FinetuneSpec` of ``train --from`` (flags left out keep
    its defaults)."""
    given = {k: getattr(args, k, None) for k in ("anchor", "freeze", "max_general_drop")}
    return FinetuneSpec(
        str(base),
        replay_share=args.replay,
        replay_corpus=args.replay_corpus,
        dropout=args.dropout,
        **{k: v for k, v in given.items() if v is not None},
    )


def add_settings(parser: argparse.ArgumentParser) -> None:
    """``--preset`` and the generated settings flags, on the ``train`` parser."""
    parser.add_argument(
        "--preset",
        choices=list(PRESETS),
        default=DEFAULT_PRESET,
        help=f"model size and training defaults (default {DEFAULT_PRESET})",
    )
    group = parser.add_argument_group("settings", "each overrides the preset's value")
    for flag in train_flags():
        add_flag(group, flag)


def _overrides(args, cls: type) -> dict[str, Any]:
    """The fields of ``cls`` given on the command line (a flag left out is None: the preset decides)."""
    return {
        name: getattr(args, flag.dest)
        for flag in train_flags()
        for target, name in flag.targets
        if target is cls and getattr(args, flag.dest, None) is not None
    }


def configs(
    args, base_model: ModelConfig | None = None
) -> tuple[ModelConfig, TrainConfig, TokenizerConfig, DataConfig]:
    """The parsed ``train`` arguments as configs, through ``core.train.request.resolve`` (the app's path
    too): the preset (or, with ``--from``, the base model's architecture ``base_model`` and the
    fine-tuning presets), each given flag put into its field(s), and a default budget when none is
    given. ``base_model`` left out with ``--from``: the preset's stands in (training reads the
    architecture from the base bundle)."""
    finetuning = bool(getattr(args, "base", None))
    if finetuning:
        # a fine-tuned model keeps its base model's tokenizer and architecture; only dropout may change
        given = [
            flag.option
            for flag in train_flags()
            if flag.dest != "dropout"
            and any(cls in (TokenizerConfig, ModelConfig) for cls, _ in flag.targets)
            and getattr(args, flag.dest) is not None
        ]
        if given:
            raise ValueError(
                f"{', '.join(given)} cannot be used with --from: a fine-tuned model keeps the base "
                "model's tokenizer and architecture"
            )
    elif any(getattr(args, k, None) is not None for k in FINETUNE_FLAGS):
        raise ValueError("--replay, --replay-corpus, --anchor, --freeze and --max-general-drop need --from MODEL")
    overrides = {part: _overrides(args, cls) for part, cls in zip(CONFIG_PARTS, _PARTS)}
    base = (base_model or PRESETS[args.preset][0]) if finetuning else None
    model_cfg, train_cfg, tok_cfg, data_cfg = resolve(args.preset, overrides, base)
    if train_cfg.extend_minutes and not getattr(args, "resume", False):
        raise ValueError("--extend-minutes continues a run: use it with --resume (a new run takes --minutes)")
    if not (train_cfg.minutes or train_cfg.extend_minutes or train_cfg.max_steps or train_cfg.max_epochs):
        train_cfg = replace(train_cfg, max_epochs=DEFAULT_MAX_EPOCHS)
    return model_cfg, train_cfg, tok_cfg, data_cfg
