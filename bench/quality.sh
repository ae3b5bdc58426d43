#!/usr/bin/env bash
# The quality suite (issue 12): FedTT, FedTT+ and federated LoRA on every task of examples/quality/,
# for each learning rate and seed, then one table, CSV and plot (bench/quality_report.py).
#
#   bench/quality.sh                                  # the full default suite (about 1.7 h on 2 cores, see BENCHMARKS.md)
#   TASKS="spam sotu" LRS="default 5e-3" SEEDS=1 bench/quality.sh     # a part of it
#
# Each run is `./fedtt simulate examples/quality/<task>.yaml --compare fedtt,fedttplus,lora
# --learning-rate LR --seed S --rounds R --local-steps K --eval-examples N --out OUT/<task>/lr-LR/seed-S`;
# LR "default" runs without --learning-rate, so the method-aware default applies.
# Resumable: a run whose results.json says "succeeded" is skipped, so rerunning after an interruption
# (or with more SEEDS/LRS) only does what is missing. Knobs, by environment:
#   TASKS          default "spam wordnet fortunes sotu" (manifests $MANIFESTS/<task>.yaml)
#   MANIFESTS      default examples/quality (a directory of edited copies runs a variant of the method)
#   LRS            default "default 5e-4 1e-3 5e-3"
#   SEEDS          default "1 2"
#   METHODS        default "fedtt,fedttplus,lora"
#   ROUNDS         default 3      (overrides the manifests' spec.rounds.total)
#   LOCAL_STEPS    default 8      (overrides spec.rounds.localSteps)
#   EVAL_EXAMPLES  default 300    (held-out examples evaluated; the manifests say 300 too)
#   THREADS        default unset  (passed as --threads when set; 1 wins when other processes share the cores)
#   ENCODING       default unset  (passed as --encoding when set: float32, float16, bfloat16 or int8, every method alike)
#   LOGIT_ADJUSTMENT default unset (passed as --logit-adjustment when set: tau, 0 = off; unset = the manifests' default)
#   OUT            default bench/out/quality
#   NICE           default 0      (e.g. NICE=15 runs every simulate under nice -n 15)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

TASKS="${TASKS:-spam wordnet fortunes sotu}"
MANIFESTS="${MANIFESTS:-examples/quality}"
LRS="${LRS:-default 5e-4 1e-3 5e-3}"
SEEDS="${SEEDS:-1 2}"
METHODS="${METHODS:-fedtt,fedttplus,lora}"
ROUNDS="${ROUNDS:-3}"
LOCAL_STEPS="${LOCAL_STEPS:-8}"
EVAL_EXAMPLES="${EVAL_EXAMPLES:-300}"
THREADS="${THREADS:-}"
LOGIT_ADJUSTMENT="${LOGIT_ADJUSTMENT:-}"
ENCODING="${ENCODING:-}"
OUT="${OUT:-$root/bench/out/quality}"
NICE="${NICE:-0}"

for t in $TASKS; do
  [ -f "$MANIFESTS/$t.yaml" ] || { echo "quality.sh: no manifest $MANIFESTS/$t.yaml" >&2; exit 2; }
done
mkdir -p "$OUT"
./fedtt --version >/dev/null   # build once, outside the timed runs

. "$root/bench/runs.sh"   # succeeded
hms() { printf '%02d:%02d:%02d' $(($1 / 3600)) $(($1 % 3600 / 60)) $(($1 % 60)); }

total=0
for s in $SEEDS; do for t in $TASKS; do for lr in $LRS; do total=$((total + 1)); done; done; done
start=$(date +%s)
n=0; ran=0; skipped=0; failed=0
# seeds outermost: after the first seed's pass every task and rate has one result
for s in $SEEDS; do
  for t in $TASKS; do
    for lr in $LRS; do
      n=$((n + 1))
      dir="$OUT/$t/lr-$lr/seed-$s"
      tag="[$n/$total] $t lr=$lr seed=$s"
      if succeeded "$dir/results.json"; then
        echo "$tag: done before, skipped (elapsed $(hms $(( $(date +%s) - start ))))"
        skipped=$((skipped + 1))
        continue
      fi
      mkdir -p "$dir"
      args=(simulate "$MANIFESTS/$t.yaml" --compare "$METHODS" --seed "$s" --rounds "$ROUNDS"
            --local-steps "$LOCAL_STEPS" --eval-examples "$EVAL_EXAMPLES" --out "$dir")
      [ "$lr" = default ] || args+=(--learning-rate "$lr")
      [ -z "$THREADS" ] || args+=(--threads "$THREADS")
      [ -z "$LOGIT_ADJUSTMENT" ] || args+=(--logit-adjustment "$LOGIT_ADJUSTMENT")
      [ -z "$ENCODING" ] || args+=(--encoding "$ENCODING")
      printf '{"task": "%s", "manifest": "%s", "learningRate": "%s", "seed": %s, "rounds": %s, "localSteps": %s, "evalExamples": %s, "logitAdjustment": "%s", "encoding": "%s"}\n' \
        "$t" "$MANIFESTS/$t.yaml" "$lr" "$s" "$ROUNDS" "$LOCAL_STEPS" "$EVAL_EXAMPLES" "${LOGIT_ADJUSTMENT:-default}" "${ENCODING:-default}" > "$dir/run.json"
      echo "$tag: ./fedtt ${args[*]}"
      t0=$(date +%s)
      if nice -n "$NICE" ./fedtt "${args[@]}" > "$dir/run.log" 2>&1; then
        ran=$((ran + 1)); what="done"
      else
        failed=$((failed + 1)); what="FAILED (exit $?, see $dir/run.log)"
      fi
      now=$(date +%s)
      echo "$tag: $what in $((now - t0)) s (elapsed $(hms $((now - start))))"
    done
  done
done
echo "quality.sh: $ran run, $skipped skipped, $failed failed in $(hms $(( $(date +%s) - start )))"
python3 bench/quality_report.py "$OUT"
[ "$failed" -eq 0 ]
