#!/usr/bin/env bash
# Accuracy of the quick start with central differential privacy at epsilon about 8, 4 and 1 (delta 1e-5),
# against the same schedule without DP. Shortened schedule (4 rounds of 10 local steps, 300 held-out
# examples) so that the four runs fit in minutes on two cores; the noise multipliers are those that
# reach the epsilons after exactly 4 rounds with all 3 silos (q = 1):
#   z = 1.28 -> 7.89, z = 2.33 -> 3.97, z = 8.1 -> 1.00   (RdpAccountant / dp-accounting)
# Usage: bench/dp-accuracy.sh [OUT_DIR]   (results.json per run under OUT_DIR, a summary on stdout)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/dp-accuracy}
mkdir -p "$out"
flags=(--rounds 4 --local-steps 10 --eval-examples 300 --threads 2)
./fedtt simulate examples/quickstart.yaml --out "$out/none" "${flags[@]}" > "$out/none.log" 2>&1
for z in 1.28 2.33 8.1; do
  manifest="$out/dp-z$z.yaml"
  sed -e "s/noiseMultiplier: 1.0/noiseMultiplier: $z/" -e "s/, targetEpsilon: 20//" \
      examples/differential-privacy.yaml > "$manifest"
  ./fedtt simulate "$manifest" --out "$out/z$z" "${flags[@]}" > "$out/z$z.log" 2>&1
done
python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
for run in ["none", "z1.28", "z2.33", "z8.1"]:
    r = json.load(open(os.path.join(out, run, "results.json")))
    f = r["final"]
    eps = f.get("privacy", {}).get("epsilon")
    print(f"{run:6s} accuracy {f['accuracy']:.4f} macroF1 {f['macroF1']:.4f} epsilon {eps if eps is None else round(eps, 3)} wall {f['wallSeconds']:.0f} s")
PY
