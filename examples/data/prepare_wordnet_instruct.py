#!/usr/bin/env python3
"""Instruction-tuning data for examples/llama-instruct.yaml, derived from the committed WordNet task.

Each WordNet noun definition (examples/data/wordnet/, see README.md there) becomes a chat prompt asking
which of ten kinds of thing it describes, and the response is the one-word answer (the noun
supersense without its "noun." prefix). The prompt is written in ChatML, the chat format of
SmolLM2-135M-Instruct (builtin:smollm2-135m-instruct): the worker feeds the text to the model's
tokenizer as is, so another model family needs its own chat markup here.

Deterministic, no network: reads examples/data/wordnet/{site-a,site-b,site-c,eval}.jsonl.gz and
writes examples/data/wordnet-instruct/ with the same silo split (label-skewed, Dirichlet 0.5).
    python3 examples/data/prepare_wordnet_instruct.py
"""
import gzip
import hashlib
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE / "wordnet"
TARGET = HERE / "wordnet-instruct"
KINDS = ["act", "animal", "artifact", "body", "communication", "food", "location", "person", "plant", "substance"]
QUESTION = ("Which kind of thing does this dictionary definition describe? Answer with one word from: "
            + ", ".join(KINDS) + ".\nDefinition: {gloss}")


def prompt(gloss):
    return "<|im_start|>user\n" + QUESTION.format(gloss=gloss) + "<|im_end|>\n<|im_start|>assistant\n"


def convert(name, limit):
    rows = []
    with gzip.open(SOURCE / f"{name}.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            kind = r["label"].split(".", 1)[1]
            assert kind in KINDS, kind
            rows.append({"id": r["id"], "prompt": prompt(r["text"]), "response": kind, "kind": kind})
    # a fixed, label-independent order (the source files are grouped by label) before the cut
    rows = sorted(rows, key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest())[:limit]
    TARGET.mkdir(exist_ok=True)
    # mtime 0: the same input gives byte-identical files
    with open(TARGET / f"{name}.jsonl.gz", "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            for r in rows:
                gz.write((json.dumps(r, ensure_ascii=False) + "\n").encode("utf-8"))
    print(f"{name}: {len(rows)} examples")


if __name__ == "__main__":
    for silo in ("site-a", "site-b", "site-c"):
        convert(silo, 400)
    convert("eval", 200)
