#!/usr/bin/env python3
"""Prepare the fortune-category task for the quality suite from Debian's `fortunes` 1:1.99.1-7.3.

Usage:
    python3 examples/data/prepare_fortunes.py [--deb PATH] [--out DIR]

Task: read a fortune cookie (a quip, quotation or short joke) and name the fortune file it comes from:
six well-populated, distinct categories: computers, food, law, men-women, politics, science. 15 % of
every category is held out for evaluation (capped); the three silos are label-skewed by a seeded
Dirichlet(alpha=0.5) draw (the files have no natural key to split on).

Without --deb the script runs `apt-get download fortunes` in a temporary directory (needs a Debian
mirror that serves exactly this version). The .deb's SHA-256 is checked; it is read with `dpkg-deb
--fsys-tarfile` (no root, nothing installed). Splits are a pure function of salted SHA-256 hashes;
gzip mtime 0. Python 3 standard library (and dpkg-deb). See examples/data/README.md.
"""

import argparse
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prep_common as pc  # noqa: E402

PACKAGE = "fortunes"
VERSION = "1:1.99.1-7.3"
DEB_SHA256 = "41d0551dc0ff52f875a2ecef7c39da2f672ab468c37e170119f7e0245a9d63c5"
SEED = "fedtt-fortunes-v1"
CATEGORIES = ["computers", "food", "law", "men-women", "politics", "science"]
EVAL_FRACTION = 0.15
EVAL_CAP = 500
TRAIN_CAP = 3000
SILOS = ["site-a", "site-b", "site-c"]
ALPHA = 0.5
MAX_CHARS = 300


def read_files(deb):
    tar_bytes = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], check=True, capture_output=True).stdout
    out = {}
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        for c in CATEGORIES:
            out[c] = tar.extractfile(f"./usr/share/games/fortunes/{c}").read().decode("utf-8", "replace")
    return out


def clean(fortune):
    text = re.sub(r"\s+", " ", fortune).strip()
    return pc.cut(text, MAX_CHARS)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--deb", help=f"the file `apt-get download {PACKAGE}` wrote (default: download now)")
    ap.add_argument("--out", default=here, help="output folder (default: this script's folder)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        deb = args.deb or pc.apt_download(f"{PACKAGE}={VERSION}", tmp)
        digest = pc.check_sha256(deb, DEB_SHA256)
        files = read_files(deb)

    raw, rows, by_text = {}, [], {}
    for c in CATEGORIES:
        parts = [p for p in re.split(r"^%\s*$", files[c], flags=re.MULTILINE) if p.strip()]
        raw[c] = len(parts)
        for i, p in enumerate(parts):
            text = clean(p)
            key = re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
            rows.append({"id": f"{c}/{i:04d}", "label": c, "text": text, "key": key})
            by_text.setdefault(key, set()).add(c)
    # a fortune filed under two categories has no single answer: drop it; within one category keep the first
    ambiguous = sum(1 for r in rows if len(by_text[r["key"]]) > 1)
    seen, kept = set(), []
    for r in rows:
        if len(by_text[r["key"]]) > 1 or r["key"] in seen or len(r["key"]) < 10:
            continue
        seen.add(r["key"])
        kept.append(r)
    available = pc.counts(kept)
    evals, rest = pc.stratified_take(kept, lambda r: r["label"],
                                     lambda k, n: min(round(n * EVAL_FRACTION), EVAL_CAP // len(CATEGORIES) + 20),
                                     SEED, "eval")
    evals = sorted(evals, key=lambda r: pc.hash_key(SEED, "eval-cap", r["id"]))[:EVAL_CAP]
    eval_ids = {r["id"] for r in evals}
    rest = [r for r in kept if r["id"] not in eval_ids]
    train = sorted(rest, key=lambda r: pc.hash_key(SEED, "train-cap", r["id"]))[:TRAIN_CAP]
    props, attempt = pc.dirichlet_proportions(CATEGORIES, SILOS, ALPHA, SEED)
    silos = pc.assign_by_proportions(train, props, SILOS, SEED)
    pc.write_task(args.out, "fortunes", train, evals, silos, report={
        "source": f"{PACKAGE} {VERSION}", "sha256": digest, "raw fortunes": raw,
        "dropped (in two categories)": ambiguous, "kept after cleaning": available,
        "dirichlet attempt": attempt,
        "dirichlet proportions": {l: [round(p, 3) for p in props[l]] for l in CATEGORIES}})


if __name__ == "__main__":
    main()
