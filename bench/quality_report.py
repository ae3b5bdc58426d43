#!/usr/bin/env python3
"""The quality suite's report: reads every results.json under OUT and writes OUT/quality.md,
OUT/quality.csv and OUT/quality.svg.

Usage:
    python3 bench/quality_report.py OUT [--plot auto|matplotlib|svg]

Layout (what bench/quality.sh writes): OUT/<task>/lr-<lr>/seed-<seed>/results.json, with a run.json
beside it ({"task", "learningRate", "seed"}; without it the three are read from the path). lr is a
number or "default" (the run omitted --learning-rate). A results.json is `fedtt simulate`'s: with
--compare it holds {"status", "job", "runs": [{"method", "rounds", "final"}]}, for one method the run's
fields at the top level. Only runs with status "succeeded" count; the others are listed as skipped.

Per (task, method, lr) the report averages over seeds: final held-out accuracy, macro-F1 and bytes
(up + down). Per task it compares FedTT with defaults against LoRA with defaults, FedTT's best rate
against LoRA's best (best = highest seed-mean accuracy over the swept rates and the default), and
FedTT+ against FedTT at FedTT's best rate and at the default, against issue 12's targets (1 point,
1 point, 0.5 point with fewer bytes).

The plot uses matplotlib when it imports (--plot auto), else a small hand-written SVG. Python 3
standard library only (matplotlib optional).
"""

import argparse
import csv
import io
import json
import math
import os
import re
import statistics
import sys

METHOD_ORDER = ["FedTT", "FedTT+", "LoRA"]
COLORS = {"FedTT": "#1f77b4", "FedTT+": "#2ca02c", "LoRA": "#d62728"}
TARGETS = {"default": 1.0, "best": 1.0, "plus": 0.5}   # points of accuracy (issue 12)


# ---------------------------------------------------------------- reading

def lr_key(lr):
    """"default" first, then the rates in increasing order."""
    return (-1.0,) if lr == "default" else (float(lr),)


def normalize_lr(lr):
    if lr is None or str(lr).strip().lower() in ("", "default", "none"):
        return "default"
    mantissa, exponent = f"{float(lr):e}".split("e")   # 0.005, "5e-3", "5.0e-03" -> "5e-3"
    return f"{float(mantissa):g}e{int(exponent)}"


def meta_of(path, root):
    """(task, lr, seed) of a results.json: from run.json beside it, else from OUT/<task>/lr-<lr>/seed-<s>/."""
    run_json = os.path.join(os.path.dirname(path), "run.json")
    meta = {}
    if os.path.exists(run_json):
        with open(run_json, encoding="utf-8") as f:
            meta = json.load(f)
    parts = os.path.relpath(os.path.dirname(path), root).split(os.sep)
    task = meta.get("task")
    lr = meta.get("learningRate")
    seed = meta.get("seed")
    for p in parts:
        if lr is None and p.startswith("lr-"):
            lr = p[3:]
        elif seed is None and re.fullmatch(r"seed-\d+", p):
            seed = int(p[5:])
    if task is None:
        task = parts[0] if parts and parts[0] not in (".", "") else "task"
    return task, normalize_lr(lr), (int(seed) if seed is not None else 0)


def read_results(root):
    """Rows {task, method, lr, seed, accuracy, macro_f1, bytes} of every succeeded run, and the skipped."""
    rows, skipped = [], []
    for dirpath, _, files in sorted(os.walk(root)):
        if "results.json" not in files:
            continue
        path = os.path.join(dirpath, "results.json")
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            skipped.append((path, f"unreadable: {e}"))
            continue
        if doc.get("status") != "succeeded":
            skipped.append((path, f"status {doc.get('status')!r}"))
            continue
        task, lr, seed = meta_of(path, root)
        for run in doc.get("runs", [doc]):
            fin = run.get("final") or {}
            if fin.get("accuracy") is None:
                skipped.append((path, f"{run.get('method')}: no final figures"))
                continue
            rows.append({"task": task, "method": run["method"], "lr": lr, "seed": seed,
                         "accuracy": float(fin["accuracy"]), "macro_f1": float(fin.get("macroF1") or 0.0),
                         "bytes": int(fin.get("bytesUp", 0)) + int(fin.get("bytesDown", 0))})
    return rows, skipped


# ---------------------------------------------------------------- aggregating

