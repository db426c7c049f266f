"""Spiking path on one MNIST digit: retina -> LGN -> V1 simple/complex, 200 ms simulated.

    .venv/bin/python benchmarks/visual_spiking.py [--index 0] [--duration 0.2] [--repeats 3]

The first run builds (and, on a fresh machine, compiles) the Brian2 code; the following
``--repeats`` runs are "warm" (target of issue #6: <= 10 s). Reference, in the same run: the
rate path on the same digit; the script prints both times, their ratio, and the correlation
of the spiking rates with the rate path's.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ann.data import load_mnist
from neurosim.visual.pathway import RatePath
from neurosim.visual.spiking import SpikingParams, simulate


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=int, default=0)
    ap.add_argument("--duration", type=float, default=0.2, help="simulated seconds")
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    img = load_mnist().x_test[a.index].astype(np.float32) / 255
    model = RatePath()
    params = SpikingParams(duration=a.duration)
    t0 = time.perf_counter()
    out = simulate(model, img, np.random.default_rng(0), params)
    cold = time.perf_counter() - t0
    warm = []
    for k in range(a.repeats):
        t0 = time.perf_counter()
        out = simulate(model, img, np.random.default_rng(k + 1), params)
        warm.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(10):
        r = model.run(img)
    t_rate = (time.perf_counter() - t0) / 10
    sl = (Ellipsis, slice(None, None, params.stride), slice(None, None, params.stride))
    corr = {k: float(np.corrcoef(out[k].ravel(), (r[k][0][sl] if k.startswith("v1")
                                                    else r[k][0]).ravel())[0, 1])
            for k in ("lgn_on", "lgn_off", "v1_simple", "v1_complex")}
    n_v1 = out["v1_simple"].size + out["v1_complex"].size
    print(f"spiking path, MNIST test digit {a.index}, {a.duration * 1000:g} ms simulated, "
          f"Brian2 target {out['target']}: {out['n_synapses']} LGN->V1 synapses, "
          f"{out['lgn_on'].size * 2} LGN + {n_v1} V1 neurons")
    print(f"first run (build{' + compile' if cold > 2 * min(warm) else ''}): {cold:.2f} s; "
          f"warm: {min(warm):.2f} s best, {np.median(warm):.2f} s median of {a.repeats}")
    print(f"rate path on the same digit (reference): {t_rate * 1000:.1f} ms; "
          f"spiking/rate time ratio: {min(warm) / t_rate:.0f}x")
    print("correlation spiking vs rate path: "
          + ", ".join(f"{k} {v:.3f}" for k, v in corr.items()))


if __name__ == "__main__":
    main()
