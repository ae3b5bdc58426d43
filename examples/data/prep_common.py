"""Shared helpers of the prepare_<task>.py scripts of the quality suite (Python 3 standard library only).

Everything here is deterministic: a split is a pure function of a salted SHA-256 of each row's id,
the Dirichlet label-skew proportions come from a `random.Random` seeded with a fixed string (the
same numbers on every Python 3 version with the same `random` algorithm; the proportions are also
printed in the report), and gzip is written with mtime 0, so a rerun gives identical bytes.
"""

import collections
import gzip
import hashlib
import io
import json
import os
import random
import subprocess
import sys

FIELDS = ["id", "label", "text"]


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_sha256(path, expected):
    digest = sha256_of(path)
    if digest != expected:
        sys.exit(f"{path}: SHA-256 {digest}, expected {expected} (a different file; refusing to continue)")
    return digest


def npm_pack(package, dest):
    """Runs `npm pack PACKAGE` in dest and returns the tarball's path."""
    print(f"running npm pack {package} in {dest}", file=sys.stderr)
    out = subprocess.run(["npm", "pack", package, "--silent"], cwd=dest, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()
    return os.path.join(dest, out[-1].strip())


def apt_download(package, dest):
    """Runs `apt-get download PACKAGE` in dest and returns the .deb's path."""
    print(f"running apt-get download {package} in {dest}", file=sys.stderr)
    subprocess.run(["apt-get", "download", package], cwd=dest, check=True, capture_output=True)
    debs = sorted(f for f in os.listdir(dest) if f.endswith(".deb"))
    if len(debs) != 1:
        sys.exit(f"apt-get download {package}: expected one .deb in {dest}, found {debs}")
    return os.path.join(dest, debs[0])


def hash_key(seed, *parts):
    return hashlib.sha256("\x1f".join([seed, *parts]).encode("utf-8")).hexdigest()


def unit(seed, *parts):
    """A number in [0, 1) that is a pure function of the salted hash of parts."""
    return int(hash_key(seed, *parts)[:15], 16) / float(16 ** 15)


def stratified_take(rows, stratum_of, per_stratum, seed, salt):
    """Per stratum, the rows ordered by a salted hash of their id; returns (taken, rest) by the first n of each."""
    strata = collections.defaultdict(list)
    for r in rows:
        strata[stratum_of(r)].append(r)
    taken, rest = [], []
    for k in sorted(strata, key=str):
        ordered = sorted(strata[k], key=lambda r: hash_key(seed, salt, r["id"]))
        n = per_stratum(k, len(ordered)) if callable(per_stratum) else per_stratum
        taken.extend(ordered[:n])
        rest.extend(ordered[n:])
    return taken, rest


def dirichlet_proportions(labels, silos, alpha, seed, min_classes=2, min_share=0.05):
    """Per label, a Dirichlet(alpha) split over silos from random.Random(seed + attempt).

    Redraws (attempt 1, 2, ...) until every silo gets at least `min_share` of at least `min_classes`
    labels, so each silo sees two or more classes with more than a handful of rows.
    """
    for attempt in range(1000):
        rng = random.Random(f"{seed}/{attempt}")
        props = {}
        for label in labels:
            g = [rng.gammavariate(alpha, 1.0) for _ in silos]
            total = sum(g)
            props[label] = [x / total for x in g]
        if all(sum(props[l][i] >= min_share for l in labels) >= min_classes for i in range(len(silos))):
            return props, attempt
    raise RuntimeError("no admissible Dirichlet draw in 1000 attempts")


def assign_by_proportions(rows, props, silos, seed):
    """Silo of each row: the row's salted-hash number in [0,1) looked up in its label's cumulative shares."""
    out = {s: [] for s in silos}
    for r in rows:
        u = unit(seed, "silo", r["id"])
        acc = 0.0
        chosen = silos[-1]
        for s, p in zip(silos, props[r["label"]]):
            acc += p
            if u < acc:
                chosen = s
                break
        out[chosen].append(r)
    return out


def write_jsonl_gz(path, rows, fields=FIELDS):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        for r in rows:
            gz.write((json.dumps({f: r[f] for f in fields}, ensure_ascii=False) + "\n").encode("utf-8"))
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    return len(buf.getvalue())


def counts(rows, key=lambda r: r["label"]):
    c = collections.Counter(key(r) for r in rows)
    return {str(k): c[k] for k in sorted(c, key=str)}


def cut(text, limit):
    """At most `limit` characters, cut at a word boundary."""
    if len(text) <= limit:
        return text
    head = text[:limit + 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else text[:limit]).rstrip()


def write_task(out_dir, task, train, evals, silos, fields=FIELDS, report=None):
    """Writes train/eval/site-*.jsonl.gz (rows sorted by id) and prints a JSON report of the counts."""
    report = dict(report or {})
    key = lambda r: r["id"]
    files = {"train": sorted(train, key=key), "eval": sorted(evals, key=key)}
    for name, rows in silos.items():
        files[name] = sorted(rows, key=key)
    assert sorted(r["id"] for s in silos.values() for r in s) == sorted(r["id"] for r in train)
    assert not ({r["id"] for r in train} & {r["id"] for r in evals})
    report["files"] = {}
    for name, rows in files.items():
        size = write_jsonl_gz(os.path.join(out_dir, task, name + ".jsonl.gz"), rows, fields)
        report["files"][name + ".jsonl.gz"] = {"rows": len(rows), "bytes": size, "labels": counts(rows)}
    print(json.dumps(report, indent=1, ensure_ascii=False))
    return report
