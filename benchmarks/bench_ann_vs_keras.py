"""NumPy ``ann`` vs Keras: training time per epoch on the same architecture, batch size and
float32 data, measured in one run; prints the ratio NumPy/Keras (lower is better for NumPy).

Both sides train on the same MNIST images with Adam (lr 1e-3). Each side first runs a few
warm-up steps (Keras traces its graph; NumPy allocates its buffers), then is timed over
``--steps`` mini-batches; the epoch time is extrapolated to a full 60 000-image epoch
(``60000 / batch`` steps). The machine may be shared, so the script alternates the two sides
``--repeats`` times and compares the best (fastest) repeat of each, as ``timeit`` does; the
per-repeat step times are printed with ``--json``. NumPy runs as ``neurosim train`` does: one
OpenBLAS thread (``--blas-threads``; see :mod:`ann.blas`) and freed memory kept for reuse
(:mod:`ann.memory`); Keras with TensorFlow's defaults (all cores, its own allocator).

    .venv/bin/python benchmarks/bench_ann_vs_keras.py            # MLP b32 and LeNet-5 b64
    .venv/bin/python benchmarks/bench_ann_vs_keras.py --json     # one JSON line at the end

Targets (issue #3): NumPy/Keras ≤ 0.5 for the lecture MLP (batch 32), ≤ 1.0 for LeNet-5
(batch 64).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ann.blas import blas_threads  # noqa: E402
from ann.data import load_mnist  # noqa: E402
from ann.memory import keep_freed_memory  # noqa: E402
from ann.network import Network  # noqa: E402
from ann.optimizers import Adam  # noqa: E402
from ann.spec import lenet5_spec, mlp_spec  # noqa: E402
from keras_timing import time_keras_epoch  # noqa: E402  (this folder: the Keras side)

CASES = {"mlp": (mlp_spec, 32, 0.5), "lenet": (lenet5_spec, 64, 1.0)}


def time_numpy(spec, x, y, batch, steps, warmup):
    net = Network.from_spec(spec, np.random.default_rng(0))
    opt = Adam(1e-3)
    params = net.parameters()
    perm = np.random.default_rng(1).permutation(len(x))

    def step(i):
        idx = perm[(i * batch) % (len(x) - batch):][:batch]
        net.loss_and_gradients(x[idx], y[idx])
        opt.apply(params, net.gradients())

    for i in range(warmup):
        step(i)
    t0 = time.perf_counter()
    for i in range(steps):
        step(warmup + i)
    return (time.perf_counter() - t0) / steps


def time_keras(spec, x, y, batch, steps, warmup, keras):
    """Seconds per step of the Keras twin of ``spec`` (``ann.keras_models.build_keras_model``)
    over ``steps`` mini-batches, after ``warmup`` untimed ones."""
    n = batch * steps
    return time_keras_epoch(spec, x[:n], y[:n], batch, warmup_batches=warmup)["seconds"] / steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", nargs="+", choices=list(CASES), default=list(CASES))
    ap.add_argument("--steps", type=int, default=300, help="timed mini-batches per side")
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--blas-threads", type=int, default=1, help="OpenBLAS threads for NumPy")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import keras
    import tensorflow as tf

    keep_freed_memory()  # as ann.training.fit does
    m = load_mnist(download=False)
    x = (m.x_train.astype(np.float32) / 255)[..., None]
    y = m.y_train.astype(np.int64)
    results = {}
    for name in args.cases:
        make_spec, batch, target = CASES[name]
        spec = make_spec()
        np_t, k_t = [], []
        for _ in range(args.repeats):
            with blas_threads(args.blas_threads):
                np_t.append(time_numpy(spec, x, y, batch, args.steps, args.warmup))
            k_t.append(time_keras(spec, x, y, batch, args.steps, args.warmup, keras))
        steps_per_epoch = -(-60000 // batch)
        np_epoch = min(np_t) * steps_per_epoch
        k_epoch = min(k_t) * steps_per_epoch
        ratio = np_epoch / k_epoch
        results[name] = {"batch": batch, "numpy_epoch_s": round(np_epoch, 2),
                         "keras_epoch_s": round(k_epoch, 2), "ratio": round(ratio, 3),
                         "target": target, "met": ratio <= target,
                         "numpy_median_epoch_s": round(statistics.median(np_t)
                                                       * steps_per_epoch, 2),
                         "keras_median_epoch_s": round(statistics.median(k_t) * steps_per_epoch, 2),
                         "numpy_step_ms": [round(t * 1e3, 2) for t in np_t],
                         "keras_step_ms": [round(t * 1e3, 2) for t in k_t]}
        print(f"{name:6s} batch {batch:3d}: NumPy {np_epoch:6.1f} s/epoch, Keras {k_epoch:6.1f} "
              f"s/epoch, ratio NumPy/Keras {ratio:.2f} (target <= {target}; "
              f"{'met' if ratio <= target else 'NOT met'})", flush=True)
    results["meta"] = {"steps": args.steps, "repeats": args.repeats, "cpus": os.cpu_count(),
                       "numpy": np.__version__, "blas_threads": args.blas_threads,
                       "tensorflow": tf.__version__,
                       "extrapolated_from_steps": True}
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
