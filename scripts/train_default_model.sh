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
# ship fp16 weights (half the size); score the bundle that ships, not the fp32 run
NEW=models/en-es.new
python - "$RUN" "$NEW" <<'PY'
import shutil, sys
from pathlib import Path
from translator_app.core.checkpoint import load_bundle, save_bundle

run, tmp = Path(sys.argv[1]), Path(sys.argv[2])
bundle = load_bundle(run)
shutil.rmtree(tmp, ignore_errors=True)
save_bundle(tmp, bundle.model_config, bundle.tokenizers, bundle.state_dict,
            dict(bundle.meta, corpus="tatoeba.en-es.tsv (shared corpora)"), half=True)
shutil.copy(run / "data" / "test.tsv", tmp / "test.tsv")
PY
translator-app evaluate --model "$NEW" "$NEW/test.tsv" --beam 5 | tee "$RUN/test-scores.txt"
python - "$RUN" "$NEW" models/en-es <<'PY'
import shutil, sys
from pathlib import Path
from translator_app.core.checkpoint import load_bundle, save_bundle

run, tmp, dest = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
bundle = load_bundle(tmp)  # fp16 -> fp16 again: the weights do not change, only the metadata
scores = (run / "test-scores.txt").read_text(encoding="utf-8")
save_bundle(tmp, bundle.model_config, bundle.tokenizers, bundle.state_dict,
            dict(bundle.meta, test_scores=scores.strip().splitlines()[1:]), half=True)
old = dest.with_name(dest.name + ".old")
if dest.exists():
    dest.rename(old)
tmp.rename(dest)
shutil.rmtree(old, ignore_errors=True)
print(f"installed {dest} ({sum(f.stat().st_size for f in dest.iterdir()) / 1e6:.1f} MB)")
PY
