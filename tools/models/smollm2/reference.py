#!/usr/bin/env python3
"""Reference outputs of the converted SmolLM2 model from a plain numpy forward pass.

    python reference.py MODEL_DIR [--out worker/src/test/resources/llama/smollm2-reference.json]

MODEL_DIR is what fetch.sh / gguf2hf.py wrote (config.json, model.safetensors, tokenizer.json).
The forward pass is Hugging Face's LlamaForCausalLM written out in numpy, computed in float32
(16-bit weights are upcast exactly): RMSNorm, rotate-half RoPE with float32 frequency tables,
grouped-query causal attention, SwiGLU, tied or untied lm_head. No KV cache: greedy decoding
recomputes the whole sequence each step, like the Java GreedyDecoder.

Records, for a few ChatML prompts written out literally: the token ids, the top-5 (id, logit) at
the last prompt position and the greedy continuation (up to --max-new tokens, stopping after
<|im_end|>) with each step's top-1 minus top-2 logit margin; and the mean next-token negative log-likelihood of a short English passage.
Needs numpy, safetensors, tokenizers (see requirements.txt).
"""

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import safetensors
import tokenizers
from safetensors.numpy import load_file
from tokenizers import Tokenizer

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEFAULT_OUT = os.path.join(REPO, "worker", "src", "test", "resources", "llama", "smollm2-reference.json")

PROMPTS = [
    "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|>user\nName three primary colors.<|im_end|>\n<|im_start|>assistant\n",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "<|im_start|>user\nWhat do bees make?<|im_end|>\n<|im_start|>assistant\n",
]
PASSAGE = ("The capital of France is Paris. It is known for the Eiffel Tower, which was built in 1889 for the "
           "World's Fair. Paris is also famous for its museums, such as the Louvre, which houses the Mona Lisa.")
STOP_TOKEN = "<|im_end|>"
F32 = np.float32


class Llama:
    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "config.json")) as f:
            c = json.load(f)
        if c.get("rope_scaling") not in (None, {}):
            raise SystemExit("rope_scaling is not implemented in this reference")
        self.n_layers = c["num_hidden_layers"]
        self.n_head, self.n_kv = c["num_attention_heads"], c["num_key_value_heads"]
        self.hidden = c["hidden_size"]
        self.head_dim = c.get("head_dim") or self.hidden // self.n_head
        self.eps = F32(c["rms_norm_eps"])
        self.w = {k: v.astype(F32) for k, v in load_file(os.path.join(model_dir, "model.safetensors")).items()}
        self.lm_head = self.w.get("lm_head.weight", self.w["model.embed_tokens.weight"])
        d = self.head_dim
        # as Hugging Face (and the Java RotaryEmbedding) build them: float32 inverse frequencies
        self.inv_freq = (1.0 / c["rope_theta"] ** (np.arange(0, d, 2, dtype=np.float64) / d)).astype(F32)

    def rms(self, x, w):
        return (x / np.sqrt((x * x).mean(-1, keepdims=True) + self.eps)) * w

    def rope_tables(self, t):
        angle = np.arange(t, dtype=F32)[:, None] * self.inv_freq[None, :]  # float32 product
        angle = np.concatenate([angle, angle], -1).astype(np.float64)
        return np.cos(angle).astype(F32), np.sin(angle).astype(F32)

    @staticmethod
    def rope(x, cos, sin):  # x: [heads, T, d]
        half = x.shape[-1] // 2
        return x * cos + np.concatenate([-x[..., half:], x[..., :half]], -1) * sin

    def logits(self, ids):
        """[T, V] float32 logits for one unpadded sequence."""
        t, d, w = len(ids), self.head_dim, self.w
        x = w["model.embed_tokens.weight"][np.asarray(ids)]
        cos, sin = self.rope_tables(t)
        masked = np.triu(np.ones((t, t), dtype=bool), 1)
        rep = self.n_head // self.n_kv
        scale = F32(1.0 / np.sqrt(d))
        for i in range(self.n_layers):
            p = f"model.layers.{i}."
            h = self.rms(x, w[p + "input_layernorm.weight"])
            q = (h @ w[p + "self_attn.q_proj.weight"].T).reshape(t, self.n_head, d).transpose(1, 0, 2)
            k = (h @ w[p + "self_attn.k_proj.weight"].T).reshape(t, self.n_kv, d).transpose(1, 0, 2)
            v = (h @ w[p + "self_attn.v_proj.weight"].T).reshape(t, self.n_kv, d).transpose(1, 0, 2)
            q, k = self.rope(q, cos, sin), self.rope(k, cos, sin)
            k, v = np.repeat(k, rep, 0), np.repeat(v, rep, 0)
            s = (q @ k.transpose(0, 2, 1)) * scale
            s[:, masked] = -np.inf
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            o = (s @ v).transpose(1, 0, 2).reshape(t, self.n_head * d)
            x = x + o @ w[p + "self_attn.o_proj.weight"].T
            h = self.rms(x, w[p + "post_attention_layernorm.weight"])
            g = h @ w[p + "mlp.gate_proj.weight"].T
            u = h @ w[p + "mlp.up_proj.weight"].T
            x = x + ((g / (F32(1) + np.exp(-g))) * u) @ w[p + "mlp.down_proj.weight"].T
        assert x.dtype == F32, x.dtype
        return self.rms(x, w["model.norm.weight"]) @ self.lm_head.T


