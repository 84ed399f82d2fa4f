"""Average the weights of model bundles of one architecture and tokenizer into a new bundle.

    python scripts/average_bundles.py OUT A B [C ...]          # the plain mean (checkpoint averaging)
    python scripts/average_bundles.py OUT A:0.3 B:0.7          # weighted: 0.3 * A + 0.7 * B
    python scripts/average_bundles.py OUT --like RUN RUN/checkpoint.pt snap-1.pt snap-2.pt   # training checkpoints

Two uses (issue #28 item 5, issue #33): averaging the ends of successive training chunks of one model, and
interpolating a fine-tuned model with its base (weight-space ensembling, "WiSE-FT", Wortsman et al. 2022),
which trades in-domain gain against what the base knew more smoothly than stopping early. The bundles must
share the model configuration and the tokenizer (same SHA-256 in config.json); weights are read with
``load_bundle`` (``weights_only``) like any untrusted model. The new bundle takes the first bundle's
tokenizer, replay set and test split and its ``meta`` with an ``averaged`` record (names and weights) added;
``--half`` stores fp16 weights as the bundled models do. A training checkpoint (``checkpoint.pt``, or a copy of
it taken during the run) counts as the model weights it holds; its configuration, tokenizer and ``meta`` are
those of the bundle ``--like`` names (the run folder it came from), which is checked to hold the same tensors.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from translator_app.core.folders.bundlemeta import read_config  # noqa: E402
from translator_app.core.folders.filenames import REPLAY_FILE  # noqa: E402
from translator_app.core.model.checkpoint import Bundle, load_bundle, load_train_state, save_bundle  # noqa: E402
from translator_app.core.train.blend import weighted_mean  # noqa: E402

SHIPPED_EXTRA = (REPLAY_FILE, "test.tsv")  # copied from the first bundle when it has them


def parse(spec: str) -> tuple[Path, float | None]:
    path, sep, weight = spec.rpartition(":")
    if sep and path and not Path(spec).exists():
        try:
            return Path(path), float(weight)
        except ValueError:
            pass
    return Path(spec), None


def from_checkpoint(path: Path, like: Bundle, loaded: dict | None = None) -> Bundle:
    """``like`` with the weights of the training checkpoint ``path`` (the same names and shapes);
    ``loaded``: the checkpoint when the caller has read it already."""
    state = (loaded if loaded is not None else load_train_state(path))["model"]
    if not isinstance(state, dict) or {k: tuple(v.shape) for k, v in state.items()} != {
        k: tuple(v.shape) for k, v in like.state_dict.items()
    }:
        raise ValueError(f"{path}: not a checkpoint of the model in {like.path} (other tensors)")
    return replace(like, path=path, state_dict=state)


def _weights(specs: list[tuple[Path, float | None]]) -> list[float]:
    given = [w for _, w in specs if w is not None]
    if given and len(given) != len(specs):
        raise ValueError("give a weight to every bundle or to none")
    weights = [w for _, w in specs] if given else [1.0 / len(specs)] * len(specs)
    if any(w < 0 for w in weights) or abs(sum(weights) - 1.0) > 1e-6:
        raise ValueError(f"the weights must be ≥ 0 and add up to 1 (they add up to {sum(weights):g})")
    return weights


def _check_alike(folders: list[Path]) -> None:
    configs = [read_config(path) for path in folders]
    for path, cfg in zip(folders[1:], configs[1:], strict=True):
        if cfg.get("model") != configs[0].get("model"):
            raise ValueError(f"{path}: another model configuration than {folders[0]}")
        if cfg.get("tokenizer", {}).get("sha256") != configs[0].get("tokenizer", {}).get("sha256"):
            raise ValueError(f"{path}: another tokenizer than {folders[0]}")


def average(out: Path, specs: list[tuple[Path, float | None]], half: bool = False, like: Path | None = None) -> dict:
    """Write the weighted mean of ``specs``' weights to ``out``; returns the ``averaged`` record. A spec that is
    a file is a training checkpoint of the bundle ``like``, which also gives the configuration and ``meta``."""
    if len(specs) < 2:
        raise ValueError("give at least two bundles")
    weights = _weights(specs)
    checkpoints = any(path.is_file() for path, _ in specs)
    if checkpoints and like is None:
        raise ValueError("training checkpoints need --like BUNDLE (the run folder they come from)")
    first_dir = like if checkpoints else specs[0][0]
    assert first_dir is not None
    _check_alike([first_dir, *(path for path, _ in specs if not path.is_file())])
    first = load_bundle(first_dir)
    bundles = [from_checkpoint(path, first) if path.is_file() else load_bundle(path) for path, _ in specs]
    state = weighted_mean([b.state_dict for b in bundles], weights)
    record = {"bundles": [path.name for path, _ in specs], "weights": [round(w, 6) for w in weights]}
    meta = dict(first.meta, averaged=record)
    meta.pop("run", None)  # not the run folder of any one of them
    meta.pop("metrics", None)  # its validation scores were not measured on these weights
    save_bundle(out, first.model_config, first.tokenizers, state, meta, half=half)
    for name in SHIPPED_EXTRA:
        if (first_dir / name).is_file():
            shutil.copyfile(first_dir / name, out / name)
    return record


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="the new bundle's folder (must not exist)")
    ap.add_argument("bundles", nargs="+", help="bundle folders or training checkpoints, each optionally PATH:WEIGHT")
    ap.add_argument("--half", action="store_true", help="store fp16 weights")
    ap.add_argument("--like", type=Path, help="the bundle (run folder) whose training checkpoints are given")
    args = ap.parse_args(argv)
    if args.out.exists():
        ap.error(f"{args.out} exists; give a new folder")
    try:
        record = average(args.out, [parse(s) for s in args.bundles], half=args.half, like=args.like)
    except (ValueError, OSError) as exc:
        shutil.rmtree(args.out, ignore_errors=True)
        print(f"average_bundles: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: " + ", ".join(f"{w:g} x {b}" for b, w in zip(record["bundles"], record["weights"])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
