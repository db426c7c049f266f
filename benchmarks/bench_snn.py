"""Speed of the SNN simulators, against the ANN and against Brian2, in one run.

    python benchmarks/bench_snn.py [--model out/demo/lenet.npz ...] [-T 32 100] [--n 1000]
                                   [--repeats 5] [--full] [--brian2-images 2]

For every model and T, on the same images, batch size and BLAS threads (float32), alternating
repeats (median of ``--repeats``):

1. ANN inference time; the time-batched (``layerwise``, default) and the step-by-step (``step``)
   simulators' times; each one's ratio ``SNN / (T × ANN)`` (target for layerwise ≤ 0.5);
2. the two simulators' agreement in float32 on these images: the fraction of spike counts that
   are equal and the largest difference of the per-step accuracies;
3. the peak memory of a layerwise run in one process (``tracemalloc``), against the budget;
4. with ``--full``: the whole 10 000-image test set at the largest T (target for LeNet at
   T = 100: ≤ 15 s);
5. with ``--brian2-images N``: Brian2, image by image, for the same architecture with average
   pooling in place of max pooling (Brian2 has no fixed synapses for a max pool; the cost is
   the same structure), extrapolated from N images, and the batched simulator's speed-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np

from ann.data import load_mnist
from ann.io import load_model
from ann.network import Network
from ann.spec import LayerSpec, ModelSpec
from ann.training import prepare_images
from bridge.brian_export import Brian2Network
from bridge.convert import convert
from bridge.layerwise import default_memory_budget
from bridge.simulate import simulate, spike_counts
from common.cli_types import memory_size


def timed(f) -> float:
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def medians(fs: dict, repeats: int) -> dict:
    """Median wall time of each callable in ``fs``, run in turn ``repeats`` times (alternating,
    so that a load change on the machine hits every side alike)."""
    times = {k: [] for k in fs}
    for _ in range(repeats):
        for k, f in fs.items():
            times[k].append(timed(f))
    return {k: statistics.median(v) for k, v in times.items()}


def avgpool_twin(net):
    """The same layers and weights with every MaxPool2D replaced by AvgPool2D."""
    layers = tuple(LayerSpec("AvgPool2D", lay.params) if lay.type == "MaxPool2D" else lay
                   for lay in net.spec.layers)
    twin = Network.from_spec(ModelSpec(net.spec.input_shape, layers, net.spec.name + "-avg"),
                             np.random.default_rng(0))
    twin.set_weights(net.get_weights())
    return twin


def agreement(snn, x, y, T, W) -> str:
    """float32: share of equal spike counts and the largest per-step accuracy difference."""
    a = spike_counts(snn, x, T, simulator="layerwise")
    b = np.concatenate([np.concatenate([c.reshape(len(c), -1) for c in
                                        spike_counts(snn, x[k:k + 500], T, simulator="step")],
                                       axis=1) for k in range(0, len(x), 500)])
    a = np.concatenate([c.reshape(len(c), -1) for c in a], axis=1)
    ra = simulate(snn, x, y, T, statistics=False, workers=W)
    rb = simulate(snn, x, y, T, statistics=False, workers=W, simulator="step")
    diff = np.abs(ra.accuracy_per_step - rb.accuracy_per_step).max()
    return (f"float32 layerwise vs step: {100 * np.mean(a == b):.4f} % of {a.size:,} spike "
            f"counts equal; per-step accuracies differ by at most {100 * diff:.3f} points")


def peak_memory(snn, x, y, T, budget) -> str:
    simulate(snn, x[:2], y[:2], 2, statistics=False, workers=1)   # compiled before measuring
    tracemalloc.start()
    simulate(snn, x, y, T, statistics=False, workers=1, memory_budget=budget)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (f"peak memory of a layerwise run (one process, tracemalloc): "
            f"{peak / 2 ** 20:.0f} MiB (budget {budget / 2 ** 20:.0f} MiB)")


def bench_model(path: Path, m, args) -> None:
    net = load_model(path)
    x, y = prepare_images(m.x_test[:args.n]), m.y_test[:args.n]
    snn = convert(net, prepare_images(m.x_train[:5000]))
    B, W = args.batch_size, args.workers
    simulate(snn, x[:8], y[:8], 2, statistics=False)                # compile the loops once
    print(f"\nmodel {path} ({net.spec.name}), {args.n} images, batch {B}, {W} SNN worker(s), "
          f"median of {args.repeats} alternating repeats, memory budget "
          f"{args.memory_budget / 2 ** 20:.0f} MiB")
    for T in args.timesteps:
        t = medians({"ann": lambda: net.predict_proba(x, batch_size=B),
                     "layerwise": lambda: simulate(snn, x, y, T, batch_size=B, statistics=False,
                                                   workers=W, memory_budget=args.memory_budget),
                     "step": lambda: simulate(snn, x, y, T, batch_size=B, statistics=False,
                                              workers=W, simulator="step")}, args.repeats)
        print(f"T = {T:<4d} ANN {t['ann']:7.3f} s | layerwise {t['layerwise']:7.3f} s, ratio "
              f"SNN / (T x ANN) = {t['layerwise'] / (T * t['ann']):.3f} | step "
              f"{t['step']:7.3f} s, ratio {t['step'] / (T * t['ann']):.3f} | layerwise is "
              f"{t['step'] / t['layerwise']:.2f}x faster")
    T = max(args.timesteps)
    print(agreement(snn, x, y, T, W))
    print(peak_memory(snn, x, y, T, args.memory_budget))
    if args.full:
        xf, yf = prepare_images(m.x_test), m.y_test
        t0 = time.perf_counter()
        r = simulate(snn, xf, yf, T, batch_size=B, statistics=False, workers=W,
                     memory_budget=args.memory_budget)
        print(f"full test set (10 000 images), T = {T}, layerwise: "
              f"{time.perf_counter() - t0:.1f} s, SNN accuracy "
              f"{100 * r.accuracy_per_step[-1]:.2f} % (ANN {100 * r.ann_accuracy:.2f} %)")
    if args.brian2_images:
        brian2_comparison(net, m, x, y, T, args)


def brian2_comparison(net, m, x, y, T, args) -> None:
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
    t_batch = timed(lambda: simulate(snn_avg, x, y, T, batch_size=args.batch_size,
                                     statistics=False, workers=args.workers,
                                     memory_budget=args.memory_budget))
    print(f"Brian2 ({args.brian2_target}), image by image, avg-pool twin: build + code "
          f"generation {t_setup:.1f} s (once); {per_image:.2f} s per image of T = {T} steps "
          f"(mean of {k})")
    print(f"layerwise simulator, same avg-pool network: {t_batch / len(x) * 1e3:.2f} ms per "
          f"image -> speed-up over Brian2 x{per_image / (t_batch / len(x)):,.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, action="append",
                    help="trained model(s), repeatable (default out/demo/lenet.npz)")
    ap.add_argument("-T", "--timesteps", type=int, nargs="+", default=[32, 100])
    ap.add_argument("--n", type=int, default=1000, help="images for the ANN/SNN comparison")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="SNN worker processes (default: one per core; the ANN uses BLAS threads)")
    ap.add_argument("--memory-budget", type=memory_size, default=None, metavar="SIZE",
                    help="the layerwise simulator's budget (default 256MiB, or 32MiB per "
                         "worker where more)")
    ap.add_argument("--full", action="store_true", help="also time the full 10k test set")
    ap.add_argument("--brian2-images", type=int, default=0)
    ap.add_argument("--brian2-target", default="cython", choices=("cython", "numpy"))
    args = ap.parse_args()
    args.memory_budget = args.memory_budget or default_memory_budget(args.workers)
    models = args.model or [Path("out/demo/lenet.npz")]
    for path in models:
        if not path.is_file():
            raise SystemExit(f"{path}: no such model (run `make demo` or `neurosim train "
                             "lenet --out PATH` first)")
    m = load_mnist()
    print(f"CPU: {cpu_name()}; {os.cpu_count()} cores")
    for path in models:
        bench_model(path, m, args)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or "unknown"


if __name__ == "__main__":
    main()
