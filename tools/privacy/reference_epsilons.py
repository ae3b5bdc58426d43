#!/usr/bin/env python3
"""Reference epsilons from Google's dp-accounting RDP accountant, for the Java accountant's tests.

Run once (not in CI); the output is committed as
core/src/test/resources/privacy/reference-epsilons.json:

    tools/privacy/reference_epsilons.py            # creates /work/.venv-privacy (or $VENV) with dp-accounting

Each case is the Poisson-sampled Gaussian mechanism (sampling rate q, noise multiplier sigma) composed
over `steps`, converted to (epsilon, delta) by dp-accounting's RdpAccountant with its default orders
(the conversion of Balle et al. 2020 / Canonne, Kamath & Steinke 2020, as Opacus uses too).
"""
import json
import os
import subprocess
import sys

VENV = os.environ.get("VENV", "/work/.venv-privacy")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "core", "src", "test", "resources", "privacy", "reference-epsilons.json")

# (q, sigma, steps, delta): q = 1 (cross-silo, every silo each round), q = 0.01 (DP-SGD-like), between;
# sigma 0.5..4, steps 1..10000. The last is Abadi et al. 2016's setting (q = 0.01, sigma = 4, 10,000 steps).
CASES = [
    (1.0, 0.5, 1, 1e-5),
    (1.0, 1.0, 10, 1e-5),
    (1.0, 2.0, 100, 1e-5),
    (1.0, 4.0, 1000, 1e-5),
    (1.0, 0.8, 8, 1e-5),
    (0.5, 1.0, 20, 1e-5),
    (0.3, 1.5, 50, 1e-3),
    (0.1, 1.0, 8, 1e-5),
    (0.1, 1.1, 100, 1e-5),
    (0.1, 2.0, 500, 1e-6),
    (0.05, 0.8, 200, 1e-5),
    (0.01, 0.5, 1, 1e-5),
    (0.01, 1.0, 1000, 1e-5),
    (0.01, 1.1, 10000, 1e-5),
    (0.001, 1.0, 1000, 1e-5),
    (0.01, 4.0, 10000, 1e-5),
]


def main():
    try:
        import dp_accounting  # noqa: F401
    except ImportError:
        if sys.prefix == VENV:
            raise
        if not os.path.exists(os.path.join(VENV, "bin", "python")):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
            subprocess.check_call([os.path.join(VENV, "bin", "pip"), "install", "-q", "dp-accounting==0.6.0"])
        os.execv(os.path.join(VENV, "bin", "python"), [os.path.join(VENV, "bin", "python")] + sys.argv)
    import dp_accounting
    from dp_accounting import rdp
    from importlib.metadata import version

    rows = []
    for q, sigma, steps, delta in CASES:
        acc = rdp.RdpAccountant()
        event = dp_accounting.SelfComposedDpEvent(
            dp_accounting.PoissonSampledDpEvent(q, dp_accounting.GaussianDpEvent(sigma)), steps)
        acc.compose(event)
        eps, order = acc.get_epsilon_and_optimal_order(delta)
        rows.append({"q": q, "noiseMultiplier": sigma, "steps": steps, "delta": delta,
                     "epsilon": eps, "order": float(order)})
    doc = {"source": "dp-accounting " + version("dp-accounting") + " RdpAccountant (default orders), "
                     "PoissonSampledDpEvent(q, GaussianDpEvent(noiseMultiplier)) composed `steps` times",
           "generator": "tools/privacy/reference_epsilons.py",
           "orders": [float(o) for o in rdp.rdp_privacy_accountant.DEFAULT_RDP_ORDERS],
           "cases": rows}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    for r in rows:
        print(r)


if __name__ == "__main__":
    main()
