"""Background adaptation: fine-tune a person's model on their translation memory, as a new version.

    for event in adapt(memory, root="models/en-es", store=store, runs_dir=runs, minutes=2, threads=2):
        ...   # AdaptStatus / AdaptProgress, then AdaptDone(version)

The memory (minus a held-back tenth, never trained on) is written as a corpus and fine-tuned with
``translator-app train CORPUS --from BASE`` (:mod:`.finetune`: the base's tokenizer, a low learning
rate, replay of general data; :func:`regime`: ten passes in small batches) for a bounded time, in a
**child process at low priority** (nice 19 on POSIX, BELOW_NORMAL on Windows: ``os.nice`` in a thread
would lower the whole app, and torch's thread count is per process). The base is the root model (the
bundled one) unless another is given: every version is the root fine-tuned on the whole memory as it is
then, so none is further from the root than the general limit allows (a chain of versions, each trained
from the one before, could lose up to the limit again at every link); the replay data and the general
test set always come from the root. The result is installed as a new user model ``my-en-es-vN`` (the bundled model
is never touched) and scored before anyone switches to it: chrF / BLEU on the held-back memory
entries and BLEU on the root's general test set, for the new version and for the model in use.
:func:`use_version` switches (0 = the root model), which is how a version is rolled back.
The versions and the current one are kept in the memory's own ``meta`` table. No Qt.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from translator_app.core.adapt.memory import TranslationMemory, match_key
from translator_app.core.base.cancel import Cancelled
from translator_app.core.base.child import child_command
from translator_app.core.folders.runfolder import SHIPPED_TEST_FILE, RunFolder
from translator_app.core.model.decoding import DecodeConfig

DEFAULT_THRESHOLD = 50  # new entries that start an adaptation
DEFAULT_MINUTES = 2.0
DEFAULT_THREADS = 2
HELD_BACK_EVERY = 10  # one entry in ten (by a hash of its source) is held back for scoring
HELD_BACK_MAX = 200
GENERAL_MAX = 200  # sentences of the root's general test set scored per model
# How long a memory is trained on: a few passes in small batches, validated often, whatever its size (the
# fine-tuning preset's 6,000-token batches and time budget made ~550 passes over a memory of 45 entries in
# 2 minutes; every checkpoint lost more than the general limit and no adaptation was ever kept), with more
# general data replayed than a fine-tune's half. Measured on 188 and 466 GIMP entries (benchmarks/quality.md,
# "Learning from corrections"): 10 passes of 1,500-token batches with 70 % replay kept +1.2 / +2.2 GIMP BLEU
# for -0.8 / -1.8 general; with half replayed, +1.9 for -2.0 and, on 466 entries, nothing within the limit;
# 30 passes, lr 1e-3 or lr 1e-4 did no better.
ADAPT_EPOCHS = 10
ADAPT_BATCH_TOKENS = 1500
ADAPT_WARMUP = 10
ADAPT_REPLAY = 0.7
ADAPT_LR, ADAPT_ANCHOR = 4e-4, 3.0  # as measured (the fine-tune preset's own moved on since)
_PAIRS_PER_STEP = 40  # memory + replayed pairs in one 1,500-token batch (about; for the validation interval)
_VERSIONS, _CURRENT, _ADAPTED_AT = "versions", "current_version", "adapted_at"


@dataclass(frozen=True)
class Scores:
    model: str
    held_back_bleu: float | None
    held_back_chrf: float | None
    general_bleu: float | None
    general_chrf: float | None


@dataclass(frozen=True)
class Version:
    number: int
    path: str
    created: float
    entries: int  # memory entries trained on
    base: str  # the model it was fine-tuned from
    held_back: int
    general: int
    new: Scores | None = None
    old: Scores | None = None  # the model in use when it was made

    @property
    def gain(self) -> float | None:
        """chrF gained on the held-back memory entries over the model it would replace."""
        if self.new is None or self.old is None or self.new.held_back_chrf is None:
            return None
        return round(self.new.held_back_chrf - self.old.held_back_chrf, 2)

    @property
    def general_drop(self) -> float | None:
        """BLEU lost on the general test set (positive: worse than the model it would replace)."""
        if self.new is None or self.old is None or self.new.general_bleu is None:
            return None
        return round(self.old.general_bleu - self.new.general_bleu, 2)

    def summary(self) -> str:
        parts = [f"version {self.number}: {self.entries} memory entries"]
        if self.gain is not None:
            parts.append(
                f"held-back memory chrF {self.old.held_back_chrf:.1f} → {self.new.held_back_chrf:.1f} "
                f"({self.gain:+.1f}, {self.held_back} sentences)"
            )
        if self.general_drop is not None:
            parts.append(
                f"general BLEU {self.old.general_bleu:.1f} → {self.new.general_bleu:.1f} "
                f"({-self.general_drop:+.1f}, {self.general} sentences)"
            )
        return "; ".join(parts)


@dataclass(frozen=True)
class AdaptStatus:
    message: str


@dataclass(frozen=True)
class AdaptProgress:
    fraction: float
    message: str = ""


@dataclass(frozen=True)
class AdaptDone:
    version: Version


@dataclass(frozen=True)
class AdaptSettings:
    minutes: float = DEFAULT_MINUTES
    threads: int = DEFAULT_THREADS
    replay_corpus: str | None = None  # general data to replay (default: the root model's training data)
    extra_args: tuple[str, ...] = ()  # more ``train`` flags (tests: --max-steps)
    beam: int = 1  # for the scores
    low_priority: bool = True
    python: str | None = None  # the program of the training child (None: this one, see core.base.child)


# ---- bookkeeping in the memory's meta table ------------------------------------------------------------


def version_from_dict(data: dict[str, Any]) -> Version:
    data = dict(data)
    for key in ("new", "old"):
        if data.get(key) is not None:
            data[key] = Scores(**data[key])
    return Version(**data)


def versions(memory: TranslationMemory) -> list[Version]:
    return [version_from_dict(v) for v in json.loads(memory.get_meta(_VERSIONS, "[]"))]


def current_version(memory: TranslationMemory) -> int:
    return int(memory.get_meta(_CURRENT, "0"))


def use_version(memory: TranslationMemory, number: int) -> Path | None:
    """Switch to version ``number`` (0: the root model); its folder, None for the root."""
    if number == 0:
        memory.set_meta(_CURRENT, "0")
        return None
    for v in versions(memory):
        if v.number == number:
            if not Path(v.path).is_dir():
                raise ValueError(f"version {number} is gone ({v.path} was deleted)")
            memory.set_meta(_CURRENT, str(number))
            return Path(v.path)
    known = ", ".join(str(v.number) for v in versions(memory)) or "none yet"
    raise ValueError(f"no version {number} of the {memory.pair} model (versions: {known}; 0 = the original)")


def pending(memory: TranslationMemory) -> int:
    """Entries added or changed since the last adaptation."""
    since = float(memory.get_meta(_ADAPTED_AT, "0"))
    return len(memory.entries(since=since))


def due(memory: TranslationMemory, threshold: int = DEFAULT_THRESHOLD) -> bool:
    return threshold > 0 and pending(memory) >= threshold


def split_memory(pairs: Sequence[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(training pairs, held-back pairs): one in ``HELD_BACK_EVERY`` by a stable hash of its source."""
    train, held = [], []
    for pair in pairs:
        digest = int(hashlib.sha256(match_key(pair[0]).encode("utf-8")).hexdigest()[:8], 16)
        (held if digest % HELD_BACK_EVERY == 0 and len(held) < HELD_BACK_MAX else train).append(pair)
    return train, held


