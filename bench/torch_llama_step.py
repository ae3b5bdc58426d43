#!/usr/bin/python3
"""One causal-LM training step of a LLaMA decoder with TT adapters in PyTorch eager: the reference
for the DJL worker's step (worker LlamaTrainStepBenchmark, bench/llama-step-bench.sh).

Same model, adapter, data and step as the Java side: the checkpoint and batch.safetensors written by
bench/llama_bench_model.py, the initial adapter the Java benchmark wrote (llama-tt-adapter.safetensors:
TT adapters at the inputs of gate_proj and up_proj and the output of down_proj of every layer,
Adapter(h) = h + s * Up(ReLU(Down(h))), each TT matrix rebuilt from its cores on every forward);
next-token cross-entropy over every position, backward into the adapter tensors only (every base
weight frozen), global-norm clipping at 1.0, AdamW (lr 5e-4, betas 0.9/0.999, eps 1e-8, weight
decay 0.01 on cores, none on biases). No dropout.

Two implementations of the decoder (--impl):
  plain  the LLaMA forward written out in torch operations, the same math as the DJL decoder
         (Debian's /usr/bin/python3 runs it: no transformers)
  hf     transformers' LlamaModel (eager attention; needs transformers, e.g. /work/.venv-fixtures),
         adapters inserted with forward hooks exactly as tools/fixtures/llama_fixtures.py does
Prints one JSON line: median / min / max step ms, the median forward / backward / update split, the
losses, peak RSS.

  OMP_NUM_THREADS=2 /usr/bin/python3 bench/torch_llama_step.py MODEL_DIR ADAPTER.safetensors --threads 2
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F

LR = 5e-4
WEIGHT_DECAY = 0.01
MAX_GRAD_NORM = 1.0
SITES = ("gate_proj.input_adapter", "up_proj.input_adapter", "down_proj.output_adapter")

# the safetensors reader and the TT layer are the BERT step's (bench/torch_train_step.py, beside this file)
from torch_train_step import TtLinear, read_safetensors


class TtAdapter:
    def __init__(self, params, prefix, hidden, scaling=1.0):
        b = params[f"{prefix}.down.bias"].shape[0]
        self.down = TtLinear(params, f"{prefix}.down", hidden, b)
        self.up = TtLinear(params, f"{prefix}.up", b, hidden)
        self.scaling = scaling

    def __call__(self, h):
        u = self.up(torch.relu(self.down(h)))
        return h + (u if self.scaling == 1.0 else self.scaling * u)


def adapters(cfg, trainable):
    out = []
    for i in range(cfg["num_hidden_layers"]):
        out.append({s: TtAdapter(trainable, f"model.layers.{i}.mlp.{s}", cfg["hidden_size"]) for s in SITES})
    return out


def rss_mib(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) // 1024
    return -1


def causal_bias(mask, dtype=torch.float32):
    """[B,T] 1/0 -> [B,1,T,T] additive: 0 where key j <= query i and j is not padding, finfo.min elsewhere."""
    b, t = mask.shape
    allowed = torch.ones(t, t, dtype=dtype).tril_().reshape(1, 1, t, t) * mask.to(dtype).reshape(b, 1, 1, t)
    return (1.0 - allowed) * torch.finfo(dtype).min


class PlainLlama:
    """The decoder in torch operations, Hugging Face's math (eager attention, fp32 softmax)."""

    def __init__(self, cfg, base, adapter_list):
        self.cfg, self.p, self.adapters = cfg, base, adapter_list
        self.heads, self.kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
        self.hd = cfg.get("head_dim") or cfg["hidden_size"] // self.heads
        self.eps = cfg["rms_norm_eps"]
        self.inv_freq = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, self.hd, 2, dtype=torch.int64).float() / self.hd))

    def norm(self, x, name):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.p[name] * (x * torch.rsqrt(var + self.eps))

    def rope(self, t):
        freqs = torch.arange(t).float()[:, None] * self.inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos(), emb.sin()

    @staticmethod
    def rotate(x, cos, sin):
        half = x.shape[-1] // 2
        return x * cos + torch.cat((-x[..., half:], x[..., :half]), dim=-1) * sin

    def __call__(self, ids, mask):
        b, t = ids.shape
        p = self.p
        bias = causal_bias(mask)
        cos, sin = self.rope(t)
        x = F.embedding(ids, p["model.embed_tokens.weight"])
        for i, ad in enumerate(self.adapters):
            pre = f"model.layers.{i}."
            h = self.norm(x, pre + "input_layernorm.weight")
            q = F.linear(h, p[pre + "self_attn.q_proj.weight"]).view(b, t, self.heads, self.hd).transpose(1, 2)
            k = F.linear(h, p[pre + "self_attn.k_proj.weight"]).view(b, t, self.kv, self.hd).transpose(1, 2)
            v = F.linear(h, p[pre + "self_attn.v_proj.weight"]).view(b, t, self.kv, self.hd).transpose(1, 2)
            q, k = self.rotate(q, cos, sin), self.rotate(k, cos, sin)
            rep = self.heads // self.kv
            if rep > 1:
                k = k[:, :, None].expand(b, self.kv, rep, t, self.hd).reshape(b, self.heads, t, self.hd)
                v = v[:, :, None].expand(b, self.kv, rep, t, self.hd).reshape(b, self.heads, t, self.hd)
            scores = q @ k.transpose(2, 3) / math.sqrt(self.hd) + bias
            ctx = (scores.softmax(-1, dtype=torch.float32) @ v).transpose(1, 2).reshape(b, t, -1)
            x = x + F.linear(ctx, p[pre + "self_attn.o_proj.weight"])
            h = self.norm(x, pre + "post_attention_layernorm.weight")
            g = F.linear(ad["gate_proj.input_adapter"](h), p[pre + "mlp.gate_proj.weight"])
            u = F.linear(ad["up_proj.input_adapter"](h), p[pre + "mlp.up_proj.weight"])
            y = F.linear(F.silu(g) * u, p[pre + "mlp.down_proj.weight"])
            x = x + ad["down_proj.output_adapter"](y)
        return self.norm(x, "model.norm.weight")

    def lm_head(self, h):
        return F.linear(h, self.p["lm_head.weight"])


