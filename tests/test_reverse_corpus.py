"""scripts/reverse_corpus.py: swapped columns, the test split's pairs out, the sidecar in step."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "reverse_corpus.py"


def load():
    spec = importlib.util.spec_from_file_location("reverse_corpus", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def files(folder: Path, corpus: str, sources: str, test: str) -> tuple[Path, Path]:
    """en-es.tsv with its sidecar, and an es-en test split (Spanish first)."""
    (folder / "en-es.tsv").write_text(corpus)
    (folder / "en-es.sources").write_text(sources)
    (folder / "test.tsv").write_text(test)
    return folder / "en-es.tsv", folder / "test.tsv"


def test_reverse_swaps_drops_held_out_pairs_and_keeps_the_sidecar_in_step(tmp_path):
    corpus, test = files(
        tmp_path,
        "Hello.\tHola.\nGood night.\tBuenas noches.\nOpen file\tAbrir archivo\nThanks.\tGracias.\n",
        "tatoeba\ntatoeba\ngettext-gui\ntatoeba\n",
        "Buenas noches.\tGood evening.\nMuchas gracias.\tThanks.\n",
    )
    out = tmp_path / "out" / "es-en.tsv"
    assert load().reverse(corpus, test, out) == (4, 2)
    assert out.read_text() == "Hola.\tHello.\nAbrir archivo\tOpen file\n"
    assert (tmp_path / "out" / "es-en.sources").read_text() == "tatoeba\ngettext-gui\n"


def test_a_sidecar_out_of_step_is_refused(tmp_path):
    corpus, test = files(tmp_path, "Hello.\tHola.\n", "tatoeba\ntatoeba\n", "")
    with pytest.raises(SystemExit, match="2 lines"):
        load().reverse(corpus, test, tmp_path / "o.tsv")