def general_test(root: Path, limit: int = GENERAL_MAX) -> list[tuple[str, list[str]]]:
    from translator_app.core.text.corpus import group_references, read_corpus

    for path in (root / SHIPPED_TEST_FILE, RunFolder(root).data_file("test")):
        if path.is_file():
            pairs, _ = read_corpus(path, dedupe=False)
            sources, refs = group_references(pairs)
            return list(zip(sources, refs))[:limit]
    return []


def score(model: str | Path, held: Sequence[tuple[str, str]], general, beam: int = 1) -> Scores:
    from translator_app.core.text.metrics import corpus_scores
    from translator_app.core.translation.translator import Translator

    translator = Translator.load(model)  # no memory attached: the model's own output

    def run(sources, refs):
        if not sources:
            return None
        return corpus_scores(translator.translate_lines(list(sources), decode=DecodeConfig(beam_size=beam)), refs)

    h = run([s for s, _ in held], [[t] for _, t in held])
    g = run([s for s, _ in general], [r for _, r in general])
    return Scores(
        str(model),
        h.bleu if h else None,
        h.chrf if h else None,
        g.bleu if g else None,
        g.chrf if g else None,
    )


def _low_priority() -> dict[str, Any]:
    if os.name == "nt":
        return {"creationflags": getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0)}
    return {"preexec_fn": lambda: os.nice(19)}