def aggregate(rows):
    """{(task, method, lr): {seeds, accuracy, accuracy_sd, macro_f1, bytes}} averaged over seeds."""
    groups = {}
    for r in rows:
        groups.setdefault((r["task"], r["method"], r["lr"]), []).append(r)
    out = {}
    for key, rs in groups.items():
        acc = [r["accuracy"] for r in rs]
        out[key] = {"seeds": sorted(r["seed"] for r in rs),
                    "accuracy": statistics.fmean(acc),
                    "accuracy_sd": statistics.stdev(acc) if len(acc) > 1 else 0.0,
                    "macro_f1": statistics.fmean(r["macro_f1"] for r in rs),
                    "bytes": statistics.fmean(r["bytes"] for r in rs)}
    return out


def method_sort(m):
    return (METHOD_ORDER.index(m) if m in METHOD_ORDER else len(METHOD_ORDER), m)


def tasks_of(agg):
    return sorted({k[0] for k in agg})


def best(agg, task, method):
    """(lr, figures) with the highest seed-mean accuracy for this task and method, or None."""
    cands = [(lr, v) for (t, m, lr), v in agg.items() if t == task and m == method]
    if not cands:
        return None
    return max(cands, key=lambda c: (c[1]["accuracy"], -lr_key(c[0])[0]))


def comparisons(agg, task):
    """The per-task lines of issue 12's targets: list of dicts {what, a, b, gap_points, target, met}."""
    out = []

    def line(what, a_name, a, b_name, b, target, need_fewer_bytes=False):
        if a is None or b is None:
            out.append({"what": what, "a": a_name, "b": b_name, "missing": True})
            return
        gap = 100.0 * (a[1]["accuracy"] - b[1]["accuracy"])
        met = gap >= -target and (not need_fewer_bytes or a[1]["bytes"] < b[1]["bytes"])
        out.append({"what": what, "a": a_name, "a_lr": a[0], "a_acc": a[1]["accuracy"], "a_bytes": a[1]["bytes"],
                    "b": b_name, "b_lr": b[0], "b_acc": b[1]["accuracy"], "b_bytes": b[1]["bytes"],
                    "gap_points": gap, "target": target, "met": met, "missing": False})

    def at(method, lr):
        v = agg.get((task, method, lr))
        return (lr, v) if v else None

    line("FedTT default vs LoRA default", "FedTT", at("FedTT", "default"), "LoRA", at("LoRA", "default"),
         TARGETS["default"])
    line("FedTT best vs LoRA best", "FedTT", best(agg, task, "FedTT"), "LoRA", best(agg, task, "LoRA"),
         TARGETS["best"])
    fedtt_best = best(agg, task, "FedTT")
    if fedtt_best:
        line(f"FedTT+ vs FedTT at FedTT's best rate ({fedtt_best[0]})", "FedTT+", at("FedTT+", fedtt_best[0]),
             "FedTT", fedtt_best, TARGETS["plus"], need_fewer_bytes=True)
    line("FedTT+ vs FedTT, defaults", "FedTT+", at("FedTT+", "default"), "FedTT", at("FedTT", "default"),
         TARGETS["plus"], need_fewer_bytes=True)
    return out


# ---------------------------------------------------------------- writing

def mb(b):
    return f"{b / 1e6:.2f}"


def write_csv(path, agg):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["task", "method", "lr", "seeds", "accuracy_mean", "accuracy_sd", "macro_f1_mean", "bytes_mean"])
        for (t, m, lr), v in sorted(agg.items(), key=lambda kv: (kv[0][0], method_sort(kv[0][1]), lr_key(kv[0][2]))):
            w.writerow([t, m, lr, " ".join(map(str, v["seeds"])), f"{v['accuracy']:.4f}", f"{v['accuracy_sd']:.4f}",
                        f"{v['macro_f1']:.4f}", f"{v['bytes']:.0f}"])


