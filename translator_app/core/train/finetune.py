"""Fine-tuning a model on your own corpus (domain adaptation).

    request = TrainRequest(CorpusSpec("gimp.en-es.tsv"), "runs/gimp", train_cfg=TRAIN_PRESETS["finetune"],
                           finetune=FinetuneSpec("models/en-es"))
    for event in train(request):
        ...

A fine-tuning run keeps the base model's tokenizer and architecture and starts from its
weights (fp16 bundle weights become float). The corpus must be in the base model's language
pair. A share of general data (``replay_share``, default 0.5 when some is found) is mixed into
the training pairs so the model forgets less of what it knew: a corpus given explicitly, else the
bundle's own replay set (``replay.tsv.gz``, core/train/replay.py; the bundled models carry one), else the
base run's ``data/train.tsv`` (beside the bundle, or in the run folder its metadata names).
``freeze`` and ``anchor`` keep the weights near the base model's (core/train/anchor.py), and the best
checkpoint is the best in-domain one within ``max_general_drop`` general BLEU (core/train/forgetting.py).
Validation scores the in-domain valid split (which picks the best checkpoint) and a general dev
set (the base bundle's shipped ``test.tsv``, else the replay data's valid split), so both sides of
the trade-off are visible; the base model's own scores are measured once, at step 0.

This module imports no torch at import time (the GUI uses :func:`corpus_fit` and the presets).
"""

from __future__ import annotations

import hashlib
import random
import re
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from translator_app.core.base.config import (  # noqa: F401  (the fine-tuning presets, re-exported)
    DEFAULT_REPLAY_SHARE,
    FINETUNE_DATA,
    FINETUNE_PRESET,
    TRAIN_PRESETS,
    DataConfig,
)
from translator_app.core.base.events import Status
from translator_app.core.folders.bundlemeta import read_config
from translator_app.core.folders.filenames import CONFIG_FILE, REPLAY_FILE
from translator_app.core.folders.runfolder import (
    GENERAL_SPLIT,
    SHIPPED_TEST_FILE,
    RunFolder,
    load_tokenizers,
    read_pairs,
)
from translator_app.core.text import corpus as corpus_mod
from translator_app.core.text.tags import META_KEY
from translator_app.core.train.forgetting import BEST_IN_DOMAIN_DIR
from translator_app.core.train.replay import find_replay, read_replay
from translator_app.core.train.request import GENERAL_DEV_MAX, CorpusSpec, FinetuneSpec  # noqa: F401  (re-exported)
from translator_app.core.train.train_data import RunSetup, mask_pairs, prepare_train_pairs, read_and_split

REPLAY_ROUNDS = 20  # epochs before the replayed general pairs repeat
COVERAGE_SAMPLE = 500  # lines of the corpus whose pieces tokenizer_coverage counts
POOR_COVERAGE = 0.98  # below this, more than 2 % of the pieces are <unk> or raw bytes
_BYTE_PIECE = re.compile(r"^<0x[0-9A-Fa-f]{2}>$")


# ---- the base model, read without torch -----------------------------------------------------


def resolve_model(ref: str | Path, user_dir: str | Path, bundled_dir: str | Path) -> Path:
    """A model folder, or the name of one in ``user_dir`` or ``bundled_dir`` (the user's and the
    bundled models folders: the entry points pass ``paths.user_models_dir()`` and
    ``paths.bundled_models_dir()``)."""
    path = Path(ref)
    candidates = (
        [path]
        if path.is_absolute() or path.is_dir()
        else [path, Path(user_dir) / str(ref), Path(bundled_dir) / str(ref)]
    )
    for candidate in candidates:
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise ValueError(
        f"{ref}: not a model folder (give a model bundle folder, or the name of a model in your models folder)"
    )


def read_base_config(path: str | Path) -> dict[str, Any]:
    """The base bundle's checked config.json (no torch; load_bundle checks the rest when training starts)."""
    return read_config(path)


def _base_meta(config: dict[str, Any]) -> dict[str, Any]:
    return config.get("meta") if isinstance(config.get("meta"), dict) else {}


def load_base_tokenizers(path: str | Path):
    """The base bundle's SentencePiece model(s) as :class:`~translator_app.core.text.tokenizer.Tokenizers`."""
    section = read_base_config(path).get("tokenizer") or {}
    return load_tokenizers(path, bool(section.get("joint", True)) if isinstance(section, dict) else True)


# ---- checks -------------------------------------------------------------------------------------


