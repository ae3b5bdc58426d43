"""Tests of bench/quality_report.py on small synthetic results.json files (python3 -m pytest bench/tests)."""

import csv
import json
import os
import sys
import xml.etree.ElementTree as ET

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import quality_report as qr  # noqa: E402


def final(acc, f1=None, up=1000, down=1100):
    return {"accuracy": acc, "macroF1": acc - 0.05 if f1 is None else f1, "bytesUp": up, "bytesDown": down,
            "trainableParameters": 10, "communicatedParametersPerUpdate": 10, "loraEquivalentBytes": 1,
            "fullModelBytes": 1, "reductionVsLora": 1.0, "wallSeconds": 1.0}


def write_run(root, task, lr, seed, accs, status="succeeded", run_json=True, byte_scale=None):
    """accs: {method: accuracy}; writes OUT/<task>/lr-<lr>/seed-<seed>/results.json as --compare does."""
    d = os.path.join(root, task, f"lr-{lr}", f"seed-{seed}")
    os.makedirs(d, exist_ok=True)
    byte_scale = byte_scale or {"FedTT": 1, "FedTT+": 0.8, "LoRA": 5}
    runs = [{"job": task, "method": m, "rounds": [{"round": 0, "accuracy": 0.1}],
             "final": final(a, up=int(1000 * byte_scale[m]), down=int(1000 * byte_scale[m]))}
            for m, a in accs.items()]
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump({"status": status, "job": task, "runs": runs}, f)
    if run_json:
        with open(os.path.join(d, "run.json"), "w") as f:
            json.dump({"task": task, "learningRate": lr, "seed": seed}, f)
    return d


@pytest.fixture
def suite(tmp_path):
    root = str(tmp_path)
    # spam: FedTT default 0.90 / 0.92 (mean 0.91), LoRA default 0.95; best FedTT at 5e-3 (0.955), LoRA best 1e-3 0.96
    write_run(root, "spam", "default", 1, {"FedTT": 0.90, "FedTT+": 0.89, "LoRA": 0.95})
    write_run(root, "spam", "default", 2, {"FedTT": 0.92, "FedTT+": 0.91, "LoRA": 0.95})
    write_run(root, "spam", "1e-3", 1, {"FedTT": 0.93, "FedTT+": 0.93, "LoRA": 0.96})
    write_run(root, "spam", "5e-3", 1, {"FedTT": 0.955, "FedTT+": 0.952, "LoRA": 0.94})
    # wordnet: only the default, FedTT ahead of LoRA
    write_run(root, "wordnet", "default", 1, {"FedTT": 0.70, "FedTT+": 0.60, "LoRA": 0.695})
    return root


def test_reads_every_succeeded_run_and_averages_over_seeds(suite):
    rows, skipped = qr.read_results(suite)
    assert skipped == []
    assert len(rows) == 5 * 3
    agg = qr.aggregate(rows)
    v = agg[("spam", "FedTT", "default")]
    assert v["seeds"] == [1, 2]
    assert v["accuracy"] == pytest.approx(0.91)
    assert v["accuracy_sd"] == pytest.approx(0.0141421, abs=1e-6)
    assert v["macro_f1"] == pytest.approx(0.86)
    assert v["bytes"] == pytest.approx(2000)


def test_failed_and_running_runs_are_not_counted_but_listed(suite):
    write_run(suite, "spam", "5e-4", 1, {"FedTT": 0.99, "LoRA": 0.99}, status="failed")
    write_run(suite, "spam", "5e-4", 2, {"FedTT": 0.99, "LoRA": 0.99}, status="running")
    rows, skipped = qr.read_results(suite)
    assert not [r for r in rows if r["lr"] == "5e-4"]
    assert sorted(why for _, why in skipped) == ["status 'failed'", "status 'running'"]


def test_task_rate_and_seed_come_from_the_path_without_run_json(tmp_path):
    write_run(str(tmp_path), "sotu", "0.0050", 2, {"FedTT": 0.5}, run_json=False)
    (row,), _ = qr.read_results(str(tmp_path))
    assert (row["task"], row["lr"], row["seed"]) == ("sotu", "5e-3", 2)


def test_a_single_method_results_json_is_read_too(tmp_path):
    d = tmp_path / "fortunes" / "lr-default" / "seed-1"
    d.mkdir(parents=True)
    (d / "results.json").write_text(json.dumps({"status": "succeeded", "job": "x", "method": "LoRA",
                                                "rounds": [], "final": final(0.42)}))
    (row,), _ = qr.read_results(str(tmp_path))
    assert (row["task"], row["method"], row["lr"], row["accuracy"]) == ("fortunes", "LoRA", "default", 0.42)


