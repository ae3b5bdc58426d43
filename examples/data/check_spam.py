#!/usr/bin/env python3
"""Sanity checks and a reference baseline for the prepared SpamAssassin files.

Usage:
    python3 examples/data/check_spam.py [--data DIR]

1. Leak checks: trivial rules (has "<html", has any HTML tag, text length alone) must not predict
   spam vs ham well; they are scored on the held-out eval split (thresholds fit on train).
2. A reference baseline: TF-IDF bag of words + L2 logistic regression (softmax regression for the
   topic task), written with numpy only, trained on train and scored on eval; also per silo.

Python 3 standard library + numpy. Deterministic: full-batch gradient descent from zero.
"""

import argparse
import collections
import gzip
import json
import math
import os
import re

import numpy as np

TOKEN = re.compile(r"[a-z0-9$!]+(?:['.-][a-z0-9]+)*")


def read(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def accuracy(pred, gold):
    return sum(p == g for p, g in zip(pred, gold)) / len(gold)


def macro_f1(pred, gold, labels):
    f1s = []
    for c in labels:
        tp = sum(p == c and g == c for p, g in zip(pred, gold))
        fp = sum(p == c and g != c for p, g in zip(pred, gold))
        fn = sum(p != c and g == c for p, g in zip(pred, gold))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s)


# ---------------------------------------------------------------- leak checks

def rule_scores(train, evals):
    gold = [r["label"] for r in evals]
    majority = collections.Counter(r["label"] for r in train).most_common(1)[0][0]
    out = {"majority class (" + majority + ")": accuracy([majority] * len(evals), gold)}
    for name, pattern in [("has '<html'", r"<html"), ("has any HTML-like tag", r"<[a-z/][^>]{0,80}>")]:
        hit = re.compile(pattern, re.IGNORECASE)
        pred = ["spam" if hit.search(r["text"]) else "ham" for r in evals]
        inverse = ["ham" if p == "spam" else "spam" for p in pred]
        out[name] = max(accuracy(pred, gold), accuracy(inverse, gold))
        out[name + ": share of rows that match"] = sum(p == "spam" for p in pred) / len(pred)
    out["text length, best threshold on train"] = best_threshold(train, evals, lambda r: len(r["text"]))
    out["number of URLs, best threshold on train"] = best_threshold(train, evals, lambda r: r["text"].count("http"))
    out["share of capitals, best threshold on train"] = best_threshold(
        train, evals, lambda r: sum(c.isupper() for c in r["text"]) / max(1, sum(c.isalpha() for c in r["text"])))
    return out


def best_threshold(train, evals, feature):
    """Fits the single threshold (and direction) that best separates train, then scores eval."""
    xs = sorted((feature(r), r["label"] == "spam") for r in train)
    total_spam = sum(s for _, s in xs)
    best = (0.0, None, None)
    spam_below = 0
    for i, (x, s) in enumerate(xs):
        spam_below += s
        if i + 1 < len(xs) and xs[i + 1][0] == x:
            continue
        ham_below = i + 1 - spam_below
        spam_above = total_spam - spam_below
        ham_above = len(xs) - (i + 1) - spam_above
        for acc, spam_is_above in [((ham_below + spam_above) / len(xs), True),
                                   ((spam_below + ham_above) / len(xs), False)]:
            if acc > best[0]:
                best = (acc, x, spam_is_above)
    _, threshold, spam_is_above = best
    pred = ["spam" if (feature(r) > threshold) == spam_is_above else "ham" for r in evals]
    return accuracy(pred, [r["label"] for r in evals])


# ---------------------------------------------------------------- TF-IDF + logistic regression

def tokens(text):
    words = TOKEN.findall(text.lower())
    return words + [a + " " + b for a, b in zip(words, words[1:])]


