"""Beyond: V1 features of MNIST with a linear readout, against raw pixels with the same readout.

    .venv/bin/python benchmarks/visual_readout.py [--n-train 60000]

Features: C1 maps (:func:`neurosim.visual.hmax.c1_layer`: V1 complex cells, MAX over the two
scales and over 4 x 4 neighbourhoods every 2 pixels: 8 orientations x 14 x 14 = 1568
values) versus the 784 raw pixels. Readout, identical for both: a closed-form ridge
regression onto one-hot labels, ``W = (X^T X + lambda I)^{-1} X^T Y`` on z-scored features
with a bias column, prediction ``argmax(X W)`` (a least-squares linear classifier written in
NumPy here because no softmax readout from ``ann`` exists yet). ``lambda`` is chosen on the
last 5000 training images, then the readout is refitted on all training images and scored
once on the 10 000 test images.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ann.data import load_mnist
from neurosim.visual.hmax import c1_layer
from neurosim.visual.pathway import RatePath

LAMBDAS = tuple(10.0 ** k for k in range(-3, 7))


def c1_features(model: RatePath, x: np.ndarray, batch: int = 2000) -> np.ndarray:
    out = []
    for i in range(0, len(x), batch):
        cx = model.run(x[i:i + batch], stages=["v1_complex"])["v1_complex"]
        out.append(c1_layer(cx).reshape(len(cx), -1))
    return np.concatenate(out)


def ridge_solver(X, Y):
    """``lam -> W`` for ridge regression, sharing ``X^T X`` and ``X^T Y`` over lambdas."""
    A, B = X.T @ X, X.T @ Y
    eye = np.eye(len(A))
    return lambda lam: np.linalg.solve(A + lam * eye, B)


def prepare(train, test):
    mu, sd = train.mean(0), train.std(0)
    sd = np.where(sd < 1e-3, 1.0, sd)      # constant features (blank border pixels) stay put
    f = lambda a: np.hstack([(a - mu) / sd, np.ones((len(a), 1))])  # noqa: E731
    return f(train).astype(np.float64), f(test).astype(np.float64)


def evaluate(name, Ftr, ytr, Fte, yte, n_val=5000):
    Y = np.eye(10)[ytr]
    Xa, Xv = prepare(Ftr[:-n_val], Ftr[-n_val:])
    fit = ridge_solver(Xa, Y[:-n_val])
    val = {lam: float(np.mean(np.argmax(Xv @ fit(lam), 1) == ytr[-n_val:])) for lam in LAMBDAS}
    best = max(val, key=val.get)
    Xtr, Xte = prepare(Ftr, Fte)
    W = ridge_solver(Xtr, Y)(best)
    acc = float(np.mean(np.argmax(Xte @ W, 1) == yte))
    print(f"{name:<28} {Ftr.shape[1]:>5} features  lambda {best:g} (val {val[best]:.4f})  "
          f"test accuracy {acc:.4f}")
    return acc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-train", type=int, default=60000)
    a = ap.parse_args()
    m = load_mnist()
    xtr, ytr = m.x_train[:a.n_train], m.y_train[:a.n_train].astype(int)
    xte, yte = m.x_test, m.y_test.astype(int)
    model = RatePath()
    t0 = time.perf_counter()
    Ftr, Fte = c1_features(model, xtr), c1_features(model, xte)
    print(f"C1 features of {len(xtr) + len(xte)} images in {time.perf_counter() - t0:.1f} s")
    acc_px = evaluate("raw pixels + ridge", xtr.reshape(len(xtr), -1).astype(np.float32) / 255,
                      ytr, xte.reshape(len(xte), -1).astype(np.float32) / 255, yte)
    acc_c1 = evaluate("V1 complex -> C1 + ridge", Ftr, ytr, Fte, yte)
    print(f"error rate: pixels {1 - acc_px:.4f}, C1 {1 - acc_c1:.4f} "
          f"(ratio {(1 - acc_px) / max(1e-9, 1 - acc_c1):.2f}x fewer errors with C1)")


if __name__ == "__main__":
    main()