def test_comparisons_follow_the_issue_targets(suite):
    agg = qr.aggregate(qr.read_results(suite)[0])
    by = {c["what"]: c for c in qr.comparisons(agg, "spam")}
    d = by["FedTT default vs LoRA default"]
    assert d["gap_points"] == pytest.approx(-4.0) and not d["met"]
    b = by["FedTT best vs LoRA best"]
    assert (b["a_lr"], b["b_lr"]) == ("5e-3", "1e-3")
    assert b["gap_points"] == pytest.approx(-0.5) and b["met"]
    p = by["FedTT+ vs FedTT at FedTT's best rate (5e-3)"]
    assert p["gap_points"] == pytest.approx(-0.3) and p["met"], "within 0.5 point and fewer bytes"
    w = {c["what"]: c for c in qr.comparisons(agg, "wordnet")}
    assert w["FedTT default vs LoRA default"]["met"]
    assert not w["FedTT+ vs FedTT, defaults"]["met"], "10 points below FedTT"


def test_fedtt_plus_needs_fewer_bytes_to_meet_its_target(tmp_path):
    write_run(str(tmp_path), "t", "default", 1, {"FedTT": 0.8, "FedTT+": 0.8, "LoRA": 0.8},
              byte_scale={"FedTT": 1, "FedTT+": 1, "LoRA": 5})
    agg = qr.aggregate(qr.read_results(str(tmp_path))[0])
    c = {c["what"]: c for c in qr.comparisons(agg, "t")}["FedTT+ vs FedTT, defaults"]
    assert c["gap_points"] == 0 and not c["met"]


def test_a_missing_method_is_reported_as_no_data(tmp_path):
    write_run(str(tmp_path), "t", "1e-3", 1, {"FedTT": 0.8})
    agg = qr.aggregate(qr.read_results(str(tmp_path))[0])
    c = {c["what"]: c for c in qr.comparisons(agg, "t")}
    assert c["FedTT default vs LoRA default"]["missing"]
    assert c["FedTT best vs LoRA best"]["missing"]


def test_main_writes_markdown_csv_and_a_hand_written_svg(suite):
    assert qr.main([suite, "--plot", "svg"]) == 0
    md = open(os.path.join(suite, "quality.md")).read()
    assert "| spam | FedTT | default | 1,2 | 0.9100 |" in md
    assert "| spam | FedTT best vs LoRA best | FedTT @ 5e-3: 0.9550 | LoRA @ 1e-3: 0.9600 | -0.5 |" in md
    assert "| wordnet | FedTT+ vs FedTT, defaults |" in md and "| NO |" in md
    with open(os.path.join(suite, "quality.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4 * 3, "spam: 3 rates, wordnet: 1, times 3 methods"
    lrs = [r["lr"] for r in rows if r["task"] == "spam" and r["method"] == "FedTT"]
    assert lrs == ["default", "1e-3", "5e-3"], "default first, then increasing rates"
    svg = ET.parse(os.path.join(suite, "quality.svg")).getroot()   # well-formed XML
    assert svg.tag.endswith("svg")
    text = open(os.path.join(suite, "quality.svg")).read()
    assert ">spam<" in text and ">wordnet<" in text and ">LoRA<" in text
    assert text.count("<polyline") == 3, "one line per method on spam (wordnet has only the default)"


def test_rerunning_gives_identical_files(suite):
    qr.main([suite, "--plot", "svg"])
    first = [open(os.path.join(suite, n), "rb").read() for n in ("quality.md", "quality.csv", "quality.svg")]
    qr.main([suite, "--plot", "svg"])
    assert first == [open(os.path.join(suite, n), "rb").read() for n in ("quality.md", "quality.csv", "quality.svg")]


def test_matplotlib_backend_when_available(suite):
    pytest.importorskip("matplotlib")
    assert qr.write_plot(os.path.join(suite, "m.svg"), qr.aggregate(qr.read_results(suite)[0]), "matplotlib") \
        == "matplotlib"
    ET.parse(os.path.join(suite, "m.svg"))


def test_no_results_is_an_error(tmp_path, capsys):
    assert qr.main([str(tmp_path)]) == 1
    assert "no succeeded results.json" in capsys.readouterr().err
