#!/usr/bin/env bash
# Cross-device drift (issue 12): examples/cross-device.yaml with a held-out evaluation after every round,
# run with several server-side settings on the same data, seed and schedule. Each variant differs from
# the example only in spec.method / spec.rounds.learningRateDecay (written to a temporary manifest).
#   bench/cross-device-drift.sh [VARIANT ...]     (default: all; variants below)
#   FEDTT_BENCH_OUT=DIR  FEDTT_THREADS=N  FEDTT_EVAL_EXAMPLES=N   (defaults: bench/out/drift, 1, the example's 400)
# Prints each run's per-round held-out accuracy and loss from its results.json.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${FEDTT_BENCH_OUT:-$root/bench/out/drift}"
threads="${FEDTT_THREADS:-1}"
mkdir -p "$out"
./fedtt --version >/dev/null   # build once, outside the timed runs

method_of() {
  case "$1" in
    fedavg-constant)      echo 'method: {algorithm: FedTT}|constant' ;;
    fedavg-cosine)        echo 'method: {algorithm: FedTT}|cosine' ;;
    fedavgm-prox-constant) echo 'method: {algorithm: FedTT, serverOptimizer: {type: fedavgm}, proximalMu: 0.01}|constant' ;;
    fedadam-prox-constant) echo 'method: {algorithm: FedTT, serverOptimizer: {type: fedadam}, proximalMu: 0.01}|constant' ;;
    fedadam-prox-cosine)  echo 'method: {algorithm: FedTT, serverOptimizer: {type: fedadam}, proximalMu: 0.01}|cosine' ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}

variants=("$@")
[ ${#variants[@]} -gt 0 ] || variants=(fedavg-constant fedavg-cosine fedadam-prox-constant fedavgm-prox-constant fedadam-prox-cosine)
for v in "${variants[@]}"; do
  spec="$(method_of "$v")"
  method="${spec%|*}"; decay="${spec#*|}"
  manifest="$out/$v.yaml"
  sed -e "s/method: {algorithm: FedTT}/$method/" \
      -e "s/evaluateEvery: 5}/evaluateEvery: 1, learningRateDecay: $decay}/" examples/cross-device.yaml > "$manifest"
  extra=()
  [ -n "${FEDTT_EVAL_EXAMPLES:-}" ] && extra+=(--eval-examples "$FEDTT_EVAL_EXAMPLES")
  echo "== $v: ./fedtt simulate $manifest --out $out/$v --threads $threads ${extra[*]:-}"
  /usr/bin/time -v ./fedtt simulate "$manifest" --out "$out/$v" --threads "$threads" "${extra[@]}" \
      2> "$out/$v.time" | tee "$out/$v.log"
  python3 - "$out/$v/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
t = r.get("training", {})
rows = [x for x in r["rounds"] if x["accuracy"] is not None]
print(f'{r["method"]} {t}: ' + " ".join(f'{x["round"]}:{x["accuracy"]:.4f}' for x in rows))
print("loss: " + " ".join(f'{x["round"]}:{x["loss"]:.3f}' for x in rows if x["loss"] is not None))
last3 = [x["accuracy"] for x in rows[-3:]]
print(f'last three: {last3}, spread {max(last3) - min(last3):.4f}, min {min(last3):.4f}')
PY
done