def language_mismatch(base_name: str, base_pair: tuple[str, str], corpus_pair: tuple[str, str]) -> str | None:
    """Why a corpus in ``corpus_pair`` cannot fine-tune a model of ``base_pair`` (None: it can, or
    a language is unknown)."""
    (bs, bt), (cs, ct) = base_pair, corpus_pair
    if not ((bs and cs and bs != cs) or (bt and ct and bt != ct)):
        return None
    hint = ""
    if (cs, ct) == (bt, bs):
        hint = f" (the corpus goes the other way: swap its columns, or start from a {cs}→{ct} model)"
    return (
        f"the corpus is {cs or '?'}→{ct or '?'} but the base model “{base_name}” translates "
        f"{bs or '?'}→{bt or '?'}; a model can only be fine-tuned on its own language pair{hint}"
    )


def check_languages(path: str | Path, base_name: str, base_pair: tuple[str, str], corpus_pair: tuple[str, str]) -> None:
    """Raise :class:`~translator_app.core.text.corpus.CorpusError` when the language pairs differ."""
    why = language_mismatch(base_name, base_pair, corpus_pair)
    if why:
        raise corpus_mod.CorpusError(path, None, why)


def _spread(items: Sequence[Any], n: int) -> list[Any]:
    """At most ``n`` items, evenly spread over ``items`` (deterministic)."""
    if len(items) <= n:
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def _bad_ids(tok) -> frozenset[int]:
    cached = getattr(tok, "_fallback_ids", None)
    if cached is None:
        from translator_app.core.text.tokenizer import UNK_ID

        cached = frozenset([UNK_ID, *(i for i, p in enumerate(tok.pieces(range(len(tok)))) if _BYTE_PIECE.match(p))])
        tok._fallback_ids = cached
    return cached


def tokenizer_coverage(tok, sentences: Sequence[str], max_sentences: int = COVERAGE_SAMPLE) -> float:
    """Share of the subword pieces of ``sentences`` that are real vocabulary pieces, i.e. neither
    ``<unk>`` nor byte-fallback pieces ``<0x..>`` (1.0: everything encodes well; below
    :data:`POOR_COVERAGE` the tokenizer fits the text badly). ``tok``: a SubwordModel (or a
    Tokenizers, whose source side is used); at most ``max_sentences`` sentences, evenly spread."""
    model = getattr(tok, "source", tok)
    sample = [s for s in _spread(list(sentences), max_sentences) if s]
    if not sample:
        return 1.0
    bad = _bad_ids(model)
    encoded = model.encode_batch(sample)
    total = sum(len(ids) for ids in encoded)
    return 1.0 - sum(i in bad for ids in encoded for i in ids) / total if total else 1.0


@dataclass(frozen=True)
class CorpusFit:
    """How well a base model suits a corpus (the Training tab's preview warning)."""

    base_name: str
    source_coverage: float
    target_coverage: float
    sentences: int
    mismatch: str | None = None  # the language-pair problem, if any

    @property
    def poor(self) -> bool:
        return min(self.source_coverage, self.target_coverage) < POOR_COVERAGE

    def warning(self) -> str:
        """A message for the user ("" when the base model fits the corpus)."""
        parts = []
        if self.mismatch:
            parts.append(self.mismatch[:1].upper() + self.mismatch[1:] + ".")
        if self.poor:
            parts.append(
                f"The tokenizer of “{self.base_name}” covers this corpus poorly: "
                f"{1 - self.source_coverage:.1%} of the source and {1 - self.target_coverage:.1%} of the target "
                f"subword pieces are unknown or raw bytes (sample of {self.sentences} pairs). Fine-tuning cannot "
                "add words to its vocabulary: expect poor translations of such text, or train a new model."
            )
        return " ".join(parts)


def corpus_fit(base: str | Path, path: str, target_path: str | None = None, sample: int = COVERAGE_SAMPLE) -> CorpusFit:
    """Tokenizer coverage of a sample of the corpus and the language check (no torch)."""
    base = Path(base)
    meta = _base_meta(read_base_config(base))
    name = str(meta.get("name") or base.name)
    tok = load_base_tokenizers(base)
    pairs, report = corpus_mod.read_corpus(path, target_path or None)
    pairs = _spread(pairs, sample)
    return CorpusFit(
        name,
        tokenizer_coverage(tok.source, [s for s, _ in pairs], sample),
        tokenizer_coverage(tok.target, [t for _, t in pairs], sample),
        len(pairs),
        language_mismatch(
            name, (str(meta.get("src_lang") or ""), str(meta.get("tgt_lang") or "")), (report.src_lang, report.tgt_lang)
        ),
    )


