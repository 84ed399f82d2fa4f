"""The command line's edges (issue #30, items 2 and 8): one line per argument, the output format
checked against the output's extension, a train that fails at the start leaves nothing behind, a
run that used its time budget is extended with --extend-minutes, and the help texts."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, take_slice
from translator_app.cli import build_parser, main

EN_ES = REPO / "models" / "en-es"


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_two_quoted_arguments_are_translated_one_line_each(capsys):
    if not (EN_ES / "weights.pt").exists():
        pytest.skip("the bundled model is not in this checkout")
    code, out, _ = run(capsys, "translate", "--model", EN_ES, "--beam", "1", "Good morning.", "The cat sleeps.")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2, out
    _, alone, _ = run(capsys, "translate", "--model", EN_ES, "--beam", "1", "The cat sleeps.")
    assert lines[1] == alone.strip()


def test_translate_file_refuses_an_output_extension_of_another_format(capsys, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>Hello.</p>\n", encoding="utf-8")
    code, out, err = run(capsys, "translate-file", page, tmp_path / "out.pdf", "--model", tmp_path / "no-model")
    assert code == 2 and out == ""
    assert "out.pdf" in err and "HTML" in err and ".html" in err and "'.pdf'" in err
    assert not (tmp_path / "out.pdf").exists()


def test_train_with_a_missing_corpus_fails_before_anything(capsys, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run(capsys, "train", tmp_path / "missing.tsv", "--out", out)
    assert code == 2 and "missing.tsv: no such file" in err
    assert "Reading" not in stdout + err and "Splitting" not in stdout + err
    assert not out.exists()


def test_a_failed_start_leaves_no_folder_and_no_lock(capsys, tmp_path):
    empty = tmp_path / "empty.en-es.tsv"
    empty.write_text("\n\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = run(capsys, "train", empty, "--out", out, "--preset", "tiny", "--max-steps", "2")
    assert code == 2 and "empty.en-es.tsv" in err
    assert not out.exists()
    kept = tmp_path / "kept"  # a folder that was there before is left alone
    kept.mkdir()
    (kept / "notes.txt").write_text("mine", encoding="utf-8")
    assert run(capsys, "train", empty, "--out", kept, "--preset", "tiny", "--max-steps", "2")[0] == 2
    assert (kept / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_extend_minutes_continues_a_run_that_used_its_budget(capsys, tmp_path):
    corpus = take_slice(600, tmp_path / "slice.en-es.tsv", step=60)
    out = tmp_path / "run"
    common = ["--preset", "tiny", "--vocab-size", "300", "--threads", "1", "--valid-every", "100000"]
    code, stdout, _ = run(capsys, "train", corpus, "--out", out, "--minutes", "0.03", *common)
    assert code == 0 and "Finished (budget)" in stdout and "--extend-minutes" in stdout
    assert "What to expect from scratch" in stdout and "weak model" in stdout  # (issue #30, item 9)
    first = int(stdout.split("Finished (budget) at step ")[1].split()[0])

    code, stdout, err = run(capsys, "train", corpus, "--out", out, "--resume", "--minutes", "0.03", *common)
    assert code == 2 and "--extend-minutes" in err and "Resuming" not in stdout  # no one-step run
    # a bare --resume keeps the run's own budget (it once got a new run's default: epochs, a flat schedule)
    code, stdout, err = run(capsys, "train", corpus, "--out", out, "--resume", *common)
    assert code == 2 and "0.03-minute time budget" in err and "Resuming" not in stdout

    code, stdout, _ = run(capsys, "train", corpus, "--out", out, "--resume", "--extend-minutes", "0.03", *common)
    assert code == 0 and "Finished (budget)" in stdout, stdout
    second = int(stdout.split("Finished (budget) at step ")[1].split()[0])
    minutes = float(stdout.split(" after ")[1].split(" min")[0])
    assert second > first + 1 and minutes >= 0.05

    code, _, err = run(capsys, "train", corpus, "--out", tmp_path / "new", "--extend-minutes", "1", *common)
    assert code == 2 and "--resume" in err


def test_help_texts(capsys):
    parser = build_parser()
    top = parser.format_help()
    assert "`" not in top and "translate-file" in top
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in ("train", "translate", "evaluate", "translate-file"):
        for action in sub.choices[name]._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help text"
    help_text = sub.choices["train"].format_help()
    assert "--extend-minutes" in help_text and "whole run" in help_text


def test_resumed_minutes_count_the_whole_run_unless_extended():
    from translator_app.core.base.config import TrainConfig
    from translator_app.core.train.run_setup import resumed_minutes

    assert resumed_minutes(TrainConfig(minutes=3.0), 180.0) == 3.0
    assert resumed_minutes(TrainConfig(minutes=3.0, extend_minutes=5.0), 180.0) == 8.0


def test_extend_minutes_with_nothing_to_resume_is_the_new_runs_budget(tmp_path):
    """--resume --extend-minutes N in a folder without a checkpoint starts a new run of N minutes
    (not one without any limit: the CLI gives no default epoch limit when --extend-minutes is set)."""
    from dataclasses import replace

    from translator_app.core.base.config import PRESETS, DataConfig, TrainConfig
    from translator_app.core.train.distributed import DistContext
    from translator_app.core.train.request import CorpusSpec, TrainRequest
    from translator_app.core.train.run_setup import RunSetup, setup

    corpus = take_slice(300, tmp_path / "slice.en-es.tsv", step=60)
    model_cfg, _, tok_cfg = PRESETS["tiny"]
    train_cfg = TrainConfig(extend_minutes=0.5)
    request = TrainRequest(
        CorpusSpec(str(corpus)),
        tmp_path / "run",
        model_cfg,
        train_cfg,
        replace(tok_cfg, vocab_size=300),
        DataConfig(),
        resume=True,
    )
    items = setup(request, DistContext())
    [run] = [item for item in items if isinstance(item, RunSetup)]
    assert run.train_cfg.minutes == 0.5 and run.train_cfg.extend_minutes == 0.0


def test_an_undecodable_argument_is_refused_before_the_model_loads(capsys, tmp_path):
    for extra in ((), ("--prefix", "La ")):  # --prefix reads the same arguments
        code, out, err = run(capsys, "translate", "--model", tmp_path / "no-model", *extra, "Fine.", "Bad \udcff")
        assert code == 2 and out == "" and "argument 2 is" in err and "no-model" not in err
