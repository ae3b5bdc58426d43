#!/usr/bin/env python3
"""Convert a llama-architecture GGUF file into a Hugging Face model directory.

    python gguf2hf.py MODEL.gguf OUT_DIR [--dtype f16|f32]

Writes config.json, model.safetensors, tokenizer.json, tokenizer_config.json and
generation_config.json into OUT_DIR (created if missing). Every tensor is dequantized with the
`gguf` package (Q4_1, Q8_0, F32, ... whatever the file holds) to float32, renamed to its Hugging
Face LlamaForCausalLM name and stored as float16 (default) or float32. llama.cpp's converter
permutes the rows of q_proj and k_proj (so its RoPE can rotate adjacent pairs); that is undone
here, so the result uses Hugging Face's rotate-half RoPE. The tokenizer is rebuilt from the
GGUF vocabulary and merges as a byte-level BPE tokenizer.json.

Needs gguf, numpy, safetensors (see requirements.txt); no torch, no network.
"""

import argparse
import json
import os
import sys

import gguf
import numpy as np
from gguf.quants import dequantize
from safetensors.numpy import save_file

GLOBAL_NAMES = {
    "token_embd.weight": "model.embed_tokens.weight",
    "output_norm.weight": "model.norm.weight",
    "output.weight": "lm_head.weight",
}
LAYER_NAMES = {
    "attn_norm": "input_layernorm",
    "ffn_norm": "post_attention_layernorm",
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}
# GGUF token types (llama.cpp's llama_token_type): 3 = control, 4 = user defined.
SPECIAL_TOKEN_TYPES = (3, 4)


def unpermute(w, n_head):
    """Inverse of the row permutation llama.cpp's convert_hf_to_gguf applies to q/k weights."""
    return w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def hf_name(gguf_name):
    if gguf_name in GLOBAL_NAMES:
        return GLOBAL_NAMES[gguf_name], None
    parts = gguf_name.split(".")
    if len(parts) != 4 or parts[0] != "blk" or parts[2] not in LAYER_NAMES:
        raise SystemExit(f"unexpected GGUF tensor {gguf_name!r}")
    _, layer, kind, suffix = parts
    return f"model.layers.{layer}.{LAYER_NAMES[kind]}.{suffix}", kind


def convert_weights(reader, n_head, n_kv_head, dtype):
    state, source_types = {}, {}
    for t in reader.tensors:
        w = dequantize(t.data, t.tensor_type).astype(np.float32)
        w = w.reshape(tuple(reversed(t.shape.tolist())))  # GGUF lists dims innermost first
        name, kind = hf_name(t.name)
        if kind == "attn_q":
            w = unpermute(w, n_head)
        elif kind == "attn_k":
            w = unpermute(w, n_kv_head)
        state[name] = np.ascontiguousarray(w.astype(dtype))
        source_types[t.tensor_type.name] = source_types.get(t.tensor_type.name, 0) + 1
    return state, source_types


