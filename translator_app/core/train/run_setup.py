"""What a training run decides before its first step: data, tokenizer, configs, resume state.

:func:`setup` yields Status events and then one :class:`RunSetup`, for a new run (read and
split the corpus, train the SentencePiece tokenizer), a fine-tuning run (the base model's
tokenizer, configuration and weights, see :mod:`translator_app.core.train.finetune`) or a resumed
run (everything back from ``run.json``, ``data/*.tsv``, the tokenizer files and the checkpoint).
Only rank 0 reads the corpus and writes the run files; the other ranks load what it wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from translator_app.core.base.config import DataConfig, ModelConfig, TokenizerConfig, TrainConfig, from_dict, to_dict
from translator_app.core.base.events import Status
from translator_app.core.folders.runfolder import GENERAL_SPLIT, RunFolder
from translator_app.core.model.checkpoint import load_train_state
from translator_app.core.text import corpus as corpus_mod
from translator_app.core.text.names import name_rule_from_pairs
from translator_app.core.text.tags import SYMBOLS_KEY, split_tag
from translator_app.core.text.tokenizer import train_tokenizers
from translator_app.core.train.distributed import DistContext, barrier
from translator_app.core.train.finetune import prepare as prepare_finetune
from translator_app.core.train.request import CorpusSpec, TrainRequest
from translator_app.core.train.train_data import RunSetup, prepare_train_pairs, read_and_split


def _prepare_fresh(spec: CorpusSpec, folder: RunFolder, data_cfg: DataConfig, tok_cfg: TokenizerConfig):
    split, report, sources = read_and_split(spec, data_cfg)
    src_lang, tgt_lang = report.src_lang or "en", report.tgt_lang or "es"
    # augmentation and masking rewrite pairs in place: the source labels stay aligned
    train_pairs = prepare_train_pairs(split.train, data_cfg, tok_cfg.placeholders, src_lang, tgt_lang)
    split = corpus_mod.Split(train_pairs, split.valid, split.test)  # valid/test stay raw: scored as users see them
    folder.write_split({"train": split.train, "valid": split.valid, "test": split.test})
    if sources is not None:
        folder.write_train_sources(sources)
    tokenizers = train_tokenizers(split.train, tok_cfg, data_cfg.seed)
    return split, tokenizers, report, sources


def _write_run(
    folder: RunFolder,
    model_cfg: ModelConfig,
    train_cfg: TrainConfig,
    tok_cfg: TokenizerConfig,
    data_cfg: DataConfig,
    meta: dict[str, Any],
    spec: CorpusSpec,
) -> None:
    configs = {"model": model_cfg, "train": train_cfg, "tokenizer": tok_cfg, "data": data_cfg}
    folder.write_run({k: to_dict(v) for k, v in configs.items()}, meta, (spec.path, spec.target_path))


def setup(request: TrainRequest, ctx: DistContext) -> Iterator[Any]:
    """Yields Status events, then the :class:`RunSetup`. ``request.finetune`` is ignored when a
    checkpoint is resumed: the run's own ``run.json`` says what it fine-tunes."""
    folder, train_cfg = RunFolder.at(request.out_dir), request.train_cfg
    meta = dict(request.meta or {}) or None
    if request.resume and folder.has_checkpoint():
        yield Status(f"Resuming from {folder.state_file}")
        budget = {k: getattr(train_cfg, k) for k in ("minutes", "max_steps", "max_epochs", "num_threads")}
        saved = load_train_state(folder.state_file)
        budget["minutes"] = resumed_minutes(train_cfg, float(saved.get("elapsed_s", 0.0)))
        yield _load_run(folder, budget, meta, saved)
        return
    if request.resume:
        yield Status(f"No checkpoint in {folder.path}; starting a new run")
    if request.finetune is not None and request.data_cfg.by_source and request.finetune.replay_share != 0:
        raise ValueError(
            "sampling by source from a model needs --replay 0 (the corpus is then the whole mix, as when a bundle is "
            "trained on); a fine-tune with replay mixes general data by its replay share"
        )
    # --extend-minutes N with nothing to resume: N minutes in all (it is not a budget train() reads)
    train_cfg = replace(train_cfg, minutes=resumed_minutes(train_cfg, 0.0), extend_minutes=0.0)
    if not ctx.is_main:
        barrier(ctx)
        yield _load_run(folder, {}, meta, None)
        return
    folder.forget_run()  # first, so that a crash below cannot resume the earlier run on new data
    yield Status(f"Reading {request.corpus.path}")
    if request.finetune is not None:
        run = None
        for item in prepare_finetune(request.corpus, folder, request.finetune, request.data_cfg, meta):
            if isinstance(item, Status):
                yield item
            else:
                run = item
        assert run is not None
        run = replace(run, train_cfg=train_cfg)
    else:
        yield Status("Splitting the corpus and training the SentencePiece tokenizer")
        run = _new_run(request, folder, train_cfg, meta)
    _write_run(folder, run.model_cfg, train_cfg, request.tok_cfg, request.data_cfg, run.meta, request.corpus)
    folder.history_file.unlink(missing_ok=True)
    barrier(ctx)
    yield run


