"""End to end through the command line: train a few steps on a Tatoeba slice, translate, evaluate."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import take_slice


def cli(*args, stdin: str | None = None, check: bool = True):
    proc = subprocess.run(
        [sys.executable, "-m", "translator_app", *args], input=stdin, capture_output=True, text=True, timeout=600
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.mark.slow
def test_train_translate_evaluate(tmp_path):
    corpus = take_slice(2000, tmp_path / "slice.en-es.tsv", step=60)
    out = tmp_path / "model"
    res = cli(
        "train",
        str(corpus),
        "--out",
        str(out),
        "--preset",
        "tiny",
        "--max-steps",
        "40",
        "--vocab-size",
        "400",
        "--valid-every",
        "20",
        "--threads",
        "1",
    )
    assert "Finished (max_steps) at step 40" in res.stdout
    assert "valid loss" in res.stdout + res.stderr

    res = cli("translate", "--model", str(out), "--beam", "3", stdin="I am happy.\n\nWhere is Tom?\n")
    lines = res.stdout.split("\n")
    assert len(lines) == 4 and lines[1] == "" and lines[0] and lines[2]  # one output line per input line

    res = cli("translate", "--model", str(out), "--show-attention", "Tom", "runs.")
    assert "<-" in res.stdout

    res = cli("translate", "--model", str(out), "--n-best", "3", "--beam", "4", "I see.")
    alts = [line for line in res.stdout.splitlines() if line.startswith("    ")]
    assert len(alts) == 3 and len(set(alts)) == 3
    scores = [float(a.split()[0]) for a in alts]
    assert scores == sorted(scores, reverse=True)

    res = cli("evaluate", "--model", str(out), str(out / "data" / "test.tsv"), "--beam", "1", "--limit", "50")
    assert "multi-reference:  BLEU" in res.stdout and "chrF" in res.stdout


def test_clear_errors(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    res = cli("train", str(bad), "--out", str(tmp_path / "m"), check=False)
    assert res.returncode == 2 and "bad.tsv" in res.stderr and "line 1" in res.stderr
    res = cli("translate", "--model", str(tmp_path), "hello", check=False)
    assert res.returncode == 2 and "not a model bundle" in res.stderr


def _train_args(*flags: str):
    from translator_app.cli import build_parser

    return build_parser().parse_args(["train", "corpus.tsv", "--out", "out", *flags])


def test_train_flags_are_the_config_fields(capsys):
    """Every generated flag sets config fields; every field is a flag or explicitly left out."""
    import dataclasses

    from translator_app import cli_settings as settings
    from translator_app.core.base.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig

    flags = settings.train_flags()
    assert len({f.option for f in flags}) == len(flags)
    for cls in (TokenizerConfig, ModelConfig, DataConfig, TrainConfig):
        names = {f.name for f in dataclasses.fields(cls)}
        as_flags = {name for flag in flags for target, name in flag.targets if target is cls}
        assert as_flags <= names
        assert as_flags | set(settings.NOT_FLAGS[cls]) == names, (
            f"{cls.__name__}: a field is neither a flag nor excluded"
        )
        assert not as_flags & set(settings.NOT_FLAGS[cls])
    options = {f.option for f in flags}
    # the names people use, some of them not the field's name
    assert {
        "--vocab-size",
        "--threads",
        "--augment",
        "--seed",
        "--keep-duplicates",
        "--protect-spans",
        "--lr",
        "--copy-attention",
        "--input-feeding",
        "--amp",
        "--device",
        "--schedule",
        "--minutes",
    } <= options
    assert "--num-threads" not in options and "--augment-share" not in options
    seed = next(f for f in flags if f.dest == "seed")
    assert {cls for cls, _ in seed.targets} == {DataConfig, TrainConfig}  # one flag for both seeds
    assert set(settings.HELP) == {f.dest for f in flags}  # a help text for every flag, none left over

    with pytest.raises(SystemExit):
        _train_args("--help")
    text = capsys.readouterr().out
    for flag in flags:
        assert flag.option in text
    assert "--no-keep-duplicates" in text and "small 6000" in text  # the presets' values, from PRESETS


def test_every_train_flag_lands_in_its_field():
    """A value for each generated flag ends up in the config field(s) it names."""
    import typing

    from translator_app import cli_settings as settings

    argv, expected = [], {}
    for flag in settings.train_flags():
        kind = flag.annotation
        if kind is bool:
            value, args = True, [flag.option]
        elif typing.get_origin(kind) is typing.Literal:
            value = typing.get_args(kind)[-1]
            args = [flag.option, value]
        elif kind is str:
            value, args = "tatoeba=0.5", [flag.option, "tatoeba=0.5"]
        else:
            value = kind(7) if flag.dest not in ("dropout", "augment", "label_smoothing") else 0.25
            args = [flag.option, str(value)]
        argv += args
        expected[flag.dest] = value
    # (--resume: --extend-minutes is refused on a new run)
    model_cfg, train_cfg, tok_cfg, data_cfg = settings.configs(_train_args("--resume", *argv))
    by_class = {type(c): c for c in (model_cfg, train_cfg, tok_cfg, data_cfg)}
    for flag in settings.train_flags():
        for cls, name in flag.targets:
            assert getattr(by_class[cls], name) == expected[flag.dest], flag.option


def test_train_flags_leave_the_preset_alone_and_budget_defaults():
    from translator_app import cli_settings as settings
    from translator_app.core.base.config import PRESETS, DataConfig

    model_cfg, train_cfg, tok_cfg, data_cfg = settings.configs(_train_args("--preset", "tiny"))
    assert (model_cfg, tok_cfg, data_cfg) == (PRESETS["tiny"][0], PRESETS["tiny"][2], DataConfig())
    assert train_cfg.max_epochs == settings.DEFAULT_MAX_EPOCHS  # no budget given
    _, train_cfg, _, _ = settings.configs(_train_args("--preset", "tiny", "--max-steps", "5"))
    assert train_cfg.max_epochs == 0 and train_cfg.max_steps == 5
    assert _train_args().preset == settings.DEFAULT_PRESET


def test_choices_come_from_their_source(capsys):
    """Literal fields give the choices, PRESETS the preset names: a new value shows up without editing the CLI."""
    import argparse
    import typing
    from typing import Literal

    from translator_app import cli_settings as settings
    from translator_app.cli import build_parser
    from translator_app.core.base.config import PRESETS, TrainConfig

    assert settings.configs(_train_args("--schedule", "plateau"))[1].schedule == "plateau"
    with pytest.raises(SystemExit):
        _train_args("--schedule", "cosine")
    assert "invalid choice: 'cosine'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _train_args("--preset", "huge")
    err = capsys.readouterr().err
    assert "invalid choice: 'huge'" in err and all(name in err for name in PRESETS)

    parser = build_parser()
    train = next(a for a in parser._subparsers._group_actions[0].choices["train"]._actions if a.dest == "preset")
    assert list(train.choices) == list(PRESETS)
    hints = typing.get_type_hints(TrainConfig)
    for name in ("schedule", "amp", "device"):
        action = next(a for a in parser._subparsers._group_actions[0].choices["train"]._actions if a.dest == name)
        assert tuple(action.choices) == typing.get_args(hints[name])

    # a Literal with another set of values gives another choice list
    p = argparse.ArgumentParser()
    settings.add_flag(
        p, settings.TrainFlag("schedule", Literal["inverse_sqrt", "cosine"], ((TrainConfig, "schedule"),))
    )
    assert p.parse_args(["--schedule", "cosine"]).schedule == "cosine"
    with pytest.raises(SystemExit):
        p.parse_args(["--schedule", "plateau"])
    with pytest.raises(TypeError):  # a field type with no command-line form is noticed when the parser is built
        settings.add_flag(p, settings.TrainFlag("seed", list[str], ((TrainConfig, "seed"),)))


def test_train_json_event_records():
    import json

    import numpy as np

    from translator_app.cli_train import event_record
    from translator_app.core.base.events import Finished, Sample, Validation

    sample = Sample("Hi.", "Hola.", "Hola.", ("▁Hi", "."), ("▁Hola", "."), np.ones((2, 2), dtype=np.float32))
    record = json.loads(json.dumps(event_record(Validation(20, 1.5, np.float32(12.5), 30.0, True, (sample,)))))
    assert record["event"] == "Validation" and record["bleu"] == 12.5 and record["samples"][0]["hypothesis"] == "Hola."
    record = json.loads(json.dumps(event_record(Finished("max_steps", 40, "out", None, 3.0))))
    assert record == {
        "event": "Finished",
        "reason": "max_steps",
        "step": 40,
        "out_dir": "out",
        "best_bleu": None,
        "elapsed_s": 3.0,
        "over_limit": None,  # fine-tuning: set when no checkpoint kept within the general limit
        "kept": "",  # fine-tuning: the model the end's judgement kept
    }