def tokenizer_json(fields):
    if fields["tokenizer.ggml.model"] != "gpt2":
        raise SystemExit(f"only byte-level BPE ('gpt2') tokenizers are supported, got {fields['tokenizer.ggml.model']!r}")
    pre = fields.get("tokenizer.ggml.pre")
    if pre not in ("smollm", "gpt2", "default", None):
        raise SystemExit(f"pre-tokenizer {pre!r} is not supported by this converter")
    tokens = fields["tokenizer.ggml.tokens"]
    types = fields["tokenizer.ggml.token_type"]
    added = [{"id": i, "content": tokens[i], "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True}
             for i in range(len(tokens)) if int(types[i]) in SPECIAL_TOKEN_TYPES]
    pretokenizers = [{"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}]
    if pre == "smollm":  # digits one by one, then GPT-2's byte-level split
        pretokenizers.insert(0, {"type": "Digits", "individual_digits": True})
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": pretokenizers},
        # Byte-level offsets only: no BOS/EOS is added (tokenizer.ggml.add_bos_token is false).
        "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {tok: i for i, tok in enumerate(tokens)},
                  "merges": [m.split(" ", 1) for m in fields["tokenizer.ggml.merges"]]},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gguf")
    ap.add_argument("out")
    ap.add_argument("--dtype", choices=("f16", "f32"), default="f16")
    args = ap.parse_args()
    dtype = np.float16 if args.dtype == "f16" else np.float32

    reader = gguf.GGUFReader(args.gguf)
    fields = {k: f.contents() for k, f in reader.fields.items()}
    arch = fields["general.architecture"]
    if arch != "llama":
        raise SystemExit(f"general.architecture is {arch!r}, only 'llama' is supported")

    def f(key, default=None):
        return fields.get(f"{arch}.{key}", default)

    hidden, n_head, n_kv_head = f("embedding_length"), f("attention.head_count"), f("attention.head_count_kv")
    if f("rope.scaling.type") not in (None, "none"):
        raise SystemExit("RoPE scaling in GGUF files is not supported by this converter")
    state, source_types = convert_weights(reader, n_head, n_kv_head, dtype)
    tied = "lm_head.weight" not in state
    tokens = fields["tokenizer.ggml.tokens"]

    os.makedirs(args.out, exist_ok=True)
    save_file(state, os.path.join(args.out, "model.safetensors"), metadata={"format": "pt"})

    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": hidden,
        "intermediate_size": f("feed_forward_length"),
        "num_hidden_layers": f("block_count"),
        "num_attention_heads": n_head,
        "num_key_value_heads": n_kv_head,
        "head_dim": hidden // n_head,
        "max_position_embeddings": f("context_length"),
        # stored as float32 in GGUF (9.9999997e-06); round back to the decimal it came from
        "rms_norm_eps": float(f"{float(f('attention.layer_norm_rms_epsilon')):.6g}"),
        "rope_theta": float(f("rope.freq_base", 10000.0)),
        "rope_scaling": None,
        "vocab_size": len(tokens),
        "hidden_act": "silu",
        "tie_word_embeddings": tied,
        "attention_bias": False,
        "mlp_bias": False,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "pretraining_tp": 1,
        "use_cache": True,
        "bos_token_id": fields.get("tokenizer.ggml.bos_token_id"),
        "eos_token_id": fields.get("tokenizer.ggml.eos_token_id"),
        "pad_token_id": fields.get("tokenizer.ggml.padding_token_id"),
        "torch_dtype": "float16" if dtype == np.float16 else "float32",
    }
    with open(os.path.join(args.out, "config.json"), "w") as out:
        json.dump(config, out, indent=2)
    with open(os.path.join(args.out, "tokenizer.json"), "w", encoding="utf-8") as out:
        json.dump(tokenizer_json(fields), out, ensure_ascii=False)

    def token(key):
        i = fields.get(key)
        return None if i is None else tokens[i]

    tokenizer_config = {
        "tokenizer_class": "GPT2Tokenizer",
        "bos_token": token("tokenizer.ggml.bos_token_id"),
        "eos_token": token("tokenizer.ggml.eos_token_id"),
        "pad_token": token("tokenizer.ggml.padding_token_id"),
        "unk_token": token("tokenizer.ggml.unknown_token_id"),
        "add_bos_token": bool(fields.get("tokenizer.ggml.add_bos_token", False)),
        "model_max_length": config["max_position_embeddings"],
        "chat_template": fields.get("tokenizer.chat_template"),
        "clean_up_tokenization_spaces": False,
    }
    with open(os.path.join(args.out, "tokenizer_config.json"), "w") as out:
        json.dump(tokenizer_config, out, indent=2)
    with open(os.path.join(args.out, "generation_config.json"), "w") as out:
        json.dump({k: config[k] for k in ("bos_token_id", "eos_token_id", "pad_token_id")}, out, indent=2)

    n_params = sum(v.size for v in state.values())
    print(f"converted {len(state)} tensors ({n_params:,} parameters, source types {source_types}, "
          f"tied embeddings {tied}) to {args.dtype} in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