def log_softmax(z):
    z = z.astype(np.float64)
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--max-new", type=int, default=16)
    args = ap.parse_args()

    model = Llama(args.model_dir)
    tok = Tokenizer.from_file(os.path.join(args.model_dir, "tokenizer.json"))
    stop = tok.token_to_id(STOP_TOKEN)
    provenance = {}
    manifest = os.path.join(args.model_dir, "fedtt-model.json")
    if os.path.exists(manifest):
        with open(manifest) as f:
            provenance = json.load(f)

    prompts = []
    for text in PROMPTS:
        ids = tok.encode(text).ids
        last = model.logits(ids)[-1]
        top = np.argsort(-last, kind="stable")[:5]
        seq, new, margins = list(ids), [], []
        for _ in range(args.max_new):
            step = model.logits(seq)[-1]
            first, second = np.sort(step)[-2:][::-1]
            nxt = int(step.argmax())
            seq.append(nxt)
            new.append(nxt)
            margins.append(round(float(first - second), 6))
            if nxt == stop:
                break
        prompts.append({
            "text": text,
            "ids": ids,
            "top5": [{"id": int(i), "logit": round(float(last[i]), 6)} for i in top],
            "generated_ids": new,
            "generated_text": tok.decode(new, skip_special_tokens=True),
            "stopped": new[-1] == stop,
            # top-1 minus top-2 logit at each step: how far each greedy choice is from a tie
            "generated_margins": margins,
        })
        print(f"{text!r} -> {prompts[-1]['generated_text']!r} top5 {[(p['id'], p['logit']) for p in prompts[-1]['top5']]}",
              file=sys.stderr)

    ids = tok.encode(PASSAGE).ids
    lp = log_softmax(model.logits(ids))
    nll = float(-lp[np.arange(len(ids) - 1), ids[1:]].mean())
    print(f"passage: {len(ids)} tokens, mean NLL {nll:.6f} (perplexity {np.exp(nll):.3f})", file=sys.stderr)

    out = {
        "generator": "tools/models/smollm2/reference.py (numpy float32 forward pass, no KV cache)",
        "versions": {"numpy": np.__version__, "tokenizers": tokenizers.__version__,
                     "safetensors": safetensors.__version__},
        "model": {"source": provenance.get("source"), "gguf_sha256": provenance.get("gguf_sha256"),
                  "weights_dtype": provenance.get("dtype"),
                  "model_safetensors_sha256": sha256(os.path.join(args.model_dir, "model.safetensors"))},
        "max_new_tokens": args.max_new,
        "stop_ids": [stop],
        "prompts": prompts,
        "passage": {"text": PASSAGE, "ids": ids, "mean_nll": round(nll, 6)},
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