# ---- data ---------------------------------------------------------------------------------------


def sample_references(pairs: list[tuple[str, str]], n: int, seed: int) -> list[tuple[str, str]]:
    """The pairs of ``n`` distinct sources (seeded choice, every reference of each kept)."""
    sources = list(dict.fromkeys(s for s, _ in pairs))
    keep = set(random.Random(seed).sample(sources, n) if len(sources) > n else sources)
    return [p for p in pairs if p[0] in keep]


def _read_replay_set(
    path: Path, base: Path, meta: dict[str, Any], base_name: str, base_pair: tuple[str, str]
) -> list[tuple[str, str]]:
    """The pairs of a bundle's ``replay.tsv.gz``, checked against the record in its bundle's config.json
    (the base's, or the folder's own when another bundle's set is given, as background adaptation does)."""
    if path.parent.resolve() == base.resolve():
        return read_replay(path, meta.get("replay"))
    owner = _base_meta(read_config(path.parent)) if (path.parent / CONFIG_FILE).is_file() else {}
    if owner:  # another model's set: same language pair, and the file its config records
        check_languages(
            path, base_name, base_pair, (str(owner.get("src_lang") or ""), str(owner.get("tgt_lang") or ""))
        )
    return read_replay(path, owner.get("replay"))


def _general_data(
    base: Path,
    meta: dict[str, Any],
    ft: FinetuneSpec,
    data_cfg: DataConfig,
    held_out: set[str],
    n_train: int,
    pair: tuple[str, str],
    base_pair: tuple[str, str],
    base_name: str,
    placeholders: bool,
) -> Iterator[Any]:
    """Yields Status events, then (replay pairs, general dev pairs, info for the run's metadata)."""
    general: list[tuple[str, str]] = []
    info: dict[str, Any] = {"replay_share": 0.0, "replay_source": None, "replay_pairs": 0, "general_dev": None}
    shipped = base / SHIPPED_TEST_FILE
    if shipped.is_file():
        general = sample_references(read_pairs(shipped), ft.general_max, data_cfg.seed)
        info["general_dev"] = str(shipped)
    share = DEFAULT_REPLAY_SHARE if ft.replay_share is None else ft.replay_share
    found = find_replay(base, meta, ft.replay_corpus) if share > 0 or not general else None
    if found is None:
        if share > 0:
            yield Status(
                "No general data found to replay (no replay set in the base model, no data/train.tsv beside "
                "it or in its run folder; give one with --replay-corpus FILE): fine-tuning on the corpus alone, "
                "the model will forget much of what it knew"
            )
        if not general:
            yield Status(
                "No general dev set (the base model ships no test.tsv): validation scores the in-domain split only"
            )
        yield [], general, info
        return
    path, prepared = found
    yield Status(f"Reading general data from {path}")
    if prepared:
        pool = read_pairs(path)
    elif path.name == REPLAY_FILE:  # a bundle's replay set (the base's own, or another's given): untrusted, checked
        pool = _read_replay_set(path, base, meta, base_name, base_pair)
    else:
        pool, report = corpus_mod.read_corpus(path, max_chars=data_cfg.max_chars, lowercase=data_cfg.lowercase)
        check_languages(path, base_name, base_pair, (report.src_lang, report.tgt_lang))
    if not general:  # the replay data's valid split: the run's own, or held out of the file here
        valid = RunFolder(path.parent.parent).data_file("valid")  # a run's pool is masked: its raw valid split
        candidates = (read_pairs(valid) if valid.is_file() else []) if prepared else pool
        general = sample_references(candidates, ft.general_max, data_cfg.seed)
        info["general_dev"] = (str(valid) if prepared else f"{path} (held out)") if general else None
    exclude = held_out | {s for s, _ in general}  # never train on a sentence that is scored
    pool = [p for p in pool if p[0] not in exclude]
    wanted = round(n_train * share / (1 - share))
    # a fresh slice of general pairs each epoch (training rotates through REPLAY_ROUNDS slices): a few
    # thousand general pairs seen twenty times would be learnt by heart and hold back little else
    rounds = max(1, min(REPLAY_ROUNDS, len(pool) // wanted)) if wanted > 0 else 1
    replay = random.Random(data_cfg.seed).sample(pool, min(wanted * rounds, len(pool))) if wanted > 0 else []
    if replay and not prepared and data_cfg.protect_spans and placeholders:
        replay = mask_pairs(replay, *pair)
    info.update(
        replay_share=round(len(replay) / rounds / max(1, n_train + len(replay) / rounds), 4),
        replay_rounds=rounds,
        in_domain_pairs=n_train,
        replay_source=str(path),
        replay_pairs=len(replay),
    )
    yield replay, general, info


def prepare(
    spec: CorpusSpec, folder: RunFolder, ft: FinetuneSpec, data_cfg: DataConfig, user_meta: dict[str, Any] | None
):
    """Yields Status events, then the :class:`~translator_app.core.train.train_data.RunSetup` of a new
    fine-tuning run (rank 0; writes data/*.tsv and the tokenizer into the run folder)."""
    from translator_app.core.model.checkpoint import WEIGHTS_FILE, load_bundle

    out = folder.path

    base = Path(ft.base)
    shutil.rmtree(out / BEST_IN_DOMAIN_DIR, ignore_errors=True)  # an earlier run's
    yield Status(f"Loading the base model {base}")
    bundle = load_bundle(base)
    meta = bundle.meta
    base_name = str(meta.get("name") or base.name)
    if meta.get(META_KEY):  # (scripts/split_bidirectional.py) its pairs would need the tag, its replay both directions
        raise ValueError(f"{base_name} is one direction of a bidirectional model: fine-tuning it is not supported")
    yield Status("Splitting the corpus (the base model's tokenizer is kept)")
    # labels only with --replay 0 (setup refuses sampling by source beside replay): a bundle trained on further
    split, report, sources = read_and_split(spec, data_cfg)
    base_pair = (str(meta.get("src_lang") or ""), str(meta.get("tgt_lang") or ""))
    check_languages(spec.path, base_name, base_pair, (report.src_lang, report.tgt_lang))
    pair = (base_pair[0] or report.src_lang or "en", base_pair[1] or report.tgt_lang or "es")
    tok = bundle.tokenizers
    placeholders = tok.has_placeholders  # mask protected spans only if the base model knows them
    train_pairs = prepare_train_pairs(split.train, data_cfg, placeholders, *pair)
    held_out = {s for s, _ in split.valid} | {s for s, _ in split.test}
    result: Any = None
    for item in _general_data(
        base, meta, ft, data_cfg, held_out, len(train_pairs), pair, base_pair, base_name, placeholders
    ):
        if isinstance(item, Status):
            yield item
        else:
            result = item
    replay, general, info = result
    assert sources is None or not replay, "sampling by source beside replay"
    split = corpus_mod.Split(train_pairs + replay, split.valid, split.test)
    folder.write_split(
        {
            "train": split.train,
            "valid": split.valid,
            "test": split.test,
            **({GENERAL_SPLIT: general} if general else {}),
        }
    )
    if sources is not None:  # augmentation and masking rewrite pairs in place: the labels stay aligned
        folder.write_train_sources(sources)
    folder.save_tokenizers(tok)
    model_cfg = bundle.model_config if ft.dropout is None else replace(bundle.model_config, dropout=ft.dropout)
    weights = {k: v.float() if v.is_floating_point() else v for k, v in bundle.state_dict.items()}
    digest = hashlib.sha256((base / WEIGHTS_FILE).read_bytes()).hexdigest()
    run_meta = {
        "name": out.name,
        "src_lang": pair[0],
        "tgt_lang": pair[1],
        "corpus": str(spec.path),
        "run": str(out.resolve()),
        "parent": {"name": base_name, "path": str(base.resolve()), "sha256": digest},
        "finetune": {
            **info,
            "base": str(base.resolve()),
            "general_pairs": len(general),
            **{k: getattr(ft, k) for k in ("anchor", "freeze", "max_general_drop")},
        },
        **(user_meta or {}),
    }
    if info["replay_source"] == str(base / REPLAY_FILE) and isinstance(meta.get("replay"), dict):
        shutil.copyfile(base / REPLAY_FILE, out / REPLAY_FILE)  # the fine-tuned model can be fine-tuned again
        run_meta["replay"] = meta["replay"]
    summary = (
        f"{report.summary()}; fine-tuning “{base_name}”: {len(train_pairs)} in-domain + {len(replay)} "
        f"general pairs ({info['replay_share']:.0%} replay, a new {len(replay) // info.get('replay_rounds', 1)} "
        f"each epoch), {len(set(s for s, _ in general))} "
        "general dev sentences"
    )
    yield RunSetup(
        model_cfg,
        TRAIN_PRESETS[FINETUNE_PRESET],
        data_cfg,
        run_meta,
        split,
        tok,
        summary,
        None,
        weights,
        general,
        sources,
    )
