"""core.model.decoding.DecodeConfig: one validated home for every search setting, reachable from the CLI."""

from __future__ import annotations

import dataclasses

import pytest

from translator_app.core.model.decoding import DOCUMENT, LIVE, DecodeConfig


def test_one_default_per_knob_and_the_named_configs_differ_only_in_the_beam():
    assert DOCUMENT == DecodeConfig() and DOCUMENT.beam_size == 5
    assert LIVE.beam_size == 1 and dataclasses.replace(LIVE, beam_size=DOCUMENT.beam_size) == DOCUMENT
    with pytest.raises(dataclasses.FrozenInstanceError):
        LIVE.beam_size = 3  # type: ignore[misc]
    assert hash(LIVE.with_beam(3)) == hash(DecodeConfig(beam_size=3))  # (a cache key of the Translator)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("alpha", -0.1, "alpha"),
        ("alpha", float("nan"), "alpha"),
        ("alpha", "1", "alpha"),
        ("max_ratio", 0.0, "max ratio"),
        ("max_ratio", 11.0, "max ratio"),
        ("no_repeat_ngram", 1, "n-gram"),
        ("no_repeat_ngram", 2.5, "n-gram"),
        ("no_repeat_ngram", True, "n-gram"),
        ("beam_size", 0, "beam size"),
        ("n_best", 65, "n-best"),
    ],
)
def test_invalid_settings_are_refused_when_the_config_is_made(field, value, message):
    with pytest.raises(ValueError, match=message):
        DecodeConfig(**{field: value})
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(DOCUMENT, **{field: value})


def test_search_options_are_the_knobs_besides_the_widths():
    config = DecodeConfig(beam_size=3, alpha=0.6, max_ratio=1.5, no_repeat_ngram=0)
    assert config.search_options() == {"alpha": 0.6, "max_ratio": 1.5, "no_repeat_ngram": 0}


def test_the_config_reaches_the_search(tiny_model_dir):
    """The length bound of the config is the search's: a tiny ratio cuts every output short."""
    from translator_app.core.translation.translator import Translator

    tr = Translator.load(tiny_model_dir)
    line = "I would like to know where the station is, because my train leaves soon."
    free = tr.translate_lines([line], DOCUMENT)[0]
    short = tr.translate_lines([line], dataclasses.replace(DOCUMENT, max_ratio=0.1))[0]
    assert len(tr.tok.target.encode(short)) <= int(len(tr.tok.source.encode(line)) * 0.1) + 10 + 1
    assert len(short) < len(free)
    result = tr.translate(line, DecodeConfig(beam_size=3, alpha=0.0))
    assert result.beam_size == 3


def test_cli_decoding_flags_are_checked_and_listed(capsys):
    from translator_app.cli import build_parser, main

    for command in ("translate", "evaluate", "translate-file"):
        with pytest.raises(SystemExit):
            build_parser().parse_args([command, "--help"])
        out = capsys.readouterr().out
        assert all(flag in out for flag in ("--beam", "--alpha", "--max-ratio", "--no-repeat-ngram")), command
    args = build_parser().parse_args(["translate", "--alpha", "0.6", "--max-ratio", "1.5", "--no-repeat-ngram", "0"])
    from translator_app.cli_input import decode_config

    assert decode_config(args) == DecodeConfig(alpha=0.6, max_ratio=1.5, no_repeat_ngram=0)
    for flag, value in (("--alpha", "3"), ("--max-ratio", "0"), ("--no-repeat-ngram", "1"), ("--alpha", "x")):
        with pytest.raises(SystemExit) as exit_info:
            main(["translate", flag, value, "Hello"])
        assert exit_info.value.code != 0
        err = capsys.readouterr().err
        assert f"argument {flag}:" in err and "Traceback" not in err


def test_cli_max_ratio_shortens_the_output(tiny_model_dir, capsys):
    from translator_app.cli import main

    line = "I would like to know where the station is, because my train leaves soon."
    assert main(["translate", "--model", str(tiny_model_dir), line]) == 0
    free = capsys.readouterr().out
    assert main(["translate", "--model", str(tiny_model_dir), "--max-ratio", "0.1", line]) == 0
    short = capsys.readouterr().out
    assert short.strip() and len(short) < len(free)
