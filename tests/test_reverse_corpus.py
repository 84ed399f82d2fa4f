"""scripts/reverse_corpus.py: swapped columns, the test split's pairs out, the sidecar in step."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "reverse_corpus.py"


def load():
    spec = importlib.util.spec_from_file_location("reverse_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reverse_swaps_drops_held_out_pairs_and_keeps_the_sidecar_in_step(tmp_path):
    rc = load()
    corpus = tmp_path / "en-es.tsv"
    corpus.write_text("Hello.\tHola.\nGood night.\tBuenas noches.\nOpen file\tAbrir archivo\nThanks.\tGracias.\n")
    (tmp_path / "en-es.sources").write_text("tatoeba\ntatoeba\ngettext-gui\ntatoeba\n")
    test = tmp_path / "test.tsv"
    test.write_text("Buenas noches.\tGood evening.\nMuchas gracias.\tThanks.\n")  # es-en: Spanish first
    out = tmp_path / "out" / "es-en.tsv"
    assert rc.reverse(corpus, test, out) == (4, 2)
    assert out.read_text() == "Hola.\tHello.\nAbrir archivo\tOpen file\n"
    assert (tmp_path / "out" / "es-en.sources").read_text() == "tatoeba\ngettext-gui\n"


def test_a_sidecar_out_of_step_is_refused(tmp_path):
    rc = load()
    corpus = tmp_path / "en-es.tsv"
    corpus.write_text("Hello.\tHola.\n")
    (tmp_path / "en-es.sources").write_text("tatoeba\ntatoeba\n")
    test = tmp_path / "test.tsv"
    test.write_text("")
    try:
        rc.reverse(corpus, test, tmp_path / "o.tsv")
    except SystemExit as exc:
        assert "2 lines" in str(exc)
    else:
        raise AssertionError("expected SystemExit")