class HfLlama:
    """transformers' LlamaForCausalLM (eager attention) with the adapters as forward hooks."""

    def __init__(self, model_dir, adapter_list):
        from transformers import LlamaForCausalLM
        self.lm = LlamaForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32, attn_implementation="eager")
        self.lm.requires_grad_(False)
        self.lm.train()
        for i, ad in enumerate(adapter_list):
            mlp = self.lm.model.layers[i].mlp
            mlp.gate_proj.register_forward_pre_hook(lambda mod, args, a=ad["gate_proj.input_adapter"]: (a(args[0]),))
            mlp.up_proj.register_forward_pre_hook(lambda mod, args, a=ad["up_proj.input_adapter"]: (a(args[0]),))
            mlp.down_proj.register_forward_hook(lambda mod, args, out, a=ad["down_proj.output_adapter"]: a(out))
        self.impl = self.lm.config._attn_implementation

    def __call__(self, ids, mask):
        return self.lm.model(input_ids=ids, attention_mask=mask, use_cache=False).last_hidden_state

    def lm_head(self, h):
        return self.lm.lm_head(h)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("adapter")
    ap.add_argument("--impl", choices=("plain", "hf"), default="plain")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--profile", help="write a Chrome trace of one extra step to this file")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    cfg = json.load(open(f"{a.model_dir}/config.json"))
    trainable = {n: torch.nn.Parameter(t) for n, t in read_safetensors(a.adapter).items()}
    ids = read_safetensors(f"{a.model_dir}/batch.safetensors")["input_ids"]
    mask = torch.ones_like(ids)
    labels = ids[:, 1:].reshape(-1)
    ad = adapters(cfg, trainable)
    if a.impl == "hf":
        model = HfLlama(a.model_dir, ad)
    else:
        base = read_safetensors(f"{a.model_dir}/model.safetensors")  # plain tensors: requires_grad False
        model = PlainLlama(cfg, base, ad)
    params = list(trainable.values())
    loaded_rss = rss_mib("VmRSS:")
    opt = torch.optim.AdamW([
        {"params": [p for n, p in trainable.items() if not n.endswith(".bias")], "weight_decay": WEIGHT_DECAY},
        {"params": [p for n, p in trainable.items() if n.endswith(".bias")], "weight_decay": 0.0},
    ], lr=LR, betas=(0.9, 0.999), eps=1e-8)
    def step():
        t0 = time.perf_counter()
        hidden = model(ids, mask)
        logits = model.lm_head(hidden[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        value = loss.item()
        del hidden, logits, loss  # the step's activations are freed inside the timed step, as on the Java side
        torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM)
        opt.step()
        opt.zero_grad(set_to_none=True)
        t3 = time.perf_counter()
        return value, t0, t1, t2, t3

    times, fwd, bwd, upd, cpu, losses = [], [], [], [], [], []
    for i in range(a.warmup + a.steps):
        c0 = time.process_time()
        value, t0, t1, t2, t3 = step()
        c1 = time.process_time()
        losses.append(round(value, 5))
        if i >= a.warmup:
            times.append((t3 - t0) * 1000)
            fwd.append((t1 - t0) * 1000)
            bwd.append((t2 - t1) * 1000)
            upd.append((t3 - t2) * 1000)
            cpu.append((c1 - c0) * 1000)
    if a.profile:
        with torch.autograd.profiler.profile() as prof:
            step()
        prof.export_chrome_trace(a.profile)
    print(json.dumps({
        "impl": f"pytorch-eager-{a.impl}" + (f" (attn {model.impl})" if a.impl == "hf" else ""),
        "torch": torch.__version__, "threads": a.threads, "batch": list(ids.shape),
        "trainable_params": sum(p.numel() for p in params), "trainable_tensors": len(params),
        "median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1), "forward_ms": round(statistics.median(fwd), 1),
        "backward_ms": round(statistics.median(bwd), 1), "update_ms": round(statistics.median(upd), 1),
        "cpu_ms": round(statistics.median(cpu), 1),
        "steps": [round(t) for t in times], "losses": losses,
        "rss_after_load_mib": loaded_rss, "peak_rss_mib": rss_mib("VmHWM:")}))


if __name__ == "__main__":
    main()
