"""Average the weights of model bundles of one architecture and tokenizer into a new bundle.

    python scripts/average_bundles.py OUT A B [C ...]          # the plain mean (checkpoint averaging)
    python scripts/average_bundles.py OUT A:0.3 B:0.7          # weighted: 0.3 * A + 0.7 * B

Two uses (issue #28 item 5, issue #33): averaging the ends of successive training chunks of one model, and
interpolating a fine-tuned model with its base (weight-space ensembling, "WiSE-FT", Wortsman et al. 2022),
which trades in-domain gain against what the base knew more smoothly than stopping early. The bundles must
share the model configuration and the tokenizer (same SHA-256 in config.json); weights are read with
``load_bundle`` (``weights_only``) like any untrusted model. The new bundle takes the first bundle's
tokenizer, replay set and test split and its ``meta`` with an ``averaged`` record (names and weights) added;
``--half`` stores fp16 weights as the bundled models do.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from translator_app.core.folders.bundlemeta import read_config  # noqa: E402
from translator_app.core.folders.filenames import REPLAY_FILE  # noqa: E402
from translator_app.core.model.checkpoint import load_bundle, save_bundle  # noqa: E402
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


def average(out: Path, specs: list[tuple[Path, float | None]], half: bool = False) -> dict:
    """Write the weighted mean of ``specs``' weights to ``out``; returns the ``averaged`` record."""
    if len(specs) < 2:
        raise ValueError("give at least two bundles")
    given = [w for _, w in specs if w is not None]
    if given and len(given) != len(specs):
        raise ValueError("give a weight to every bundle or to none")
    weights = [w for _, w in specs] if given else [1.0 / len(specs)] * len(specs)
    if any(w < 0 for w in weights) or abs(sum(weights) - 1.0) > 1e-6:
        raise ValueError(f"the weights must be ≥ 0 and add up to 1 (they add up to {sum(weights):g})")
    configs = [read_config(path) for path, _ in specs]
    for (path, _), cfg in zip(specs[1:], configs[1:], strict=True):
        if cfg.get("model") != configs[0].get("model"):
            raise ValueError(f"{path}: another model configuration than {specs[0][0]}")
        if cfg.get("tokenizer", {}).get("sha256") != configs[0].get("tokenizer", {}).get("sha256"):
            raise ValueError(f"{path}: another tokenizer than {specs[0][0]}")
    bundles = [load_bundle(path) for path, _ in specs]
    first = bundles[0]
    state = weighted_mean([b.state_dict for b in bundles], weights)
    record = {"bundles": [path.name for path, _ in specs], "weights": [round(w, 6) for w in weights]}
    meta = dict(first.meta, averaged=record)
    meta.pop("run", None)  # not the run folder of any one of them
    meta.pop("metrics", None)  # its validation scores were not measured on these weights
    save_bundle(out, first.model_config, first.tokenizers, state, meta, half=half)
    for name in SHIPPED_EXTRA:
        if (specs[0][0] / name).is_file():
            shutil.copyfile(specs[0][0] / name, out / name)
    return record


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="the new bundle's folder (must not exist)")
    ap.add_argument("bundles", nargs="+", help="bundle folders, each optionally FOLDER:WEIGHT")
    ap.add_argument("--half", action="store_true", help="store fp16 weights")
    args = ap.parse_args(argv)
    if args.out.exists():
        ap.error(f"{args.out} exists; give a new folder")
    try:
        record = average(args.out, [parse(s) for s in args.bundles], half=args.half)
    except (ValueError, OSError) as exc:
        shutil.rmtree(args.out, ignore_errors=True)
        print(f"average_bundles: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: " + ", ".join(f"{w:g} x {b}" for b, w in zip(record["bundles"], record["weights"])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
