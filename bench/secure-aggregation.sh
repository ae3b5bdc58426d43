#!/usr/bin/env bash
# Secure aggregation on and off on the quick start: examples/quickstart.yaml against
# examples/secure-aggregation.yaml (the same job with spec.privacy.secureAggregation, threshold 2 of 3),
# run alternately PAIRS times (default 1) so that machine noise hits both alike. Prints each run's final
# accuracy, bytes up and down, and the median round time, then the ratios.
# Usage: bench/secure-aggregation.sh [OUT_DIR] [PAIRS]   (default: target/secure-aggregation 1)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/secure-aggregation}
pairs=${2:-1}
mkdir -p "$out"
for i in $(seq 1 "$pairs"); do
  for run in quickstart secure-aggregation; do
    ./fedtt simulate "examples/$run.yaml" --out "$out/$run-$i" > "$out/$run-$i.log" 2>&1
  done
done
python3 - "$out" "$pairs" <<'PY'
import json, statistics, sys, os
out, pairs = sys.argv[1], int(sys.argv[2])
def load(run, i):
    return json.load(open(os.path.join(out, f"{run}-{i}", "results.json")))
rows = {}
for run in ("quickstart", "secure-aggregation"):
    accs, ups, downs, times = [], [], [], []
    for i in range(1, pairs + 1):
        r = load(run, i)
        f = r["final"]
        accs.append(f["accuracy"])
        ups.append(f["bytesUp"])
        downs.append(f["bytesDown"])
        times += [x["seconds"] for x in r["rounds"] if x.get("round", 0) > 0]
    rows[run] = (statistics.median(accs), statistics.median(ups), statistics.median(downs), statistics.median(times))
    a, u, d, t = rows[run]
    print(f"{run:20s} accuracy {a:.4f}  bytes up {u:,.0f}  down {d:,.0f}  median round {t:.1f} s ({len(times)} rounds)")
q, s = rows["quickstart"], rows["secure-aggregation"]
print(f"secure - plain: accuracy {100 * (s[0] - q[0]):+.2f} points, round time x{s[3] / q[3]:.3f}, "
      f"bytes up x{s[1] / q[1]:.2f}, bytes down x{s[2] / q[2]:.2f}")
PY