def _new_run(request: TrainRequest, folder: RunFolder, train_cfg: TrainConfig, meta: dict[str, Any] | None) -> RunSetup:
    """A new model: the corpus split, the tokenizer trained, the vocabulary sizes put into the model config."""
    spec, out = request.corpus, folder.path
    split, tok, report, sources = _prepare_fresh(spec, folder, request.data_cfg, request.tok_cfg)
    folder.save_tokenizers(tok)
    model_cfg = replace(
        request.model_cfg,
        src_vocab_size=len(tok.source),
        tgt_vocab_size=len(tok.target),
        share_src_tgt_embeddings=request.model_cfg.share_src_tgt_embeddings and tok.joint,
        copy_attention=request.model_cfg.copy_attention and tok.joint,
    )
    # "run": where this run's data lives, so that a fine-tuning run can replay it later
    run_meta = {
        "name": out.name,
        "src_lang": report.src_lang,
        "tgt_lang": report.tgt_lang,
        "corpus": str(spec.path),
        "run": str(out.resolve()),
        **(meta or {}),
    }
    symbols = request.tok_cfg.symbol_list
    if symbols:  # a bidirectional run's tags: validation reads each source with its own (core/text/tags.py)
        run_meta[SYMBOLS_KEY] = list(symbols)
    if tok.has_placeholders:  # which capitalised words the corpus copies (names) and which it translates
        # (a tag taken off first: the word after it starts the sentence)
        untagged = [(split_tag(s, symbols)[1], t) for s, t in split.train] if symbols else split.train
        run_meta["names"] = name_rule_from_pairs(untagged).to_meta()
    return RunSetup(
        model_cfg, train_cfg, request.data_cfg, run_meta, split, tok, report.summary(), None, sources=sources
    )


def resumed_minutes(train_cfg: TrainConfig, elapsed_s: float) -> float:
    """The time budget of a resumed run, in minutes of the whole run: ``minutes`` counts the total
    (earlier processes included); ``extend_minutes`` > 0 gives that many minutes beyond what the run
    has trained so far, whatever ``minutes`` says (the way to continue a run whose budget is spent)."""
    if train_cfg.extend_minutes > 0:
        return round(elapsed_s / 60 + train_cfg.extend_minutes, 4)
    return train_cfg.minutes


def _load_run(
    folder: RunFolder, train_over: dict[str, Any], meta: dict[str, Any] | None, state: dict[str, Any] | None
) -> RunSetup:
    run = folder.read_run()
    data_cfg = from_dict(DataConfig, run["data"])
    summary = f"resumed at step {state['step']}" if state else "prepared by rank 0"
    run_meta = {**run.get("meta", {}), **(meta or {})}
    general = folder.read_pairs(GENERAL_SPLIT) if isinstance(run_meta.get("finetune"), dict) else []
    if general and state:
        summary += f"; fine-tuning {run_meta.get('parent', {}).get('name', '?')}, {len(general)} general dev pairs"
    split = corpus_mod.Split(**folder.read_splits())
    sources = folder.read_train_sources() if data_cfg.by_source else None
    if data_cfg.by_source and (sources is None or len(sources) != len(split.train)):
        raise ValueError(f"{folder.data_dir}: no source label for each of the {len(split.train)} training pairs")
    return RunSetup(
        from_dict(ModelConfig, run["model"]),
        replace(from_dict(TrainConfig, run["train"]), **train_over),
        data_cfg,
        run_meta,
        split,
        folder.load_tokenizers(),
        summary,
        state,
        None,
        general,
        sources,
    )
