#!/usr/bin/env bash
# All benchmarks, strictly one after the other (never two at once: the numbers must be clean).
#
#   benchmarks/run_all.sh
#
# Environment: MODEL (bundle, default models/en-es), TEST (default MODEL/test.tsv),
#   MINUTES (JoeyNMT comparison budget per trainer, default 10), TRAIN_STEPS (bench_training
#   steps per corpus size, default 100), FILE_LINES (file-translation lines, 1000), TEST_LIMIT
#   (JoeyNMT comparison: first N test sources, 0 = all), OUT (results folder, default benchmarks/results),
#   WAIT_FOR (a pgrep -f pattern: wait until no such process runs before starting).
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PY:-$REPO/.venv/bin/python}
MODEL=${MODEL:-$REPO/models/en-es}
TEST=${TEST:-$MODEL/test.tsv}
MINUTES=${MINUTES:-10}
TRAIN_STEPS=${TRAIN_STEPS:-100}
FILE_LINES=${FILE_LINES:-1000}
TEST_LIMIT=${TEST_LIMIT:-0}
OUT=${OUT:-$REPO/benchmarks/results}
WORK=${WORK:-/tmp/joeynmt-compare}
mkdir -p "$OUT"

if [ -n "${WAIT_FOR:-}" ]; then
    while pgrep -f "$WAIT_FOR" > /dev/null; do sleep 10; done
fi

machine() {  # what else runs: the numbers are only as clean as the machine
    echo "-- $(date -u +%H:%M:%S) load average: $(cut -d' ' -f1-3 /proc/loadavg); busiest processes:"
    ps -eo pcpu,etime,args --sort=-pcpu | head -n 4 | cut -c1-150
}

machine | tee "$OUT/machine.txt"
"$PY" "$REPO/benchmarks/bench_translate.py" --model "$MODEL" --test "$TEST" --json "$OUT/translate.json" \
    --file-lines "$FILE_LINES" \
    2> "$OUT/translate.stderr" | tee "$OUT/translate.txt"

machine | tee -a "$OUT/machine.txt"
"$PY" "$REPO/benchmarks/bench_training.py" --steps "$TRAIN_STEPS" --json "$OUT/training.json" \
    | tee "$OUT/training.txt"
machine | tee -a "$OUT/machine.txt"
MINUTES=$MINUTES TEST_LIMIT=$TEST_LIMIT "$REPO/benchmarks/joeynmt_compare.sh" "$WORK" 2>&1 | tee "$OUT/joeynmt_compare.txt"
cp "$WORK/compare.json" "$OUT/joeynmt_compare.json" 2>/dev/null
grep -E "Tokens per Sec|Evaluation result|Interrupt|Total params" "$WORK/joey-model/train.log" \
    > "$OUT/joeynmt_train_log_excerpt.txt" 2>/dev/null

machine | tee -a "$OUT/machine.txt"
