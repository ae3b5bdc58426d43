#!/usr/bin/env python3
"""Checks and the reference baseline of the quality suite's tasks (wordnet, fortunes, sotu, spam).

Usage:
    python3 examples/data/check_tasks.py [TASK ...] [--data DIR]

For each task (folder DIR/<task> with train, eval and site-*.jsonl.gz): that the silos are exactly the
training rows and none is in eval; the majority-class accuracy; and check_spam.py's TF-IDF +
softmax-regression baseline (numpy) trained on train and on each silo alone, scored on eval.
Python 3 standard library + numpy; deterministic.
"""

import argparse
import collections
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_spam import accuracy, read, tfidf_baseline  # noqa: E402

TASKS = ["wordnet", "fortunes", "sotu", "spam"]


def check(folder):
    train = read(os.path.join(folder, "train.jsonl.gz"))
    evals = read(os.path.join(folder, "eval.jsonl.gz"))
    sites = {os.path.basename(p)[:-len(".jsonl.gz")]: read(p)
             for p in sorted(glob.glob(os.path.join(folder, "site-*.jsonl.gz")))}
    train_ids = sorted(r["id"] for r in train)
    assert sorted(r["id"] for rows in sites.values() for r in rows) == train_ids, "silos != train"
    assert not set(train_ids) & {r["id"] for r in evals}, "an eval row is in train"
    labels = sorted({r["label"] for r in train} | {r["label"] for r in evals})
    majority = collections.Counter(r["label"] for r in train).most_common(1)[0][0]
    report = {"classes": len(labels), "train": len(train), "eval": len(evals),
              "majority class accuracy": accuracy([majority] * len(evals), [r["label"] for r in evals]),
              "TF-IDF + softmax regression": {}}
    base = report["TF-IDF + softmax regression"]
    base["train -> eval"] = tfidf_baseline(train, evals, labels)
    for name, rows in sites.items():
        base[name + " alone -> eval"] = tfidf_baseline(rows, evals, labels)
    return report


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tasks", nargs="*", default=TASKS)
    ap.add_argument("--data", default=here, help="folder holding the task folders (default: this script's folder)")
    args = ap.parse_args()
    print(json.dumps({t: check(os.path.join(args.data, t)) for t in args.tasks}, indent=1))


if __name__ == "__main__":
    main()
