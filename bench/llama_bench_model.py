#!/usr/bin/python3
"""The random LLaMA checkpoint and the token batch of the LLaMA training-step benchmark
(bench/llama-step-bench.sh): a Hugging Face model folder (config.json, model.safetensors) that the
DJL worker (LlamaWeights) and transformers both load, and batch.safetensors with input_ids [B, T]
(int64). Seeded: a re-run writes the same bytes. Plain torch only (no transformers, no safetensors
package), so Debian's /usr/bin/python3 runs it.

Configuration (LLaMA-2 style, small): hidden 512, 8 layers, 8 heads with 4 KV heads (grouped-query
attention, so repeat_kv is on the measured path as in LLaMA-2-70B / LLaMA-3 / TinyLlama),
intermediate 1376 (8/3 x 512 rounded up to a multiple of 32, LLaMA's rule), vocabulary 32000
(LLaMA / LLaMA-2's SentencePiece vocabulary, so the LM head and its softmax take the share of the step
a real LLaMA-family model of this width has), untied embeddings, RoPE theta 10000, RMSNorm eps 1e-5.
Weights ~ N(0, 0.02) (transformers' initializer_range), norms 1.

  /usr/bin/python3 bench/llama_bench_model.py OUT_DIR [--vocab 32000] [--batch 8] [--seq 128]
"""
import argparse
import json
import os
import struct

import torch

SEED = 20261202


def write_safetensors(path, tensors):
    dtypes = {torch.float32: "F32", torch.int64: "I64"}
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        b = t.numpy().tobytes()
        header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def config(vocab):
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_act": "silu",
        "hidden_size": 512,
        "intermediate_size": 1376,
        "num_hidden_layers": 8,
        "num_attention_heads": 8,
        "num_key_value_heads": 4,
        "head_dim": 64,
        "vocab_size": vocab,
        "max_position_embeddings": 2048,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "rope_scaling": None,
        "tie_word_embeddings": False,
        "attention_bias": False,
        "mlp_bias": False,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "pad_token_id": 0,
        "torch_dtype": "float32",
        "use_cache": False,
    }


def weights(c, gen):
    h, f, v = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    kv = c["num_key_value_heads"] * c["head_dim"]
    q = c["num_attention_heads"] * c["head_dim"]

    def normal(*shape):
        return torch.randn(*shape, generator=gen) * c["initializer_range"]

    t = {"model.embed_tokens.weight": normal(v, h)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = torch.ones(h)
        t[p + "self_attn.q_proj.weight"] = normal(q, h)
        t[p + "self_attn.k_proj.weight"] = normal(kv, h)
        t[p + "self_attn.v_proj.weight"] = normal(kv, h)
        t[p + "self_attn.o_proj.weight"] = normal(h, q)
        t[p + "post_attention_layernorm.weight"] = torch.ones(h)
        t[p + "mlp.gate_proj.weight"] = normal(f, h)
        t[p + "mlp.up_proj.weight"] = normal(f, h)
        t[p + "mlp.down_proj.weight"] = normal(h, f)
    t["model.norm.weight"] = torch.ones(h)
    t["lm_head.weight"] = normal(v, h)
    return t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--vocab", type=int, default=32000)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=128)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    c = config(a.vocab)
    stamp = json.dumps({"config": c, "seed": SEED, "batch": a.batch, "seq": a.seq}, sort_keys=True)
    stamp_file = os.path.join(a.out, ".generated")
    if os.path.exists(stamp_file) and open(stamp_file).read() == stamp:
        print(f"{a.out}: up to date")
        return
    gen = torch.Generator().manual_seed(SEED)
    w = weights(c, gen)
    write_safetensors(os.path.join(a.out, "model.safetensors"), w)
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
        f.write("\n")
    ids = torch.randint(3, a.vocab, (a.batch, a.seq), generator=torch.Generator().manual_seed(SEED + 1))
    write_safetensors(os.path.join(a.out, "batch.safetensors"), {"input_ids": ids})
    with open(stamp_file, "w") as f:
        f.write(stamp)
    n = sum(x.numel() for x in w.values())
    print(f"{a.out}: {n:,} parameters ({n * 4 / 2**20:.0f} MiB fp32), batch {a.batch} x {a.seq}")


if __name__ == "__main__":
    main()
