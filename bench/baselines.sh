#!/usr/bin/env bash
# Stronger federated LoRA baselines on examples/compare.yaml's data, seed and schedule, shortened as
# BENCHMARKS.md "Communication on the wire" shortens it (4 rounds, 2 local steps, 50 held-out e-mails,
# 1 thread), so the byte counts compare with that table's LoRA r=8, FedTT and FedTT+ rows:
#   lora-r4   federated LoRA, rank 4 on query and value (+ dense head)
#   ffa-r8    FFA-LoRA (adapter.loraFreezeA: A frozen at its seeded init, only B and the head travel)
#   lora-r8   the reference: federated LoRA, rank 8 (compare.yaml's rank)
# Usage: bench/baselines.sh [OUT_DIR] [ENCODING] [RUN...]   (default: target/baselines float32 lora-r4 ffa-r8 lora-r8)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/baselines}
enc=${2:-float32}
shift $(( $# > 2 ? 2 : $# ))
runs=("$@")
[ ${#runs[@]} -gt 0 ] || runs=(lora-r4 ffa-r8 lora-r8)
mkdir -p "$out"
flags=(--method lora --rounds 4 --local-steps 2 --eval-examples 50 --threads 1 --encoding "$enc")
for run in "${runs[@]}"; do
  manifest="$out/$run.yaml"
  case "$run" in
    lora-r4) sed -e 's/rank: 8,/rank: 4,/' examples/compare.yaml > "$manifest" ;;
    ffa-r8)  sed -e 's/rank: 8,/rank: 8, loraFreezeA: true,/' examples/compare.yaml > "$manifest" ;;
    lora-r8) cp examples/compare.yaml "$manifest" ;;
    *) echo "unknown run $run" >&2; exit 2 ;;
  esac
  nice -n 10 ./fedtt simulate "$manifest" --out "$out/$run-$enc" "${flags[@]}" > "$out/$run-$enc.log" 2>&1
done
python3 - "$out" "$enc" "${runs[@]}" <<'PY'
import json, sys, os
out, enc, runs = sys.argv[1], sys.argv[2], sys.argv[3:]
for run in runs:
    r = json.load(open(os.path.join(out, f"{run}-{enc}", "results.json")))
    f = r["final"]
    per_round = " / ".join(f"{x['bytesUp'] + x['bytesDown']:,}" for x in r["rounds"] if x.get("round", 0) > 0)
    print(f"{run:8s} {enc:8s} accuracy {f['accuracy']:.4f} bytes {f['bytesUp'] + f['bytesDown']:,} ({per_round})")
PY
