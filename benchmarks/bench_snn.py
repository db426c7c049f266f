"""Speed of the batched SNN simulator, against the ANN and against Brian2, in one run.

    python benchmarks/bench_snn.py [--model out/demo/lenet.npz] [-T 100] [--n 1000] [--full]

Prints, on the same images and batch size (float32, this machine's BLAS threads):

1. ANN inference time for the batch, SNN evaluation time for T steps (with and without the
   per-layer statistics), and the ratio ``SNN / (T × ANN)`` (target ≤ 1.0: a dense simulation
   costs about T ANN passes, so staying below takes work the ANN cannot skip — the constant
   first-layer current computed once);
2. with ``--full``: the whole 10 000-image test set at T (target for LeNet, T = 100: ≤ 2 min);
3. Brian2, image by image, for the same architecture with average pooling in place of max
   pooling (Brian2 has no fixed synapses for a max-pooling gate; the cost is the same
   structure), extrapolated from a few images, and the batched simulator's speed-up over it.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from ann.data import load_mnist
from ann.io import load_model
from ann.network import Network
from ann.spec import LayerSpec, ModelSpec
from ann.training import prepare_images
from bridge.brian_export import Brian2Network
from bridge.convert import convert
from bridge.simulate import simulate


def best_of(f, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return min(times)


def avgpool_twin(net):
    """The same layers and weights with every MaxPool2D replaced by AvgPool2D."""
    layers = tuple(LayerSpec("AvgPool2D", lay.params) if lay.type == "MaxPool2D" else lay
                   for lay in net.spec.layers)
    twin = Network.from_spec(ModelSpec(net.spec.input_shape, layers, net.spec.name + "-avg"),
                             np.random.default_rng(0))
    twin.set_weights(net.get_weights())
    return twin


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=Path("out/demo/lenet.npz"))
    ap.add_argument("-T", "--timesteps", type=int, default=100)
    ap.add_argument("--n", type=int, default=1000, help="images for the ANN/SNN comparison")
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="SNN worker processes (default: one per core; the ANN uses BLAS threads)")
    ap.add_argument("--full", action="store_true", help="also time the full 10k test set")
    ap.add_argument("--brian2-images", type=int, default=2)
    ap.add_argument("--brian2-target", default="cython", choices=("cython", "numpy"))
    args = ap.parse_args()
    if not args.model.is_file():
        raise SystemExit(f"{args.model}: no such model (run `make demo` or `neurosim train "
                         "lenet --out PATH` first)")
    m = load_mnist()
    net = load_model(args.model)
    x = prepare_images(m.x_test[:args.n])
    y = m.y_test[:args.n]
    snn = convert(net, prepare_images(m.x_train[:5000]))
    T, B, W = args.timesteps, args.batch_size, args.workers

    t_ann = best_of(lambda: net.predict_proba(x, batch_size=B))
    t_snn = best_of(lambda: simulate(snn, x, y, T, batch_size=B, statistics=False, workers=W),
                    repeat=1)
    t_snn_stats = best_of(lambda: simulate(snn, x, y, T, batch_size=B, workers=W), repeat=1)
    print(f"model {args.model} ({net.spec.name}), {args.n} images, batch {B}, T = {T}, "
          f"{W} SNN worker(s)")
    print(f"ANN inference          {t_ann:8.3f} s   ({args.n / t_ann:,.0f} images/s)")
    print(f"SNN, T = {T:<4d}          {t_snn:8.3f} s   ratio SNN / (T x ANN) = "
          f"{t_snn / (T * t_ann):.3f}")
    print(f"SNN + statistics       {t_snn_stats:8.3f} s   ratio = {t_snn_stats / (T * t_ann):.3f}")

    if args.full:
        xf, yf = prepare_images(m.x_test), m.y_test
        t0 = time.perf_counter()
        r = simulate(snn, xf, yf, T, batch_size=B, statistics=False, workers=W)
        t_full = time.perf_counter() - t0
        print(f"full test set (10 000 images), T = {T}: {t_full:.1f} s, SNN accuracy "
              f"{100 * r.accuracy_per_step[-1]:.2f} % (ANN {100 * r.ann_accuracy:.2f} %)")

    twin = avgpool_twin(net)
    snn_avg = convert(twin, prepare_images(m.x_train[:2000]))
    t0 = time.perf_counter()
    b2net = Brian2Network(snn_avg, target=args.brian2_target)
    b2net.spike_counts(x[0], 1)                     # the first run generates (and compiles) code
    t_setup = time.perf_counter() - t0
    k = args.brian2_images
    t0 = time.perf_counter()
    for image in x[:k]:
        b2net.spike_counts(image, T)
    per_image = (time.perf_counter() - t0) / k
    t_batch = best_of(lambda: simulate(snn_avg, x, y, T, batch_size=B, statistics=False, workers=W),
                      repeat=1)
    print(f"Brian2 ({args.brian2_target}), image by image, avg-pool twin: build + code "
          f"generation {t_setup:.1f} s (once); {per_image:.2f} s per image of T = {T} steps "
          f"(mean of {k})")
    print(f"batched simulator, same avg-pool network: {t_batch / args.n * 1e3:.2f} ms per image"
          f" -> speed-up over Brian2 x{per_image / (t_batch / args.n):,.0f}")


if __name__ == "__main__":
    main()
