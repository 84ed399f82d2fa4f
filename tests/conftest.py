"""Shared fixtures: a small corpus slice and a tiny trained model, made once per session."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
TATOEBA = CORPORA / "tatoeba.en-es.tsv"
LIBREOFFICE = CORPORA / "libreoffice.en-fr.tsv"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Keep every test out of the real user data directory."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TRANSLATOR_APP_HOME", str(home))
    return home


def take_slice(n: int, dest: Path, step: int = 37) -> Path:
    """Every ``step``-th line of the Tatoeba file (short to long, so a spread of lengths)."""
    if not TATOEBA.exists():
        pytest.skip(f"shared corpus not found at {TATOEBA}")
    lines = TATOEBA.read_text(encoding="utf-8").splitlines()
    picked = lines[::step][:n]
    dest.write_text("\n".join(picked) + "\n", encoding="utf-8")
    return dest


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    """~1,500 real en-es pairs."""
    return take_slice(1500, tmp_path_factory.mktemp("corpus") / "tiny.en-es.tsv", step=90)


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_corpus, tmp_path_factory) -> Path:
    """A tiny en->es bundle trained for a few seconds (its translations are poor but real)."""
    from translator_app.core.base.config import TokenizerConfig

    out = tmp_path_factory.mktemp("models") / "tiny-en-es"
    return _train_tiny(tiny_corpus, out, TokenizerConfig(vocab_size=400), max_steps=40, valid_every=20)


def _train_tiny(corpus: Path, out: Path, tok_cfg, *, max_steps: int, valid_every: int) -> Path:
    """``out``: the tiny preset trained on ``corpus`` for ``max_steps`` steps on one thread (it must finish)."""
    from translator_app.core.base.config import PRESETS
    from translator_app.core.train.training import CorpusSpec, Finished, TrainRequest, train

    model_cfg, train_cfg, _ = PRESETS["tiny"]
    train_cfg = replace(train_cfg, max_steps=max_steps, valid_every=valid_every, valid_max_sentences=50, num_threads=1)
    events = list(
        train(TrainRequest(CorpusSpec(str(corpus)), out, model_cfg=model_cfg, train_cfg=train_cfg, tok_cfg=tok_cfg))
    )
    assert isinstance(events[-1], Finished)
    return out


@pytest.fixture(scope="session")
def tiny_bidi_run(tmp_path_factory) -> Path:
    """A tiny bidirectional run (scripts/bidirectional_corpus.py's tagged corpus, the tags as tokenizer
    symbols), trained for a few steps: 200 pairs each way."""
    from scripts.bidirectional_corpus import build
    from translator_app.core.base.config import TokenizerConfig

    folder = tmp_path_factory.mktemp("bidi")
    en_es = take_slice(200, folder / "in.en-es.tsv", step=211)
    rows = [line.split("\t") for line in en_es.read_text(encoding="utf-8").splitlines()]
    es_en = folder / "in.es-en.tsv"
    es_en.write_text("".join(f"{es}\t{en}\n" for en, es in rows), encoding="utf-8")
    corpus = folder / "bi.en-es.tsv"
    build(en_es, es_en, corpus)
    tok_cfg = TokenizerConfig(vocab_size=500, symbols="\u21e8es,\u21e8en")
    return _train_tiny(corpus, folder / "run", tok_cfg, max_steps=6, valid_every=3)
