#!/usr/bin/env bash
# One local training step of MiniLM (batch 16 x 128 tokens, dropout, AdamW, clipping): the DJL worker
# with TT adapters and with the LoRA baseline, next to the same TT model and step in plain PyTorch
# eager (Debian python3-torch), at 1 and 2 threads, in one run. Each side runs twice: with the default
# environment, and tuned (GOMP_SPINCOUNT=0: OpenMP threads sleep instead of spinning; for libtorch's
# bundled MKL also MKL_ENABLE_INSTRUCTIONS=AVX2, without which MKL takes a slower sgemm path on AMD).
# Prints the BENCH lines and a summary table. Takes about 15 minutes; run it on an idle machine.
# Needs: apt-get install python3-torch python3-numpy libopenblas0-pthread (Debian's /usr/bin/python3).
#   bench/train-step-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(pwd)/worker/target/bench"
mkdir -p "$out"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
mvn -o -q -pl worker -am install -DskipTests
djl() { # $1 = tt | lora, $2 = a label for the output file, $3.. = extra -D options
  local adapter="$1" label="$2"
  shift 2
  mvn -o -q -pl worker test -Dtest=TrainStepBenchmark -Dworker.test.excludedGroups=none -Dgroups=benchmark \
    -Dbench.adapter="$adapter" -Dbench.threads=1,2 -Dbench.out="$out" "$@" \
    2>&1 | grep '^BENCH' | sed "s/^BENCH/BENCH [$label]/" | tee "$out/djl-$label.txt"
}
torch_step() { # $1 = threads, $2 = label
  OMP_NUM_THREADS="$1" OPENBLAS_NUM_THREADS="$1" /usr/bin/python3 bench/torch_train_step.py \
    worker/target/test-model-cache/builtin/all-minilm-l6-v2-v1 "$out/tt-adapter.safetensors" --threads "$1" \
    | tee "$out/torch-$2-$1.json"
}
djl tt tt
torch_step 1 default
torch_step 2 default
djl lora lora
GOMP_SPINCOUNT=0 MKL_ENABLE_INSTRUCTIONS=AVX2 djl tt tt-tuned -Dbench.stepsOnly=true
GOMP_SPINCOUNT=0 torch_step 1 tuned
GOMP_SPINCOUNT=0 torch_step 2 tuned
GOMP_SPINCOUNT=0 MKL_ENABLE_INSTRUCTIONS=AVX2 djl lora lora-tuned
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out" <<'PY'
import json, re, sys
out = sys.argv[1]
runs = {k: open(f"{out}/djl-{k}.txt").read() for k in ("tt", "lora", "tt-tuned", "lora-tuned")}
def djl(run, threads):
    m = re.search(rf"step \w+ FUSED threads={threads} .*?median (\d+) ms", runs[run])
    return float(m.group(1)) if m else float("nan")
def pt(label, threads):
    return json.load(open(f"{out}/torch-{label}-{threads}.json"))
print("| environment | threads | DJL TT step | PyTorch eager TT step | DJL / PyTorch | DJL LoRA step |")
print("|---|---|---|---|---|---|")
for env, d, l, p in (("default", "tt", "lora", "default"), ("tuned", "tt-tuned", "lora-tuned", "tuned")):
    for t in (1, 2):
        a, b = djl(d, t), pt(p, t)["median_ms"]
        print(f"| {env} | {t} | {a:.0f} ms | {b:.0f} ms | {a / b:.2f}x | {djl(l, t):.0f} ms |")
for run in runs.values():
    for line in run.splitlines():
        if "peak RSS" in line or "optimizer" in line or "eval" in line:
            print(line)
for label in ("default", "tuned"):
    for t in (1, 2):
        print(f"PyTorch [{label}] peak RSS (threads={t}): {pt(label, t)['peak_rss_mib']} MiB")
PY
