#!/usr/bin/python3
"""One local training step of MiniLM with tensor-train adapters in plain PyTorch (eager), the
reference for the DJL worker's step (worker TrainStepBenchmark). Same model and adapter: the base
weights come from the worker's converted builtin model directory (config.json, model.safetensors),
the adapter (TT cores, adapter biases, LayerNorms, TT head) from the safetensors file the Java
benchmark wrote. Same step: batch x seq token ids without padding, dropout on, softmax
cross-entropy, backward into the adapter tensors only, global-norm clipping at 1.0, AdamW.

Prints one JSON line: median/min/max step ms, peak RSS. Needs Debian's python3-torch and
python3-numpy (/usr/bin/python3), and libopenblas0-pthread for a real BLAS.

  /usr/bin/python3 bench/torch_train_step.py MODEL_DIR ADAPTER.safetensors --threads 2
"""
import argparse
import json
import math
import re
import resource
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F

DTYPES = {"F32": np.float32, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        arr = np.frombuffer(data, dtype=DTYPES[info["dtype"]], count=(end - start) // np.dtype(DTYPES[info["dtype"]]).itemsize,
                            offset=base + start).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


class TtLinear:
    """W [in, out] from cores [r_{k-1}, m_k, r_k], contracted left to right, row-major; y = x W + b."""

    def __init__(self, params, prefix, n_in, n_out):
        self.cores = []
        k = 0
        while f"{prefix}.cores.{k}" in params:
            self.cores.append(params[f"{prefix}.cores.{k}"])
            k += 1
        self.bias = params[f"{prefix}.bias"]
        self.n_in, self.n_out = n_in, n_out

    def weight(self):
        p = None
        rows = 1
        for g in self.cores:
            r0, m, r1 = g.shape
            g2 = g.reshape(r0, m * r1)
            p = g2 if p is None else p @ g2
            rows *= m
            p = p.reshape(rows, r1)
        return p.reshape(self.n_in, self.n_out)

    def __call__(self, x):
        return x @ self.weight() + self.bias


class Model:
    def __init__(self, cfg, base, adapter, drop):
        self.cfg, self.drop = cfg, drop
        self.p = {}
        for name, t in base.items():
            self.p[name] = t  # frozen: requires_grad False
        self.trainable = {}
        for name, t in adapter.items():
            param = torch.nn.Parameter(t.clone())
            self.p[name] = param
            self.trainable[name] = param
        h = cfg["hidden_size"]
        self.adapters = {}
        for i in range(cfg["num_hidden_layers"]):
            for site in ("attention.output", "output"):
                pre = f"encoder.layer.{i}.{site}.adapter"
                if f"{pre}.down.bias" in self.p:
                    b = self.p[f"{pre}.down.bias"].shape[0]
                    self.adapters[pre] = (TtLinear(self.p, f"{pre}.down", h, b), TtLinear(self.p, f"{pre}.up", b, h))
        self.head_dense = TtLinear(self.p, "classifier.dense", h, h)

    def lin(self, x, name):
        return F.linear(x, self.p[name + ".weight"], self.p[name + ".bias"])

    def ln(self, x, name):
        return F.layer_norm(x, (x.shape[-1],), self.p[name + ".weight"], self.p[name + ".bias"], self.cfg["layer_norm_eps"])

    def dropout(self, x):
        return F.dropout(x, self.drop, True)

    def adapt(self, x, pre):
        if pre not in self.adapters:
            return x
        down, up = self.adapters[pre]
        return x + up(F.relu(down(x)))

    def logits(self, ids, mask):
        cfg = self.cfg
        b, t = ids.shape
        heads = cfg["num_attention_heads"]
        hs = cfg["hidden_size"] // heads
        pos = torch.arange(t).unsqueeze(0)
        x = (F.embedding(ids, self.p["embeddings.word_embeddings.weight"])
             + F.embedding(pos, self.p["embeddings.position_embeddings.weight"])
             + F.embedding(torch.zeros_like(ids), self.p["embeddings.token_type_embeddings.weight"]))
        x = self.dropout(self.ln(x, "embeddings.LayerNorm"))
        bias = (1.0 - mask.float()).mul(torch.finfo(torch.float32).min).reshape(b, 1, 1, t)
        for i in range(cfg["num_hidden_layers"]):
            pre = f"encoder.layer.{i}."
            split = lambda y: y.reshape(b, t, heads, hs).transpose(1, 2)
            q = split(self.lin(x, pre + "attention.self.query"))
            k = split(self.lin(x, pre + "attention.self.key"))
            v = split(self.lin(x, pre + "attention.self.value"))
            scores = q @ k.transpose(-1, -2) / math.sqrt(hs) + bias
            ctx = (self.dropout(scores.softmax(-1)) @ v).transpose(1, 2).reshape(b, t, -1)
            a = self.dropout(self.lin(ctx, pre + "attention.output.dense"))
            x = self.ln(self.adapt(a, pre + "attention.output.adapter") + x, pre + "attention.output.LayerNorm")
            inner = F.gelu(self.lin(x, pre + "intermediate.dense"))
            o = self.dropout(self.lin(inner, pre + "output.dense"))
            x = self.ln(self.adapt(o, pre + "output.adapter") + x, pre + "output.LayerNorm")
        m = mask.float().unsqueeze(2)
        pooled = (x * m).sum(1) / m.sum(1).clamp_min(1e-9)
        y = torch.tanh(self.head_dense(self.dropout(pooled)))
        return self.lin(self.dropout(y), "classifier.out_proj")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("adapter")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(1)
    cfg = json.load(open(f"{a.model_dir}/config.json"))
    base = read_safetensors(f"{a.model_dir}/model.safetensors")
    adapter = read_safetensors(a.adapter)
    model = Model(cfg, base, adapter, cfg.get("hidden_dropout_prob", 0.1))
    params = list(model.trainable.values())
    opt = torch.optim.AdamW(params, lr=5e-4, weight_decay=0.0)
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(1000, cfg["vocab_size"], (a.batch, a.seq), generator=g)
    ids[:, 0] = 101
    ids[:, -1] = 102
    mask = torch.ones_like(ids)
    labels = torch.arange(a.batch) % 2
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model.logits(ids, mask), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        dt = (time.perf_counter() - t0) * 1000
        if i >= a.warmup:
            times.append(dt)
    print(json.dumps({
        "impl": "pytorch-eager", "torch": torch.__version__, "threads": a.threads, "batch": a.batch, "seq": a.seq,
        "trainable_params": sum(p.numel() for p in params), "trainable_tensors": len(params),
        "median_ms": round(statistics.median(times), 1), "min_ms": round(min(times), 1), "max_ms": round(max(times), 1),
        "steps": [round(t) for t in times], "last_loss": round(loss.item(), 4),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))


if __name__ == "__main__":
    main()
