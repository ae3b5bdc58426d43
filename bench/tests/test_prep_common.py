"""Tests of examples/data/prep_common.py, the quality-suite tasks' split helpers, and of the committed task files."""

import gzip
import json
import os
import sys

import pytest

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "data")
sys.path.insert(0, DATA)
import prep_common as pc  # noqa: E402

SILOS = ["site-a", "site-b", "site-c"]


def test_dirichlet_split_is_deterministic_and_every_silo_sees_two_classes():
    labels = [f"c{i}" for i in range(6)]
    p1, a1 = pc.dirichlet_proportions(labels, SILOS, 0.5, "seed-x")
    p2, a2 = pc.dirichlet_proportions(labels, SILOS, 0.5, "seed-x")
    assert (p1, a1) == (p2, a2)
    for label in labels:
        assert sum(p1[label]) == pytest.approx(1.0)
    for i in range(3):
        assert sum(p1[l][i] >= 0.05 for l in labels) >= 2
    assert pc.dirichlet_proportions(labels, SILOS, 0.5, "seed-y")[0] != p1


def test_assignment_is_a_pure_function_of_the_row_id():
    rows = [{"id": f"r{i}", "label": "a" if i % 2 else "b", "text": "t"} for i in range(400)]
    props = {"a": [0.7, 0.2, 0.1], "b": [0.0, 0.0, 1.0]}
    one = pc.assign_by_proportions(rows, props, SILOS, "s")
    two = pc.assign_by_proportions(list(reversed(rows)), props, SILOS, "s")
    assert {k: sorted(r["id"] for r in v) for k, v in one.items()} == \
           {k: sorted(r["id"] for r in v) for k, v in two.items()}
    assert all(r["label"] == "b" for r in one["site-c"] if r["label"] != "a")
    assert not [r for r in one["site-a"] + one["site-b"] if r["label"] == "b"]
    share_a = len([r for r in one["site-a"] if r["label"] == "a"]) / 200
    assert 0.6 < share_a < 0.8


def test_gzip_output_is_byte_identical(tmp_path):
    rows = [{"id": "1", "label": "x", "text": "é"}]
    pc.write_jsonl_gz(str(tmp_path / "a.jsonl.gz"), rows)
    pc.write_jsonl_gz(str(tmp_path / "b.jsonl.gz"), rows)
    assert (tmp_path / "a.jsonl.gz").read_bytes() == (tmp_path / "b.jsonl.gz").read_bytes()


def test_cut_stops_at_a_word_boundary():
    assert pc.cut("alpha beta gamma", 12) == "alpha beta"
    assert pc.cut("short", 12) == "short"


@pytest.mark.parametrize("task", ["wordnet", "fortunes", "sotu"])
def test_committed_task_files_silos_are_train_and_eval_is_held_out(task):
    def ids(name):
        with gzip.open(os.path.join(DATA, task, name + ".jsonl.gz"), "rt", encoding="utf-8") as f:
            return [json.loads(line) for line in f]
    train, evals = ids("train"), ids("eval")
    silos = [ids(s) for s in SILOS]
    assert sorted(r["id"] for s in silos for r in s) == sorted(r["id"] for r in train)
    assert not {r["id"] for r in train} & {r["id"] for r in evals}
    assert len({r["label"] for r in train}) >= 4
    for s in silos:
        assert len({r["label"] for r in s}) >= 2
        assert all(set(r) >= {"id", "label", "text"} and r["text"] for r in s)
    assert len(train) <= 3000 and len(evals) <= 510
