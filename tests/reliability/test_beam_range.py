"""Issue 29, item 15: impossible decoding widths get a clear message, before any work is done."""

from __future__ import annotations

import pytest

from translator_app.core.model.decoding import MAX_BEAM, DecodeConfig, check_beam


@pytest.mark.parametrize(
    "beam, n_best", [(0, 1), (-1, 1), (MAX_BEAM + 1, 1), (100_000, 1), (5, 0), (5, 100_000), (2.5, 1), (True, 1)]
)
def test_out_of_range_widths_are_refused_with_a_message(beam, n_best):
    with pytest.raises(ValueError, match=f"from 1 to {MAX_BEAM}"):
        check_beam(beam, n_best)


def test_the_search_refuses_them_before_touching_the_model():
    with pytest.raises(ValueError, match="beam size"):
        DecodeConfig(beam_size=100_000)  # a search is given a DecodeConfig: it never exists with this width
    with pytest.raises(ValueError, match="n-best"):
        DecodeConfig(n_best=0)
    check_beam(1)
    check_beam(MAX_BEAM, MAX_BEAM)


def test_cli_reports_a_bad_beam_without_a_traceback(capsys):
    from translator_app.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["translate", "--beam", "0", "Hello"])
    assert exit_info.value.code != 0
    err = capsys.readouterr().err
    assert "argument --beam: the value must be a whole number from 1 to" in err and "Traceback" not in err