class TfIdf:
    def __init__(self, docs, min_df=2, max_features=50000):
        df = collections.Counter()
        for d in docs:
            df.update(set(tokens(d)))
        kept = sorted((t for t, c in df.items() if c >= min_df), key=lambda t: (-df[t], t))[:max_features]
        self.index = {t: i for i, t in enumerate(sorted(kept))}
        n = len(docs)
        self.idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in sorted(kept)], dtype=np.float64)

    def transform(self, docs):
        """CSR rows (indptr, indices, data), sublinear tf, L2-normalised."""
        indptr, indices, data = [0], [], []
        for d in docs:
            counts = collections.Counter(self.index[t] for t in tokens(d) if t in self.index)
            cols = np.array(sorted(counts), dtype=np.int64)
            vals = np.array([1 + math.log(counts[c]) for c in cols], dtype=np.float64) * self.idf[cols] if len(cols) else np.zeros(0)
            norm = np.linalg.norm(vals)
            indices.extend(cols.tolist())
            data.extend((vals / norm if norm > 0 else vals).tolist())
            indptr.append(len(indices))
        return np.array(indptr), np.array(indices, dtype=np.int64), np.array(data)


def csr_matmul(x, w):
    """X @ W for CSR X [n, V] and dense W [V, k]."""
    indptr, indices, data = x
    out = np.zeros((len(indptr) - 1, w.shape[1]))
    nonempty = np.diff(indptr) > 0
    if len(indices):
        out[nonempty] = np.add.reduceat(data[:, None] * w[indices], indptr[:-1][nonempty], axis=0)
    return out


def csr_t_matmul(x, g, vocab):
    """X^T @ G for CSR X [n, V] and dense G [n, k]."""
    indptr, indices, data = x
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    return np.stack([np.bincount(indices, weights=data * g[rows, c], minlength=vocab) for c in range(g.shape[1])], axis=1)


def train_softmax(x, y, classes, vocab, l2=1e-4, steps=300, lr=2.0):
    """Full-batch gradient descent with Nesterov momentum on the L2-regularised cross-entropy."""
    n = len(y)
    onehot = np.zeros((n, classes))
    onehot[np.arange(n), y] = 1.0
    w = np.zeros((vocab, classes))
    b = np.zeros(classes)
    vw, vb = np.zeros_like(w), np.zeros_like(b)
    for _ in range(steps):
        lw, lb = w + 0.9 * vw, b + 0.9 * vb
        z = csr_matmul(x, lw) + lb
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        gz = (p - onehot) / n
        gw = csr_t_matmul(x, gz, vocab) + l2 * lw
        gb = gz.sum(axis=0)
        vw = 0.9 * vw - lr * gw
        vb = 0.9 * vb - lr * gb
        w, b = w + vw, b + vb
    return w, b


def tfidf_baseline(train, evals, labels):
    vec = TfIdf([r["text"] for r in train])
    xtr, xev = vec.transform([r["text"] for r in train]), vec.transform([r["text"] for r in evals])
    y = np.array([labels.index(r["label"]) for r in train])
    w, b = train_softmax(xtr, y, len(labels), len(vec.index))
    pred = [labels[i] for i in np.argmax(csr_matmul(xev, w) + b, axis=1)]
    gold = [r["label"] for r in evals]
    return {"accuracy": accuracy(pred, gold), "macro_f1": macro_f1(pred, gold, labels),
            "train_rows": len(train), "eval_rows": len(evals), "features": len(vec.index)}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=here, help="folder holding spam/ and topics/ (default: this script's folder)")
    ap.add_argument("--no-baseline", action="store_true", help="only the leak checks")
    args = ap.parse_args()

    spam = lambda name: read(os.path.join(args.data, "spam", name))
    train, evals = spam("train.jsonl.gz"), spam("eval.jsonl.gz")
    report = {"leak checks (accuracy on eval.jsonl.gz)": rule_scores(train, evals)}
    if not args.no_baseline:
        base = {"train.jsonl.gz -> eval.jsonl.gz": tfidf_baseline(train, evals, ["ham", "spam"])}
        for site in ("site-a", "site-b", "site-c"):
            base[site + " alone -> eval.jsonl.gz"] = tfidf_baseline(spam(site + ".jsonl.gz"), evals, ["ham", "spam"])
        report["TF-IDF + logistic regression, spam"] = base
        ttrain = read(os.path.join(args.data, "topics", "train.jsonl.gz"))
        tev = read(os.path.join(args.data, "topics", "eval.jsonl.gz"))
        topics = sorted({r["label"] for r in ttrain})
        report["TF-IDF + softmax regression, topics"] = tfidf_baseline(ttrain, tev, topics)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