def regime(entries: int) -> list[str]:
    """``train`` flags sized to a memory of ``entries`` pairs (see ADAPT_EPOCHS): about ten validations."""
    steps = round(entries / (1 - ADAPT_REPLAY) * ADAPT_EPOCHS / _PAIRS_PER_STEP)
    return [
        "--replay",
        f"{ADAPT_REPLAY:g}",
        "--max-epochs",
        str(ADAPT_EPOCHS),
        "--batch-tokens",
        str(ADAPT_BATCH_TOKENS),
        "--warmup-steps",
        str(ADAPT_WARMUP),
        "--valid-every",
        str(max(5, steps // 10)),
        "--lr",
        f"{ADAPT_LR:g}",
        "--anchor",
        f"{ADAPT_ANCHOR:g}",
    ]


def train_command(
    corpus: Path, base: Path, out: Path, name: str, settings: AdaptSettings, replay: str | None, entries: int = 0
):
    args = ["train", str(corpus), "--from", str(base), "--out", str(out)]
    cmd = child_command(args, settings.python)  # python -m translator_app, or the frozen app's binary
    cmd += ["--minutes", f"{settings.minutes:g}", "--threads", str(settings.threads), "--json", "--name", name]
    cmd += regime(entries)  # (settings.extra_args come last and win)
    if replay:
        cmd += ["--replay-corpus", replay]
    return cmd + list(settings.extra_args)


def find_replay(root: Path, explicit: str | None) -> str | None:
    from translator_app.core.train.finetune import find_replay as found_for
    from translator_app.core.train.finetune import read_base_config

    if explicit:
        return explicit
    meta = read_base_config(root).get("meta", {})
    found = found_for(root, meta, None)
    return str(found[0]) if found else None


def adapt(
    memory: TranslationMemory,
    *,
    root: str | Path,
    store: Any,
    runs_dir: str | Path,
    settings: AdaptSettings = AdaptSettings(),
    base: str | Path | None = None,
    should_stop=lambda: False,
) -> Iterator[AdaptStatus | AdaptProgress | AdaptDone]:
    """Fine-tune a new version on ``memory`` (see the module doc); ``store``: a ModelStore for the user models."""
    root = Path(root)
    base = Path(base) if base else root
    started = time.time()
    pairs = [(e.source, e.target) for e in memory.entries()[::-1]]
    train, held = split_memory(pairs)
    if len(train) < 2:
        raise ValueError(f"the {memory.pair} memory has too few entries to adapt to ({len(pairs)})")
    number = max([v.number for v in versions(memory)] + [0]) + 1
    name = f"my-{memory.pair}-v{number}"
    run = Path(runs_dir) / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    run.mkdir(parents=True, exist_ok=True)
    corpus = run / f"memory.{memory.pair}.tsv"
    from translator_app.core.text.corpus import write_tsv

    write_tsv(corpus, train)
    replay = find_replay(root, settings.replay_corpus)
    yield AdaptStatus(
        f"Adapting {base.name} on {len(train)} memory entries ({len(held)} held back"
        + (f", replaying {Path(replay).name}" if replay else ", no general data to replay")
        + f") for {settings.minutes:g} min on {settings.threads} threads"
    )
    cmd = train_command(corpus, base, run / "model", name, settings, replay, len(train))
    kwargs = _low_priority() if settings.low_priority else {}
    env = {**os.environ, "OMP_NUM_THREADS": str(settings.threads)}
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, **kwargs) as proc:
        last: dict[str, Any] = {}
        try:
            for line in proc.stdout:
                if should_stop():
                    raise Cancelled("The adaptation was cancelled; no new version was made.")
                try:
                    last = json.loads(line)
                except ValueError:
                    continue
                if last.get("event") == "Progress" and last.get("fraction") is not None:
                    yield AdaptProgress(0.8 * float(last["fraction"]), f"step {last.get('step')}")
                elif last.get("event") == "Status":
                    yield AdaptStatus(str(last.get("message")))
        except BaseException:  # cancelled, or this process is told to stop: the training stops too
            proc.terminate()
            proc.wait()
            raise
        err = proc.stderr.read()
        if proc.wait() != 0 or last.get("event") != "Finished":
            tail = " ".join(err.strip().splitlines()[-3:])
            raise RuntimeError(f"the adaptation's training failed (exit {proc.returncode}): {tail}")
    entry = store.import_bundle(run / "model", name)
    yield AdaptProgress(0.85, "scoring the new version")
    general = general_test(root)
    new = score(entry.path, held, general, settings.beam)
    old = score(base, held, general, settings.beam)
    version = Version(number, str(entry.path), started, len(train), str(base), len(held), len(general), new, old)
    memory.set_meta(_VERSIONS, json.dumps([asdict(v) for v in versions(memory)] + [asdict(version)]))
    memory.set_meta(_ADAPTED_AT, str(started))
    yield AdaptProgress(1.0, "done")
    yield AdaptDone(version)
