"""The Keras side of the NumPy-vs-Keras speed comparison: seconds per training epoch of the
Keras twin of a :class:`~ann.spec.ModelSpec`, measured the way a user trains it
(``model.fit(x, y, batch_size=...)`` on float32 NumPy arrays, Adam, sparse categorical
cross-entropy, shuffling on).

:func:`time_keras_epoch` builds the model with :func:`ann.keras_models.build_keras_model` (the
same spec the NumPy network is built from), runs a short warm-up ``fit`` (a few full batches and
a partial one) so that tracing and graph building are not counted, then times whole epochs
(from the epoch's start to its end, callbacks, as Keras sees them) and returns the fastest.
``bench_ann_vs_keras.py`` in this folder imports it (``from keras_timing import
time_keras_epoch``) and times the NumPy network on the same spec, data and batch size in the
same run.

Run alone it prints the Keras epoch times of the lecture MLP (batch 32) and LeNet-5 (batch 64)::

    .venv/bin/python benchmarks/keras_timing.py            # full 54 000-image epochs
    .venv/bin/python benchmarks/keras_timing.py --n 6000   # quicker, on a subset
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

__all__ = ["time_keras_epoch"]


def time_keras_epoch(spec, x: np.ndarray, y: np.ndarray, batch_size: int, *, lr: float = 1e-3,
                     weights: list[dict] | None = None, seed: int = 0, repeats: int = 1,
                     warmup_batches: int = 3) -> dict:
    """Time one Keras training epoch of ``spec`` on ``(x, y)``.

    Parameters
    ----------
    spec : ann.spec.ModelSpec
    x : (N, *spec.input_shape) float32 inputs; y : (N,) integer labels.
    batch_size : mini-batch size.
    lr : Adam's learning rate.
    weights : initial weights (the :mod:`ann.spec` list), e.g. the NumPy network's, so both
        sides start from the same point; default: Keras's seeded initialisation.
    repeats : epochs timed; the fastest is reported (the machine is shared and noisy).
    warmup_batches : full batches (plus one partial batch) of the untimed warm-up ``fit``.

    Returns
    -------
    dict
        ``seconds`` (fastest epoch, s), ``all_seconds``, ``samples``, ``batch_size``,
        ``steps`` per epoch, ``final_loss``, ``device`` (``"GPU"`` if TensorFlow sees one).
    """
    from ann._tf import keras_module, tf_module
    from ann.keras_models import build_keras_model

    tf, keras = tf_module(), keras_module()
    x = np.asarray(x, np.float32)
    y = np.asarray(y)
    if len(x) != len(y) or len(x) < batch_size:
        raise ValueError(f"need at least batch_size={batch_size} samples with labels, got "
                         f"{len(x)} inputs and {len(y)} labels")
    model = build_keras_model(spec, weights, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="sparse_categorical_crossentropy")
    warm = min(len(x), warmup_batches * batch_size + max(1, batch_size // 2))
    model.fit(x[:warm], y[:warm], batch_size=batch_size, epochs=1, verbose=0)

    class EpochTimer(keras.callbacks.Callback):  # the epoch itself, not fit()'s set-up
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds = time.perf_counter() - self.t0

    times, loss = [], float("nan")
    for _ in range(repeats):
        timer = EpochTimer()
        hist = model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=True, verbose=0,
                         callbacks=[timer])
        times.append(timer.seconds)
        loss = float(hist.history["loss"][-1])
    return {"seconds": min(times), "all_seconds": times, "samples": len(x),
            "batch_size": batch_size, "steps": -(-len(x) // batch_size), "final_loss": loss,
            "device": "GPU" if tf.config.list_physical_devices("GPU") else "CPU"}


def main(argv=None) -> int:
    from ann.data import load_mnist
    from ann.spec import lenet5_spec, mlp_spec
    from ann.training import prepare_images

    p = argparse.ArgumentParser(description="Keras seconds per epoch, lecture MLP and LeNet-5")
    p.add_argument("--n", type=int, default=54000, help="training images per epoch")
    p.add_argument("--repeats", type=int, default=1, help="epochs timed (fastest reported)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    m = load_mnist()
    x, y = prepare_images(m.x_train[:args.n]), m.y_train[:args.n].astype(np.int64)
    rows = {name: time_keras_epoch(spec, x, y, bs, repeats=args.repeats)
            for name, spec, bs in (("mlp", mlp_spec(), 32), ("lenet", lenet5_spec(), 64))}
    if args.json:
        print(json.dumps(rows))
    else:
        for name, r in rows.items():
            print(f"{name:<6} batch {r['batch_size']:>3}  {r['samples']} images  "
                  f"{r['seconds']:.2f} s/epoch  ({r['device']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
