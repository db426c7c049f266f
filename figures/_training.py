"""Small, real trainings for the figures (dropout, batch normalization, the bridge), all with
:func:`ann.training.fit` on a random subset of MNIST."""

from __future__ import annotations

import numpy as np

__all__ = ["subset", "train_with_curves"]


def subset(n_train: int, n_val: int, rng: np.random.Generator):
    """``(x_train, y_train, x_val, y_val)``: ``n_train`` random training images and ``n_val``
    random images of the *test* set as validation (float32 NHWC in [0, 1])."""
    from ann.training import prepare_images

    from ._common import mnist

    m = mnist()
    tr = rng.choice(len(m.y_train), n_train, replace=False)
    va = rng.choice(len(m.y_test), n_val, replace=False)
    return (prepare_images(m.x_train[tr]), m.y_train[tr].astype(np.int64),
            prepare_images(m.x_test[va]), m.y_test[va].astype(np.int64))


def train_with_curves(spec, data, optimizer, epochs: int, batch_size: int,
                      rng: np.random.Generator, on_batch=None):
    """Train a fresh network of ``spec`` and evaluate it after every epoch, *in inference mode*
    on both the training and the validation images (so that dropout does not inflate the
    training loss). Returns ``(network, curves)`` with ``curves`` a dict of per-epoch arrays
    ``train_loss, train_acc, val_loss, val_acc`` (index 0: before training)."""
    from ann.blas import blas_threads
    from ann.network import Network
    from ann.training import fit

    x, y, xv, yv = data
    net = Network.from_spec(spec, rng)
    curves = {k: [] for k in ("train_loss", "train_acc", "val_loss", "val_acc")}

    def record():
        for split, (a, b) in (("train", (x, y)), ("val", (xv, yv))):
            loss, acc = net.evaluate(a, b)
            curves[f"{split}_loss"].append(loss)
            curves[f"{split}_acc"].append(acc)

    progress = None
    if on_batch is not None:
        def progress(event):
            if event["kind"] == "batch":
                on_batch(net, event)
    with blas_threads(1):   # small products: one BLAS thread is faster on a shared machine
        record()
        for _ in range(epochs):
            fit(net, x, y, optimizer, epochs=1, batch_size=batch_size, rng=rng,
                progress=progress)
            record()
    return net, {k: np.array(v) for k, v in curves.items()}
