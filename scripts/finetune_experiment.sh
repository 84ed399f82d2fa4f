#!/usr/bin/env bash
# Issue 15: what fine-tuning buys on a new domain (GIMP help), and what it costs on the general one.
#
#   scripts/finetune_experiment.sh            # ~25 min of training + scoring on 2 threads; give it the CPU
#
# Trains, on the GIMP help pairs of scripts/build_gimp_domain.py (data/gimp/train.en-es.tsv):
#   ft$SHORT      models/en-es fine-tuned for $SHORT minutes (preset "finetune", replay share $REPLAY or the default)
#   ft$LONG       models/en-es fine-tuned for $LONG minutes
#   scratch$LONG  a new model (preset small) trained for $LONG minutes on the same pairs, no general data
# then scores base / ft$SHORT / ft$LONG / scratch$LONG with benchmarks/quality.py (beam 5, int8) on the
# held-out GIMP pages (data/gimp/test.en-es.tsv) and on the general Tatoeba test set
# (benchmarks/dev/tatoeba-test.en-es.tsv), into $OUT/results.md and $OUT/results.json.
#
# Every run passes --resume: an interrupted script continues where it stopped (the time budget counts
# the minutes already trained). FORCE=1 deletes the runs and starts again. MINUTES_SHORT/MINUTES_LONG
# shorten the budgets (e.g. 0.1 for a smoke test), LIMIT=N scores only N sentences per set, SCRATCH=0
# leaves out the from-scratch run (it does not depend on the base model).
#
# Replay: the fine-tuning runs mix in general pairs from the base model's own training data when its
# metadata names its run folder (bundles trained since issue 15 do); otherwise give REPLAY_CORPUS
# (e.g. runs/default-en-es for the broad model, or ../shared/corpora/tatoeba.en-es.tsv for the
# Tatoeba one: sentences of the general dev set are never replayed).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE=${BASE:-models/en-es}
DOMAIN=${DOMAIN:-data/gimp/train.en-es.tsv}
DOMAIN_TEST=${DOMAIN_TEST:-data/gimp/test.en-es.tsv}
GENERAL_TEST=${GENERAL_TEST:-benchmarks/dev/tatoeba-test.en-es.tsv}
OUT=${OUT:-runs/finetune-gimp}
SHORT=${MINUTES_SHORT:-5}
LONG=${MINUTES_LONG:-10}
THREADS=${THREADS:-2}
REPLAY=${REPLAY:-}  # empty: the fine-tuning default (core/train/finetune.py DEFAULT_REPLAY_SHARE)
REPLAY_CORPUS=${REPLAY_CORPUS:-}
LIMIT=${LIMIT:-0}
BIN=${BIN:-.venv/bin}

for f in "$DOMAIN" "$DOMAIN_TEST" "$GENERAL_TEST" "$BASE/config.json"; do
    [ -s "$f" ] || { echo "missing $f (the GIMP sets come from: $BIN/python scripts/build_gimp_domain.py)" >&2; exit 1; }
done
[ -n "${FORCE:-}" ] && rm -rf "$OUT"
mkdir -p "$OUT"
replay=()
[ -n "$REPLAY" ] && replay+=(--replay "$REPLAY")
if [ -n "$REPLAY_CORPUS" ]; then
    replay+=(--replay-corpus "$REPLAY_CORPUS")
elif ! grep -q '"run":' "$BASE/config.json"; then
    echo "note: $BASE does not record its run folder: no general data is replayed unless REPLAY_CORPUS is set" >&2
fi
short=ft${SHORT}
long=ft${LONG}
scratch=scratch${LONG}

train() {  # NAME ARGS...: one run, its log beside it
    local name=$1
    shift
    echo "== $name: $*" | tee "$OUT/$name.log"
    "$BIN/translator-app" train "$DOMAIN" --out "$OUT/$name" --threads "$THREADS" --resume --name "$name" "$@" \
        2>&1 | tee -a "$OUT/$name.log"
}

train "$short" --from "$BASE" --minutes "$SHORT" "${replay[@]}"
train "$long" --from "$BASE" --minutes "$LONG" "${replay[@]}"
models=(--model "$BASE" --model "$OUT/$short" --model "$OUT/$long")
if [ "${SCRATCH:-1}" != 0 ]; then  # SCRATCH=0: skip it (it does not depend on the base model)
    train "$scratch" --preset small --minutes "$LONG"
    models+=(--model "$OUT/$scratch")
fi

"$BIN/python" benchmarks/quality.py "${models[@]}" --sets "$DOMAIN_TEST" "$GENERAL_TEST" --beam 5 --threads "$THREADS" \
    --limit "$LIMIT" --md "$OUT/results.md" --json "$OUT/results.json"
echo "results in $OUT/results.md"
