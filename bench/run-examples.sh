#!/usr/bin/env bash
# Whole-run benchmarks of the simulate examples (issue 7's acceptance figures). Each example runs as
# written, after the fedtt command is built, under /usr/bin/time for wall time and peak RSS; the
# figures come from each run's results.json.
#   bench/run-examples.sh [quickstart|compare|cross-device ...]   (default: all three)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${FEDTT_BENCH_OUT:-$root/bench/out}"
mkdir -p "$out"
./fedtt --version >/dev/null   # build once, outside the timed runs

examples=("$@")
[ ${#examples[@]} -gt 0 ] || examples=(quickstart compare cross-device)
for ex in "${examples[@]}"; do
  echo "== $ex: ./fedtt simulate examples/$ex.yaml --out $out/$ex"
  /usr/bin/time -v ./fedtt simulate "examples/$ex.yaml" --out "$out/$ex" 2> "$out/$ex.time" | tee "$out/$ex.log"
  grep -E "Elapsed \(wall clock\)|Maximum resident" "$out/$ex.time"
  python3 - "$out/$ex/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for run in r.get("runs", [r]):
    f = run["final"]
    rounds = run["rounds"]
    first = next((x["accuracy"] for x in rounds if x["accuracy"] is not None), None)
    print(f'{run["method"]}: accuracy {f["accuracy"]:.4f} (round 0: {first}), macro-F1 {f["macroF1"]:.4f}, '
          f'bytes {f["bytesUp"] + f["bytesDown"]:,} (LoRA-equivalent {f["loraEquivalentBytes"]:,}), '
          f'wall {f["wallSeconds"]:.0f} s')
PY
done
