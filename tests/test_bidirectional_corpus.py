"""scripts/bidirectional_corpus.py: both directions' rows behind their tags, the .sources sidecar kept in step."""

from __future__ import annotations

import pytest

from scripts.bidirectional_corpus import main
from translator_app.core.text.corpus_sources import read_labelled_corpus, sources_path

ES, EN = "\u21e8es", "\u21e8en"


def _write(path, lines, labels=None):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    if labels is not None:
        sources_path(path).write_text("".join(label + "\n" for label in labels), encoding="utf-8")
    return path


@pytest.fixture
def inputs(tmp_path):
    en_es = _write(
        tmp_path / "a.en-es.tsv", ["Hello.\tHola.", "Two cats.\tDos gatos.", "\tsin fuente"], ["x", "y", "y"]
    )
    es_en = _write(tmp_path / "b.es-en.tsv", ["Adiós.\tGoodbye.", "Sí.\tYes."], ["z", "x"])
    return en_es, es_en


def test_rows_are_tagged_in_order_with_their_labels(inputs, tmp_path, capsys):
    out = tmp_path / "out" / "bi.en-es.tsv"
    assert main([str(inputs[0]), str(inputs[1]), str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines() == [
        f"{ES} Hello.\tHola.",
        f"{ES} Two cats.\tDos gatos.",
        "\tsin fuente",  # no source: left for the reader to skip, as before
        f"{EN} Adiós.\tGoodbye.",
        f"{EN} Sí.\tYes.",
    ]
    assert sources_path(out).read_text(encoding="utf-8").splitlines() == ["x", "y", "y", "z", "x"]
    pairs, labels, _ = read_labelled_corpus(out)  # the app reads it, labels aligned with the pairs
    assert list(zip(pairs, labels)) == [
        ((f"{ES} Hello.", "Hola."), "x"),
        ((f"{ES} Two cats.", "Dos gatos."), "y"),
        ((f"{EN} Adiós.", "Goodbye."), "z"),
        ((f"{EN} Sí.", "Yes."), "x"),
    ]
    assert "3 rows" in capsys.readouterr().out


def test_other_tags_and_no_sidecar_when_an_input_lacks_one(inputs, tmp_path, capsys):
    out = tmp_path / "bi.en-es.tsv"
    sources_path(out).write_text("stale\n", encoding="utf-8")
    sources_path(inputs[1]).unlink()
    assert main([str(inputs[0]), str(inputs[1]), str(out), "--tags", "<2es>,<2en>"]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == "<2es> Hello.\tHola."
    assert out.read_text(encoding="utf-8").splitlines()[-1] == "<2en> Sí.\tYes."
    assert not sources_path(out).exists()  # (an older sidecar would belong to another build)
    assert "no bi.en-es.sources written" in capsys.readouterr().out


@pytest.mark.parametrize("tags", [",⇨en", "⇨es,", "⇨ es,⇨en", "⇨es,⇨es", "⇨es", "⇨es,⇨en,⇨fr", " ⇨es,⇨en"])
def test_malformed_tags_are_refused(inputs, tmp_path, tags):
    out = tmp_path / "bi.en-es.tsv"
    with pytest.raises(SystemExit) as exc:
        main([str(inputs[0]), str(inputs[1]), str(out), "--tags", tags])
    assert exc.value.code not in (0, None) and not out.exists() and not sources_path(out).exists()


def test_a_tag_already_in_an_input_is_refused(inputs, tmp_path):
    _write(inputs[1], ["Adiós.\tGoodbye.", f"Flecha {EN}.\tArrow."], ["z", "x"])
    out = tmp_path / "bi.en-es.tsv"
    with pytest.raises(SystemExit, match="already holds the tag"):
        main([str(inputs[0]), str(inputs[1]), str(out)])
    assert not out.exists() and not sources_path(out).exists()


def test_a_sidecar_of_another_length_is_refused(inputs, tmp_path):
    sources_path(inputs[0]).write_text("x\n", encoding="utf-8")
    out = tmp_path / "bi.en-es.tsv"
    with pytest.raises(SystemExit, match="1 lines"):
        main([str(inputs[0]), str(inputs[1]), str(out)])
    assert not out.exists()
