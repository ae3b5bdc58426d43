#!/usr/bin/env bash
# One causal-LM training step of a LLaMA decoder with TT adapters (hidden 512, 8 layers, 8 heads over
# 4 KV heads, intermediate 1376, vocabulary 32000; batch 8 x 128 random tokens): the DJL worker's
# decoder (worker LlamaTrainStepBenchmark) next to the same model, adapter, data and step in PyTorch
# eager (bench/torch_llama_step.py: the decoder written in torch operations, and optionally
# transformers' LlamaModel with the adapters as hooks), at 1 and 2 threads, in one run.
#
# Both sides load the same random checkpoint and batch (bench/llama_bench_model.py, generated into
# worker/target/bench/llama-model, ~214 MiB, not committed) and the initial adapter the Java side
# writes; each prints its losses, which must agree. Two environments, as in bench/train-step-bench.sh:
# "default", and "tuned" (GOMP_SPINCOUNT=0: OpenMP threads sleep instead of spinning, which Debian's
# torch needs at 2 threads; MKL_ENABLE_INSTRUCTIONS=AVX2 for libtorch's bundled MKL on AMD).
# The machine is shared, so the runs are interleaved: ROUNDS rounds (default 2), each running every
# configuration once, the second round in the opposite order; the summary pools the measured steps of
# all rounds (median), gives each round's DJL / PyTorch ratio of medians, and process CPU time per
# step (less sensitive to other load than wall time). Takes ~40 minutes with the defaults.
#
# Needs: Debian's python3-torch, python3-numpy, libopenblas0-pthread for /usr/bin/python3; for the
# transformers baseline a Python with transformers (HF_PYTHON, default /work/.venv-fixtures/bin/python;
# skipped when missing, or with HF=0).
#   nice -n -15 bench/llama-step-bench.sh            # ROUNDS=2 WARMUP=3 STEPS=10 HF=1
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
out="$root/worker/target/bench/llama"
model="$root/worker/target/bench/llama-model"
rounds="${ROUNDS:-2}"
warmup="${WARMUP:-3}"
steps="${STEPS:-10}"
hf_python="${HF_PYTHON:-/work/.venv-fixtures/bin/python}"
hf="${HF:-1}"
if [[ "$hf" == 1 ]] && ! "$hf_python" -c 'import transformers' 2>/dev/null; then
  echo "no transformers at $hf_python: skipping the transformers baseline"
  hf=0
fi
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.log
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs);" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
/usr/bin/python3 bench/llama_bench_model.py "$model"
mvn -B -q -o -pl worker -am test-compile

djl() { # $1 = label; environment from the caller
  local label="$1"
  mvn -B -q -o -pl worker -am test -Dtest=LlamaTrainStepBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
    -Dworker.test.excludedGroups=none -Dgroups=benchmark -Dbench.model="$model" -Dbench.out="$out" \
    -Dbench.label="$label" -Dbench.threads=1,2 -Dbench.warmup="$warmup" -Dbench.steps="$steps" \
    > "$out/$label.log" 2>&1 || { cat "$out/$label.log"; exit 1; }
  grep '^BENCH' "$out/$label.log" | sed "s/^BENCH/BENCH [$label]/"
}
torch_step() { # $1 = plain | hf, $2 = threads, $3 = label
  local py=/usr/bin/python3
  [[ "$1" == hf ]] && py="$hf_python"
  OMP_NUM_THREADS="$2" OPENBLAS_NUM_THREADS="$2" "$py" bench/torch_llama_step.py "$model" \
    "$out/llama-tt-adapter.safetensors" --impl "$1" --threads "$2" --warmup "$warmup" --steps "$steps" \
    2> "$out/$3-$2.log" > "$out/$3-$2.json" || { cat "$out/$3-$2.log"; exit 1; }
  echo "PYTORCH [$3 threads=$2] $(cut -c1-400 "$out/$3-$2.json")"
}
torch_all() { # $1 = env label, $2 = round
  torch_step plain 1 "torch-$1-r$2"
  torch_step plain 2 "torch-$1-r$2"
  if [[ "$hf" == 1 && "$1" == tuned ]]; then
    torch_step hf 1 "hf-$1-r$2"
    torch_step hf 2 "hf-$1-r$2"
  fi
}
round() { # $1 = round; $2 = forward | reverse (which side goes first)
  local r="$1"
  echo "round $r ($(cut -d' ' -f1-3 /proc/loadavg))"
  if [[ "$2" == forward ]]; then
    djl "djl-default-r$r"
    torch_all default "$r"
    GOMP_SPINCOUNT=0 MKL_ENABLE_INSTRUCTIONS=AVX2 djl "djl-tuned-r$r"
    GOMP_SPINCOUNT=0 torch_all tuned "$r"
  else
    GOMP_SPINCOUNT=0 torch_all tuned "$r"
    GOMP_SPINCOUNT=0 MKL_ENABLE_INSTRUCTIONS=AVX2 djl "djl-tuned-r$r"
    torch_all default "$r"
    djl "djl-default-r$r"
  fi
}
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2 == 1)); then round "$r" forward; else round "$r" reverse; fi
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
/usr/bin/python3 - "$out" "$rounds" <<'PY'
import json, os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def load(side, env, r, t):
    p = f"{out}/{side}-{env}-r{r}-{t}.json"
    return json.load(open(p)) if os.path.exists(p) else None
