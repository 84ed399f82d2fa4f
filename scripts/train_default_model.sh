#!/usr/bin/env bash
# Recipe of the bundled default models (run with `make default-model [DIRECTION=es-en]`).
#
# Trains on the broad corpus built by `make corpus` (data/corpus/en-es.tsv; for es-en the same
# pairs with the columns swapped), with entity augmentation, protected-span placeholders and
# copy attention, for MINUTES on the CPU (or DEVICE=cuda), evaluates the fp16 bundle on the
# run's own held-out test split, adds its replay set (REPLAY_PAIRS sampled training pairs,
# scripts/add_replay_set.py), and installs it into models/$DIRECTION.
# An interrupted run continues where it stopped: the recipe passes --resume.
set -euo pipefail
cd "$(dirname "$0")/.."
DIRECTION=${DIRECTION:-en-es}
SRC=${DIRECTION%-*}
TGT=${DIRECTION#*-}
BASE_CORPUS=${BASE_CORPUS:-data/corpus/en-es.tsv}
RUN=${RUN:-runs/default-$DIRECTION}
MINUTES=${MINUTES:-60}
THREADS=${THREADS:-0}  # 0: measured as the run goes (core/base/threads.py)
PRESET=${PRESET:-small}
VOCAB=${VOCAB:-8000}
AUGMENT=${AUGMENT:-0.3}
DEVICE=${DEVICE:-cpu}
AMP=${AMP:-bf16}  # bf16 autocast: 1.25x faster on AVX512-BF16 CPUs (benchmarks/README.md)
DEST=${DEST:-models/$DIRECTION}
# FROM=models/en-es: a new chunk of training on top of a bundle when RUN has no checkpoint (the
# checkpoint of the previous chunk is gone): its weights, a fresh optimiser, a short warm-up, the
# learning rate falling linearly to the end of MINUTES; the same split as a run from scratch
FROM=${FROM:-}
CONTINUE=()
if [ -n "$FROM" ] && [ ! -e "$RUN/checkpoint.pt" ]; then
    CONTINUE=(--from "$FROM" --replay 0 --valid-size 1000 --test-size 2000 --lr "${LR:-1e-3}" --warmup-steps 200
        --schedule linear --batch-tokens "${BATCH_TOKENS:-6000}" --max-general-drop 100)
fi
declare -A NAMES=([en]=English [es]=Spanish)

if [ ! -s "$BASE_CORPUS" ]; then
    echo "no corpus at $BASE_CORPUS: run 'make corpus' first" >&2
    exit 1
fi
CORPUS="$BASE_CORPUS"
if [ "$DIRECTION" = "es-en" ]; then  # the same pairs, columns swapped; the file name carries the direction
    mkdir -p "$RUN"
    CORPUS="$RUN/corpus.es-en.tsv"
    [ -s "$CORPUS" ] || awk -F'\t' 'BEGIN { OFS = "\t" } { print $2, $1 }' "$BASE_CORPUS" > "$CORPUS"
fi

translator-app train "$CORPUS" --out "$RUN" --preset "$PRESET" --vocab-size "$VOCAB" --augment "$AUGMENT" \
    --keep-duplicates --minutes "$MINUTES" --threads "$THREADS" --device "$DEVICE" --amp "$AMP" --resume "${CONTINUE[@]}" \
    --name "${NAMES[$SRC]:-$SRC} → ${NAMES[$TGT]:-$TGT} (broad)"

# ship fp16 weights (half the size); score the bundle that ships, not the fp32 run
NEW="$DEST.new"
python - "$RUN" "$NEW" "$BASE_CORPUS" <<'PY'
import json, shutil, sys
from pathlib import Path
from translator_app.core.model.checkpoint import load_bundle, save_bundle

run, tmp, corpus = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
bundle = load_bundle(run)
manifest = corpus.parent / "manifest.json"
meta = dict(bundle.meta, corpus=corpus.name)
meta.pop("finetune", None)  # a chunk on top of a bundle (FROM=) is general training, not a domain fine-tune
meta.pop("run", None)  # local paths stay out of a shipped bundle
if isinstance(meta.get("parent"), dict):
    meta["parent"].pop("path", None)
if manifest.exists():  # the bundle says what it was trained on
    meta["corpus_manifest"] = json.loads(manifest.read_text(encoding="utf-8"))
shutil.rmtree(tmp, ignore_errors=True)
save_bundle(tmp, bundle.model_config, bundle.tokenizers, bundle.state_dict, meta, half=True)
shutil.copy(run / "data" / "test.tsv", tmp / "test.tsv")
PY
if [ -n "$FROM" ] && [ -s "$FROM/test.tsv" ]; then  # the test split the model has always been scored on
    cp "$FROM/test.tsv" "$NEW/test.tsv"
fi
# how much training the bundle holds, chunk by chunk (meta["training"])
python scripts/record_training.py "$NEW" ${FROM:+--base "$FROM"} --device "$DEVICE, threads ${THREADS/#0/auto}" \
    --trainer "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
# the replay set: a sample of the training pairs that fine-tuning mixes in (an installed app has no corpus)
python scripts/add_replay_set.py "$NEW" "$BASE_CORPUS" --pairs "${REPLAY_PAIRS:-40000}"
translator-app evaluate --model "$NEW" "$NEW/test.tsv" --beam 5 | tee "$RUN/test-scores.txt"
python - "$RUN" "$NEW" "$DEST" <<'PY'
import shutil, sys
from pathlib import Path
from translator_app.core.model.checkpoint import load_bundle, save_bundle

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