def write_markdown(path, agg, rows, skipped, svg_name):
    o = io.StringIO()
    runs = len({(r["task"], r["lr"], r["seed"]) for r in rows})
    o.write("# Quality suite\n\n")
    o.write(f"{runs} runs ({len(rows)} method-runs) read; final held-out accuracy and macro-F1 are means over "
            f"the seeds listed; bytes are up + down over the whole run. Plot: [{svg_name}]({svg_name}).\n\n")
    o.write("| task | method | lr | seeds | accuracy | ± sd | macro-F1 | MB |\n|---|---|---|---|---:|---:|---:|---:|\n")
    for (t, m, lr), v in sorted(agg.items(), key=lambda kv: (kv[0][0], method_sort(kv[0][1]), lr_key(kv[0][2]))):
        o.write(f"| {t} | {m} | {lr} | {','.join(map(str, v['seeds']))} | {v['accuracy']:.4f} | "
                f"{v['accuracy_sd']:.4f} | {v['macro_f1']:.4f} | {mb(v['bytes'])} |\n")
    o.write("\n## Against issue 12's targets\n\n")
    o.write("Gap = first minus second, in accuracy points; a target is met when the gap is at least minus the "
            "target (and, for FedTT+, with fewer bytes).\n\n")
    o.write("| task | comparison | first | second | gap (points) | bytes first / second | target | met |\n"
            "|---|---|---|---|---:|---|---:|---|\n")
    for t in tasks_of(agg):
        for c in comparisons(agg, t):
            if c["missing"]:
                o.write(f"| {t} | {c['what']} | – | – | – | – | – | no data |\n")
                continue
            o.write(f"| {t} | {c['what']} | {c['a']} @ {c['a_lr']}: {c['a_acc']:.4f} | "
                    f"{c['b']} @ {c['b_lr']}: {c['b_acc']:.4f} | {c['gap_points']:+.1f} | "
                    f"{mb(c['a_bytes'])} / {mb(c['b_bytes'])} MB | {c['target']:g} | {'yes' if c['met'] else 'NO'} |\n")
    if skipped:
        o.write("\n## Not counted\n\n")
        for p, why in skipped:
            o.write(f"- `{p}`: {why}\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(o.getvalue())


def plot_series(agg, task):
    """{method: [(lr, accuracy)]} for a task, lrs in lr_key order."""
    series = {}
    for (t, m, lr), v in agg.items():
        if t == task:
            series.setdefault(m, []).append((lr, v["accuracy"]))
    return {m: sorted(pts, key=lambda p: lr_key(p[0])) for m, pts in sorted(series.items(), key=lambda kv: method_sort(kv[0]))}


def x_positions(lrs):
    """x of each lr: log10 of the rate; "default" one decade-step left of the smallest swept rate."""
    numeric = sorted(float(l) for l in lrs if l != "default")
    pos = {}
    for l in lrs:
        if l != "default":
            pos[l] = math.log10(float(l))
    if "default" in lrs:
        pos["default"] = (math.log10(numeric[0]) - 0.5) if numeric else 0.0
    return pos


def write_svg_by_hand(path, agg):
    tasks = tasks_of(agg)
    pw, ph, ml, mr, mt, mbm = 320, 240, 50, 15, 30, 45
    cols = min(2, max(1, len(tasks)))
    nrows = max(1, math.ceil(len(tasks) / cols))
    width, height = cols * pw, nrows * ph + 30
    e = lambda s: str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>']
    for i, task in enumerate(tasks):
        ox, oy = (i % cols) * pw, (i // cols) * ph
        series = plot_series(agg, task)
        lrs = sorted({lr for pts in series.values() for lr, _ in pts}, key=lr_key)
        pos = x_positions(lrs)
        xs = list(pos.values())
        xmin, xmax = min(xs), max(xs)
        if xmax - xmin < 1e-9:
            xmin, xmax = xmin - 0.5, xmax + 0.5
        accs = [a for pts in series.values() for _, a in pts]
        ymin = max(0.0, math.floor(min(accs) * 10) / 10 - 0.05)
        ymax = min(1.0, math.ceil(max(accs) * 10) / 10 + 0.0001)
        if ymax - ymin < 0.1:
            ymin = max(0.0, ymax - 0.1)
        X = lambda x: ox + ml + (x - xmin) / (xmax - xmin) * (pw - ml - mr - 10) + 5
        Y = lambda y: oy + mt + (ymax - y) / (ymax - ymin) * (ph - mt - mbm)
        out.append(f'<text x="{ox + pw / 2}" y="{oy + 18}" text-anchor="middle" font-weight="bold">{e(task)}</text>')
        out.append(f'<rect x="{ox + ml}" y="{oy + mt}" width="{pw - ml - mr}" height="{ph - mt - mbm}" '
                   f'fill="none" stroke="#999"/>')
        for k in range(0, 6):
            yv = ymin + k * (ymax - ymin) / 5
            out.append(f'<line x1="{ox + ml - 3}" y1="{Y(yv):.1f}" x2="{ox + ml}" y2="{Y(yv):.1f}" stroke="#999"/>')
            out.append(f'<text x="{ox + ml - 5}" y="{Y(yv) + 4:.1f}" text-anchor="end">{yv:.2f}</text>')
        for lr in lrs:
            out.append(f'<text x="{X(pos[lr]):.1f}" y="{oy + ph - mbm + 15}" text-anchor="middle">{e(lr)}</text>')
        out.append(f'<text x="{ox + ml + (pw - ml - mr) / 2}" y="{oy + ph - 12}" text-anchor="middle">'
                   f'learning rate (log scale; default = none given)</text>')
        out.append(f'<text x="{ox + 12}" y="{oy + mt + (ph - mt - mbm) / 2}" text-anchor="middle" '
                   f'transform="rotate(-90 {ox + 12} {oy + mt + (ph - mt - mbm) / 2})">accuracy</text>')
        for m, pts in series.items():
            color = COLORS.get(m, "#555")
            swept = [(pos[lr], a) for lr, a in pts if lr != "default"]
            if len(swept) > 1:
                d = " ".join(f"{X(x):.1f},{Y(a):.1f}" for x, a in swept)
                out.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"/>')
            for lr, a in pts:
                shape = "rect" if lr == "default" else "circle"
                if shape == "circle":
                    out.append(f'<circle cx="{X(pos[lr]):.1f}" cy="{Y(a):.1f}" r="3" fill="{color}">'
                               f'<title>{e(m)} lr={e(lr)}: {a:.4f}</title></circle>')
                else:
                    out.append(f'<rect x="{X(pos[lr]) - 3.5:.1f}" y="{Y(a) - 3.5:.1f}" width="7" height="7" '
                               f'fill="{color}"><title>{e(m)} default: {a:.4f}</title></rect>')
    # legend
    lx = 10
    for m in sorted({k[1] for k in agg}, key=method_sort):
        out.append(f'<line x1="{lx}" y1="{height - 12}" x2="{lx + 20}" y2="{height - 12}" '
                   f'stroke="{COLORS.get(m, "#555")}" stroke-width="2"/>')
        out.append(f'<text x="{lx + 25}" y="{height - 8}">{e(m)}</text>')
        lx += 90
    out.append("</svg>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")


def write_svg_matplotlib(path, agg):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    tasks = tasks_of(agg)
    cols = min(2, max(1, len(tasks)))
    nrows = max(1, math.ceil(len(tasks) / cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(5 * cols, 3.6 * nrows), squeeze=False)
    for i, task in enumerate(tasks):
        ax = axes[i // cols][i % cols]
        series = plot_series(agg, task)
        lrs = sorted({lr for pts in series.values() for lr, _ in pts}, key=lr_key)
        pos = x_positions(lrs)
        for m, pts in series.items():
            color = COLORS.get(m)
            swept = [(pos[lr], a) for lr, a in pts if lr != "default"]
            if swept:
                ax.plot([x for x, _ in swept], [a for _, a in swept], "o-", color=color, label=m)
            for lr, a in pts:
                if lr == "default":
                    ax.plot([pos[lr]], [a], "s", color=color, label=None if swept else m)
        ax.set_xticks([pos[l] for l in lrs])
        ax.set_xticklabels(lrs)
        ax.set_title(task)
        ax.set_xlabel("learning rate (log scale; square = default)")
        ax.set_ylabel("accuracy")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    for j in range(len(tasks), nrows * cols):
        axes[j // cols][j % cols].axis("off")
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def write_plot(path, agg, backend="auto"):
    """Writes the plot; returns the backend used ("matplotlib" or "svg")."""
    if backend in ("auto", "matplotlib"):
        try:
            write_svg_matplotlib(path, agg)
            return "matplotlib"
        except ImportError:
            if backend == "matplotlib":
                raise
    write_svg_by_hand(path, agg)
    return "svg"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="the suite's output folder (bench/quality.sh's OUT)")
    ap.add_argument("--plot", choices=["auto", "matplotlib", "svg"], default="auto",
                    help="plot backend (auto: matplotlib when it imports, else hand-written SVG)")
    args = ap.parse_args(argv)
    rows, skipped = read_results(args.out)
    if not rows:
        print(f"quality_report: no succeeded results.json under {args.out}", file=sys.stderr)
        return 1
    agg = aggregate(rows)
    write_csv(os.path.join(args.out, "quality.csv"), agg)
    write_markdown(os.path.join(args.out, "quality.md"), agg, rows, skipped, "quality.svg")
    used = write_plot(os.path.join(args.out, "quality.svg"), agg, args.plot)
    print(f"quality_report: {len(rows)} method-runs, {len(skipped)} not counted; wrote "
          f"{os.path.join(args.out, 'quality.md')}, quality.csv, quality.svg ({used})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
