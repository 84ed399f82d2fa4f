#!/usr/bin/env bash
# Recipe of the bundled default model models/en-es (run with `make default-model`).
# Trains on the shared Tatoeba en-es corpus for 60 minutes on the CPU, evaluates on the
# run's own held-out test split (split by distinct English sentence), and installs the
# best checkpoint into models/en-es with fp16 weights.
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/corpora/tatoeba.en-es.tsv}
RUN=${RUN:-runs/en-es-default}
MINUTES=${MINUTES:-60}
THREADS=${THREADS:-2}

translator-app train "$CORPUS" --out "$RUN" --preset small --minutes "$MINUTES" --threads "$THREADS" \
    --name "English → Spanish (Tatoeba)"
translator-app evaluate --model "$RUN" "$RUN/data/test.tsv" --beam 5 | tee "$RUN/test-scores.txt"
python - "$RUN" models/en-es <<'PY'
import json, shutil, sys
from pathlib import Path
from translator_app.core.checkpoint import load_bundle, save_bundle

run, dest = Path(sys.argv[1]), Path(sys.argv[2])
bundle = load_bundle(run)
scores = (run / "test-scores.txt").read_text(encoding="utf-8")
meta = dict(bundle.meta, test_scores=scores.strip().splitlines()[1:], corpus="tatoeba.en-es.tsv (shared corpora)")
tmp = dest.with_name(dest.name + ".new")
shutil.rmtree(tmp, ignore_errors=True)
save_bundle(tmp, bundle.model_config, bundle.tokenizers, bundle.state_dict, meta, half=True)
shutil.copy(run / "data" / "test.tsv", tmp / "test.tsv")
old = dest.with_name(dest.name + ".old")
if dest.exists():
    dest.rename(old)
tmp.rename(dest)
shutil.rmtree(old, ignore_errors=True)
print(f"installed {dest} ({sum(f.stat().st_size for f in dest.iterdir()) / 1e6:.1f} MB)")
PY
