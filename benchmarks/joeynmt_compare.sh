#!/usr/bin/env bash
# Our trainer vs JoeyNMT 2.3.0: same data split, same SentencePiece model/vocabulary, same-size
# RNN (see joeynmt_rnn.yaml.template for what matches and what JoeyNMT cannot match), same
# batch size in tokens, same threads and the same wall-clock budget, one after the other.
#
#   benchmarks/joeynmt_compare.sh [WORKDIR]        (default WORKDIR: /tmp/joeynmt-compare)
#
# Environment: MINUTES (budget per trainer, default 10), THREADS (2), CORPUS (Tatoeba en-es),
#   VALID_EVERY (500 steps, both), JOEY_VENV (/work/joeynmt-venv), PY (our venv's python),
#   TEST_LIMIT (first N distinct test sources only, default 0 = all),
#   OURS_EXTRA (extra bench_training.py flags, e.g. "--preset tiny --vocab-size 400" to smoke-test),
#   REUSE_OURS=1 (keep WORKDIR's finished run of ours and retrain only JoeyNMT).
#
# JoeyNMT lives in its own venv (its pinned dependencies must not touch ours):
#   python3 -m venv /work/joeynmt-venv
#   /work/joeynmt-venv/bin/pip install torch==2.13.0 joeynmt==2.3.0 importlib_metadata
# (always pin torch==2.13.0: an unpinned torch pulls a multi-GB CUDA build).
#
# Budget: ours = TrainConfig.minutes, counted from the start of train() (includes reading the
# corpus and training SentencePiece); JoeyNMT = from process launch (includes its imports and
# data loading), then SIGINT: JoeyNMT catches it and saves MODEL_DIR/latest.ckpt, which is
# what we test. Test decoding (beam 5) happens after both trainings and is not in the budget.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PY:-$REPO/.venv/bin/python}
JOEY_VENV=${JOEY_VENV:-/work/joeynmt-venv}
MINUTES=${MINUTES:-10}
THREADS=${THREADS:-2}
VALID_EVERY=${VALID_EVERY:-500}
CORPUS=${CORPUS:-$REPO/../shared/corpora/tatoeba.en-es.tsv}
OURS_EXTRA=${OURS_EXTRA:-}
TEST_LIMIT=${TEST_LIMIT:-0}
WORK=${1:-/tmp/joeynmt-compare}
SECONDS_BUDGET=$(awk "BEGIN { print int($MINUTES * 60) }")

if [ ! -x "$JOEY_VENV/bin/python" ] || ! "$JOEY_VENV/bin/python" -c "import joeynmt" 2>/dev/null; then
    echo "JoeyNMT is not installed in $JOEY_VENV; see the top of $0" >&2
    exit 2
fi
export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS
mkdir -p "$WORK"
rm -rf "$WORK/joey-data" "$WORK/joey-model" "$WORK"/joey-hyps.*
if [ "${REUSE_OURS:-0}" = 1 ] && [ -e "$WORK/ours.json" ] && [ -e "$WORK/ours/weights.pt" ]; then
    echo "== reusing our finished run in $WORK/ours (REUSE_OURS=1)"
else
    rm -rf "$WORK/ours"
    echo "== $(date -u +%H:%M:%S) ours: $MINUTES min, $THREADS threads, $CORPUS"
    # shellcheck disable=SC2086
    "$PY" "$REPO/benchmarks/bench_training.py" --corpus "$CORPUS" --sizes full --minutes "$MINUTES" \
        --threads "$THREADS" --valid-every "$VALID_EVERY" --out "$WORK/ours" --json "$WORK/ours.json" $OURS_EXTRA \
        | tee "$WORK/ours.log"
fi

echo "== $(date -u +%H:%M:%S) JoeyNMT data and configs from our run"
"$PY" "$REPO/benchmarks/joeynmt_prepare.py" "$WORK/ours" "$WORK/joey-data" --model-dir "$WORK/joey-model" \
    --valid-every "$VALID_EVERY" --test-limit "$TEST_LIMIT"

echo "== $(date -u +%H:%M:%S) JoeyNMT: $MINUTES min ($SECONDS_BUDGET s), $THREADS threads"
rc=0
timeout -s INT -k 180 "$SECONDS_BUDGET" "$JOEY_VENV/bin/python" -m joeynmt train \
    "$WORK/joey-data/joeynmt_train.yaml" --skip-test > "$WORK/joey-train.out" 2>&1 || rc=$?
echo "JoeyNMT training exit status $rc (124 = stopped by the budget, as intended)"
grep -E "Total params|Interrupt at|Evaluation result" "$WORK/joey-model/train.log" || true
tail -n 3 "$WORK/joey-model/train.log" || true
if [ ! -e "$WORK/joey-model/latest.ckpt" ]; then
    echo "JoeyNMT wrote no checkpoint; see $WORK/joey-train.out" >&2
    tail -n 30 "$WORK/joey-train.out" >&2
    exit 1
fi

echo "== $(date -u +%H:%M:%S) JoeyNMT test decoding (beam 5, latest.ckpt)"
t0=$(date +%s.%N)
"$JOEY_VENV/bin/python" -m joeynmt test "$WORK/joey-data/joeynmt_test.yaml" --output-path "$WORK/joey-hyps" \
    > "$WORK/joey-test.out" 2>&1 || { tail -n 30 "$WORK/joey-test.out" >&2; exit 1; }
decode_s=$(awk "BEGIN { print $(date +%s.%N) - $t0 }")

echo "== $(date -u +%H:%M:%S) our test decoding and the comparison"
"$PY" "$REPO/benchmarks/joeynmt_report.py" --ours-json "$WORK/ours.json" --ours-run "$WORK/ours" \
    --joey-dir "$WORK/joey-model" --joey-data "$WORK/joey-data" --joey-hyps "$WORK/joey-hyps.test" \
    --joey-decode-s "$decode_s" --budget-min "$MINUTES" --json "$WORK/compare.json" | tee "$WORK/compare.txt"
echo "== $(date -u +%H:%M:%S) done; everything is in $WORK"
