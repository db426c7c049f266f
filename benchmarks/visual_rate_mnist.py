"""Rate path over the MNIST test set, retina -> V1 complex cells: time and images/s.

    .venv/bin/python benchmarks/visual_rate_mnist.py [--n 10000] [--batch 1000]

Reference, in the same run: the same V1 stage computed the direct way, one
``scipy.ndimage.correlate`` per image and kernel (same kernels, same reflecting border), on
the first ``--n-ref`` images; the script checks that both give the same responses and prints
the speed ratio per image. Target (issue #6): the full 10 000 images in <= 30 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from scipy import ndimage

from ann.data import load_mnist
from neurosim.visual.gabor import gabor_kernel
from neurosim.visual.pathway import RatePath
from neurosim.visual.v1 import complex_rates, simple_rates


def direct_v1(model: RatePath, lgn_on, lgn_off):
    """V1 complex rates by direct correlation (the reference)."""
    p = model.params.v1
    out = np.zeros((len(lgn_on), len(p.wavelengths), p.n_orientations, len(p.phases))
                   + lgn_on.shape[2:], np.float32)
    for s, name in enumerate(p.channels):
        c = model.params.channel_index(name)
        for o, th in enumerate(p.orientations):
            for k, ph in enumerate(p.phases):
                G = gabor_kernel(p.wavelengths[s], th, ph, p.bandwidth, p.gamma)
                for n in range(len(lgn_on)):
                    d = lgn_on[n, c] - lgn_off[n, c]
                    out[n, s, o, k] = ndimage.correlate(d, G, mode="mirror") * p.tau_m * p.J
    return complex_rates(simple_rates(out, p), phase_axis=3)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--n-ref", type=int, default=50)
    a = ap.parse_args()
    x = load_mnist().x_test[:a.n]
    model = RatePath()
    model.run(x[:10], stages=["v1_complex"])                       # warm-up (FFT plans)
    t0 = time.perf_counter()
    r = model.run(x, stages=["v1_complex"], batch_size=a.batch)["v1_complex"]
    t_fast = time.perf_counter() - t0
    print(f"rate path, {a.n} MNIST images -> V1 complex {r.shape[1:]}: {t_fast:.2f} s, "
          f"{a.n / t_fast:.0f} images/s (cores: {os.cpu_count()})")

    ret = model.retina(x[:a.n_ref])
    t0 = time.perf_counter()
    ref = direct_v1(model, ret["lgn_on"], ret["lgn_off"])
    t_ref = time.perf_counter() - t0
    t1 = time.perf_counter()
    model.retina(x[:a.n_ref])
    t_ret = time.perf_counter() - t1
    err = float(np.abs(ref - r[:a.n_ref]).max() / max(1e-9, float(np.abs(ref).max())))
    per_fast = t_fast / a.n
    per_ref = (t_ref + t_ret) / a.n_ref
    print(f"reference (direct scipy.ndimage.correlate), {a.n_ref} images: {t_ref + t_ret:.2f} s,"
          f" {1 / per_ref:.0f} images/s; max relative difference {err:.1e}")
    print(f"speed-up per image: {per_ref / per_fast:.1f}x")


if __name__ == "__main__":
    main()