def pooled(side, env, t, key="steps"):
    runs = [x for r in range(1, rounds + 1) if (x := load(side, env, r, t))]
    if not runs:
        return None
    if key == "steps":
        return statistics.median([s for x in runs for s in x["steps"]])
    return statistics.median([x[key] for x in runs])
print()
print("| environment | threads | DJL step | PyTorch eager step (torch ops) | DJL / PyTorch | per-round ratios"
      " | PyTorch eager (transformers) | DJL CPU / step | PyTorch CPU / step |")
print("|---|---|---|---|---|---|---|---|---|")
for env in ("default", "tuned"):
    for t in (1, 2):
        d, p, h = pooled("djl", env, t), pooled("torch", env, t), pooled("hf", env, t)
        ratios = []
        for r in range(1, rounds + 1):
            a, b = load("djl", env, r, t), load("torch", env, r, t)
            if a and b:
                ratios.append(f"{a['median_ms'] / b['median_ms']:.2f}x")
        hs = f"{h:,.0f} ms" if h else "-"
        print(f"| {env} | {t} | {d:,.0f} ms | {p:,.0f} ms | **{d / p:.2f}x** | {', '.join(ratios)} | {hs}"
              f" | {pooled('djl', env, t, 'cpu_ms'):,.0f} ms | {pooled('torch', env, t, 'cpu_ms'):,.0f} ms |")
print()
print("| side | environment | threads | forward | backward | update (clip + AdamW) |")
print("|---|---|---|---|---|---|")
for env in ("default", "tuned"):
    for t in (1, 2):
        for side in ("djl", "torch", "hf"):
            if pooled(side, env, t) is None:
                continue
            f, b, u = (pooled(side, env, t, k) for k in ("forward_ms", "backward_ms", "update_ms"))
            print(f"| {side} | {env} | {t} | {f:,.0f} ms | {b:,.0f} ms | {u:,.1f} ms |")
print()
worst = 0.0
for env in ("default", "tuned"):
    for t in (1, 2):
        for r in range(1, rounds + 1):
            a = load("djl", env, r, t)
            for side in ("torch", "hf"):
                b = load(side, env, r, t)
                if a and b:
                    worst = max(worst, max(abs(x - y) for x, y in zip(a["losses"], b["losses"])))
print(f"losses: DJL and PyTorch agree within {worst:.1e} on every step of every run"
      f" (first step {load('djl', 'default', 1, 1)['losses'][0]})")
for side in ("djl", "torch", "hf"):
    for env in ("default", "tuned"):
        runs = [x for r in range(1, rounds + 1) for t in (1, 2) if (x := load(side, env, r, t))]
        if runs:
            rss, loaded = [x["peak_rss_mib"] for x in runs], [x["rss_after_load_mib"] for x in runs]
            print(f"RSS {side} {env}: after loading model + adapter {min(loaded):,}-{max(loaded):,} MiB,"
                  f" peak (VmHWM) {min(rss):,}-{max(rss):,} MiB")
PY
